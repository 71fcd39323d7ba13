//! Time as a parameter: the wall clock for desks, a stepping clock for tests, and the hybrid
//! logical clock that orders changes across desks.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock for tests and demo data: starts at a fixed instant and moves on by `step_ms` per reading.
pub struct SteppingClock {
    next_ms: AtomicI64,
    step_ms: i64,
}

impl SteppingClock {
    pub fn new(start: DateTime<Utc>, step_ms: i64) -> SteppingClock {
        SteppingClock { next_ms: AtomicI64::new(start.timestamp_millis()), step_ms }
    }
}

impl Clock for SteppingClock {
    fn now(&self) -> DateTime<Utc> {
        let ms = self.next_ms.fetch_add(self.step_ms, Ordering::Relaxed);
        DateTime::from_timestamp_millis(ms).unwrap_or_default()
    }
}

/// A hybrid logical clock reading: 48 bits of Unix milliseconds, 16 bits of counter.
/// Ordered first by physical time, then by counter; ties between desks break on the desk id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hlc(pub u64);

const COUNTER_BITS: u32 = 16;
const COUNTER_MASK: u64 = (1 << COUNTER_BITS) - 1;

impl Hlc {
    pub fn new(physical_ms: u64, counter: u16) -> Hlc {
        Hlc((physical_ms << COUNTER_BITS) | u64::from(counter))
    }

    pub fn physical_ms(self) -> u64 {
        self.0 >> COUNTER_BITS
    }

    pub fn counter(self) -> u16 {
        (self.0 & COUNTER_MASK) as u16
    }

    /// The next reading for a local event: never goes backwards even if the wall clock does.
    pub fn tick(self, wall_ms: u64) -> Hlc {
        if wall_ms > self.physical_ms() {
            Hlc::new(wall_ms, 0)
        } else if self.counter() < u16::MAX {
            Hlc(self.0 + 1)
        } else {
            Hlc::new(self.physical_ms() + 1, 0)
        }
    }

    /// The reading after receiving `remote`: later than both it and our own.
    pub fn observe(self, remote: Hlc, wall_ms: u64) -> Hlc {
        let newest = self.max(remote);
        newest.tick(wall_ms)
    }

    pub fn as_i64(self) -> i64 {
        self.0 as i64
    }

    pub fn from_i64(value: i64) -> Hlc {
        Hlc(value as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_is_monotonic_when_the_wall_clock_goes_back() {
        let a = Hlc::new(1_000, 0);
        let b = a.tick(500);
        assert!(b > a);
        assert_eq!(b.physical_ms(), 1_000);
        let c = b.tick(2_000);
        assert_eq!(c, Hlc::new(2_000, 0));
        let full = Hlc::new(10, u16::MAX).tick(10);
        assert_eq!(full, Hlc::new(11, 0));
    }

    #[test]
    fn observe_moves_past_the_remote_reading() {
        let local = Hlc::new(1_000, 3);
        let remote = Hlc::new(5_000, 7);
        let next = local.observe(remote, 1_200);
        assert!(next > remote && next > local);
    }
}

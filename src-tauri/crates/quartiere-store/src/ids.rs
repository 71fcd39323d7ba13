//! Identifiers: UUID v7 everywhere, made from a clock reading and an explicit random source.

use std::fmt;
use std::hash::{BuildHasher, Hasher};

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use uuid::Uuid;

/// A small deterministic random source (SplitMix64). Seed it for tests and demo data; use
/// [`IdGen::from_entropy`] for real desks.
#[derive(Debug, Clone)]
pub struct IdGen {
    state: u64,
}

impl IdGen {
    pub fn seeded(seed: u64) -> IdGen {
        IdGen { state: seed }
    }

    /// Seeds from the operating system's per-process hash keys, mixed with the time.
    pub fn from_entropy() -> IdGen {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default();
        hasher.write_u64(nanos);
        hasher.write_u32(std::process::id());
        IdGen { state: hasher.finish() }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A UUID v7 for the given Unix time in milliseconds.
    pub fn uuid_v7(&mut self, unix_millis: u64) -> Uuid {
        let mut random = [0u8; 10];
        random[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        random[8..].copy_from_slice(&self.next_u64().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(unix_millis, &random).into_uuid()
    }
}

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.0.to_string()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                Uuid::parse_str(text).map($name).map_err(|e| FromSqlError::Other(Box::new(e)))
            }
        }
    )*};
}

id_type! {
    /// A desk (one laptop with its own database).
    DeskId;
    /// An operator who works at the desks.
    OperatorId;
    DwellingId;
    HouseholdId;
    PersonId;
    MembershipId;
    PartnerId;
    PartnerContactId;
    DeskContactId;
    ReferralId;
    NoteId;
    /// An activity: an event, an assembly, a training session, a meeting.
    ActivityId;
    /// A printed attendance sheet.
    SheetId;
    /// A training course or a job-search path.
    CourseId;
    /// One person on one course, admitted or waiting.
    EnrolmentId;
    /// A person's ESF participant record.
    EsfRecordId;
    /// A case (presa in carico).
    CaseId;
    /// A goal of a case's plan, or a step of a goal.
    GoalId;
    /// A repayment plan (piano di rientro).
    PlanId;
    /// A no-fault arrears assessment.
    AssessmentId;
    /// An action of the project plan.
    PlanActionId;
}

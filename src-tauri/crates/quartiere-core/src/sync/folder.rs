//! The shared folder: who writes where, which names a reader accepts, and atomic publishing.
//!
//! ```text
//! <folder>/keys/<wrap id>.qrtkey                 team key files (JSON), never rewritten
//! <folder>/desks/<desk id>/desk.qrt              the desk's card: name and signing key
//! <folder>/desks/<desk id>/b-<seq, 16 digits>.qrt  bundles, seq from 1 with no gaps
//! <folder>/desks/<desk id>/s-<seq, 16 digits>.qrt  snapshots (state after the desk's bundle seq)
//! ```
//! Every other name (sync-tool temp files, conflict copies, our own `.tmp-*`) is ignored.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::ids::DeskId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Card { desk: DeskId },
    Bundle { desk: DeskId, seq: u64 },
    Snapshot { desk: DeskId, seq: u64 },
}

pub struct Folder {
    pub root: PathBuf,
}

pub fn desk_dir_name(desk: DeskId) -> String {
    desk.0.hyphenated().to_string()
}

pub fn bundle_name(seq: u64) -> String {
    format!("b-{seq:016}.qrt")
}

pub fn snapshot_name(seq: u64) -> String {
    format!("s-{seq:016}.qrt")
}

/// The strict pattern: a lowercase hyphenated UUID folder, and `desk.qrt`, `b-NNNN.qrt` or `s-NNNN.qrt`.
pub fn parse_entry(desk_dir: &str, file: &str) -> Option<Entry> {
    let desk = Uuid::try_parse(desk_dir).ok().filter(|u| u.hyphenated().to_string() == desk_dir).map(DeskId)?;
    if file == "desk.qrt" {
        return Some(Entry::Card { desk });
    }
    let seq_of = |rest: &str| -> Option<u64> {
        let digits = rest.strip_suffix(".qrt")?;
        if digits.len() != 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|&s| s > 0)
    };
    if let Some(rest) = file.strip_prefix("b-") {
        return seq_of(rest).map(|seq| Entry::Bundle { desk, seq });
    }
    if let Some(rest) = file.strip_prefix("s-") {
        return seq_of(rest).map(|seq| Entry::Snapshot { desk, seq });
    }
    None
}

pub fn is_key_file_name(name: &str) -> bool {
    name.strip_suffix(".qrtkey").and_then(|stem| Uuid::try_parse(stem).ok()).is_some_and(|u| {
        let stem = &name[..name.len() - ".qrtkey".len()];
        u.hyphenated().to_string() == stem
    })
}

/// One accepted file, with its size when listed.
#[derive(Clone, Debug)]
pub struct Listed {
    pub entry: Entry,
    pub path: PathBuf,
    /// Relative to the folder, with `/`: how the sync screen names it.
    pub shown: String,
    pub size: u64,
}

impl Listed {
    /// The file's bytes as they are now. They are checked whole before any of them is used.
    pub fn read(&self) -> std::io::Result<Vec<u8>> {
        fs::read(&self.path)
    }

    /// The file's first `N` bytes (its header), or `None` if it is shorter or unreadable.
    pub fn read_head<const N: usize>(&self) -> Option<[u8; N]> {
        let mut head = [0u8; N];
        let mut file = fs::File::open(&self.path).ok()?;
        std::io::Read::read_exact(&mut file, &mut head).ok()?;
        Some(head)
    }

    /// Removes the file: only a desk's own files, once every other desk has them.
    pub fn remove(&self) -> std::io::Result<()> {
        fs::remove_file(&self.path)
    }
}

impl Folder {
    pub fn new(root: &Path) -> Folder {
        Folder { root: root.to_owned() }
    }

    pub fn keys_dir(&self) -> PathBuf {
        self.root.join("keys")
    }

    pub fn desk_dir(&self, desk: DeskId) -> PathBuf {
        self.root.join("desks").join(desk_dir_name(desk))
    }

    /// Every key file, by name order.
    pub fn key_files(&self) -> std::io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        match fs::read_dir(self.keys_dir()) {
            Ok(dir) => {
                for entry in dir {
                    let entry = entry?;
                    if entry.file_name().to_str().is_some_and(is_key_file_name) {
                        out.push(entry.path());
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        out.sort();
        Ok(out)
    }

    /// The bytes of a key file [`Folder::key_files`] listed.
    pub fn read_key_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        fs::read(path)
    }

    /// Every accepted file under `desks/`, in (desk, kind, seq) order. Names outside the pattern
    /// are skipped without being opened.
    pub fn list(&self) -> std::io::Result<Vec<Listed>> {
        let mut out = Vec::new();
        let desks = match fs::read_dir(self.root.join("desks")) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for desk_dir in desks {
            let desk_dir = desk_dir?;
            let Some(desk_name) = desk_dir.file_name().to_str().map(str::to_owned) else { continue };
            if !desk_dir.file_type()?.is_dir() {
                continue;
            }
            for file in fs::read_dir(desk_dir.path())? {
                let file = file?;
                let Some(name) = file.file_name().to_str().map(str::to_owned) else { continue };
                let Some(entry) = parse_entry(&desk_name, &name) else { continue };
                let meta = file.metadata()?;
                if !meta.is_file() {
                    continue;
                }
                out.push(Listed {
                    entry,
                    path: file.path(),
                    shown: format!("desks/{desk_name}/{name}"),
                    size: meta.len(),
                });
            }
        }
        out.sort_by(|a, b| a.shown.cmp(&b.shown));
        Ok(out)
    }
}

/// Writes `bytes` to `dir/name` so that no reader ever sees a partial file and an existing file
/// is never replaced: hidden temp file in the same folder, fsync, link to the final name (which
/// fails if the name exists), fsync the folder. Returns `Ok(false)` if the name already exists.
pub fn publish(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<bool> {
    fs::create_dir_all(dir)?;
    let final_path = dir.join(name);
    if final_path.exists() {
        return Ok(false);
    }
    let tmp = dir.join(format!(".tmp-{}-{}", std::process::id(), crate::crypto::hex(&crate::crypto::random::<6>())));
    let result = (|| {
        let mut f = fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        match fs::hard_link(&tmp, &final_path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            // File systems without hard links (FAT on a USB stick): rename after the check above.
            Err(_) => {
                if final_path.exists() {
                    return Ok(false);
                }
                fs::rename(&tmp, &final_path).map(|()| true)
            }
        }
    })();
    let _ = fs::remove_file(&tmp);
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_strict_names_are_accepted() {
        let desk = "0194c1a2-7b3c-7def-8abc-0123456789ab";
        assert!(matches!(parse_entry(desk, "b-0000000000000001.qrt"), Some(Entry::Bundle { seq: 1, .. })));
        assert!(matches!(parse_entry(desk, "s-0000000000000042.qrt"), Some(Entry::Snapshot { seq: 42, .. })));
        assert!(matches!(parse_entry(desk, "desk.qrt"), Some(Entry::Card { .. })));
        for bad in [
            "b-0000000000000000.qrt",
            "b-1.qrt",
            "b-0000000000000001.sync-conflict-20261122-101010-ABCDEF.qrt",
            ".syncthing.b-0000000000000001.qrt.tmp",
            "~syncthing~b-0000000000000001.qrt.tmp",
            ".tmp-12-abcdef",
            "b-0000000000000001 (conflicted copy).qrt",
            "b-0000000000000001.qrt.part",
        ] {
            assert_eq!(parse_entry(desk, bad), None, "{bad}");
        }
        assert_eq!(parse_entry("0194C1A2-7B3C-7DEF-8ABC-0123456789AB", "desk.qrt"), None);
        assert!(is_key_file_name("0194c1a2-7b3c-7def-8abc-0123456789ab.qrtkey"));
        assert!(!is_key_file_name("0194c1a2-7b3c-7def-8abc-0123456789ab.sync-conflict-1.qrtkey"));
    }

    #[test]
    fn publish_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(publish(dir.path(), "b-0000000000000001.qrt", b"one").unwrap());
        assert!(!publish(dir.path(), "b-0000000000000001.qrt", b"two").unwrap());
        assert_eq!(fs::read(dir.path().join("b-0000000000000001.qrt")).unwrap(), b"one");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temp file left behind");
    }
}

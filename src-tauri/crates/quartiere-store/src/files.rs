//! Writing a file whole or not at all: a reader (or a crash) sees the old file or the new one,
//! never half of one.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::Result;

/// Writes `bytes` to a temporary name beside `path`, flushes it to disk, renames it over `path`,
/// and flushes the folder. On failure the temporary file is removed and `path` is untouched.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = fs::OpenOptions::new().write(true).create(true).truncate(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        sync_dir(path.parent().unwrap_or(Path::new(".")));
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    Ok(result?)
}

/// Flushes a folder's entries (a rename into it) to disk; best effort.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

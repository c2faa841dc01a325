//! Crash-safe file writes: every output goes to a temporary file beside its target, is synced
//! to disk, then renamed over the target (a rename within one directory is atomic on POSIX file
//! systems), and the directory is synced so that the rename itself survives a crash. Whoever
//! reads the target sees the old file or the new one, never a part of either.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The temporary name of `path` while it is written: `.NAME.PID.partial` with `NAME`'s
/// extension kept last (`fig.png` → `.fig.123.partial.png`), so that writers that pick the
/// format by extension still do.
pub fn partial_path(path: &Path) -> PathBuf {
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    let name = name.unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.partial{ext}", std::process::id()))
}

/// Writes `contents` to `path` crash-safely (see the module documentation).
pub fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    let partial = partial_path(path);
    let written = File::create(&partial).and_then(|mut f| {
        f.write_all(contents)?;
        f.sync_all()
    });
    match written {
        Ok(()) => commit(&partial, path),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// Moves the finished file `partial` (written by someone else, e.g. a plotting backend) over
/// `path`: syncs it, renames it, syncs the directory.
pub fn commit(partial: &Path, path: &Path) -> io::Result<()> {
    OpenOptions::new().write(true).open(partial)?.sync_all()?;
    std::fs::rename(partial, path)?;
    sync_dir(path)
}

/// Removes the temporary files a killed writer left in `dir` (`.NAME.PID.partial[.EXT]`).
pub fn remove_partials(dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.is_some_and(|n| n.starts_with('.') && n.contains(".partial")) {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// Syncs the directory holding `path`, so that a rename into it is on disk.
fn sync_dir(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

//! Atomic output files, and the report formats shared by the commands.
//!
//! kbuild runs modver in parallel and may be interrupted at any time; a
//! `.mod`, `.usyms` or symversions file must therefore either be absent or
//! complete. Every output is written to a temporary file in the target's
//! directory and renamed over the target, which is atomic on POSIX
//! filesystems, also when two modver processes write the same file.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` atomically (temporary file + rename).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".modver-tmp.")
        .tempfile_in(dir)
        .map_err(|e| Error::io(path, e))?;
    tmp.write_all(contents).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_data().map_err(|e| Error::io(path, e))?;
    // Keep the permissions a plain `>` redirection in make would give.
    set_default_mode(tmp.as_file());
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// How a report (`modver check`, `modver explain`) is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportFormat {
    /// For people: one line per finding.
    #[default]
    Text,
    /// The whole result as one pretty-printed JSON document, for scripts.
    Json,
}

/// `value` as pretty-printed JSON with a final newline: the JSON form of
/// every report.
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    Ok(s)
}

/// Removes `path` if it exists, as kbuild's `rm -f` does.
pub fn remove_if_exists(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

#[cfg(unix)]
fn set_default_mode(f: &std::fs::File) {
    use std::os::unix::fs::PermissionsExt;
    // tempfile creates 0600; outputs are ordinary build artifacts (0666 & ~umask).
    let umask = current_umask();
    let _ = f.set_permissions(std::fs::Permissions::from_mode(0o666 & !umask));
}

#[cfg(unix)]
fn current_umask() -> u32 {
    // Reading the umask needs setting it; /proc avoids the race.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

#[cfg(not(unix))]
fn set_default_mode(_f: &std::fs::File) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_existing_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("foo.mod");
        std::fs::write(&p, b"old").unwrap();
        write_atomic(&p, b"new\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn missing_directory_is_an_error_naming_the_file() {
        let e = write_atomic(Path::new("/nonexistent-dir/x.mod"), b"").unwrap_err();
        assert!(e.to_string().contains("/nonexistent-dir/x.mod"), "{e}");
    }
}

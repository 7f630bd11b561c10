//! Input files' bytes: memory-mapped when large, read when small, as
//! LLVM's `MemoryBuffer::getFile` gives them to `llvm-nm` (it maps files of
//! 16 KiB and more; modver from [`MAP_AT_LEAST`]).
//!
//! A reader that looks at part of a file (the irsymtab at the end of a
//! bitcode module, an ELF object's section headers and symbol table, an
//! archive's member headers) then touches only those pages, instead of
//! copying every byte through `read(2)`. Small files are read into a
//! caller's reusable buffer: for them one `read` costs less than a mapping.

use std::fs::File;
use std::ops::Deref;
use std::path::Path;

/// Files of at least this many bytes are mapped. LLVM's single-threaded
/// tools map from four pages on (`shouldUseMmap`); modver reads files on
/// several threads, where unmapping each file costs a TLB flush on the
/// other cores. Reading up to 256 KiB costs less: on the 6.18 tree's 1264
/// objects, `modver symbols` with 2 threads took about 20 % less wall
/// time (1191 TLB flushes against 69), the same with 1 thread.
pub const MAP_AT_LEAST: u64 = 256 * 1024;

/// A file's contents: borrowed from the caller's buffer, or mapped.
pub enum FileBytes<'b> {
    /// Read into the caller's buffer.
    Read(&'b [u8]),
    /// Mapped read-only (private).
    Mapped(memmap2::Mmap),
}

impl Deref for FileBytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Read(b) => b,
            FileBytes::Mapped(m) => m,
        }
    }
}

/// The bytes of the file at `path`: mapped if it has at least
/// [`MAP_AT_LEAST`] bytes, else read into `buf` (cleared first).
///
/// A mapping assumes, as llvm-nm's does, that nobody truncates the file
/// while it is read: kbuild never rewrites an object that a later step of
/// the same build is reading.
pub fn read_file<'b>(path: &Path, buf: &'b mut Vec<u8>) -> std::io::Result<FileBytes<'b>> {
    let f = File::open(path)?;
    let len = f.metadata()?.len();
    if len >= MAP_AT_LEAST {
        // SAFETY: the mapping is read-only and private; see above for the
        // one assumption (no concurrent truncation), which llvm-nm makes
        // too.
        if let Ok(m) = unsafe { memmap2::Mmap::map(&f) } {
            return Ok(FileBytes::Mapped(m));
        }
    }
    read_open_file(f, len, buf)?;
    Ok(FileBytes::Read(buf))
}

/// `std::fs::read` into `buf` (cleared first): no fresh allocation (and
/// its page faults) per file.
fn read_open_file(mut f: File, len: u64, buf: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Read;
    buf.clear();
    buf.reserve(len as usize);
    f.read_to_end(buf).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_are_read_large_ones_mapped_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut buf = Vec::new();
        for len in [
            0usize,
            1,
            4095,
            MAP_AT_LEAST as usize - 1,
            MAP_AT_LEAST as usize,
            MAP_AT_LEAST as usize + 100_000,
        ] {
            let p = dir.path().join(format!("f{len}"));
            let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            std::fs::write(&p, &data).unwrap();
            let got = read_file(&p, &mut buf).unwrap();
            assert_eq!(&*got, &data[..], "{len} bytes");
            assert_eq!(
                matches!(got, FileBytes::Mapped(_)),
                len as u64 >= MAP_AT_LEAST,
                "{len} bytes: mapped only from MAP_AT_LEAST on"
            );
        }
        let missing = dir.path().join("missing");
        assert!(read_file(&missing, &mut buf).is_err());
    }
}

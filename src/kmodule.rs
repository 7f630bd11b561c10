//! Kernel module files as `modprobe`/`insmod` read them: `.ko`, or a `.ko`
//! compressed by `scripts/Makefile.modinst` (`CONFIG_MODULE_COMPRESS_XZ`,
//! `_ZSTD`, `_GZIP`: `.ko.xz`, `.ko.zst`, `.ko.gz`), opened as an ELF
//! image ([`crate::elf`]) once decompressed.
//!
//! Compression is recognised by magic bytes, as kmod does, not by the
//! file name. `.ko.xz` is decoded by [`crate::xz`] (liblzma 5.8; the
//! pure-Rust `lzma-rs` took 2.7 ms per Debian module against liblzma's
//! 0.6 ms), `.ko.zst` by libzstd (the `zstd` crate: 0.16 ms of CPU per
//! Debian 6.12 module, recompressed as `Makefile.modinst` does, against
//! 0.47 ms for the pure-Rust `ruzstd`), `.ko.gz`
//! by `flate2` with `miniz_oxide`.

use crate::elf::ElfImage;
use crate::error::{Error, Position, Result};
use object::elf;
use std::path::Path;

/// How a module file is compressed (`CONFIG_MODULE_COMPRESS_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// A plain `.ko`.
    None,
    /// `xz --check=crc32 --lzma2=dict=1MiB` (`.ko.xz`).
    Xz,
    /// `zstd` (`.ko.zst`).
    Zstd,
    /// `gzip -n` (`.ko.gz`).
    Gzip,
}

/// Recognises the compression of `data` from its first bytes.
pub fn detect_compression(data: &[u8]) -> Compression {
    if data.starts_with(&crate::xz::STREAM_MAGIC) {
        Compression::Xz
    } else if data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else if data.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else {
        Compression::None
    }
}

/// Decompresses a module image; `display` names the file in errors.
pub fn decompress(data: &[u8], display: &str) -> Result<(Vec<u8>, Compression)> {
    match detect_compression(data) {
        Compression::None => Ok((data.to_vec(), Compression::None)),
        kind => Ok((decompress_as(data, kind, display)?, kind)),
    }
}

/// Decompresses `data`, compressed as `kind` (not [`Compression::None`]).
fn decompress_as(data: &[u8], kind: Compression, display: &str) -> Result<Vec<u8>> {
    let corrupt = |what: &str, e: String| {
        Error::malformed(display, Position::File, format!("corrupt {what} data: {e}"))
    };
    let out = match kind {
        Compression::None => data.to_vec(),
        Compression::Xz => crate::xz::decode(data, display)?,
        Compression::Zstd => {
            use std::io::Read;
            // zstd compresses modules about 3.5:1.
            let mut out = Vec::with_capacity(data.len().saturating_mul(4));
            zstd::stream::read::Decoder::with_buffer(data)
                .and_then(|mut dec| dec.read_to_end(&mut out))
                .map_err(|e| corrupt("zstd", e.to_string()))?;
            out
        }
        Compression::Gzip => {
            use std::io::Read;
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(data)
                .read_to_end(&mut out)
                .map_err(|e| corrupt("gzip", e.to_string()))?;
            out
        }
    };
    Ok(out)
}

/// A module file's decompressed bytes: owned, or the file itself mapped
/// when it is not compressed (a 600 MB `-dbg` vmlinux is not copied).
pub enum ModuleBytes {
    /// Read, or decompressed, into memory.
    Owned(Vec<u8>),
    /// An uncompressed file, mapped read-only.
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for ModuleBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            ModuleBytes::Owned(v) => v,
            ModuleBytes::Mapped(m) => m,
        }
    }
}

impl AsRef<[u8]> for ModuleBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl std::fmt::Debug for ModuleBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bytes", self.len())
    }
}

impl ModuleBytes {
    /// Lets the kernel drop the pages of a mapping that were read (they
    /// come back from the page cache if read again): a caller done with a
    /// large input keeps it open without keeping it resident. Owned bytes
    /// are kept as they are.
    pub fn release_pages(&self) {
        if let ModuleBytes::Mapped(m) = self {
            // SAFETY: a private read-only file mapping: dropped pages are
            // read back from the file on the next access, unchanged.
            let _ = unsafe { m.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
        }
    }
}

/// A module file read and decompressed once, as kmod's `kmod_file_open()`
/// does before `kmod_elf_new()`: the one way `check`, `ksymtab` and
/// `modversions` open `.ko`, `.ko.xz`, `.ko.zst` and `.ko.gz` files.
#[derive(Debug)]
pub struct ModuleFile {
    /// The decompressed image.
    pub data: ModuleBytes,
    /// How the file was compressed.
    pub compression: Compression,
    /// The file's name in errors; byte offsets of a compressed module
    /// refer to its decompressed image, which the name says.
    pub display: String,
}

impl ModuleFile {
    /// Reads and decompresses the module file at `path`; an uncompressed
    /// file of [`crate::input::MAP_AT_LEAST`] bytes or more is mapped, not
    /// copied (nobody rewrites an installed module while it is read).
    pub fn open(path: &Path) -> Result<ModuleFile> {
        let mut buf = Vec::new();
        let bytes = crate::input::read_file(path, &mut buf).map_err(|e| Error::io(path, e))?;
        let display = path.display().to_string();
        let compression = detect_compression(&bytes);
        let data = match (compression, bytes) {
            (Compression::None, crate::input::FileBytes::Mapped(m)) => ModuleBytes::Mapped(m),
            (Compression::None, crate::input::FileBytes::Read(_)) => {
                ModuleBytes::Owned(std::mem::take(&mut buf))
            }
            (kind, bytes) => ModuleBytes::Owned(decompress_as(&bytes, kind, &display)?),
        };
        Ok(ModuleFile::new(data, compression, &display))
    }

    /// Decompresses a module image given as bytes; `display` names it.
    pub fn from_bytes(data: &[u8], display: &str) -> Result<ModuleFile> {
        let (data, compression) = decompress(data, display)?;
        Ok(ModuleFile::new(
            ModuleBytes::Owned(data),
            compression,
            display,
        ))
    }

    fn new(data: ModuleBytes, compression: Compression, display: &str) -> ModuleFile {
        let display = if compression == Compression::None {
            display.to_string()
        } else {
            format!("{display} (decompressed)")
        };
        ModuleFile {
            data,
            compression,
            display,
        }
    }

    /// The module's ELF image ([`module_elf`]).
    pub fn elf(&self) -> Result<ElfImage<'_>> {
        module_elf(&self.data, &self.display)
    }
}

/// The ELF image of a (decompressed) module file, as kmod's
/// `kmod_elf_new()` accepts it: the `\x7fELF` magic first, then
/// [`ElfImage::parse`].
pub fn module_elf<'a>(data: &'a [u8], display: &str) -> Result<ElfImage<'a>> {
    if !data.starts_with(&elf::ELFMAG) {
        return Err(Error::malformed(
            display,
            Position::Offset(0),
            "not an ELF file (expected \\x7fELF magic, or xz/zstd/gzip compression)",
        ));
    }
    ElfImage::parse(data, display)
}

//! Kernel module files as `modprobe`/`insmod` read them: `.ko`, or a `.ko`
//! compressed by `scripts/Makefile.modinst` (`CONFIG_MODULE_COMPRESS_XZ`,
//! `_ZSTD`, `_GZIP`: `.ko.xz`, `.ko.zst`, `.ko.gz`), opened as an ELF
//! image ([`crate::elf`]) once decompressed.
//!
//! Compression is recognised by magic bytes, as kmod does, not by the
//! file name. `.ko.xz` is decoded by liblzma (the `xz2` crate; the
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
    if data.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
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
    let kind = detect_compression(data);
    let corrupt = |what: &str, e: String| {
        Error::malformed(display, Position::File, format!("corrupt {what} data: {e}"))
    };
    let out = match kind {
        Compression::None => data.to_vec(),
        Compression::Xz => {
            use std::io::Read;
            // Modules compress about 4:1; one allocation in most cases.
            let mut out = Vec::with_capacity(data.len().saturating_mul(4));
            xz2::bufread::XzDecoder::new_multi_decoder(data)
                .read_to_end(&mut out)
                .map_err(|e| corrupt("xz", e.to_string()))?;
            out
        }
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
    Ok((out, kind))
}

/// A module file read and decompressed once, as kmod's `kmod_file_open()`
/// does before `kmod_elf_new()`: the one way `check`, `ksymtab` and
/// `modversions` open `.ko`, `.ko.xz`, `.ko.zst` and `.ko.gz` files.
#[derive(Debug)]
pub struct ModuleFile {
    /// The decompressed image.
    pub data: Vec<u8>,
    /// How the file was compressed.
    pub compression: Compression,
    /// The file's name in errors; byte offsets of a compressed module
    /// refer to its decompressed image, which the name says.
    pub display: String,
}

impl ModuleFile {
    /// Reads and decompresses the module file at `path`.
    pub fn open(path: &Path) -> Result<ModuleFile> {
        let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        ModuleFile::from_bytes(&data, &path.display().to_string())
    }

    /// Decompresses a module image given as bytes; `display` names it.
    pub fn from_bytes(data: &[u8], display: &str) -> Result<ModuleFile> {
        let (data, compression) = decompress(data, display)?;
        let display = if compression == Compression::None {
            display.to_string()
        } else {
            format!("{display} (decompressed)")
        };
        Ok(ModuleFile {
            data,
            compression,
            display,
        })
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

//! Kernel module files as `modprobe`/`insmod` read them: `.ko`, or a `.ko`
//! compressed by `scripts/Makefile.modinst` (`CONFIG_MODULE_COMPRESS_XZ`,
//! `_ZSTD`, `_GZIP`: `.ko.xz`, `.ko.zst`, `.ko.gz`), and the few ELF
//! facts modver needs from them (sections and the symbol table).
//!
//! Compression is recognised by magic bytes, as kmod does, not by the
//! file name. `.ko.xz` is decoded by liblzma (the `xz2` crate; the
//! pure-Rust `lzma-rs` took 2.7 ms per Debian module against liblzma's
//! 0.6 ms), `.ko.zst` by `ruzstd`, `.ko.gz` by `flate2` with `miniz_oxide`.

use crate::error::{Error, Position, Result};
use object::elf;
use object::read::elf::{FileHeader, SectionHeader, Sym};
use object::{Endian, Endianness};
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
            let mut out = Vec::new();
            let mut dec = ruzstd::decoding::StreamingDecoder::new(std::io::Cursor::new(data))
                .map_err(|e| corrupt("zstd", e.to_string()))?;
            dec.read_to_end(&mut out)
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

/// Reads a module file and decompresses it if needed.
pub fn read_module_file(path: &Path) -> Result<(Vec<u8>, Compression)> {
    let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decompress(&data, &path.display().to_string())
}

/// One section header of an ELF file.
#[derive(Debug, Clone)]
pub struct ElfSection {
    /// Section name (`__versions`, `__kcrctab`, ...).
    pub name: String,
    /// `sh_type`.
    pub sh_type: u32,
    /// `sh_addr` (0 in relocatables).
    pub addr: u64,
    /// `sh_offset`: where the contents start in the file.
    pub offset: u64,
    /// `sh_size`.
    pub size: u64,
}

/// One `.symtab` entry of an ELF file.
#[derive(Debug, Clone)]
pub struct ElfSymbol {
    /// The symbol name.
    pub name: String,
    /// `st_value`: an offset into its section in relocatables, an address
    /// in executables, the value itself for `SHN_ABS`.
    pub value: u64,
    /// `st_shndx`.
    pub shndx: u16,
    /// `STB_*` binding.
    pub bind: u8,
}

/// The parts of an ELF object modver reads: class, byte order, section
/// headers and symbol table. Section contents are read from `data` with
/// [`ElfImage::section_data`], which checks bounds.
#[derive(Debug)]
pub struct ElfImage<'a> {
    /// The whole file.
    pub data: &'a [u8],
    /// Name of the file in errors.
    pub display: String,
    /// ELFCLASS64.
    pub is_64: bool,
    /// ELFDATA2MSB.
    pub big_endian: bool,
    /// `ET_REL` (a `.ko` or `.o`) rather than an executable (`vmlinux`).
    pub is_relocatable: bool,
    /// Section headers, by index.
    pub sections: Vec<ElfSection>,
    /// `.symtab` (empty when the file has none), index 0 skipped.
    pub symbols: Vec<ElfSymbol>,
}

impl<'a> ElfImage<'a> {
    /// Parses the ELF header, section headers and `.symtab` of `data`.
    pub fn parse(data: &'a [u8], display: &str) -> Result<Self> {
        let bad = |e: object::Error| {
            Error::malformed(display, Position::Offset(0), format!("invalid ELF: {e}"))
        };
        if !data.starts_with(b"\x7fELF") {
            return Err(Error::malformed(
                display,
                Position::Offset(0),
                "not an ELF file (expected \\x7fELF magic, or xz/zstd/gzip compression)",
            ));
        }
        match data.get(4) {
            Some(&elf::ELFCLASS64) => {
                let h = elf::FileHeader64::<Endianness>::parse(data).map_err(bad)?;
                Self::parse_generic(h, data, display, true)
            }
            Some(&elf::ELFCLASS32) => {
                let h = elf::FileHeader32::<Endianness>::parse(data).map_err(bad)?;
                Self::parse_generic(h, data, display, false)
            }
            _ => Err(Error::malformed(
                display,
                Position::Offset(4),
                "invalid ELF: expected ELFCLASS32 or ELFCLASS64",
            )),
        }
    }

    fn parse_generic<H: FileHeader<Endian = Endianness>>(
        header: &H,
        data: &'a [u8],
        display: &str,
        is_64: bool,
    ) -> Result<Self> {
        let bad = |what: &str, e: object::Error| {
            Error::malformed(display, Position::File, format!("invalid ELF {what}: {e}"))
        };
        let endian = header.endian().map_err(|e| bad("header", e))?;
        let table = header
            .sections(endian, data)
            .map_err(|e| bad("section headers", e))?;
        let mut sections = Vec::with_capacity(table.len());
        for s in table.iter() {
            let name = table
                .section_name(endian, s)
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .unwrap_or_default();
            sections.push(ElfSection {
                name,
                sh_type: s.sh_type(endian),
                addr: s.sh_addr(endian).into(),
                offset: s.sh_offset(endian).into(),
                size: s.sh_size(endian).into(),
            });
        }
        let symtab = table
            .symbols(endian, data, elf::SHT_SYMTAB)
            .map_err(|e| bad("symbol table", e))?;
        let mut symbols = Vec::with_capacity(symtab.len());
        for (index, sym) in symtab.enumerate() {
            if index.0 == 0 {
                continue;
            }
            let name = symtab.symbol_name(endian, sym).map_err(|e| {
                Error::malformed(
                    display,
                    Position::File,
                    format!("invalid ELF symbol {}: name: {e}", index.0),
                )
            })?;
            symbols.push(ElfSymbol {
                name: String::from_utf8_lossy(name).into_owned(),
                value: sym.st_value(endian).into(),
                shndx: sym.st_shndx(endian),
                bind: sym.st_bind(),
            });
        }
        Ok(ElfImage {
            data,
            display: display.to_string(),
            is_64,
            big_endian: !endian.is_little_endian(),
            is_relocatable: header.e_type(endian) == elf::ET_REL,
            sections,
            symbols,
        })
    }

    /// The first section called `name`.
    pub fn section(&self, name: &str) -> Option<&ElfSection> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The contents of `section`; an error if they lie outside the file.
    /// `SHT_NOBITS` sections have no contents (empty slice).
    pub fn section_data(&self, section: &ElfSection) -> Result<&'a [u8]> {
        if section.sh_type == elf::SHT_NOBITS {
            return Ok(&[]);
        }
        let end = section.offset.checked_add(section.size);
        let slice = usize::try_from(section.offset).ok().and_then(|start| {
            let end = usize::try_from(end?).ok()?;
            self.data.get(start..end)
        });
        slice.ok_or_else(|| {
            Error::malformed(
                &self.display,
                Position::Offset(section.offset),
                format!(
                    "section {} ({} bytes at offset {:#x}) extends past the end of the file ({} bytes): truncated file?",
                    section.name,
                    section.size,
                    section.offset,
                    self.data.len()
                ),
            )
        })
    }

    /// Reads an unsigned integer of `width` bytes (4 or 8) in the file's
    /// byte order; `None` if out of bounds.
    pub fn read_uint(&self, bytes: &[u8], at: usize, width: usize) -> Option<u64> {
        read_uint(bytes, at, width, self.big_endian)
    }
}

/// Reads an unsigned integer of `width` bytes (1..=8) at `at`.
pub fn read_uint(bytes: &[u8], at: usize, width: usize, big_endian: bool) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(width)?)?;
    let mut v: u64 = 0;
    if big_endian {
        for &x in b {
            v = (v << 8) | u64::from(x);
        }
    } else {
        for &x in b.iter().rev() {
            v = (v << 8) | u64::from(x);
        }
    }
    Some(v)
}

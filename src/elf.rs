//! ELF images: the one reader of ELF objects, `vmlinux` and modules, for
//! every command (symbol tables, exports, `__ksymtab`, `__versions`).
//!
//! It takes from a file what modpost's `parse_elf()` (`scripts/mod/modpost.c`)
//! and kmod's `kmod_elf_new()` take: the header, the section headers with
//! their names, and `.symtab`. Both classes (ELFCLASS32/64) and both byte
//! orders are read by one generic function over `object`'s ELF
//! [`FileHeader`] traits; section contents stay in the input and are read
//! with bounds checks ([`ElfImage::section_data`]).

use crate::error::{Error, Position, Result};
use object::elf;
use object::read::elf::{FileHeader, SectionHeader, SectionTable, Sym, SymbolTable};
use object::SymbolIndex;
use object::{Endian, Endianness};
use std::borrow::Cow;

/// One section header (`Elf_Shdr`), with its name from `.shstrtab`.
#[derive(Debug, Clone)]
pub struct ElfSection<'a> {
    /// Section name (`__versions`, `__kcrctab`, ...); empty when the name
    /// cannot be read.
    pub name: Cow<'a, str>,
    /// `sh_type`.
    pub sh_type: u32,
    /// `sh_flags` (`SHF_ALLOC`, `SHF_WRITE`, `SHF_EXECINSTR`, ...).
    pub flags: u64,
    /// `sh_addr` (0 in relocatables).
    pub addr: u64,
    /// `sh_offset`: where the contents start in the file.
    pub offset: u64,
    /// `sh_size`.
    pub size: u64,
}

/// One `.symtab` entry (`Elf_Sym`).
#[derive(Debug, Clone)]
pub struct ElfSymbol<'a> {
    /// The symbol name (invalid UTF-8 replaced, as `String::from_utf8_lossy`).
    pub name: Cow<'a, str>,
    /// `st_value`: an offset into its section in relocatables, an address
    /// in executables, the value itself for `SHN_ABS`.
    pub value: u64,
    /// `st_size`.
    pub size: u64,
    /// `st_shndx` as stored (`SHN_UNDEF`, `SHN_ABS`, `SHN_XINDEX`, ...).
    pub shndx: u16,
    /// Index into [`ElfImage::sections`] of the defining section
    /// (`SHN_XINDEX` resolved through `.symtab_shndx`), when there is one.
    pub section: Option<usize>,
    /// `STB_*` binding.
    pub bind: u8,
    /// `STT_*` type.
    pub st_type: u8,
}

/// The header, section headers and symbol table of an ELF file, as
/// modpost's `parse_elf()` sees them.
#[derive(Debug)]
pub struct ElfImage<'a> {
    /// The whole file.
    pub data: &'a [u8],
    /// Name of the file in errors (`file` or `archive(member)`).
    pub display: String,
    /// ELFCLASS64.
    pub is_64: bool,
    /// ELFDATA2MSB.
    pub big_endian: bool,
    /// `e_machine`.
    pub machine: u16,
    /// `ET_REL` (a `.ko` or `.o`) rather than an executable (`vmlinux`).
    pub is_relocatable: bool,
    /// Whether the file has a non-empty `.symtab`.
    pub has_symtab: bool,
    /// Section headers, by index.
    pub sections: Vec<ElfSection<'a>>,
    /// `.symtab` in table order, the null symbol (index 0) left out.
    pub symbols: Vec<ElfSymbol<'a>>,
}

impl<'a> ElfImage<'a> {
    /// Parses the ELF header, section headers and `.symtab` of `data`
    /// (either class, either byte order); `display` names the file in
    /// errors.
    pub fn parse(data: &'a [u8], display: &str) -> Result<Self> {
        let bad = |e: object::Error| {
            Error::malformed(display, Position::Offset(0), format!("invalid ELF: {e}"))
        };
        match data.get(4) {
            Some(&elf::ELFCLASS64) => {
                let h = elf::FileHeader64::<Endianness>::parse(data).map_err(bad)?;
                Self::parse_as(h, data, display, true)
            }
            Some(&elf::ELFCLASS32) => {
                let h = elf::FileHeader32::<Endianness>::parse(data).map_err(bad)?;
                Self::parse_as(h, data, display, false)
            }
            _ => Err(Error::malformed(
                display,
                Position::Offset(4),
                "invalid ELF: expected ELFCLASS32 or ELFCLASS64",
            )),
        }
    }

    fn parse_as<H: FileHeader<Endian = Endianness>>(
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
            .map_err(|e| section_table_error(header, endian, data, display, e))?;
        let sections: Vec<_> = table
            .iter()
            .map(|s| read_section(&table, endian, s))
            .collect();
        let symtab = table
            .symbols(endian, data, elf::SHT_SYMTAB)
            .map_err(|e| bad("symbol table", e))?;
        let symbols = read_symbols(&symtab, endian, sections.len(), display)?;
        Ok(ElfImage {
            data,
            display: display.to_string(),
            is_64,
            big_endian: !endian.is_little_endian(),
            machine: header.e_machine(endian),
            is_relocatable: header.e_type(endian) == elf::ET_REL,
            has_symtab: !symtab.is_empty(),
            sections,
            symbols,
        })
    }

    /// The first section called `name` (modpost's `find_sec()`).
    pub fn section(&self, name: &str) -> Option<&ElfSection<'a>> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The section that defines `sym`, if any.
    pub fn section_of(&self, sym: &ElfSymbol<'_>) -> Option<&ElfSection<'a>> {
        sym.section.and_then(|i| self.sections.get(i))
    }

    /// The contents of `section`; an error if they lie outside the file.
    /// `SHT_NOBITS` sections have no contents (empty slice).
    pub fn section_data(&self, section: &ElfSection<'_>) -> Result<&'a [u8]> {
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

    /// The bytes `sym` labels in its section, to the end of the section
    /// (`st_value` is a section offset in relocatables, an address in
    /// linked images); `None` when they are not in the file.
    pub fn symbol_data(&self, sym: &ElfSymbol<'_>) -> Option<&'a [u8]> {
        let section = self.section_of(sym)?;
        let offset = self.offset_in_section(sym, section);
        let data = self.section_data(section).ok()?;
        data.get(usize::try_from(offset).ok()?..)
    }

    /// Where `sym` lies in `section`: `st_value` in relocatables, `st_value`
    /// minus `sh_addr` in linked images.
    pub fn offset_in_section(&self, sym: &ElfSymbol<'_>, section: &ElfSection<'_>) -> u64 {
        if self.is_relocatable {
            sym.value
        } else {
            sym.value.wrapping_sub(section.addr)
        }
    }

    /// Reads an unsigned integer of `width` bytes (4 or 8) in the file's
    /// byte order; `None` if out of bounds.
    pub fn read_uint(&self, bytes: &[u8], at: usize, width: usize) -> Option<u64> {
        read_uint(bytes, at, width, self.big_endian)
    }
}

/// `.symtab` without its null symbol; `sections` is the section count.
fn read_symbols<'a, H: FileHeader<Endian = Endianness>>(
    symtab: &SymbolTable<'a, H>,
    endian: Endianness,
    sections: usize,
    display: &str,
) -> Result<Vec<ElfSymbol<'a>>> {
    let read = |(index, sym): (SymbolIndex, &'a H::Sym)| {
        let name = symtab.symbol_name(endian, sym).map_err(|e| {
            Error::malformed(
                display,
                Position::File,
                format!("invalid ELF symbol {}: name: {e}", index.0),
            )
        })?;
        let section = symtab.symbol_section(endian, sym, index).ok().flatten();
        Ok(ElfSymbol {
            name: String::from_utf8_lossy(name),
            value: sym.st_value(endian).into(),
            size: sym.st_size(endian).into(),
            shndx: sym.st_shndx(endian),
            section: section.map(|s| s.0).filter(|&s| s < sections),
            bind: sym.st_bind(),
            st_type: sym.st_type(),
        })
    };
    symtab.enumerate().skip(1).map(read).collect()
}

/// The section header table cannot be read: say where it was expected.
fn section_table_error<H: FileHeader<Endian = Endianness>>(
    header: &H,
    endian: Endianness,
    data: &[u8],
    display: &str,
    e: object::Error,
) -> Error {
    let shoff: u64 = header.e_shoff(endian).into();
    Error::malformed(
        display,
        Position::Offset(shoff),
        format!(
            "invalid ELF: section header table (e_shoff {shoff:#x}, {} entries) does not fit in the file ({} bytes): {e}",
            header.e_shnum(endian),
            data.len()
        ),
    )
}

fn read_section<'a, H: FileHeader<Endian = Endianness>>(
    table: &SectionTable<'a, H>,
    endian: Endianness,
    s: &H::SectionHeader,
) -> ElfSection<'a> {
    let name = table.section_name(endian, s).unwrap_or(&[]);
    ElfSection {
        name: String::from_utf8_lossy(name),
        sh_type: s.sh_type(endian),
        flags: s.sh_flags(endian).into(),
        addr: s.sh_addr(endian).into(),
        offset: s.sh_offset(endian).into(),
        size: s.sh_size(endian).into(),
    }
}

/// Reads an unsigned integer of `width` bytes (1..=8) at `at`, big- or
/// little-endian (modpost's `TO_NATIVE()`).
pub fn read_uint(bytes: &[u8], at: usize, width: usize, big_endian: bool) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(width)?)?;
    let fold = |v: u64, &x: &u8| (v << 8) | u64::from(x);
    Some(if big_endian {
        b.iter().fold(0, fold)
    } else {
        b.iter().rev().fold(0, fold)
    })
}

/// A NUL-terminated string at `off` in `data`, and the offset after its
/// NUL.
pub fn c_string(data: &[u8], off: usize) -> Option<(&[u8], usize)> {
    let rest = data.get(off..)?;
    let end = rest.iter().position(|&b| b == 0)?;
    Some((rest.get(..end)?, off + end + 1))
}

//! ELF images: the one reader of ELF objects, `vmlinux` and modules, for
//! every command (symbol tables, exports, `__ksymtab`, `__versions`).
//!
//! It takes from a file what modpost's `parse_elf()` (`scripts/mod/modpost.c`)
//! and kmod's `kmod_elf_new()` take: the header, the section headers with
//! their names, and `.symtab`. Both classes (ELFCLASS32/64) and both byte
//! orders are read by one generic function over `object`'s ELF
//! [`FileHeader`] traits; section contents stay in the input and are read
//! with bounds checks ([`ElfImage::section_data`]), decompressed
//! (`SHF_COMPRESSED`, [`ElfImage::section_contents`]) and with their
//! relocations ([`ElfImage::relocations`]) on demand, for readers of
//! relocatable objects' debug sections.

use crate::error::{Error, Position, Result};
use object::elf;
use object::read::elf::{
    CompressionHeader, FileHeader, Rela, SectionHeader, SectionTable, Sym, SymbolTable,
};
use object::{Endian, Endianness};
use object::{SectionIndex, SymbolIndex};
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
    /// `sh_link` (for relocations: their symbol table).
    pub link: u32,
    /// `sh_info` (for relocations: the section they apply to).
    pub info: u32,
}

/// One relocation (`Elf_Rel` or `Elf_Rela`) of a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElfRelocation {
    /// `r_offset`: where in the section the field is.
    pub offset: u64,
    /// `ELF_R_TYPE(r_info)` (MIPS64 little-endian's split `r_info` decoded).
    pub r_type: u32,
    /// `ELF_R_SYM(r_info)`: index into `.symtab`, 0 for none.
    pub symbol: u32,
    /// `r_addend`; 0 for `Elf_Rel`.
    pub addend: i64,
    /// `Elf_Rel` (`SHT_REL`): the addend is the field's current value.
    pub implicit_addend: bool,
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
    /// The section index of `.symtab` (`SHT_SYMTAB`), if there is one.
    pub symtab_index: Option<usize>,
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
        with_header(data, display, Parse { data, display })
    }

    fn parse_as<H: FileHeader<Endian = Endianness>>(
        header: &H,
        data: &'a [u8],
        display: &str,
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
            is_64: header.is_type_64(),
            big_endian: !endian.is_little_endian(),
            machine: header.e_machine(endian),
            is_relocatable: header.e_type(endian) == elf::ET_REL,
            has_symtab: !symtab.is_empty(),
            symtab_index: Some(symtab.section().0).filter(|&i| i != 0),
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

    /// The index of the first section called `name`.
    pub fn section_index(&self, name: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.name == name)
    }

    /// The contents of section `index` as a reader of the file sees them:
    /// decompressed when `SHF_COMPRESSED` (`Elf_Chdr`, zlib or zstd), as
    /// libelf's `elf_compress(scn, 0, 0)` does; borrowed otherwise.
    pub fn section_contents(&self, index: usize) -> Result<Cow<'a, [u8]>> {
        let section = self.sections.get(index).ok_or_else(|| {
            Error::malformed(&self.display, Position::File, format!("no section {index}"))
        })?;
        let at = Position::Offset(section.offset);
        let bad = |msg: String| {
            Error::malformed(
                &self.display,
                at,
                format!("section {}: {msg}", section.name),
            )
        };
        if section.flags & u64::from(elf::SHF_COMPRESSED) == 0 {
            return self.section_data(section).map(Cow::Borrowed);
        }
        let (ch_type, size, compressed) =
            with_header(self.data, &self.display, Compressed { image: self, index })?;
        let mut out = Vec::with_capacity(size.min(1 << 30) as usize);
        let read = match ch_type {
            elf::ELFCOMPRESS_ZLIB => std::io::Read::read_to_end(
                &mut flate2::read::ZlibDecoder::new(compressed),
                &mut out,
            ),
            elf::ELFCOMPRESS_ZSTD => zstd::stream::read::Decoder::with_buffer(compressed)
                .and_then(|mut d| std::io::Read::read_to_end(&mut d, &mut out)),
            t => {
                return Err(bad(format!(
                "unsupported compression type {t}: expected ELFCOMPRESS_ZLIB or ELFCOMPRESS_ZSTD"
            )))
            }
        };
        let format = if ch_type == elf::ELFCOMPRESS_ZLIB {
            "zlib"
        } else {
            "zstd"
        };
        read.map_err(|e| bad(format!("{format}: {e}")))?;
        if out.len() as u64 != size {
            return Err(bad(format!(
                "decompressed to {} bytes, expected {size}",
                out.len()
            )));
        }
        Ok(Cow::Owned(out))
    }

    /// The relocations that apply to section `index`, from every
    /// `SHT_REL`/`SHT_RELA` section whose `sh_info` names it and whose
    /// `sh_link` is `.symtab`, in section then table order.
    pub fn relocations(&self, index: usize) -> Result<Vec<ElfRelocation>> {
        let Some(symtab) = self.symtab_index else {
            return Ok(Vec::new());
        };
        let applies = |s: &ElfSection<'_>| {
            matches!(s.sh_type, elf::SHT_REL | elf::SHT_RELA)
                && s.info as usize == index
                && s.link as usize == symtab
        };
        if !self.sections.iter().any(applies) {
            return Ok(Vec::new());
        }
        with_header(
            self.data,
            &self.display,
            Relocations {
                image: self,
                index,
                symtab,
            },
        )
    }

    /// The width in bytes of relocation type `r_type` when it is a plain
    /// 32- or 64-bit absolute data relocation on this machine (what debug
    /// sections of relocatable objects use; libdwfl's "simple" relocation
    /// types), else `None`. The kernel's architectures that `object` knows,
    /// with the types it maps to a 32/64-bit `RelocationKind::Absolute`.
    pub fn absolute_relocation_width(&self, r_type: u32) -> Option<usize> {
        let (w4, w8): (&[u32], &[u32]) = match self.machine {
            elf::EM_X86_64 => (&[elf::R_X86_64_32, elf::R_X86_64_32S], &[elf::R_X86_64_64]),
            elf::EM_386 => (&[elf::R_386_32], &[]),
            elf::EM_AARCH64 if self.is_64 => (&[elf::R_AARCH64_ABS32], &[elf::R_AARCH64_ABS64]),
            elf::EM_AARCH64 => (&[elf::R_AARCH64_P32_ABS32], &[]),
            elf::EM_ARM => (&[elf::R_ARM_ABS32], &[]),
            elf::EM_RISCV => (&[elf::R_RISCV_32], &[elf::R_RISCV_64]),
            elf::EM_PPC => (&[elf::R_PPC_ADDR32], &[]),
            elf::EM_PPC64 => (&[elf::R_PPC64_ADDR32], &[elf::R_PPC64_ADDR64]),
            elf::EM_S390 => (&[elf::R_390_32], &[elf::R_390_64]),
            elf::EM_MIPS => (&[elf::R_MIPS_32], &[elf::R_MIPS_64]),
            elf::EM_LOONGARCH => (&[elf::R_LARCH_32], &[elf::R_LARCH_64]),
            elf::EM_SPARC | elf::EM_SPARC32PLUS | elf::EM_SPARCV9 => (
                &[elf::R_SPARC_32, elf::R_SPARC_UA32],
                &[elf::R_SPARC_64, elf::R_SPARC_UA64],
            ),
            elf::EM_68K => (&[elf::R_68K_32], &[]),
            elf::EM_XTENSA => (&[elf::R_XTENSA_32], &[]),
            elf::EM_CSKY => (&[elf::R_CKCORE_ADDR32], &[]),
            elf::EM_HEXAGON => (&[elf::R_HEX_32], &[]),
            _ => (&[], &[]),
        };
        if w4.contains(&r_type) {
            Some(4)
        } else if w8.contains(&r_type) {
            Some(8)
        } else {
            None
        }
    }

    /// Reads an unsigned integer of `width` bytes (4 or 8) in the file's
    /// byte order; `None` if out of bounds.
    pub fn read_uint(&self, bytes: &[u8], at: usize, width: usize) -> Option<u64> {
        read_uint(bytes, at, width, self.big_endian)
    }
}

/// Work done on the ELF header as the class it is: [`with_header`] is the
/// one place ELFCLASS32 and ELFCLASS64 are told apart.
trait ForClass<'a> {
    type Output;
    fn run<H: FileHeader<Endian = Endianness>>(self, header: &'a H) -> Result<Self::Output>;
}

/// Runs `work` on `data`'s header, read as its class says.
fn with_header<'a, W: ForClass<'a>>(data: &'a [u8], display: &str, work: W) -> Result<W::Output> {
    let bad = |e: object::Error| {
        Error::malformed(display, Position::Offset(0), format!("invalid ELF: {e}"))
    };
    match data.get(4) {
        Some(&elf::ELFCLASS64) => {
            work.run(elf::FileHeader64::<Endianness>::parse(data).map_err(bad)?)
        }
        Some(&elf::ELFCLASS32) => {
            work.run(elf::FileHeader32::<Endianness>::parse(data).map_err(bad)?)
        }
        _ => Err(Error::malformed(
            display,
            Position::Offset(4),
            "invalid ELF: expected ELFCLASS32 or ELFCLASS64",
        )),
    }
}

/// [`ElfImage::parse`].
struct Parse<'a, 's> {
    data: &'a [u8],
    display: &'s str,
}

impl<'a> ForClass<'a> for Parse<'a, '_> {
    type Output = ElfImage<'a>;
    fn run<H: FileHeader<Endian = Endianness>>(self, header: &'a H) -> Result<ElfImage<'a>> {
        ElfImage::parse_as(header, self.data, self.display)
    }
}

/// The section table of an image already parsed (so it reads again).
fn table_of<'a, H: FileHeader<Endian = Endianness>>(
    header: &'a H,
    image: &ElfImage<'a>,
) -> Result<(Endianness, SectionTable<'a, H>)> {
    let endian = header.endian().map_err(|e| {
        Error::malformed(
            &image.display,
            Position::File,
            format!("invalid ELF header: {e}"),
        )
    })?;
    let table = header
        .sections(endian, image.data)
        .map_err(|e| section_table_error(header, endian, image.data, &image.display, e))?;
    Ok((endian, table))
}

/// [`ElfImage::section_contents`] of a compressed section: `ch_type`,
/// `ch_size` and the compressed bytes after the `Elf_Chdr`.
struct Compressed<'i, 'a> {
    image: &'i ElfImage<'a>,
    index: usize,
}

impl<'a> ForClass<'a> for Compressed<'_, 'a> {
    type Output = (u32, u64, &'a [u8]);
    fn run<H: FileHeader<Endian = Endianness>>(self, header: &'a H) -> Result<Self::Output> {
        let (endian, table) = table_of(header, self.image)?;
        let bad = |msg: String| {
            let s = &self.image.sections[self.index];
            Error::malformed(
                &self.image.display,
                Position::Offset(s.offset),
                format!("section {}: {msg}", s.name),
            )
        };
        let shdr = table
            .section(SectionIndex(self.index))
            .map_err(|e| bad(e.to_string()))?;
        let (chdr, offset, size) = shdr
            .compression(endian, self.image.data)
            .map_err(|e| bad(format!("invalid compression header: {e}")))?
            .ok_or_else(|| bad("SHF_COMPRESSED without a compression header".into()))?;
        let data = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(size).ok())
            .and_then(|(o, n)| self.image.data.get(o..o.checked_add(n)?))
            .ok_or_else(|| bad("compressed data extends past the end of the file".into()))?;
        Ok((chdr.ch_type(endian), chdr.ch_size(endian).into(), data))
    }
}

/// [`ElfImage::relocations`].
struct Relocations<'i, 'a> {
    image: &'i ElfImage<'a>,
    index: usize,
    symtab: usize,
}

impl<'a> ForClass<'a> for Relocations<'_, 'a> {
    type Output = Vec<ElfRelocation>;
    fn run<H: FileHeader<Endian = Endianness>>(self, header: &'a H) -> Result<Self::Output> {
        let (endian, table) = table_of(header, self.image)?;
        let mips64el = header.is_mips64el(endian);
        let mut out = Vec::new();
        for (i, shdr) in table.iter().enumerate() {
            let s = &self.image.sections[i];
            if s.info as usize != self.index || s.link as usize != self.symtab {
                continue;
            }
            let bad = |e: object::Error| {
                Error::malformed(
                    &self.image.display,
                    Position::Offset(s.offset),
                    format!("relocation section {}: {e}", s.name),
                )
            };
            let mut push = |r: H::Rela, implicit_addend| {
                out.push(ElfRelocation {
                    offset: r.r_offset(endian).into(),
                    r_type: r.r_type(endian, mips64el),
                    symbol: r.r_sym(endian, mips64el),
                    addend: r.r_addend(endian).into(),
                    implicit_addend,
                })
            };
            if let Some((rels, _)) = shdr.rel(endian, self.image.data).map_err(bad)? {
                rels.iter().for_each(|r| push(H::Rela::from(*r), true));
            } else if let Some((relas, _)) = shdr.rela(endian, self.image.data).map_err(bad)? {
                relas.iter().for_each(|r| push(*r, false));
            }
        }
        Ok(out)
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
        link: s.sh_link(endian),
        info: s.sh_info(endian),
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

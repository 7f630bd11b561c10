//! LLVM's irsymtab (`llvm/Object/IRSymtab.h`, `storage` namespace): the
//! symbol table blob in a bitcode file's `SYMTAB_BLOCK`, with every string
//! an `{offset, size}` pair into the `STRTAB_BLOCK` blob.
//!
//! All fields are little-endian 32-bit words (`Word`), except the common
//! symbol size, which is 64-bit from format version 4 on:
//!
//! ```text
//! Header   { Version, Str Producer, Range<Module> Modules, Range<Comdat> Comdats,
//!            Range<Symbol> Symbols, Range<Uncommon> Uncommons,
//!            Str TargetTriple, Str SourceFileName, Str COFFLinkerOpts,
//!            Range<Str> DependentLibraries }                         76 bytes
//! Str/Range{ Offset, Size }                                           8 bytes
//! Module   { Begin, End, UncBegin }                                  12 bytes
//! Comdat   { Str Name, SelectionKind }                               12 bytes
//! Symbol   { Str Name, Str IRName, ComdatIndex, Flags }              24 bytes
//! Uncommon { CommonSize (32 bits; 64 from v4), CommonAlign,
//!            Str COFFWeakExternFallbackName, Str SectionName }    24 / 28 bytes
//! ```
//!
//! Version 3 is written by LLVM 13 through 20 (comdat selection kinds were
//! its addition), version 4 by later LLVM. Other versions are refused with
//! [`IrSymtabError::UnsupportedVersion`], so that callers can fall back.

use std::fmt;

/// The irsymtab versions this reader knows the layout of.
pub const SUPPORTED_VERSIONS: [u32; 2] = [3, 4];
/// Size of `storage::Header`.
pub const HEADER_SIZE: usize = 76;
const SYMBOL_SIZE: u64 = 24;
const MODULE_SIZE: u64 = 12;
const COMDAT_SIZE: u64 = 12;
const STR_SIZE: u64 = 8;

/// Why an irsymtab could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IrSymtabError {
    /// A format version whose layout this reader does not know.
    UnsupportedVersion(u32),
    /// Structurally broken: a byte offset into the symtab blob and what
    /// was wrong there.
    Malformed {
        /// Offset into the symtab blob.
        offset: u64,
        /// What was expected.
        message: String,
    },
}

impl fmt::Display for IrSymtabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IrSymtabError::UnsupportedVersion(v) => write!(
                f,
                "irsymtab version {v} (this reader knows versions {SUPPORTED_VERSIONS:?})"
            ),
            IrSymtabError::Malformed { offset, message } => {
                write!(f, "irsymtab offset {offset}: {message}")
            }
        }
    }
}

type IrResult<T> = std::result::Result<T, IrSymtabError>;

fn malformed(offset: u64, message: impl Into<String>) -> IrSymtabError {
    IrSymtabError::Malformed {
        offset,
        message: message.into(),
    }
}

/// The flag bits of `storage::Symbol::Flags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SymbolFlags(pub u32);

impl SymbolFlags {
    const HAS_UNCOMMON: u32 = 2;
    const UNDEFINED: u32 = 3;
    const WEAK: u32 = 4;
    const COMMON: u32 = 5;
    const INDIRECT: u32 = 6;
    const USED: u32 = 7;
    const TLS: u32 = 8;
    const MAY_OMIT: u32 = 9;
    const GLOBAL: u32 = 10;
    const FORMAT_SPECIFIC: u32 = 11;
    const UNNAMED_ADDR: u32 = 12;
    const EXECUTABLE: u32 = 13;

    fn bit(self, b: u32) -> bool {
        self.0 >> b & 1 == 1
    }
    /// `GlobalValue::VisibilityTypes`: 0 default, 1 hidden, 2 protected.
    pub fn visibility(self) -> u32 {
        self.0 & 3
    }
    /// An `Uncommon` record belongs to this symbol.
    pub fn has_uncommon(self) -> bool {
        self.bit(Self::HAS_UNCOMMON)
    }
    /// A declaration (`SF_Undefined`).
    pub fn undefined(self) -> bool {
        self.bit(Self::UNDEFINED)
    }
    /// Weak, linkonce or extern_weak (`SF_Weak`).
    pub fn weak(self) -> bool {
        self.bit(Self::WEAK)
    }
    /// Common linkage (`SF_Common`).
    pub fn common(self) -> bool {
        self.bit(Self::COMMON)
    }
    /// An alias (`SF_Indirect`).
    pub fn indirect(self) -> bool {
        self.bit(Self::INDIRECT)
    }
    /// In `llvm.used`/`llvm.compiler.used`, or an undefined asm symbol.
    pub fn used(self) -> bool {
        self.bit(Self::USED)
    }
    /// Thread local.
    pub fn tls(self) -> bool {
        self.bit(Self::TLS)
    }
    /// May be left out of the output symbol table.
    pub fn may_omit(self) -> bool {
        self.bit(Self::MAY_OMIT)
    }
    /// Not local linkage (`SF_Global`).
    pub fn global(self) -> bool {
        self.bit(Self::GLOBAL)
    }
    /// Private, `llvm.*` or in section `llvm.metadata` (`SF_FormatSpecific`).
    pub fn format_specific(self) -> bool {
        self.bit(Self::FORMAT_SPECIFIC)
    }
    /// `unnamed_addr`.
    pub fn unnamed_addr(self) -> bool {
        self.bit(Self::UNNAMED_ADDR)
    }
    /// A function, or an alias of one (`SF_Executable`).
    pub fn executable(self) -> bool {
        self.bit(Self::EXECUTABLE)
    }
}

/// One `storage::Module`: its slice of the symbol table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Module {
    /// First symbol index.
    pub begin: u32,
    /// One past the last symbol index.
    pub end: u32,
    /// Index of the module's first `Uncommon`.
    pub uncommon_begin: u32,
}

/// One `storage::Comdat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comdat<'a> {
    /// The comdat name.
    pub name: &'a [u8],
    /// `Comdat::SelectionKind` (0 any, 1 exact match, ...).
    pub selection_kind: u32,
}

/// One `storage::Uncommon`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uncommon<'a> {
    /// Size of a common symbol.
    pub common_size: u64,
    /// Alignment of a common symbol.
    pub common_align: u32,
    /// COFF weak external fallback.
    pub coff_weak_fallback: &'a [u8],
    /// Explicit section name, if any.
    pub section_name: &'a [u8],
}

/// One symbol, with its `Uncommon` if it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IrSymbol<'a> {
    /// The mangled name (what the linker and llvm-nm see).
    pub name: &'a [u8],
    /// The IR name; empty for symbols from module-level asm.
    pub ir_name: &'a [u8],
    /// Index into the comdat table, or -1.
    pub comdat_index: i32,
    /// The flag bits.
    pub flags: SymbolFlags,
    /// The symbol's uncommon fields.
    pub uncommon: Option<Uncommon<'a>>,
}

/// A decoded irsymtab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IrSymtab<'a> {
    /// Format version (3 or 4).
    pub version: u32,
    /// `LLVM_VERSION_STRING [" " LLVM_REVISION]` of the writer.
    pub producer: &'a [u8],
    /// Target triple of the first module.
    pub target_triple: &'a [u8],
    /// Source file name of the first module.
    pub source_file_name: &'a [u8],
    /// COFF linker directives.
    pub coff_linker_opts: &'a [u8],
    /// Modules.
    pub modules: Vec<Module>,
    /// Comdats.
    pub comdats: Vec<Comdat<'a>>,
    /// All symbols of all modules, in order.
    pub symbols: Vec<IrSymbol<'a>>,
    /// `llvm.dependent-libraries` entries.
    pub dependent_libraries: Vec<&'a [u8]>,
}

struct Blob<'a> {
    symtab: &'a [u8],
    strtab: &'a [u8],
}

impl<'a> Blob<'a> {
    fn word(&self, at: u64) -> IrResult<u32> {
        usize::try_from(at)
            .ok()
            .and_then(|a| self.symtab.get(a..a.checked_add(4)?))
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
            .ok_or_else(|| malformed(at, "word past the end of the symbol table"))
    }

    fn str(&self, at: u64) -> IrResult<&'a [u8]> {
        let off = self.word(at)? as usize;
        let len = self.word(at + 4)? as usize;
        off.checked_add(len)
            .and_then(|end| self.strtab.get(off..end))
            .ok_or_else(|| {
                malformed(
                    at,
                    format!(
                        "string at {off}+{len} is past the end of the string table ({} bytes)",
                        self.strtab.len()
                    ),
                )
            })
    }

    /// Reads a `Range<T>` at `at` and checks that it lies inside the symtab.
    fn range(&self, at: u64, elem: u64, what: &str) -> IrResult<(u64, u32)> {
        let off = u64::from(self.word(at)?);
        let n = self.word(at + 4)?;
        if off + u64::from(n) * elem > self.symtab.len() as u64 {
            return Err(malformed(
                at,
                format!(
                    "{n} {what} at offset {off} do not fit in the symbol table ({} bytes)",
                    self.symtab.len()
                ),
            ));
        }
        Ok((off, n))
    }
}

/// The version and producer, which every irsymtab version starts with
/// (`irsymtab::readBitcode` reads just these to decide whether to trust
/// the table).
pub fn version_and_producer<'a>(symtab: &'a [u8], strtab: &'a [u8]) -> IrResult<(u32, &'a [u8])> {
    let b = Blob { symtab, strtab };
    Ok((b.word(0)?, b.str(4)?))
}

/// Decodes an irsymtab. Every offset and count is checked against the
/// blobs; uncommons are assigned to symbols in order as LLVM's reader does.
pub fn parse<'a>(symtab: &'a [u8], strtab: &'a [u8]) -> IrResult<IrSymtab<'a>> {
    if symtab.len() < HEADER_SIZE {
        return Err(malformed(
            0,
            format!(
                "symbol table of {} bytes, shorter than its header",
                symtab.len()
            ),
        ));
    }
    let b = Blob { symtab, strtab };
    let version = b.word(0)?;
    if !SUPPORTED_VERSIONS.contains(&version) {
        return Err(IrSymtabError::UnsupportedVersion(version));
    }
    let uncommon_size: u64 = if version >= 4 { 28 } else { 24 };
    let producer = b.str(4)?;
    let (mod_off, mod_n) = b.range(12, MODULE_SIZE, "modules")?;
    let (com_off, com_n) = b.range(20, COMDAT_SIZE, "comdats")?;
    let (sym_off, sym_n) = b.range(28, SYMBOL_SIZE, "symbols")?;
    let (unc_off, unc_n) = b.range(36, uncommon_size, "uncommons")?;
    let target_triple = b.str(44)?;
    let source_file_name = b.str(52)?;
    let coff_linker_opts = b.str(60)?;
    let (lib_off, lib_n) = b.range(68, STR_SIZE, "dependent libraries")?;

    let mut modules = Vec::with_capacity(mod_n as usize);
    for i in 0..u64::from(mod_n) {
        let at = mod_off + i * MODULE_SIZE;
        let m = Module {
            begin: b.word(at)?,
            end: b.word(at + 4)?,
            uncommon_begin: b.word(at + 8)?,
        };
        if m.begin > m.end || m.end > sym_n || m.uncommon_begin > unc_n {
            return Err(malformed(
                at,
                format!(
                    "module symbols {}..{} / uncommon {} outside {sym_n} symbols, {unc_n} uncommons",
                    m.begin, m.end, m.uncommon_begin
                ),
            ));
        }
        modules.push(m);
    }
    let mut comdats = Vec::with_capacity(com_n as usize);
    for i in 0..u64::from(com_n) {
        let at = com_off + i * COMDAT_SIZE;
        comdats.push(Comdat {
            name: b.str(at)?,
            selection_kind: b.word(at + 8)?,
        });
    }
    let read_uncommon = |idx: u32| -> IrResult<Uncommon<'a>> {
        if idx >= unc_n {
            return Err(malformed(
                36,
                format!("more symbols have uncommon fields than the {unc_n} uncommons"),
            ));
        }
        let at = unc_off + u64::from(idx) * uncommon_size;
        let (common_size, rest) = if version >= 4 {
            let lo = u64::from(b.word(at)?);
            let hi = u64::from(b.word(at + 4)?);
            (hi << 32 | lo, at + 8)
        } else {
            (u64::from(b.word(at)?), at + 4)
        };
        Ok(Uncommon {
            common_size,
            common_align: b.word(rest)?,
            coff_weak_fallback: b.str(rest + 4)?,
            section_name: b.str(rest + 12)?,
        })
    };
    let mut symbols = Vec::with_capacity(sym_n as usize);
    let mut next_uncommon = 0u32;
    for i in 0..u64::from(sym_n) {
        let at = sym_off + i * SYMBOL_SIZE;
        let flags = SymbolFlags(b.word(at + 20)?);
        let uncommon = if flags.has_uncommon() {
            let u = read_uncommon(next_uncommon)?;
            next_uncommon += 1;
            Some(u)
        } else {
            None
        };
        let comdat_index = b.word(at + 16)? as i32;
        if comdat_index != -1 && (comdat_index < 0 || comdat_index as u32 >= com_n) {
            return Err(malformed(
                at + 16,
                format!("comdat index {comdat_index} of {com_n} comdats"),
            ));
        }
        symbols.push(IrSymbol {
            name: b.str(at)?,
            ir_name: b.str(at + 8)?,
            comdat_index,
            flags,
            uncommon,
        });
    }
    let mut dependent_libraries = Vec::with_capacity(lib_n as usize);
    for i in 0..u64::from(lib_n) {
        dependent_libraries.push(b.str(lib_off + i * STR_SIZE)?);
    }
    Ok(IrSymtab {
        version,
        producer,
        target_triple,
        source_file_name,
        coff_linker_opts,
        modules,
        comdats,
        symbols,
        dependent_libraries,
    })
}

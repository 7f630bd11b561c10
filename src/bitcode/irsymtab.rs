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

use object::endian::{LittleEndian as LE, U32Bytes, U64Bytes};
use object::pod::{self, Pod};
use std::fmt;

/// The irsymtab versions this reader knows the layout of.
pub const SUPPORTED_VERSIONS: [u32; 2] = [3, 4];
/// Size of `storage::Header`.
pub const HEADER_SIZE: usize = std::mem::size_of::<RawHeader>();

type Word = U32Bytes<LE>;

/// `storage::Str` and `storage::Range<T>`: an offset and a size (bytes
/// into the string table, or elements into the symbol table).
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct Str {
    offset: Word,
    size: Word,
}

/// `storage::Header`.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct RawHeader {
    version: Word,
    producer: Str,
    modules: Str,
    comdats: Str,
    symbols: Str,
    uncommons: Str,
    target_triple: Str,
    source_file_name: Str,
    coff_linker_opts: Str,
    dependent_libraries: Str,
}

/// `storage::Module`.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct RawModule {
    begin: Word,
    end: Word,
    uncommon_begin: Word,
}

/// `storage::Comdat`.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct RawComdat {
    name: Str,
    selection_kind: Word,
}

/// `storage::Symbol`.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct RawSymbol {
    name: Str,
    ir_name: Str,
    comdat_index: Word,
    flags: Word,
}

/// The fields of `storage::Uncommon` after `CommonSize`.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct UncommonTail {
    common_align: Word,
    coff_weak_ext_fallback_name: Str,
    section_name: Str,
}

/// `storage::Uncommon` up to version 3: a 32-bit `CommonSize`.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct RawUncommonV3 {
    common_size: Word,
    tail: UncommonTail,
}

/// `storage::Uncommon` from version 4: a 64-bit `CommonSize`.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct RawUncommonV4 {
    common_size: U64Bytes<LE>,
    tail: UncommonTail,
}

// SAFETY: each is `repr(C)` and made only of byte arrays (`U32Bytes`,
// `U64Bytes`), so it has alignment 1, no padding, and every bit pattern
// is valid.
unsafe impl Pod for Str {}
unsafe impl Pod for RawHeader {}
unsafe impl Pod for RawModule {}
unsafe impl Pod for RawComdat {}
unsafe impl Pod for RawSymbol {}
unsafe impl Pod for UncommonTail {}
unsafe impl Pod for RawUncommonV3 {}
unsafe impl Pod for RawUncommonV4 {}

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

/// The two blobs, with the offset of every field read from them.
struct Blob<'a> {
    symtab: &'a [u8],
    strtab: &'a [u8],
}

impl<'a> Blob<'a> {
    /// Offset of `field` (borrowed from the symtab blob) in the blob.
    fn offset_of<T>(&self, field: &T) -> u64 {
        (field as *const T as usize).wrapping_sub(self.symtab.as_ptr() as usize) as u64
    }

    /// The string `s` refers to in the string table.
    fn str(&self, s: &Str) -> IrResult<&'a [u8]> {
        let off = s.offset.get(LE) as usize;
        let len = s.size.get(LE) as usize;
        off.checked_add(len)
            .and_then(|end| self.strtab.get(off..end))
            .ok_or_else(|| {
                malformed(
                    self.offset_of(s),
                    format!(
                        "string at {off}+{len} is past the end of the string table ({} bytes)",
                        self.strtab.len()
                    ),
                )
            })
    }

    /// The `Range<T>` `r` refers to, checked to lie inside the symtab.
    fn range<T: Pod>(&self, r: &Str, what: &str) -> IrResult<&'a [T]> {
        let off = r.offset.get(LE);
        let n = r.size.get(LE);
        let items = self.symtab.get(off as usize..).and_then(|rest| {
            let (items, _) = pod::slice_from_bytes(rest, n as usize).ok()?;
            Some(items)
        });
        items.ok_or_else(|| {
            malformed(
                self.offset_of(r),
                format!(
                    "{n} {what} at offset {off} do not fit in the symbol table ({} bytes)",
                    self.symtab.len()
                ),
            )
        })
    }
}

/// The uncommon records of either layout.
enum Uncommons<'a> {
    V3(&'a [RawUncommonV3]),
    V4(&'a [RawUncommonV4]),
}

impl<'a> Uncommons<'a> {
    fn len(&self) -> usize {
        match self {
            Uncommons::V3(u) => u.len(),
            Uncommons::V4(u) => u.len(),
        }
    }

    /// Record `idx` (checked by the caller): `CommonSize` and the rest.
    fn get(&self, idx: usize) -> Option<(u64, &'a UncommonTail)> {
        match self {
            Uncommons::V3(u) => u
                .get(idx)
                .map(|u| (u64::from(u.common_size.get(LE)), &u.tail)),
            Uncommons::V4(u) => u.get(idx).map(|u| (u.common_size.get(LE), &u.tail)),
        }
    }
}

/// The header, which every irsymtab starts with.
fn header(symtab: &[u8]) -> IrResult<&RawHeader> {
    pod::from_bytes::<RawHeader>(symtab)
        .map(|(h, _)| h)
        .map_err(|()| {
            malformed(
                0,
                format!(
                    "symbol table of {} bytes, shorter than its header",
                    symtab.len()
                ),
            )
        })
}

/// The version and producer, which every irsymtab version starts with
/// (`irsymtab::readBitcode` reads just these to decide whether to trust
/// the table).
pub fn version_and_producer<'a>(symtab: &'a [u8], strtab: &'a [u8]) -> IrResult<(u32, &'a [u8])> {
    let word = |at: usize| {
        let rest = symtab.get(at..).unwrap_or(&[]);
        pod::from_bytes::<Word>(rest)
            .map(|(w, _)| w.get(LE))
            .map_err(|()| malformed(at as u64, "word past the end of the symbol table"))
    };
    let version = word(0)?;
    word(4)?;
    word(8)?;
    let (producer, _) = pod::from_bytes::<Str>(symtab.get(4..).unwrap_or(&[]))
        .map_err(|()| malformed(4, "word past the end of the symbol table"))?;
    Ok((version, Blob { symtab, strtab }.str(producer)?))
}

/// Decodes an irsymtab (`irsymtab::Reader`). Every offset and count is
/// checked against the blobs; uncommons are assigned to symbols in order
/// as LLVM's reader does.
pub fn parse<'a>(symtab: &'a [u8], strtab: &'a [u8]) -> IrResult<IrSymtab<'a>> {
    let h = header(symtab)?;
    let b = Blob { symtab, strtab };
    let version = h.version.get(LE);
    if !SUPPORTED_VERSIONS.contains(&version) {
        return Err(IrSymtabError::UnsupportedVersion(version));
    }
    let producer = b.str(&h.producer)?;
    let raw_modules: &[RawModule] = b.range(&h.modules, "modules")?;
    let raw_comdats: &[RawComdat] = b.range(&h.comdats, "comdats")?;
    let raw_symbols: &[RawSymbol] = b.range(&h.symbols, "symbols")?;
    let uncommons = if version >= 4 {
        Uncommons::V4(b.range(&h.uncommons, "uncommons")?)
    } else {
        Uncommons::V3(b.range(&h.uncommons, "uncommons")?)
    };
    let target_triple = b.str(&h.target_triple)?;
    let source_file_name = b.str(&h.source_file_name)?;
    let coff_linker_opts = b.str(&h.coff_linker_opts)?;
    let raw_libraries: &[Str] = b.range(&h.dependent_libraries, "dependent libraries")?;
    let modules = raw_modules
        .iter()
        .map(|m| module(&b, m, raw_symbols.len(), uncommons.len()))
        .collect::<IrResult<_>>()?;
    let comdats = raw_comdats
        .iter()
        .map(|c| {
            Ok(Comdat {
                name: b.str(&c.name)?,
                selection_kind: c.selection_kind.get(LE),
            })
        })
        .collect::<IrResult<_>>()?;
    let symbols = symbols(&b, raw_symbols, &uncommons, raw_comdats.len())?;
    let dependent_libraries = raw_libraries
        .iter()
        .map(|s| b.str(s))
        .collect::<IrResult<_>>()?;
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

/// One module, its symbol and uncommon ranges checked.
fn module(b: &Blob<'_>, m: &RawModule, symbols: usize, uncommons: usize) -> IrResult<Module> {
    let m_ = Module {
        begin: m.begin.get(LE),
        end: m.end.get(LE),
        uncommon_begin: m.uncommon_begin.get(LE),
    };
    if m_.begin > m_.end || m_.end as usize > symbols || m_.uncommon_begin as usize > uncommons {
        return Err(malformed(
            b.offset_of(m),
            format!(
                "module symbols {}..{} / uncommon {} outside {symbols} symbols, {uncommons} uncommons",
                m_.begin, m_.end, m_.uncommon_begin
            ),
        ));
    }
    Ok(m_)
}

/// The symbols, each with the next uncommon record if its flags say it
/// has one (`Reader::symbols`).
fn symbols<'a>(
    b: &Blob<'a>,
    raw: &'a [RawSymbol],
    uncommons: &Uncommons<'a>,
    comdats: usize,
) -> IrResult<Vec<IrSymbol<'a>>> {
    let mut out = Vec::with_capacity(raw.len());
    let mut next_uncommon = 0usize;
    for s in raw {
        let flags = SymbolFlags(s.flags.get(LE));
        let uncommon = if flags.has_uncommon() {
            next_uncommon += 1;
            Some(uncommon(b, uncommons, next_uncommon - 1)?)
        } else {
            None
        };
        let comdat_index = s.comdat_index.get(LE) as i32;
        if comdat_index != -1 && (comdat_index < 0 || comdat_index as usize >= comdats) {
            return Err(malformed(
                b.offset_of(&s.comdat_index),
                format!("comdat index {comdat_index} of {comdats} comdats"),
            ));
        }
        out.push(IrSymbol {
            name: b.str(&s.name)?,
            ir_name: b.str(&s.ir_name)?,
            comdat_index,
            flags,
            uncommon,
        });
    }
    Ok(out)
}

/// Uncommon record `idx`.
fn uncommon<'a>(b: &Blob<'a>, uncommons: &Uncommons<'a>, idx: usize) -> IrResult<Uncommon<'a>> {
    let Some((common_size, tail)) = uncommons.get(idx) else {
        return Err(malformed(
            36,
            format!(
                "more symbols have uncommon fields than the {} uncommons",
                uncommons.len()
            ),
        ));
    };
    Ok(Uncommon {
        common_size,
        common_align: tail.common_align.get(LE),
        coff_weak_fallback: b.str(&tail.coff_weak_ext_fallback_name)?,
        section_name: b.str(&tail.section_name)?,
    })
}

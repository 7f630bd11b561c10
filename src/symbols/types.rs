//! The records of a symbol table as `llvm-nm` lists them (`NMSymbol` in
//! `llvm-nm.cpp`), per object and per input file.

use super::native;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

/// One symbol, as `llvm-nm` lists it (its `NMSymbol`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Symbol {
    /// The symbol name.
    pub name: String,
    /// The `nm` type letter (`T`, `U`, `w`, `C`, ...).
    #[serde(rename = "type")]
    pub kind: char,
    /// The address (`st_value`, plus the section address in relocatables);
    /// always 0 for bitcode.
    pub address: u64,
    /// The size (`st_size`); always 0 for bitcode.
    pub size: u64,
}

impl Symbol {
    /// True for symbols `llvm-nm` prints without an address (`U`, `w`, `v`).
    pub fn is_undefined(&self) -> bool {
        matches!(self.kind, 'U' | 'w' | 'v')
    }
}

/// The container format of one symbol table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectFormat {
    /// An ELF object (relocatable, executable or shared object).
    Elf,
    /// An LLVM bitcode module (raw or with the `0x0B17C0DE` wrapper).
    Bitcode,
}

/// The symbols of one object: a file, or one member of an archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SymbolTable {
    /// The archive member name as stored in the archive (for thin archives a
    /// path relative to the archive's directory); `None` for a plain object.
    pub member: Option<String>,
    /// ELF or bitcode.
    pub format: ObjectFormat,
    /// Whether addresses are printed 16 digits wide (ELFCLASS64, or a 64-bit
    /// bitcode target triple) rather than 8.
    pub is_64: bool,
    /// Whether the object has a symbol table at all (`llvm-nm` warns "no
    /// symbols" when it has none).
    pub has_symtab: bool,
    /// The symbols, sorted as `llvm-nm` sorts them (name, size, address);
    /// shared, since kbuild's nested thin archives list one object many
    /// times and each listing gets the same table.
    pub symbols: Arc<[Symbol]>,
}

/// What kind of file an input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// A single object.
    Object,
    /// A regular `!<arch>` archive.
    Archive,
    /// A thin `!<thin>` archive, whose members live next to it on disk.
    ThinArchive,
}

/// All symbol tables of one input file, in file/member order (what
/// `dumpSymbolNamesFromFile` prints for it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSymbols {
    /// The path as given on the command line.
    pub path: String,
    /// Object, archive or thin archive.
    pub kind: InputKind,
    /// One table for an object, one per object member for an archive.
    pub tables: Vec<SymbolTable>,
}

impl FileSymbols {
    /// Every symbol of every member, in order (with duplicates across members).
    pub fn all_symbols(&self) -> impl Iterator<Item = &Symbol> {
        self.tables.iter().flat_map(|t| t.symbols.iter())
    }
}

/// Where bitcode symbol tables come from.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Explicit `llvm-nm` (`--nm`); otherwise [`super::llvm_nm::locate`] decides.
    pub nm: Option<PathBuf>,
    /// Native irsymtab reader, llvm-nm, or native with llvm-nm fallback.
    pub backend: native::Backend,
}

//! Symbol tables of kernel objects: ELF relocatables and executables, LLVM
//! bitcode (what every `.o` is under `CONFIG_LTO_CLANG`), regular archives and
//! the thin archives kbuild links composite modules and `built-in.a` from.
//!
//! The records and their order are those of `llvm-nm`, so that
//! [`render`] reproduces `llvm-nm FILE...` and `llvm-nm -P FILE...`
//! byte for byte. ELF is read natively; bitcode symbol tables come from
//! the irsymtab stored in the file ([`native`]) or from [`llvm_nm`] (one
//! process for all bitcode inputs of a call), as [`ReadOptions::backend`]
//! selects. Files are scanned in parallel, each read once ([`scan`]).
//!
//! llvm-nm's own rules live here too: the ELF type letters ([`elf`]), the
//! IR type letters ([`bitcode_nm`]) and the libstdc++ `std::sort` order
//! it lists symbols in ([`stdsort`]).

mod archive;
pub mod bitcode_nm;
pub mod elf;
pub mod format;
pub mod llvm_nm;
pub mod native;
mod scan;
pub mod stdsort;
mod types;

use crate::error::Result;
use std::path::{Path, PathBuf};

pub use format::{render, render_into, NmFormat};
pub use types::{FileSymbols, InputKind, ObjectFormat, ReadOptions, Symbol, SymbolTable};

/// The magic numbers modver recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Magic {
    /// `\x7fELF`.
    Elf,
    /// `BC\xC0\xDE` or the `0x0B17C0DE` bitcode wrapper.
    Bitcode,
    /// `!<arch>\n`.
    Archive,
    /// `!<thin>\n`.
    ThinArchive,
}

/// Identifies a file by its first bytes, as LLVM's `identify_magic` does
/// for the formats kbuild produces.
pub fn identify(data: &[u8]) -> Option<Magic> {
    if data.starts_with(&object::elf::ELFMAG) {
        Some(Magic::Elf)
    } else if crate::bitcode::is_bitcode(data) {
        Some(Magic::Bitcode)
    } else if data.starts_with(b"!<arch>\n") {
        Some(Magic::Archive)
    } else if data.starts_with(b"!<thin>\n") {
        Some(Magic::ThinArchive)
    } else {
        None
    }
}

/// Reads the symbol tables of `paths`, in order (`llvm-nm FILE...`).
///
/// Each input gets its own `Result`, so one bad file does not hide the
/// others (as with `llvm-nm`, which goes on after an error).
pub fn read_files(paths: &[PathBuf], opts: &ReadOptions) -> Vec<Result<FileSymbols>> {
    read_files_noted(paths, opts).0
}

/// [`read_files`], also returning notes on bitcode files that the native
/// reader handed to llvm-nm (`modver symbols -v` prints them).
pub fn read_files_noted(
    paths: &[PathBuf],
    opts: &ReadOptions,
) -> (Vec<Result<FileSymbols>>, Vec<String>) {
    scan::Scan::new(opts, true).files(paths)
}

/// [`read_files_noted`], streamed, for output that should not wait for
/// every file: `finish` gets each file's result on the thread that read
/// it, as soon as the file is complete (a file that needed llvm-nm, and
/// those after it, after the one llvm-nm run at the end), and `consume`
/// gets `finish`'s values in input order, each as soon as its turn comes.
/// Nothing is held past its turn. Returns the notes, as
/// [`read_files_noted`] does.
pub fn read_files_each<T: Send>(
    paths: &[PathBuf],
    opts: &ReadOptions,
    finish: impl Fn(Result<FileSymbols>) -> T + Sync,
    consume: impl FnMut(T) + Send,
) -> Vec<String> {
    scan::Scan::new(opts, true).files_each(paths, finish, consume)
}

/// Reads one file's symbol tables (`llvm-nm FILE`).
pub fn read_file(path: &Path, opts: &ReadOptions) -> Result<FileSymbols> {
    read_files(&[path.to_path_buf()], opts)
        .pop()
        .expect("one result per input")
}

/// [`read_file`] (`llvm-nm FILE`) on contents already in memory: `path` is where they
/// are on disk (for llvm-nm, and for the members of a thin archive).
pub fn read_bytes(
    data: &[u8],
    display: &str,
    path: &Path,
    opts: &ReadOptions,
) -> Result<FileSymbols> {
    let scan = scan::Scan::new(opts, true);
    let mut fs = scan.file_scan(0);
    let mut out = [fs.bytes(data, display, path)];
    llvm_nm::fill_bitcode(&mut out, fs.pending, opts);
    let [r] = out;
    r
}

/// The symbol table of one object held in memory (an archive member), as
/// [`read_files`] reads it (llvm-nm's `dumpSymbolNamesFromObject`); `None` when the bytes are not an object.
/// `disk_path` is the object's own file, if it has one (a thin member).
pub fn read_object(
    data: &[u8],
    display: &str,
    member: Option<String>,
    disk_path: Option<&Path>,
    opts: &ReadOptions,
) -> Result<Option<SymbolTable>> {
    let scan = scan::Scan::new(opts, true);
    let mut fs = scan.file_scan(0);
    let Some(table) = fs.object(data, display, member, disk_path, 0)? else {
        return Ok(None);
    };
    let mut out = [Ok(FileSymbols {
        path: display.to_string(),
        kind: InputKind::Object,
        tables: vec![table],
    })];
    llvm_nm::fill_bitcode(&mut out, fs.pending, opts);
    let [r] = out;
    Ok(r?.tables.pop())
}

/// Parses an ELF object or an archive held in memory, without running
/// llvm-nm: bitcode objects get empty tables. Thin archive members are
/// resolved relative to `base_dir`. This is the parsing half of
/// [`read_files`], exposed for fuzzing and for callers that only need ELF.
pub fn parse_bytes(data: &[u8], display: &str, base_dir: &Path) -> Result<FileSymbols> {
    let opts = ReadOptions {
        backend: native::Backend::LlvmNm,
        ..ReadOptions::default()
    };
    scan::Scan::new(&opts, false)
        .file_scan(0)
        .bytes(data, display, &base_dir.join("-"))
}

/// Sorts symbols the way `llvm-nm` does by default (`sortSymbolList`): by
/// name (bytewise), then size, then address, with libstdc++'s unstable
/// `std::sort`, so that symbols equal in all three keep llvm-nm's relative
/// order too.
pub fn sort_like_nm(symbols: &mut [Symbol]) {
    stdsort::std_sort(symbols, &|a: &Symbol, b: &Symbol| {
        (a.name.as_bytes(), a.size, a.address) < (b.name.as_bytes(), b.size, b.address)
    });
}

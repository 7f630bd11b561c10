//! Symbol tables of kernel objects: ELF relocatables and executables, LLVM
//! bitcode (what every `.o` is under `CONFIG_LTO_CLANG`), regular archives and
//! the thin archives kbuild links composite modules and `built-in.a` from.
//!
//! The records and their order are those of `llvm-nm`, so that
//! [`render`] reproduces `llvm-nm FILE...` and `llvm-nm -P FILE...`
//! byte for byte. ELF is read natively; bitcode symbol tables come from
//! the irsymtab stored in the file ([`native`]) or from [`llvm_nm`] (one
//! process for all bitcode inputs of a call), as [`ReadOptions::backend`]
//! selects. Files are scanned in parallel, each read once.

pub mod elf;
pub mod format;
pub mod llvm_nm;
pub mod native;

use crate::error::{Error, Position, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub use format::{render, NmFormat};

/// One symbol, as `llvm-nm` lists it.
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
    /// The symbols, sorted as `llvm-nm` sorts them (name, size, address).
    pub symbols: Vec<Symbol>,
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

/// All symbol tables of one input file, in file/member order.
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
    /// Explicit `llvm-nm` (`--nm`); otherwise [`llvm_nm::locate`] decides.
    pub nm: Option<PathBuf>,
    /// Native irsymtab reader, llvm-nm, or native with llvm-nm fallback.
    pub backend: native::Backend,
}

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

/// Identifies a file by its first bytes.
pub fn identify(data: &[u8]) -> Option<Magic> {
    if data.starts_with(b"\x7fELF") {
        Some(Magic::Elf)
    } else if data.starts_with(b"BC\xC0\xDE") || data.starts_with(&[0xDE, 0xC0, 0x17, 0x0B]) {
        Some(Magic::Bitcode)
    } else if data.starts_with(b"!<arch>\n") {
        Some(Magic::Archive)
    } else if data.starts_with(b"!<thin>\n") {
        Some(Magic::ThinArchive)
    } else {
        None
    }
}

const NOT_OBJECT: &str =
    "not an object file: expected ELF, LLVM bitcode, or an archive (!<arch> or !<thin>)";

/// A bitcode object whose table is still to be filled in by llvm-nm.
struct PendingBitcode {
    file: usize,
    table: usize,
    disk_path: PathBuf,
    display: String,
}

/// Reads the symbol tables of `paths`, in order.
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
    let scratch = tempfile::Builder::new().prefix("modver-nm.").tempdir();
    let scratch = scratch.as_ref().ok().map(|d| d.path());
    let ctx = ScanCtx {
        opts,
        thin_members: Default::default(),
    };
    let mut scanned = scan_parallel(paths, scratch, &ctx);
    scanned.sort_by_key(|s| s.0);
    let mut out: Vec<Result<FileSymbols>> = Vec::with_capacity(paths.len());
    let mut pending: Vec<PendingBitcode> = Vec::new();
    let mut notes = Vec::new();
    for (_, r, p, n) in scanned {
        out.push(r);
        pending.extend(p);
        notes.extend(n);
    }
    if !pending.is_empty() {
        fill_bitcode(&mut out, pending, opts);
    }
    (out, notes)
}

type Scanned = (usize, Result<FileSymbols>, Vec<PendingBitcode>, Vec<String>);

/// What one [`read_files_noted`] call shares between its scanning threads.
struct ScanCtx<'a> {
    opts: &'a ReadOptions,
    /// Tables of thin archive members already read, by path: kbuild's
    /// nested `built-in.a` thin archives name the same objects many times.
    thin_members: std::sync::Mutex<std::collections::HashMap<PathBuf, SymbolTable>>,
}

/// Scans `paths` on up to `MODVER_THREADS` (default: available cores)
/// threads, each taking the next unscanned file.
fn scan_parallel(paths: &[PathBuf], scratch: Option<&Path>, ctx: &ScanCtx) -> Vec<Scanned> {
    let scan_one = |i: usize| -> Scanned {
        let mut pending = Vec::new();
        let mut notes = Vec::new();
        let r = scan_file(&paths[i], i, scratch, ctx, &mut pending, &mut notes);
        (i, r, pending, notes)
    };
    let threads = std::env::var("MODVER_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, paths.len().max(1));
    if threads == 1 {
        return (0..paths.len()).map(scan_one).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= paths.len() {
                            return done;
                        }
                        done.push(scan_one(i));
                    }
                })
            })
            .collect();
        let mut all = Vec::with_capacity(paths.len());
        for w in workers {
            match w.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    })
}

/// Reads one file's symbol tables.
pub fn read_file(path: &Path, opts: &ReadOptions) -> Result<FileSymbols> {
    read_files(&[path.to_path_buf()], opts)
        .pop()
        .expect("one result per input")
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// Parses an ELF object or an archive held in memory, without running
/// llvm-nm: bitcode objects get empty tables. Thin archive members are
/// resolved relative to `base_dir`. This is the parsing half of
/// [`read_files`], exposed for fuzzing and for callers that only need ELF.
pub fn parse_bytes(data: &[u8], display: &str, base_dir: &Path) -> Result<FileSymbols> {
    let mut pending = Vec::new();
    let opts = ReadOptions {
        backend: native::Backend::LlvmNm,
        ..ReadOptions::default()
    };
    let ctx = ScanCtx {
        opts: &opts,
        thin_members: Default::default(),
    };
    scan_bytes(
        data,
        display,
        &base_dir.join("-"),
        0,
        None,
        &ctx,
        &mut pending,
        &mut Vec::new(),
    )
}

fn scan_file(
    path: &Path,
    index: usize,
    scratch: Option<&Path>,
    ctx: &ScanCtx,
    pending: &mut Vec<PendingBitcode>,
    notes: &mut Vec<String>,
) -> Result<FileSymbols> {
    let display = path.display().to_string();
    let data = read(path)?;
    scan_bytes(&data, &display, path, index, scratch, ctx, pending, notes)
}

#[allow(clippy::too_many_arguments)]
fn scan_bytes(
    data: &[u8],
    display: &str,
    path: &Path,
    index: usize,
    scratch: Option<&Path>,
    ctx: &ScanCtx,
    pending: &mut Vec<PendingBitcode>,
    notes: &mut Vec<String>,
) -> Result<FileSymbols> {
    let display = display.to_string();
    match identify(data) {
        Some(Magic::Elf) => Ok(FileSymbols {
            path: display.clone(),
            kind: InputKind::Object,
            tables: vec![elf::read_elf(data, &display, None)?],
        }),
        Some(Magic::Bitcode) => {
            if let Some(t) = try_native(data, &display, None, ctx.opts, notes)? {
                return Ok(FileSymbols {
                    path: display,
                    kind: InputKind::Object,
                    tables: vec![t],
                });
            }
            pending.push(PendingBitcode {
                file: index,
                table: 0,
                disk_path: path.to_path_buf(),
                display: display.clone(),
            });
            Ok(FileSymbols {
                path: display,
                kind: InputKind::Object,
                tables: vec![bitcode_placeholder(None)],
            })
        }
        Some(Magic::Archive) | Some(Magic::ThinArchive) => {
            scan_archive(path, &display, data, index, scratch, ctx, pending, notes)
        }
        None => Err(Error::malformed(display, Position::Offset(0), NOT_OBJECT)),
    }
}

fn bitcode_placeholder(member: Option<String>) -> SymbolTable {
    SymbolTable {
        member,
        format: ObjectFormat::Bitcode,
        is_64: true,
        has_symtab: true,
        symbols: Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn scan_archive(
    path: &Path,
    display: &str,
    data: &[u8],
    index: usize,
    scratch: Option<&Path>,
    ctx: &ScanCtx,
    pending: &mut Vec<PendingBitcode>,
    notes: &mut Vec<String>,
) -> Result<FileSymbols> {
    let archive = object::read::archive::ArchiveFile::parse(data)
        .map_err(|e| Error::malformed(display, Position::Offset(0), e.to_string()))?;
    let thin = archive.is_thin();
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut tables = Vec::new();
    let mut last_end = 8u64;
    for member in archive.members() {
        let member = member
            .map_err(|e| Error::malformed(display, Position::Offset(last_end), e.to_string()))?;
        let (start, len) = member.file_range();
        // The member's header offset, for error positions (thin members
        // have no data range of their own).
        let header_at = member
            .header()
            .map(|h| (h as *const _ as usize).wrapping_sub(data.as_ptr() as usize) as u64)
            .unwrap_or(start);
        last_end = start + len;
        let name = String::from_utf8_lossy(member.name()).into_owned();
        let member_display = format!("{display}({name})");
        let (bytes, disk_path) = if member.is_thin() {
            // Normalised ("./a/./b.o" and "a/b.o" are one file) cache key.
            let p: PathBuf = dir.join(&name).components().collect();
            let cached = ctx
                .thin_members
                .lock()
                .ok()
                .and_then(|m| m.get(&p).cloned());
            if let Some(mut t) = cached {
                t.member = Some(name);
                tables.push(t);
                continue;
            }
            let bytes = std::fs::read(&p).map_err(|e| {
                Error::malformed(
                    member_display.clone(),
                    Position::Offset(header_at),
                    format!("thin archive member {} cannot be read: {e}", p.display()),
                )
            })?;
            (std::borrow::Cow::Owned(bytes), Some(p))
        } else {
            let bytes = member.data(data).map_err(|e| {
                Error::malformed(&member_display, Position::Offset(start), e.to_string())
            })?;
            // The ELF reader needs aligned data: copy; bitcode is read
            // in place.
            match identify(bytes) {
                Some(Magic::Bitcode) => (std::borrow::Cow::Borrowed(bytes), None),
                _ => (std::borrow::Cow::Owned(bytes.to_vec()), None),
            }
        };
        let remember = |t: &SymbolTable| {
            if let (Some(p), Ok(mut m)) = (&disk_path, ctx.thin_members.lock()) {
                m.insert(p.clone(), t.clone());
            }
        };
        match identify(&bytes) {
            Some(Magic::Elf) => {
                let t = elf::read_elf(&bytes, &member_display, Some(name))?;
                remember(&t);
                tables.push(t);
            }
            Some(Magic::Bitcode) => {
                if let Some(t) =
                    try_native(&bytes, &member_display, Some(name.clone()), ctx.opts, notes)?
                {
                    remember(&t);
                    tables.push(t);
                    continue;
                }
                let disk_path = match disk_path {
                    Some(p) => p,
                    None => {
                        let scratch = scratch.ok_or_else(|| Error::Tool {
                            tool: "modver".into(),
                            message: "cannot create a temporary directory for archive members"
                                .into(),
                        })?;
                        let p = scratch.join(format!("{index}-{}.bc", tables.len()));
                        std::fs::write(&p, &bytes).map_err(|e| Error::io(&p, e))?;
                        p
                    }
                };
                pending.push(PendingBitcode {
                    file: index,
                    table: tables.len(),
                    disk_path,
                    display: member_display,
                });
                tables.push(bitcode_placeholder(Some(name)));
            }
            // llvm-nm silently skips members that are not objects.
            _ => {}
        }
    }
    Ok(FileSymbols {
        path: display.to_string(),
        kind: if thin {
            InputKind::ThinArchive
        } else {
            InputKind::Archive
        },
        tables,
    })
}

/// The native table for a bitcode object, `None` when llvm-nm is to read
/// it (backend llvm-nm, or auto and the irsymtab cannot be used: noted).
fn try_native(
    data: &[u8],
    display: &str,
    member: Option<String>,
    opts: &ReadOptions,
    notes: &mut Vec<String>,
) -> Result<Option<SymbolTable>> {
    if opts.backend == native::Backend::LlvmNm {
        return Ok(None);
    }
    match native::bitcode_table(data, member) {
        Ok(t) => Ok(Some(t)),
        Err(f) if opts.backend == native::Backend::Auto => {
            notes.push(format!("{display}: using llvm-nm: {}", f.reason));
            Ok(None)
        }
        Err(f) => Err(Error::malformed(
            display,
            f.pos,
            format!(
                "cannot read the bitcode symbol table natively: {}",
                f.reason
            ),
        )),
    }
}

fn fill_bitcode(out: &mut [Result<FileSymbols>], pending: Vec<PendingBitcode>, opts: &ReadOptions) {
    let tool = match llvm_nm::locate(opts.nm.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            let msg = e.to_string();
            for p in &pending {
                if out[p.file].is_ok() {
                    out[p.file] = Err(Error::Tool {
                        tool: "llvm-nm".into(),
                        message: format!("{}: needed for LLVM bitcode: {msg}", p.display),
                    });
                }
            }
            return;
        }
    };
    let paths: Vec<&Path> = pending.iter().map(|p| p.disk_path.as_path()).collect();
    let results = tool.symbol_tables(&paths);
    for (p, r) in pending.iter().zip(results) {
        let Ok(fs) = &mut out[p.file] else { continue };
        match r {
            Ok(t) => {
                let slot = &mut fs.tables[p.table];
                slot.is_64 = t.is_64;
                slot.has_symtab = t.has_symtab;
                slot.symbols = t.symbols;
            }
            Err(msg) => {
                out[p.file] = Err(Error::malformed(p.display.clone(), Position::File, msg));
            }
        }
    }
}

/// Sorts symbols the way `llvm-nm` does by default: by name (bytewise), then
/// size, then address, with libstdc++'s unstable `std::sort`, so that
/// symbols equal in all three keep llvm-nm's relative order too.
pub fn sort_like_nm(symbols: &mut [Symbol]) {
    crate::bitcode::stdsort::std_sort(symbols, &|a: &Symbol, b: &Symbol| {
        (a.name.as_bytes(), a.size, a.address) < (b.name.as_bytes(), b.size, b.address)
    });
}

//! Scanning input files for their symbol tables, as `llvm-nm`'s
//! `dumpSymbolNamesFromFile` walks a file: an object, or each object member
//! of an archive ([`super::archive`]). Files are scanned in parallel, each
//! read once; bitcode the native reader does not serve is collected and
//! handed to one `llvm-nm` process at the end of the call
//! ([`super::llvm_nm::fill_bitcode`]).

use super::llvm_nm::{fill_bitcode, PendingBitcode};
use super::{elf, identify, native, FileSymbols, InputKind, Magic, ObjectFormat};
use super::{ReadOptions, SymbolTable};
use crate::archive::MemberCache;
use crate::error::{Error, Position, Result};
use crate::input::read_file;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const NOT_OBJECT: &str =
    "not an object file: expected ELF, LLVM bitcode, or an archive (!<arch> or !<thin>)";

/// One call's scan: what its threads share.
pub(super) struct Scan<'a> {
    opts: &'a ReadOptions,
    /// Where bitcode archive members are written for llvm-nm; created on
    /// first use, never when `spill` is false.
    scratch: OnceLock<Option<tempfile::TempDir>>,
    spill: bool,
    /// Tables of thin archive members already read.
    pub(super) members: MemberCache<SymbolTable>,
}

/// The scan of one input file: its position among the inputs, the
/// bitcode left for llvm-nm and the notes on fallbacks.
pub(super) struct FileScan<'s, 'a> {
    pub(super) scan: &'s Scan<'a>,
    pub(super) index: usize,
    pub(super) pending: Vec<PendingBitcode>,
    pub(super) notes: Vec<String>,
}

thread_local! {
    /// Each thread's buffer for the files it reads, and one for their thin
    /// archive members: reused from file to file.
    pub(super) static FILE_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    pub(super) static MEMBER_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `f` with this thread's buffer `buf`, or a fresh one if it is in use.
pub(super) fn with_buf<R>(
    buf: &'static std::thread::LocalKey<std::cell::RefCell<Vec<u8>>>,
    f: impl FnOnce(&mut Vec<u8>) -> R,
) -> R {
    let mut taken = buf.with(|b| {
        b.try_borrow_mut()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    });
    let r = f(&mut taken);
    buf.with(|b| {
        if let Ok(mut b) = b.try_borrow_mut() {
            *b = taken;
        }
    });
    r
}

impl<'a> Scan<'a> {
    /// A scan with `opts`; `spill` allows writing bitcode archive members
    /// to a temporary directory for llvm-nm.
    pub(super) fn new(opts: &'a ReadOptions, spill: bool) -> Self {
        Scan {
            opts,
            scratch: OnceLock::new(),
            spill,
            members: MemberCache::default(),
        }
    }

    /// The scan of input number `index`.
    pub(super) fn file_scan(&self, index: usize) -> FileScan<'_, 'a> {
        FileScan {
            scan: self,
            index,
            pending: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Reads every file of `paths` on up to `MODVER_THREADS` (default:
    /// available cores) threads, then runs llvm-nm once for the bitcode
    /// left over. Results are in input order.
    pub(super) fn files(&self, paths: &[PathBuf]) -> (Vec<Result<FileSymbols>>, Vec<String>) {
        let mut out = Vec::with_capacity(paths.len());
        let notes = self.files_each(paths, |r| r, |r| out.push(r));
        (out, notes)
    }

    /// [`Self::files`], streamed: each file's result goes to `finish` on
    /// the thread that read it as soon as it is complete, and `finish`'s
    /// values go to `consume` in input order, each as soon as its turn
    /// comes. A file with bitcode left for llvm-nm, and every file after
    /// it, waits for the one llvm-nm run at the end. Returns the notes on
    /// fallbacks, in input order.
    pub(super) fn files_each<T: Send>(
        &self,
        paths: &[PathBuf],
        finish: impl Fn(Result<FileSymbols>) -> T + Sync,
        mut consume: impl FnMut(T) + Send,
    ) -> Vec<String> {
        enum Step<T> {
            Finished(T),
            Waiting(Result<FileSymbols>, Vec<PendingBitcode>),
        }
        let mut notes = Vec::new();
        // From the first file waiting for llvm-nm on, in input order.
        let mut held = Vec::new();
        crate::parallel::for_each_ordered(
            paths.len(),
            |i| crate::parallel::file_weight(&paths[i]),
            |i| {
                let mut fs = self.file_scan(i);
                let r = fs.file(&paths[i]);
                let step = match fs.pending.is_empty() {
                    true => Step::Finished(finish(r)),
                    false => Step::Waiting(r, fs.pending),
                };
                (step, fs.notes)
            },
            |_, (step, file_notes)| {
                notes.extend(file_notes);
                match step {
                    Step::Finished(t) if held.is_empty() => consume(t),
                    step => held.push(step),
                }
            },
        );
        let mut waiting = Vec::new();
        let mut pending = Vec::new();
        let held: Vec<Option<T>> = held
            .into_iter()
            .map(|step| match step {
                Step::Finished(t) => Some(t),
                Step::Waiting(r, p) => {
                    let file = waiting.len();
                    pending.extend(p.into_iter().map(|p| PendingBitcode { file, ..p }));
                    waiting.push(r);
                    None
                }
            })
            .collect();
        fill_bitcode(&mut waiting, pending, self.opts);
        let mut waiting = waiting.into_iter();
        // Each `None` is the next waiting file (one each, in order).
        for t in held {
            if let Some(t) = t.or_else(|| waiting.next().map(&finish)) {
                consume(t);
            }
        }
        notes
    }

    /// Writes an in-memory bitcode object where llvm-nm can read it.
    fn spill(&self, bytes: &[u8], file: usize, table: usize) -> Result<PathBuf> {
        let dir = self
            .scratch
            .get_or_init(|| match self.spill {
                true => tempfile::Builder::new().prefix("modver-nm.").tempdir().ok(),
                false => None,
            })
            .as_ref()
            .ok_or_else(|| Error::Tool {
                tool: "modver".into(),
                message: "cannot create a temporary directory for archive members".into(),
            })?;
        let p = dir.path().join(format!("{file}-{table}.bc"));
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))?;
        Ok(p)
    }
}

impl FileScan<'_, '_> {
    /// Reads and scans the file at `path`.
    pub(super) fn file(&mut self, path: &Path) -> Result<FileSymbols> {
        // An object a thin archive named and this call already read.
        if let Some(mut t) = self.scan.members.get_file(path) {
            t.member = None;
            return Ok(FileSymbols {
                path: path.display().to_string(),
                kind: InputKind::Object,
                tables: vec![t],
            });
        }
        let waiting = self.pending.len();
        let r = with_buf(&FILE_BUF, |data| {
            let data = read_file(path, data).map_err(|e| Error::io(path, e))?;
            self.bytes(&data, &path.display().to_string(), path)
        })?;
        if let (InputKind::Object, [t]) = (r.kind, &r.tables[..]) {
            if self.pending.len() == waiting {
                self.scan.members.insert_file(path, t);
            }
        }
        Ok(r)
    }

    /// Scans a file's contents; `path` is where it is on disk (for llvm-nm,
    /// and for the members of a thin archive).
    pub(super) fn bytes(&mut self, data: &[u8], display: &str, path: &Path) -> Result<FileSymbols> {
        let kind = match identify(data) {
            Some(Magic::Archive | Magic::ThinArchive) => return self.archive(data, display, path),
            Some(_) => InputKind::Object,
            None => return Err(Error::malformed(display, Position::Offset(0), NOT_OBJECT)),
        };
        let table = self.object(data, display, None, Some(path), 0)?;
        Ok(FileSymbols {
            path: display.to_string(),
            kind,
            tables: table.into_iter().collect(),
        })
    }

    /// The table of one object (a file or an archive member), `None` when
    /// the bytes are not an object. `disk_path` is the object's file, if it
    /// has one of its own; `table` its index among the file's tables.
    pub(super) fn object(
        &mut self,
        bytes: &[u8],
        display: &str,
        member: Option<String>,
        disk_path: Option<&Path>,
        table: usize,
    ) -> Result<Option<SymbolTable>> {
        match identify(bytes) {
            Some(Magic::Elf) => elf::read_elf(bytes, display, member).map(Some),
            Some(Magic::Bitcode) => {
                if let Some(t) = self.native(bytes, display, member.clone())? {
                    return Ok(Some(t));
                }
                let disk_path = match disk_path {
                    Some(p) => p.to_path_buf(),
                    None => self.scan.spill(bytes, self.index, table)?,
                };
                self.pending.push(PendingBitcode {
                    file: self.index,
                    table,
                    disk_path,
                    display: display.to_string(),
                });
                Ok(Some(bitcode_placeholder(member)))
            }
            // llvm-nm silently skips archive members that are not objects.
            _ => Ok(None),
        }
    }

    /// The native table for a bitcode object, `None` when llvm-nm is to
    /// read it (backend llvm-nm, or auto and the irsymtab cannot be used:
    /// noted).
    fn native(
        &mut self,
        data: &[u8],
        display: &str,
        member: Option<String>,
    ) -> Result<Option<SymbolTable>> {
        let backend = self.scan.opts.backend;
        if backend == native::Backend::LlvmNm {
            return Ok(None);
        }
        match native::bitcode_table(data, member) {
            Ok(t) => Ok(Some(t)),
            Err(f) if backend == native::Backend::Auto => {
                self.notes
                    .push(format!("{display}: using llvm-nm: {}", f.reason));
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
}

fn bitcode_placeholder(member: Option<String>) -> SymbolTable {
    SymbolTable {
        member,
        format: ObjectFormat::Bitcode,
        is_64: true,
        has_symtab: true,
        symbols: Vec::new().into(),
    }
}

//! Symbol versions from debug information, exactly as the kernel's
//! `scripts/gendwarfksyms` (`CONFIG_GENDWARFKSYMS`, 6.14+) computes them;
//! this follows the 7.1 sources.
//!
//! A run reads the exported symbol names (kbuild's `getexportsymbols`
//! output, one per line), then each object in turn: its global symbols
//! (addresses identify aliases), its kABI rules (with `--stable`) and its
//! debug information, as a [`DebugInfo`] that any reader can fill
//! ([`crate::dwarf`] for ELF objects). Per object it builds the type
//! strings ([`builder`]), the type map, versions and symtypes lines
//! ([`types`]); at the end it prints `#SYMVER name 0x%08lx` for every
//! symbol, in gendwarfksyms' hash-table order ([`symbols`]).
//!
//! Everything gendwarfksyms writes to stderr (`-d` debugging, the
//! `--dump-*` dumps, warnings) is collected in a [`Log`], with its
//! function-name prefixes, so a caller can print it unchanged.
//!
//! Where gendwarfksyms' behaviour depends on memory addresses (the order in
//! which it walks its DIE map: the order of `--dump-types` lines and of
//! `-d`'s `expand_type` lines) this follows creation order instead; every
//! other output is reproduced byte for byte.

pub mod builder;
pub mod die_map;
pub mod kabi;
pub mod symbols;
pub mod symtypes;
pub mod types;

use crate::debuginfo::DebugInfo;
use crate::dwarf::ElfGlobal;
use crate::error::{Error, Position, Result};
use std::path::Path;

/// gendwarfksyms' options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `-s`, `--stable`: apply kABI rules and `__kabi_*` members.
    pub stable: bool,
    /// `-T FILE`: produce symtypes lines.
    pub symtypes: bool,
    /// `-d`, `--debug`.
    pub debug: bool,
    /// `--dump-dies`.
    pub dump_dies: bool,
    /// `--dump-types`.
    pub dump_types: bool,
    /// `--dump-versions`.
    pub dump_versions: bool,
}

/// What gendwarfksyms writes to stderr, in order.
#[derive(Debug, Default)]
pub struct Log {
    /// `-d`.
    pub debug: bool,
    /// `--dump-dies`.
    pub dump_dies: bool,
    /// `--dump-types`.
    pub dump_types: bool,
    /// `--dump-versions`.
    pub dump_versions: bool,
    /// The text so far.
    pub text: String,
    do_linebreak: bool,
    indentation: i32,
}

impl Log {
    /// `debug(...)` in function `func`.
    pub fn debug(&mut self, func: &str, msg: &str) {
        if self.debug {
            self.text.push_str("gendwarfksyms: ");
            self.text.push_str(func);
            self.text.push_str(": ");
            self.text.push_str(msg);
            self.text.push('\n');
        }
    }

    /// `warn(...)` in function `func`.
    pub fn warn(&mut self, func: &str, msg: &str) {
        self.text.push_str("warning: gendwarfksyms: ");
        self.text.push_str(func);
        self.text.push_str(": ");
        self.text.push_str(msg);
        self.text.push('\n');
    }

    /// Text written as it is.
    pub fn raw(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// `--dump-dies` text written as it is.
    pub fn dump_raw(&mut self, s: &str) {
        if self.dump_dies {
            self.text.push_str(s);
        }
    }

    /// A type-string fragment, as `process()` dumps it.
    pub fn dump_string(&mut self, s: &str) {
        if !self.dump_dies {
            return;
        }
        if self.do_linebreak {
            self.text.push('\n');
            for _ in 0..self.indentation.max(0) {
                self.text.push_str("  ");
            }
            self.do_linebreak = false;
        }
        self.text.push_str(s);
    }

    /// `process_linebreak`'s effect on the dump.
    pub fn linebreak(&mut self, n: i32) {
        self.indentation += n;
        self.do_linebreak = true;
    }
}

/// One object as gendwarfksyms sees it (one libdwfl module).
#[derive(Debug, Clone)]
pub struct ModuleInput {
    /// The name `-d` prints (`process_module: NAME`): the path as given,
    /// `archive(member)` for archive members.
    pub name: String,
    /// Its debug information.
    pub info: DebugInfo,
    /// Its global symbols, in symbol-table order.
    pub symbols: Vec<ElfGlobal>,
    /// Its kABI rules section, if any.
    pub kabi_rules: Option<Vec<u8>>,
}

/// A gendwarfksyms run.
pub struct Run {
    opts: Options,
    syms: symbols::Symbols,
    log: Log,
    symtypes: String,
    modules: u32,
    hits: u32,
    misses: u32,
}

/// What a finished run prints.
#[derive(Debug, Clone)]
pub struct Output {
    /// Standard output: the `#SYMVER` lines.
    pub stdout: String,
    /// The `--symtypes` file contents.
    pub symtypes: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Starts a run with the symbol list read from stdin.
    pub fn new(opts: Options, symbol_list: &[u8]) -> Result<Self> {
        let mut log = Log {
            debug: opts.debug,
            dump_dies: opts.dump_dies,
            dump_types: opts.dump_types,
            dump_versions: opts.dump_versions,
            ..Log::default()
        };
        let syms = symbols::Symbols::read_exports(symbol_list, &mut log)?;
        Ok(Run {
            opts,
            syms,
            log,
            symtypes: String::new(),
            modules: 0,
            hits: 0,
            misses: 0,
        })
    }

    /// Whether any symbol was given (gendwarfksyms does nothing, and
    /// writes no symtypes file, without one).
    pub fn has_symbols(&self) -> bool {
        !self.syms.syms.is_empty()
    }

    /// The stderr text so far (for printing before an error).
    pub fn log_text(&self) -> &str {
        &self.log.text
    }

    /// Processes one object.
    ///
    /// Like gendwarfksyms, building type strings recurses once per nesting
    /// level of the types reached (every struct first met through a pointer
    /// goes one level deeper; the other walks are loops). That depth is
    /// bounded ([`builder::MAX_DEPTH`], an error past it) and the walk runs
    /// on a stack that holds the bound: a level takes about 750 bytes of
    /// stack in a release build and 6 KiB unoptimised, so 8 KiB per level
    /// (80 MiB of address space, of which only what is used is ever
    /// touched). That is the main thread's, when this is the main thread
    /// and its stack may grow that far (`on_main_stack`; the CLI), else
    /// a thread's of its own (`tests/walk_stack.rs` tries both).
    ///
    /// The module is taken by value: its debug information is dropped as
    /// soon as the die_map is built, before the type strings are, which
    /// lowers the peak memory by the size of the model.
    pub fn add_module(&mut self, m: ModuleInput) -> Result<()> {
        const STACK: usize = builder::MAX_DEPTH * (8 << 10) + (1 << 20);
        let walk = match on_main_stack(STACK, || self.add_module_here(m)) {
            Ok(r) => return r,
            Err(walk) => walk,
        };
        std::thread::scope(|s| {
            std::thread::Builder::new()
                .name("dwarfksyms".into())
                .stack_size(STACK)
                .spawn_scoped(s, walk)
                .map_err(|e| Error::Check(format!("cannot start a thread: {e}")))?
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
        })
    }

    fn add_module_here(&mut self, m: ModuleInput) -> Result<()> {
        self.syms.read_symtab(&m.symbols, &mut self.log);
        let rules = if self.opts.stable {
            kabi::Rules::parse(m.kabi_rules.as_deref(), &m.name, &mut self.log)?
        } else {
            kabi::Rules::default()
        };
        self.log.debug("process_module", &m.name);
        let module = self.modules;
        self.modules += 1;
        let mut b = builder::Builder::new(
            &m.info,
            module,
            &m.name,
            self.opts.stable,
            &rules,
            &mut self.syms,
            &mut self.log,
        );
        for u in &m.info.units {
            if let Some(root) = u.root {
                b.process_unit(root)?;
            }
        }
        let mut map = std::mem::take(&mut b.map);
        drop(b);
        drop(m.info);
        let mut tm = types::TypeMap::new(self.opts.stable, &rules, &m.name);
        tm.add_types(&mut map, &mut self.log)?;
        tm.add_symbols(
            &map,
            &mut self.syms,
            module,
            self.opts.symtypes,
            &mut self.log,
        )?;
        if self.opts.symtypes {
            self.symtypes.push_str(&tm.symtypes());
        }
        // die_map_free's statistics; gendwarfksyms never resets its
        // hit/miss counters.
        self.hits += map.hits;
        self.misses += map.misses;
        if self.hits + self.misses > 0 {
            let rate = (100.0f32 * self.hits as f32) / ((self.hits + self.misses) as f32);
            let msg = format!(
                "hits {}, misses {} (hit rate {:.2}%)",
                self.hits,
                self.misses,
                f64::from(rate)
            );
            self.log.debug("die_map_free", &msg);
        }
        let stats = map.stats();
        for (st, n) in die_map::DieState::ALL.iter().zip(stats) {
            self.log
                .debug("die_map_free", &format!("{}: {n} entries", st.name()));
        }
        Ok(())
    }

    /// [`read_input_with`] for this run: of an ELF object, only the DIEs
    /// that the run's symbols can reach are read (gendwarfksyms reads
    /// DIEs on demand through libdw, and an object with a few exports
    /// costs it little more than what those reach). With `-d` every DIE
    /// is read, for the die_map statistics of the names of all of them.
    pub fn read_input(
        &self,
        path: &Path,
        backend: Backend,
        note: &mut dyn FnMut(String),
    ) -> Result<Vec<ModuleInput>> {
        read_path(path, backend, note, self.listed())
    }

    /// [`parse_input`] for this run, as [`Self::read_input`] reads.
    pub fn parse_input(
        &self,
        data: &[u8],
        display: &str,
        dir: Option<&Path>,
    ) -> Result<Vec<ModuleInput>> {
        parse_bytes(data, display, dir, self.listed())
    }

    /// Whose names decide what of an ELF object is read (none: all).
    fn listed(&self) -> Option<&symbols::Symbols> {
        (!self.opts.debug).then_some(&self.syms)
    }

    /// Ends the run: the `#SYMVER` lines (with warnings for symbols that
    /// got no version).
    pub fn finish(mut self) -> Output {
        let stdout = self.syms.versions(&mut self.log);
        Output {
            stdout,
            symtypes: self.symtypes,
            stderr: self.log.text,
        }
    }
}

/// The objects gendwarfksyms would process for one command-line input:
/// an ELF object, or each ELF member of a regular or thin archive, in
/// member order (gendwarfksyms 7.1 itself crashes on archives: modver
/// treats their members as if they were given one by one).
pub fn read_input(path: &Path) -> Result<Vec<ModuleInput>> {
    read_input_with(path, Backend::Native, &mut |_| {})
}

/// How LLVM bitcode inputs are read (`--backend`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Backend {
    /// The native metadata reader; code generation for a bitcode file whose
    /// metadata it does not know (an unknown record or layout).
    #[default]
    Auto,
    /// The native metadata reader only.
    Native,
    /// `clang -c -x ir` to an ELF object, then its DWARF (as gendwarfksyms
    /// would read it).
    Codegen,
}

/// [`read_input`] with a bitcode backend; `note` receives one line per
/// bitcode file (or archive member) saying which path was taken and why
/// (for `-v`).
pub fn read_input_with(
    path: &Path,
    backend: Backend,
    note: &mut dyn FnMut(String),
) -> Result<Vec<ModuleInput>> {
    read_path(path, backend, note, None)
}

/// [`read_input_with`], reading of an ELF object only what `listed`'s
/// symbols reach when given.
fn read_path(
    path: &Path,
    backend: Backend,
    note: &mut dyn FnMut(String),
    listed: Option<&symbols::Symbols>,
) -> Result<Vec<ModuleInput>> {
    let mut buf = Vec::new();
    let data = crate::input::read_file(path, &mut buf).map_err(|e| Error::io(path, e))?;
    let display = path.display().to_string();
    let mut reader = InputReader {
        backend,
        note,
        dir: path.parent(),
        listed,
    };
    reader.read(&data, &display, Some(path))
}

/// Reads inputs (objects, bitcode, archives) with one bitcode backend.
struct InputReader<'n, 'p> {
    backend: Backend,
    note: &'n mut dyn FnMut(String),
    /// Where thin archive members are read from (none: a thin archive is
    /// an error).
    dir: Option<&'p Path>,
    /// Read of an ELF object only what the functions and variables these
    /// symbols name can reach ([`crate::dwarf::read_object_for`]); `None`:
    /// all of it.
    listed: Option<&'p symbols::Symbols>,
}

impl InputReader<'_, '_> {
    fn elf(&self, data: &[u8], display: &str) -> Result<ModuleInput> {
        let obj = match self.listed {
            Some(syms) => crate::dwarf::read_object_for(data, display, &|n| syms.is_listed(n))?,
            None => crate::dwarf::read_object(data, display)?,
        };
        Ok(module_input(obj, display))
    }

    /// `data` (from the file `path`, when it is one on its own).
    fn read(
        &mut self,
        data: &[u8],
        display: &str,
        path: Option<&Path>,
    ) -> Result<Vec<ModuleInput>> {
        use crate::symbols::{identify, Magic};
        match identify(data) {
            Some(Magic::Elf) => Ok(vec![self.elf(data, display)?]),
            Some(Magic::Archive) | Some(Magic::ThinArchive) => self.archive(data, display),
            Some(Magic::Bitcode) => self.bitcode(data, display, path),
            None => Err(Error::malformed(
                display,
                Position::Offset(0),
                "not an object file: expected an ELF object or an archive of them",
            )),
        }
    }

    /// LLVM bitcode (LTO objects): the debug-info metadata read natively
    /// and lowered as LLVM's code generation would emit the DWARF, or that
    /// code generation itself.
    fn bitcode(
        &mut self,
        data: &[u8],
        display: &str,
        path: Option<&Path>,
    ) -> Result<Vec<ModuleInput>> {
        use crate::metadata_dwarf::NativeFailure;
        if self.backend == Backend::Codegen {
            (self.note)(format!("{display}: bitcode: codegen (--backend codegen)"));
            return codegen_input(data, path, display);
        }
        match bitcode_native(data, display) {
            Ok(m) => {
                (self.note)(format!("{display}: bitcode: native metadata reader"));
                Ok(m)
            }
            Err(NativeFailure::Unsupported(e)) if self.backend == Backend::Auto => {
                (self.note)(format!(
                    "{display}: bitcode: codegen, the native reader cannot: {e}"
                ));
                codegen_input(data, path, display)
            }
            Err(NativeFailure::Unsupported(e) | NativeFailure::Invalid(e)) => Err(e),
        }
    }

    fn archive(&mut self, data: &[u8], display: &str) -> Result<Vec<ModuleInput>> {
        // The crate's one archive walker; it resolves thin members next to
        // the archive, so it is handed a path inside `dir`.
        let at = self.dir.unwrap_or(Path::new("")).join("archive");
        let archive = crate::archive::Archive::parse(data, &at, display)?;
        if archive.is_thin() && self.dir.is_none() {
            return Err(Error::malformed(
                display,
                Position::File,
                "thin archive without a directory to read its members from",
            ));
        }
        let mut out = Vec::new();
        for member in archive.members() {
            let member = member?;
            let shown = member.display.clone();
            let contents = member.read()?;
            let bytes: &[u8] = &contents;
            match crate::symbols::identify(bytes) {
                // The ELF reader wants aligned data: copy.
                Some(crate::symbols::Magic::Elf) => {
                    let aligned = bytes.to_vec();
                    out.push(self.elf(&aligned, &shown)?)
                }
                Some(_) => out.extend(self.read(bytes, &shown, None)?),
                // Members that are not objects are skipped, as a linker would.
                None => {}
            }
        }
        Ok(out)
    }
}

/// The clang that compiles bitcode back to ELF: `$CLANG`, else `clang`.
fn codegen_clang() -> std::path::PathBuf {
    std::env::var_os("CLANG")
        .filter(|v| !v.is_empty())
        .map_or_else(|| "clang".into(), Into::into)
}

/// The target triple the bitcode's irsymtab records, if it has one.
fn bitcode_triple(data: &[u8]) -> Option<String> {
    let c = crate::bitcode::read_contents(data).ok()?;
    let t = crate::bitcode::irsymtab::parse(c.symtab?, c.strtab_for_symtab?).ok()?;
    let t = std::str::from_utf8(t.target_triple).ok()?;
    (!t.is_empty() && !t.starts_with('-')).then(|| t.to_string())
}

/// Code generation as an LTO link does it: `clang -c -x ir -O2
/// --target=TRIPLE` (the module's own triple, so a cross-compiled module is
/// compiled for its target), then the ELF object's DWARF. `path` is the
/// bitcode file; an archive member is written to a temporary file first.
fn codegen_input(data: &[u8], path: Option<&Path>, display: &str) -> Result<Vec<ModuleInput>> {
    let dir = tempfile::tempdir().map_err(|e| Error::io("<tempdir>", e))?;
    let input = match path {
        Some(p) => p.to_path_buf(),
        None => {
            let p = dir.path().join("member.bc");
            std::fs::write(&p, data).map_err(|e| Error::io(&p, e))?;
            p
        }
    };
    let out = dir.path().join("codegen.o");
    let clang = codegen_clang();
    let mut cmd = std::process::Command::new(&clang);
    cmd.args(["-c", "-x", "ir", "-O2"]);
    if let Some(t) = bitcode_triple(data) {
        cmd.arg(format!("--target={t}"));
    }
    let st = cmd
        .arg("-o")
        .arg(&out)
        .arg(&input)
        .status()
        .map_err(|e| Error::io(&clang, e))?;
    if !st.success() {
        return Err(Error::Check(format!(
            "{display}: {} -c -x ir failed ({st})",
            clang.display()
        )));
    }
    let data = std::fs::read(&out).map_err(|e| Error::io(&out, e))?;
    Ok(vec![module_input(
        crate::dwarf::read_object(&data, display)?,
        display,
    )])
}

/// [`read_input`] on bytes in memory, bitcode read natively; thin archive
/// members are read relative to `dir` (none: a thin archive is an error).
pub fn parse_input(data: &[u8], display: &str, dir: Option<&Path>) -> Result<Vec<ModuleInput>> {
    parse_bytes(data, display, dir, None)
}

fn parse_bytes(
    data: &[u8],
    display: &str,
    dir: Option<&Path>,
    listed: Option<&symbols::Symbols>,
) -> Result<Vec<ModuleInput>> {
    let mut quiet = |_| {};
    let mut reader = InputReader {
        backend: Backend::Native,
        note: &mut quiet,
        dir,
        listed,
    };
    reader.read(data, display, None)
}

fn bitcode_native(
    data: &[u8],
    display: &str,
) -> std::result::Result<Vec<ModuleInput>, crate::metadata_dwarf::NativeFailure> {
    let mut modules = crate::metadata_dwarf::module_inputs(data, display)?;
    for m in &mut modules {
        m.info.shrink_to_fit();
    }
    if modules.is_empty() {
        return Err(crate::metadata_dwarf::NativeFailure::Invalid(
            Error::malformed(
                display,
                Position::Offset(0),
                "LLVM bitcode without a module block (truncated?)",
            ),
        ));
    }
    // As for an ELF object without .debug_info: codegen of this bitcode
    // would emit none, and gendwarfksyms stops on that object.
    if modules.iter().all(|m| m.info.units.is_empty()) {
        return Err(crate::metadata_dwarf::NativeFailure::Invalid(
            Error::malformed(
                display,
                Position::File,
                "LLVM bitcode without debug-info metadata (no DICompileUnit): expected an object compiled with -g (gendwarfksyms: \"no debugging information?\")",
            ),
        ));
    }
    Ok(modules)
}

fn module_input(mut obj: crate::dwarf::DebugObject, display: &str) -> ModuleInput {
    obj.info.shrink_to_fit();
    ModuleInput {
        name: display.to_string(),
        info: obj.info,
        symbols: obj.symbols,
        kabi_rules: obj.kabi_rules,
    }
}

/// Runs `f` on the calling thread when it is the process's main thread
/// and its stack may grow to `bytes` (raising the soft `RLIMIT_STACK` for
/// the call when the hard limit allows, and setting it back after);
/// otherwise `f` back, not run.
///
/// A process's main thread grows its stack on demand up to the soft limit
/// as it stands at each fault, and Linux leaves at least 128 MiB between
/// the stack and the mmap area; a thread of its own would cost a clone, a
/// stack and a signal stack mapped and unmapped, and TLB shootdowns for
/// every later unmap: about 0.1 ms of a process that runs once per object.
fn on_main_stack<R, F: FnOnce() -> R>(bytes: usize, f: F) -> std::result::Result<R, F> {
    #[cfg(target_os = "linux")]
    {
        const MIN_GAP: u64 = 128 << 20;
        let bytes = bytes as u64;
        // SAFETY: getpid and gettid have no preconditions.
        if bytes >= MIN_GAP || unsafe { libc::getpid() != libc::gettid() } {
            return Err(f);
        }
        let mut old = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: old is a valid rlimit to fill in.
        if unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut old) } != 0 {
            return Err(f);
        }
        if old.rlim_cur == libc::RLIM_INFINITY || old.rlim_cur >= bytes {
            return Ok(f());
        }
        if old.rlim_max != libc::RLIM_INFINITY && old.rlim_max < bytes {
            return Err(f);
        }
        let raised = libc::rlimit {
            rlim_cur: bytes,
            rlim_max: old.rlim_max,
        };
        // SAFETY: raised is a valid rlimit within the hard limit.
        if unsafe { libc::setrlimit(libc::RLIMIT_STACK, &raised) } != 0 {
            return Err(f);
        }
        // Set back however f ends.
        struct Restore(libc::rlimit);
        impl Drop for Restore {
            fn drop(&mut self) {
                // SAFETY: the limit read before raising it.
                unsafe { libc::setrlimit(libc::RLIMIT_STACK, &self.0) };
            }
        }
        let _restore = Restore(old);
        Ok(f())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = bytes;
        Err(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::debuginfo::{tag, ConstAttr, DieAttrs};

    /// A model filled by hand, as a non-DWARF reader would: `int f(T x)`
    /// with `typedef int T`.
    fn module(cycle: bool) -> ModuleInput {
        let mut d = DebugInfo::new();
        let file = d.intern("x.h");
        d.add_unit(vec![file]);
        let cu = d.add_die(None, tag::COMPILE_UNIT, 0, &DieAttrs::named("x.c"));
        let f = d.add_die(Some(cu), tag::SUBPROGRAM, 1, &DieAttrs::named("f"));
        let p = d.add_die(Some(f), tag::FORMAL_PARAMETER, 2, &DieAttrs::named("x"));
        let mut int = DieAttrs::named("int");
        int.set_const(ConstAttr::ByteSize, 4);
        int.set_const(ConstAttr::Encoding, 5);
        let i = d.add_die(Some(cu), tag::BASE_TYPE, 3, &int);
        let t = d.add_die(Some(cu), tag::TYPEDEF, 4, &DieAttrs::named("T"));
        d.set_type_ref(f, i);
        d.set_type_ref(p, t);
        d.set_type_ref(t, if cycle { t } else { i });
        ModuleInput {
            name: "x.o".into(),
            info: d,
            symbols: vec![],
            kabi_rules: None,
        }
    }

    #[test]
    fn versions_from_a_hand_filled_model() {
        let mut run = Run::new(
            Options {
                symtypes: true,
                ..Default::default()
            },
            b"f\n",
        )
        .unwrap();
        run.add_module(module(false)).unwrap();
        let out = run.finish();
        let f = "f subprogram ( formal_parameter t#T x ) -> base_type int byte_size(4) encoding(5)";
        let t = "t#T typedef_type T { base_type int byte_size(4) encoding(5) }";
        assert_eq!(out.symtypes, format!("{f}\n{t}\n"));
        let full = "subprogram ( formal_parameter typedef_type T { base_type int byte_size(4) encoding(5) } x ) -> base_type int byte_size(4) encoding(5)";
        assert_eq!(
            out.stdout,
            format!("#SYMVER f 0x{:08x}\n", crc32fast::hash(full.as_bytes()))
        );
    }

    /// Names computed on demand equal those of the walk over every DIE
    /// (`-d` walks): for a struct nested in a struct (`N::M`), and for a
    /// struct of a later unit that an earlier unit refers to (LTO's
    /// cross-unit references), which the walk has not named yet when the
    /// earlier unit's symbol reaches it.
    #[test]
    fn names_on_demand_equal_the_walk_over_every_die() {
        let mut d = DebugInfo::new();
        let file = d.intern("x.h");
        let mut size = DieAttrs::default();
        size.set_const(ConstAttr::ByteSize, 8);
        d.add_unit(vec![file]);
        let cu0 = d.add_die(None, tag::COMPILE_UNIT, 0, &DieAttrs::named("a.c"));
        let f = d.add_die(Some(cu0), tag::SUBPROGRAM, 1, &DieAttrs::named("f"));
        let fx = d.add_die(Some(f), tag::FORMAL_PARAMETER, 2, &DieAttrs::named("x"));
        let fy = d.add_die(Some(f), tag::FORMAL_PARAMETER, 3, &DieAttrs::named("y"));
        let n = d.add_die(Some(cu0), tag::STRUCTURE_TYPE, 4, &DieAttrs::named("N"));
        let nm = d.add_die(Some(n), tag::MEMBER, 5, &DieAttrs::named("m"));
        let m = d.add_die(Some(n), tag::STRUCTURE_TYPE, 6, &DieAttrs::named("M"));
        let ptr_m = d.add_die(Some(cu0), tag::POINTER_TYPE, 7, &size);
        let ptr_s = d.add_die(Some(cu0), tag::POINTER_TYPE, 8, &size);
        d.add_unit(vec![file]);
        let cu1 = d.add_die(None, tag::COMPILE_UNIT, 20, &DieAttrs::named("b.c"));
        let s = d.add_die(Some(cu1), tag::STRUCTURE_TYPE, 21, &DieAttrs::named("S"));
        let sm = d.add_die(Some(s), tag::MEMBER, 22, &DieAttrs::named("n"));
        let g = d.add_die(Some(cu1), tag::SUBPROGRAM, 23, &DieAttrs::named("g"));
        let gx = d.add_die(Some(g), tag::FORMAL_PARAMETER, 24, &DieAttrs::named("x"));
        let ptr_n = d.add_die(Some(cu1), tag::POINTER_TYPE, 25, &size);
        for (from, to) in [
            (fx, ptr_m),
            (fy, ptr_s),
            (ptr_m, m),
            (ptr_s, s),
            (nm, ptr_m),
            (sm, ptr_n),
            (ptr_n, n),
            (gx, ptr_s),
        ] {
            d.set_type_ref(from, to);
        }
        let module = ModuleInput {
            name: "x.o".into(),
            info: d,
            symbols: vec![],
            kabi_rules: None,
        };
        let out = |debug: bool| {
            let opts = Options {
                symtypes: true,
                debug,
                ..Default::default()
            };
            let mut run = Run::new(opts, b"f\ng\n").unwrap();
            run.add_module(module.clone()).unwrap();
            let out = run.finish();
            (out.stdout, out.symtypes)
        };
        let (walked, on_demand) = (out(true), out(false));
        assert_eq!(walked, on_demand);
        // The walk had named N::M, and not yet S when f reached it.
        assert!(walked.1.contains("s#N::M"), "{}", walked.1);
        assert!(walked.1.contains("structure_type {"), "{}", walked.1);
    }

    #[test]
    fn a_type_cycle_is_an_error_not_a_stack_overflow() {
        let mut run = Run::new(Options::default(), b"f\n").unwrap();
        let e = run.add_module(module(true)).unwrap_err();
        assert!(e.to_string().contains("nested more than"), "{e}");
    }
}

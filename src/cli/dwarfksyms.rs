//! `modver dwarfksyms`: a drop-in for the kernel's `gendwarfksyms`.

use super::{exit, print_out, Status};
use modver::dwarfksyms::{Backend, Options, Run};
use modver::exports::export_symbol_list;
use modver::kver::KernelVersion;
use modver::Error;
use std::io::{Read, Write};
use std::path::PathBuf;

/// Symbol versions from DWARF, as the kernel's gendwarfksyms computes them.
///
/// Compute symbol versions from the DWARF of ELF objects, or the debug-info
/// metadata of LLVM bitcode objects (and archives of either), exactly as
/// the kernel's gendwarfksyms (7.1) does on ELF: symbol names on stdin,
/// `#SYMVER name 0x%08x` lines on stdout.
#[derive(clap::Args)]
pub struct Args {
    /// Print debugging information (as gendwarfksyms -d).
    #[arg(short = 'd', long = "debug")]
    debug: bool,
    /// Dump DWARF DIE contents.
    #[arg(long)]
    dump_dies: bool,
    /// Accepted for gendwarfksyms compatibility: implies --dump-dies (its
    /// die_map debugging lines, which print memory addresses, are not
    /// reproduced).
    #[arg(long)]
    dump_die_map: bool,
    /// Dump type strings.
    #[arg(long)]
    dump_types: bool,
    /// Dump expanded type strings used for symbol versions.
    #[arg(long)]
    dump_versions: bool,
    /// Support kABI stability features (kABI rules, __kabi_* members).
    #[arg(short = 's', long)]
    stable: bool,
    /// Write a symtypes file (atomically: temporary file + rename).
    #[arg(short = 'T', long, value_name = "FILE")]
    symtypes: Option<PathBuf>,
    /// LLVM bitcode: the native metadata reader, code generation to ELF
    /// (clang -c -x ir; $CLANG or clang), or native with codegen for
    /// bitcode the native reader does not know (auto).
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    backend: Backend,
    /// Say on stderr which path read each bitcode file, and why.
    #[arg(short = 'v', long)]
    verbose: bool,
    /// Take the symbol list from the exports of OBJ (kbuild's
    /// `getexportsymbols`: its `__export_symbol_*` markers) instead of
    /// stdin, so that a failure to read them stops the build (Makefile.rs-hook).
    #[arg(long, value_name = "OBJ")]
    exports_of: Option<PathBuf>,
    /// ELF objects, LLVM bitcode objects (LTO), or archives of them.
    files: Vec<PathBuf>,
}

const USAGE: &str = "Usage: gendwarfksyms [options] elf-object-file ... < symbol-list\n\n";

fn eprint(s: &str) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(s.as_bytes());
    let _ = e.flush();
}

pub fn run(a: Args) -> modver::Result<Status> {
    super::one_malloc_arena();
    if a.files.is_empty() {
        eprint(USAGE);
        return Err(Error::Usage("no input files?".into()));
    }
    let opts = Options {
        stable: a.stable,
        symtypes: a.symtypes.is_some(),
        debug: a.debug,
        dump_dies: a.dump_dies || a.dump_die_map,
        dump_types: a.dump_types,
        dump_versions: a.dump_versions,
    };
    let list = match &a.exports_of {
        // gendwarfksyms exists from 6.14: the markers are __export_symbol_*.
        Some(obj) => {
            export_symbol_list(obj, KernelVersion::new(6, 14)?, &Default::default())?.into_bytes()
        }
        None => {
            let mut list = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut list)
                .map_err(|e| Error::io("<stdin>", e))?;
            list
        }
    };
    let mut run = Run::new(opts, &list)?;
    if !run.has_symbols() {
        eprint(run.log_text());
        return Ok(exit::OK);
    }
    for f in &a.files {
        let mut note = |s: String| {
            if a.verbose {
                eprint(&format!("modver dwarfksyms: {s}\n"));
            }
        };
        let step = run
            .read_input(f, a.backend, &mut note)
            .and_then(|ms| ms.into_iter().try_for_each(|m| run.add_module(m)));
        if let Err(e) = step {
            eprint(run.log_text());
            return Err(e);
        }
    }
    let out = run.finish();
    if let Some(p) = &a.symtypes {
        modver::output::write_atomic(p, out.symtypes.as_bytes())?;
    }
    eprint(&out.stderr);
    print_out(&out.stdout)?;
    Ok(exit::OK)
}

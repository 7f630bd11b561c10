//! `modver mod` and `modver usyms`: kbuild's `.mod` and `.usyms` files.

use super::args::{KernelArgs, OutputArgs, SymbolArgs};
use super::{exit, Status};
use modver::modfile::{render_usyms, undefined_symbols, ModFile};
use modver::output::write_atomic;
use modver::symbols::read_file;
use std::path::PathBuf;

/// Write a module's .mod file (kbuild's cmd_mod).
///
/// Write a module's .mod file as that kernel's kbuild does (objects
/// deduplicated; undefined symbols sorted, once each, on one line).
#[derive(clap::Args)]
pub struct ModArgs {
    #[command(flatten)]
    kernel: KernelArgs,
    /// The linked module object (foo.o, foo.lto.o, foo.prelink.o) whose
    /// undefined symbols go on line 2 with --trim (kernels before 5.19).
    #[arg(long)]
    module: Option<PathBuf>,
    /// CONFIG_TRIM_UNUSED_KSYMS: list the undefined symbols (before 5.19).
    #[arg(long, requires = "module")]
    trim: bool,
    #[command(flatten)]
    symbols: SymbolArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// The module's objects, $(obj)/-prefixed, in kbuild order.
    #[arg(required = true)]
    objects: Vec<String>,
}

/// Write a module's .usyms file (kbuild's cmd_undefined_syms, 5.19+).
///
/// Write a module's .usyms file (5.19+): its undefined symbols, one per
/// line, sorted, each once.
#[derive(clap::Args)]
pub struct UsymsArgs {
    #[command(flatten)]
    symbols: SymbolArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// The module object (bitcode, ELF or thin archive).
    module: PathBuf,
}

pub fn run_mod(a: ModArgs) -> modver::Result<Status> {
    let kernel = a.kernel.resolve()?;
    let undefined = match &a.module {
        Some(m) if a.trim && ModFile::lists_undefined(kernel) => {
            Some(undefined_symbols(&read_file(m, &a.symbols.options())?))
        }
        _ => None,
    };
    let m = ModFile::new(kernel, &a.objects, undefined);
    write_atomic(&a.output.output, m.render().as_bytes())?;
    Ok(exit::OK)
}

pub fn run_usyms(a: UsymsArgs) -> modver::Result<Status> {
    let syms = undefined_symbols(&read_file(&a.module, &a.symbols.options())?);
    write_atomic(&a.output.output, render_usyms(&syms).as_bytes())?;
    Ok(exit::OK)
}

//! `modver exports`: the symbols objects export, from their symbol tables
//! (replaces kbuild's `$(NM) $@ | grep -q __ksymtab`).

use super::args::{KernelArgs, SymbolArgs};
use super::{exit, print_out, Status};
use modver::exports::read_object_exports;
use std::path::PathBuf;

/// The exports of objects (kbuild's `$(NM) | grep -q __ksymtab`).
///
/// List the exports of objects: name, then (ELF only) EXPORT_SYMBOL or
/// EXPORT_SYMBOL_GPL and the namespace, tab-separated. --kernel tells the
/// export markers (`__ksymtab_` up to 6.4, `__export_symbol_` from 6.5).
/// Exit 0 when there are exports, 1 when there are none, 2 on error.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    kernel: KernelArgs,
    /// Print nothing; only the exit status tells.
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    symbols: SymbolArgs,
    /// Objects, bitcode files or archives.
    #[arg(required = true)]
    objects: Vec<PathBuf>,
}

pub fn run(a: Args) -> modver::Result<Status> {
    let kernel = a.kernel.resolve()?;
    let opts = a.symbols.options();
    let mut out = String::new();
    let mut any = false;
    for o in &a.objects {
        let mut ex = read_object_exports(o, kernel, &opts)?;
        ex.sort_by(|x, y| x.name.cmp(&y.name));
        any |= !ex.is_empty();
        if !a.quiet {
            for e in &ex {
                out.push_str(&e.render());
            }
        }
    }
    print_out(&out)?;
    Ok(if any { exit::OK } else { exit::FAILED })
}

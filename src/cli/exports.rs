//! `modver exports`: the symbols objects export, from their symbol tables
//! (replaces kbuild's `$(NM) $@ | grep -q __ksymtab`).

use super::{parse_kernel, print_out};
use modver::exports::read_object_exports;
use modver::kver::KernelVersion;
use modver::symbols::ReadOptions;
use std::path::PathBuf;
use std::process::ExitCode;

/// List the exports of objects: name, then (ELF only) EXPORT_SYMBOL or
/// EXPORT_SYMBOL_GPL and the namespace, tab-separated. Exit 0 when there
/// are exports, 1 when there are none, 2 on error.
#[derive(clap::Args)]
pub struct Args {
    /// Kernel version (`__ksymtab_` up to 6.4, `__export_symbol_` from 6.5;
    /// default: the kernel tree in the current directory).
    #[arg(long, value_parser = parse_kernel)]
    kernel: Option<KernelVersion>,
    /// Print nothing; only the exit status tells.
    #[arg(short, long)]
    quiet: bool,
    /// The llvm-nm to run for bitcode.
    #[arg(long)]
    nm: Option<PathBuf>,
    /// Objects, bitcode files or archives.
    #[arg(required = true)]
    objects: Vec<PathBuf>,
}

pub fn run(a: Args) -> modver::Result<ExitCode> {
    let kernel = KernelVersion::resolve(a.kernel)?;
    let opts = ReadOptions {
        nm: a.nm,
        ..Default::default()
    };
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
    Ok(if any {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

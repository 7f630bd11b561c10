//! `modver modname`: the module name modpost uses for an object path.

use super::args::KernelArgs;
use super::{exit, print_out, Status};
use modver::modname::{module_name, unknown_modules};
use std::path::PathBuf;

/// The module names modpost derives from object paths.
///
/// Print the module name modpost derives from each path (strips .ko, .o,
/// and .lto.o on 5.12-5.17 or .prelink.o on 5.18). With --check-symvers,
/// print nothing and check instead that every module named in that
/// Module.symvers is vmlinux or one of these names.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    kernel: KernelArgs,
    /// A Module.symvers written by modpost from these paths: fail (exit 1)
    /// naming every module column that is not one of their names (such as
    /// `lib/foo.lto`).
    #[arg(long, value_name = "FILE")]
    check_symvers: Option<PathBuf>,
    /// Object or module paths.
    #[arg(required = true)]
    paths: Vec<String>,
}

pub fn run(a: Args) -> modver::Result<Status> {
    let kernel = a.kernel.resolve()?;
    let names = a
        .paths
        .iter()
        .map(|p| module_name(p, Some(kernel)))
        .collect::<modver::Result<Vec<_>>>()?;
    let Some(symvers) = a.check_symvers else {
        let mut out = String::new();
        for n in &names {
            out.push_str(n);
            out.push('\n');
        }
        print_out(&out)?;
        return Ok(exit::OK);
    };
    let entries = modver::symvers::read(&symvers)?;
    let bad = unknown_modules(&entries, &names.into_iter().collect());
    if bad.is_empty() {
        return Ok(exit::OK);
    }
    for u in &bad {
        eprintln!(
            "modver: {}: module '{}' (exporting {}) is not the name of any module built",
            symvers.display(),
            u.module,
            u.symbol
        );
    }
    Ok(exit::FAILED)
}

//! `modver modname`: the module name modpost uses for an object path.

use super::{parse_kernel, print_out};
use modver::kver::KernelVersion;
use modver::modname::{module_name, unknown_modules};
use std::path::PathBuf;
use std::process::ExitCode;

/// Print the module name modpost derives from each path (strips .ko, .o,
/// and .lto.o on 5.12-5.17 or .prelink.o on 5.18). With --check-symvers,
/// print nothing and check instead that every module named in that
/// Module.symvers is vmlinux or one of these names.
#[derive(clap::Args)]
pub struct Args {
    /// Kernel version (default: read from the kernel tree in the current directory).
    #[arg(long, value_parser = parse_kernel)]
    kernel: Option<KernelVersion>,
    /// A Module.symvers written by modpost from these paths: fail (exit 1)
    /// naming every module column that is not one of their names (such as
    /// `lib/foo.lto`).
    #[arg(long, value_name = "FILE")]
    check_symvers: Option<PathBuf>,
    /// Object or module paths.
    #[arg(required = true)]
    paths: Vec<String>,
}

pub fn run(a: Args) -> modver::Result<ExitCode> {
    let kernel = KernelVersion::resolve(a.kernel)?;
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
        return Ok(ExitCode::SUCCESS);
    };
    let entries = modver::symvers::read(&symvers)?;
    let bad = unknown_modules(&entries, &names.into_iter().collect());
    if bad.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for u in &bad {
        eprintln!(
            "modver: {}: module '{}' (exporting {}) is not the name of any module built",
            symvers.display(),
            u.module,
            u.symbol
        );
    }
    Ok(ExitCode::from(1))
}

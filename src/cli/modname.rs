//! `modver modname`: the module name modpost uses for an object path.

use super::{parse_kernel, print_out};
use modver::kver::KernelVersion;
use modver::modname::module_name;
use std::process::ExitCode;

/// Print the module name modpost derives from each path (strips .ko, .o,
/// and .lto.o on 5.12-5.17 or .prelink.o on 5.18).
#[derive(clap::Args)]
pub struct Args {
    /// Kernel version (default: read from the kernel tree in the current directory).
    #[arg(long, value_parser = parse_kernel)]
    kernel: Option<KernelVersion>,
    /// Object or module paths.
    #[arg(required = true)]
    paths: Vec<String>,
}

pub fn run(a: Args) -> modver::Result<ExitCode> {
    let kernel = KernelVersion::resolve(a.kernel)?;
    let mut out = String::new();
    for p in &a.paths {
        out.push_str(&module_name(p, kernel)?);
        out.push('\n');
    }
    print_out(&out)?;
    Ok(ExitCode::SUCCESS)
}

//! `modver why`: why a module will not load on a kernel.

use super::args::FormatArg;
use super::{exit, print_out, Status};
use modver::output::{to_json, ReportFormat};
use modver::why::{render_text, why, Target};
use std::path::PathBuf;

/// Explain why a module will not load: its __versions against a kernel's
/// CRCs, and each mismatch from BTF.
///
/// The target kernel is --vmlinux (a vmlinux or /boot/vmlinuz-R), or
/// --symvers, or by default the running kernel (--kernel-release R, else
/// `uname -r`): /boot/vmlinuz-R, else /lib/modules/R/build/Module.symvers.
/// With --built-for (the vmlinux, vmlinuz or BTF of the kernel the module
/// was built for) every mismatched symbol is explained: the chain to each
/// changed type and the member that changed. Exit 0 when the module
/// loads, 1 when a symbol mismatches or is missing.
#[derive(clap::Args)]
pub struct Args {
    /// The target kernel's vmlinux or vmlinuz.
    #[arg(long, value_name = "FILE", conflicts_with = "kernel_release")]
    vmlinux: Option<PathBuf>,
    /// The target kernel's release (default: the running kernel's).
    #[arg(long, value_name = "R")]
    kernel_release: Option<String>,
    /// A Module.symvers of the target (repeatable).
    #[arg(long = "symvers", value_name = "FILE")]
    symvers: Vec<PathBuf>,
    /// The kernel the module was built for: vmlinux, vmlinuz, raw BTF, or
    /// a directory holding one.
    #[arg(long, value_name = "FILE")]
    built_for: Option<PathBuf>,
    #[command(flatten)]
    format: FormatArg<ReportFormat>,
    /// The module (.ko, .ko.xz, .ko.zst, .ko.gz).
    module: PathBuf,
}

fn running_release() -> modver::Result<String> {
    let out = std::process::Command::new("uname")
        .arg("-r")
        .output()
        .map_err(|e| modver::Error::Tool {
            tool: "uname".into(),
            message: e.to_string(),
        })?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub fn run(a: Args) -> modver::Result<Status> {
    let mut vmlinux = a.vmlinux.clone();
    let mut symvers = a.symvers.clone();
    if vmlinux.is_none() && symvers.is_empty() {
        let r = match &a.kernel_release {
            Some(r) => r.clone(),
            None => running_release()?,
        };
        let image = PathBuf::from(format!("/boot/vmlinuz-{r}"));
        let sv = PathBuf::from(format!("/lib/modules/{r}/build/Module.symvers"));
        if image.is_file() {
            vmlinux = Some(image);
        } else if sv.is_file() {
            symvers.push(sv);
        } else {
            return Err(modver::Error::Usage(format!(
                "no {} nor {}: give the target with --vmlinux or --symvers",
                image.display(),
                sv.display()
            )));
        }
    }
    let target = Target {
        vmlinux: vmlinux.as_deref(),
        symvers: &symvers,
    };
    let r = why(&a.module, &target, a.built_for.as_deref())?;
    print_out(&match a.format.get() {
        ReportFormat::Text => render_text(&r),
        ReportFormat::Json => to_json(&r)?,
    })?;
    Ok(
        if modver::check::has_failures(std::slice::from_ref(&r.check)) {
            exit::FAILED
        } else {
            exit::OK
        },
    )
}

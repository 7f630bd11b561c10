//! `modver explain`: why export CRCs differ between two symtypes files or
//! KBUILD_SYMTYPES trees, or between the BTF of two kernels.

use super::args::{ExportFilter, FormatArg};
use super::{exit, print_out, Status};
use modver::explain::btf::{explain_kernels, read_symvers_crcs, ExportCrcs, KernelInput};
use modver::explain::{explain_paths, render_text};
use modver::output::{to_json, ReportFormat};
use std::path::PathBuf;

/// Explain why export CRCs differ between two symtypes files or trees, or
/// (`--btf`) two kernels' BTF.
///
/// For every export whose CRC differs between OLD and NEW (symtypes files
/// or directories of them): the chain to each changed type and what changed
/// in it, member by member, and the changes grouped by root cause. Changed
/// types that affect no export are listed separately. Exit 0 when no CRC
/// differs, 1 when some do.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    only: ExportFilter,
    #[command(flatten)]
    format: FormatArg<ReportFormat>,
    /// OLD and NEW are kernels with BTF: a vmlinux, a vmlinuz (bzImage), a
    /// raw BTF file such as /sys/kernel/btf/vmlinux, or a directory holding
    /// one and optionally its Module.symvers, its modules (lib/modules/R
    /// as `modules/`, or a build tree) and a debug package's files
    /// (usr/lib/debug, directly or under `dbg/`). The exports explained
    /// are those whose CRC differs (CRCs from --symvers, the directory's
    /// Module.symvers or the image's __kcrctab), else every function both
    /// BTFs have that reaches a changed type; a module's exports from that
    /// module.
    #[arg(long)]
    btf: bool,
    /// With --btf: read OLD's and NEW's DWARF (a debug package's vmlinux
    /// and modules, an image built with -g) instead of their BTF; an input
    /// without BTF is read from its DWARF even without this flag. DWARF
    /// also has the exported variables BTF leaves out, and each unit's
    /// own view of the types, as genksyms had it.
    #[arg(long, requires = "btf")]
    dwarf: bool,
    /// With --btf: explain every function and variable both kernels have
    /// that reaches a changed type, whatever the CRCs say (to see what a
    /// type change touches, or to check the explanation against the CRCs).
    #[arg(long, requires = "btf", conflicts_with = "symvers")]
    all: bool,
    /// With --btf: the exports' CRCs, OLD's and NEW's Module.symvers.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"], requires = "btf")]
    symvers: Vec<PathBuf>,
    /// The old symtypes file or tree (with --btf: the old kernel).
    old: PathBuf,
    /// The new symtypes file or tree (with --btf: the new kernel).
    new: PathBuf,
}

pub fn run(a: Args) -> modver::Result<Status> {
    let e = if a.btf {
        let (old, new) = (KernelInput::open(&a.old)?, KernelInput::open(&a.new)?);
        let mut crcs = ExportCrcs {
            old: old.crcs.clone(),
            new: new.crcs.clone(),
        };
        if a.all {
            crcs = ExportCrcs::default();
        }
        if let [o, n] = &a.symvers[..] {
            crcs.old = Some(read_symvers_crcs(o)?);
            crcs.new = Some(read_symvers_crcs(n)?);
        }
        explain_kernels(&old, &new, &crcs, &a.only.symbols, a.dwarf)?.0
    } else {
        explain_paths(&a.old, &a.new, &a.only.symbols)?
    };
    print_out(&match a.format.get() {
        ReportFormat::Text => render_text(&e),
        ReportFormat::Json => to_json(&e)?,
    })?;
    Ok(if e.exports.is_empty() {
        exit::OK
    } else {
        exit::FAILED
    })
}

//! `modver dump-modversions`: the import version table of modules, exactly
//! as `modprobe --dump-modversions` prints it.

use super::{exit, print_out, Status};
use modver::modversions::{read_module_versions, render_dump};
use std::path::PathBuf;

/// Modules' version tables, as modprobe --dump-modversions prints them.
///
/// Print each module's version table (`0x%08x\tsymbol` per import), like
/// `modprobe --dump-modversions` run on each module in turn. Reads .ko,
/// .ko.xz, .ko.zst and .ko.gz.
#[derive(clap::Args)]
pub struct Args {
    /// Module files.
    #[arg(required = true)]
    modules: Vec<PathBuf>,
}

pub fn run(a: Args) -> modver::Result<Status> {
    let mut failed = false;
    let weight = |i: usize| modver::parallel::file_weight(&a.modules[i]);
    let read = modver::parallel::map_heaviest_first(a.modules.len(), weight, |i| {
        read_module_versions(&a.modules[i])
    });
    for (m, r) in a.modules.iter().zip(read) {
        match r {
            // kmod fails with ENOENT when there is no __versions.
            Ok(v) if v.effective().is_none() => {
                eprintln!(
                    "modver: could not get modversions of {}: no __versions section (module built without CONFIG_MODVERSIONS)",
                    m.display()
                );
                failed = true;
            }
            Ok(v) => print_out(&render_dump(&v))?,
            Err(e) => {
                eprintln!("modver: could not get modversions of {}: {e}", m.display());
                failed = true;
            }
        }
    }
    Ok(if failed { exit::ERROR } else { exit::OK })
}

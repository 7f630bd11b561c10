//! `modver symversions`: collect CRCs for the final link and check that
//! every export has one.

use super::args::{KernelArgs, OutputArgs, SymbolArgs};
use super::{exit, print_out, Status};
use modver::symversions::{
    cmd_crcs, merge, merged_exports_without_crc, symversions_file_for, MissingCrc,
};
use modver::Error;
use std::path::PathBuf;

/// Collect CRCs for the final link: .symversions (5.12–5.18) or .cmd #SYMVER (5.19+).
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    Merge(MergeArgs),
    Cmd(CmdArgs),
}

/// `--allow-missing`, of both subcommands.
#[derive(clap::Args)]
struct AllowMissing {
    /// Warn about exports without a CRC instead of failing.
    #[arg(long)]
    allow_missing: bool,
}

/// Merge .symversions files as kbuild does (5.12–5.18), checked.
///
/// Concatenate per-object .symversions files into one linker script as
/// kbuild's `cat` does (5.12–5.18), checking every line; conflicting CRCs
/// are an error. Missing inputs are skipped like kbuild does; --objects
/// makes sure no export loses its CRC that way. Without INPUTS, the inputs
/// are OBJ.symversions of each --objects OBJ (kbuild's
/// cmd_update_lto_symversions).
#[derive(clap::Args)]
struct MergeArgs {
    // The output linker script (foo.o.symversions, .tmp_symversions.lds).
    #[command(flatten)]
    output: OutputArgs,
    /// Objects whose exports must all have a CRC in the result.
    #[arg(long, num_args = 1.., value_name = "OBJ")]
    objects: Vec<PathBuf>,
    #[command(flatten)]
    allow: AllowMissing,
    #[command(flatten)]
    symbols: SymbolArgs,
    /// Input .symversions files, in link order (default: OBJ.symversions of
    /// each --objects OBJ).
    inputs: Vec<PathBuf>,
}

/// The #SYMVER CRCs of objects' .cmd files, as modpost reads them (5.19+).
///
/// Read the #SYMVER lines of each object's dir/.OBJ.cmd by modpost's rule
/// (5.19+) and check every export of the object has a CRC. Prints
/// OBJECT<TAB>SYMBOL<TAB>0xCRC per CRC found.
#[derive(clap::Args)]
struct CmdArgs {
    #[command(flatten)]
    kernel: KernelArgs,
    #[command(flatten)]
    allow: AllowMissing,
    #[command(flatten)]
    symbols: SymbolArgs,
    /// Objects (foo.o; the CRCs are read from .foo.o.cmd next to it; on 7.2
    /// also for foo.thinlto-native.o, distributed ThinLTO's native object).
    #[arg(required = true)]
    objects: Vec<PathBuf>,
}

pub fn run(a: Args) -> modver::Result<Status> {
    match a.cmd {
        Sub::Merge(m) => run_merge(m),
        Sub::Cmd(c) => run_cmd(c),
    }
}

impl AllowMissing {
    /// Exports without a CRC: warnings with --allow-missing, else an error.
    fn report(&self, missing: &[MissingCrc]) -> modver::Result<()> {
        if missing.is_empty() {
            return Ok(());
        }
        if self.allow_missing {
            for m in missing {
                eprintln!("modver: warning: {m}");
            }
            Ok(())
        } else {
            let msgs: Vec<String> = missing.iter().map(MissingCrc::to_string).collect();
            Err(Error::Check(msgs.join("\nmodver: ")))
        }
    }
}

fn run_merge(a: MergeArgs) -> modver::Result<Status> {
    let inputs: Vec<PathBuf> = if a.inputs.is_empty() {
        a.objects.iter().map(|o| symversions_file_for(o)).collect()
    } else {
        a.inputs
    };
    let merged = merge(&inputs)?;
    let missing = merged_exports_without_crc(&a.objects, &merged, &a.symbols.options())?;
    a.allow.report(&missing)?;
    merged.write_to(&a.output.output)?;
    Ok(exit::OK)
}

fn run_cmd(a: CmdArgs) -> modver::Result<Status> {
    let crcs = cmd_crcs(&a.objects, a.kernel.resolve()?, &a.symbols.options())?;
    a.allow.report(&crcs.missing)?;
    print_out(&crcs.render())?;
    Ok(exit::OK)
}

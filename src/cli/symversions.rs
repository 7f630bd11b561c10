//! `modver symversions`: collect CRCs for the final link and check that
//! every export has one.

use super::{parse_kernel, print_out};
use modver::kver::KernelVersion;
use modver::output::write_atomic;
use modver::symbols::ReadOptions;
use modver::symversions::{
    exports_without_crc, merge, merged_exports_without_crc, read_cmd_crcs, symversions_file_for,
    MissingCrc,
};
use modver::Error;
use std::path::PathBuf;
use std::process::ExitCode;

/// .symversions (5.12–5.18) and .cmd #SYMVER (5.19+) CRC collection.
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

/// Concatenate per-object .symversions files into one linker script as
/// kbuild's `cat` does (5.12–5.18), checking every line; conflicting CRCs
/// are an error. Missing inputs are skipped like kbuild does; --objects
/// makes sure no export loses its CRC that way. Without INPUTS, the inputs
/// are OBJ.symversions of each --objects OBJ (kbuild's
/// cmd_update_lto_symversions).
#[derive(clap::Args)]
struct MergeArgs {
    /// Output linker script (foo.o.symversions, .tmp_symversions.lds).
    #[arg(short = 'o', long = "output", required = true)]
    output: PathBuf,
    /// Objects whose exports must all have a CRC in the result.
    #[arg(long, num_args = 1.., value_name = "OBJ")]
    objects: Vec<PathBuf>,
    /// Warn about exports without a CRC instead of failing.
    #[arg(long)]
    allow_missing: bool,
    /// The llvm-nm to run for bitcode.
    #[arg(long)]
    nm: Option<PathBuf>,
    /// Input .symversions files, in link order (default: OBJ.symversions of
    /// each --objects OBJ).
    inputs: Vec<PathBuf>,
}

/// Read the #SYMVER lines of each object's dir/.OBJ.cmd by modpost's rule
/// (5.19+) and check every export of the object has a CRC. Prints
/// OBJECT<TAB>SYMBOL<TAB>0xCRC per CRC found.
#[derive(clap::Args)]
struct CmdArgs {
    /// Kernel version (default: the kernel tree in the current directory).
    #[arg(long, value_parser = parse_kernel)]
    kernel: Option<KernelVersion>,
    /// Warn about exports without a CRC instead of failing.
    #[arg(long)]
    allow_missing: bool,
    /// The llvm-nm to run for bitcode.
    #[arg(long)]
    nm: Option<PathBuf>,
    /// Objects (foo.o; the CRCs are read from .foo.o.cmd next to it).
    #[arg(required = true)]
    objects: Vec<PathBuf>,
}

pub fn run(a: Args) -> modver::Result<ExitCode> {
    match a.cmd {
        Sub::Merge(m) => run_merge(m),
        Sub::Cmd(c) => run_cmd(c),
    }
}

fn report_missing(missing: Vec<MissingCrc>, allow: bool) -> modver::Result<()> {
    if missing.is_empty() {
        return Ok(());
    }
    let msgs: Vec<String> = missing
        .iter()
        .map(|m| format!("no CRC for exported symbol {} of {}", m.symbol, m.object))
        .collect();
    if allow {
        for m in &msgs {
            eprintln!("modver: warning: {m}");
        }
        Ok(())
    } else {
        Err(Error::Check(msgs.join("\nmodver: ")))
    }
}

fn run_merge(a: MergeArgs) -> modver::Result<ExitCode> {
    let inputs: Vec<PathBuf> = if a.inputs.is_empty() {
        a.objects.iter().map(|o| symversions_file_for(o)).collect()
    } else {
        a.inputs
    };
    let merged = merge(&inputs)?;
    let opts = ReadOptions {
        nm: a.nm,
        ..Default::default()
    };
    let missing = merged_exports_without_crc(&a.objects, &merged, &opts)?;
    report_missing(missing, a.allow_missing)?;
    if merged.lines.is_empty() {
        // kbuild: `rm -f $@` and nothing appended, so no file.
        match std::fs::remove_file(&a.output) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(&a.output, e))
            }
            _ => {}
        }
    } else {
        write_atomic(&a.output, merged.render().as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn run_cmd(a: CmdArgs) -> modver::Result<ExitCode> {
    let kernel = KernelVersion::resolve(a.kernel)?;
    if !kernel.at_least(5, 19) {
        return Err(Error::Usage(format!(
            "kernel {kernel}: #SYMVER lines in .cmd files exist from 5.19; use 'symversions merge'"
        )));
    }
    let opts = ReadOptions {
        nm: a.nm,
        ..Default::default()
    };
    let mut out = String::new();
    let mut crcs_of = std::collections::HashMap::new();
    for o in &a.objects {
        let crcs = read_cmd_crcs(o)?;
        for c in &crcs {
            out.push_str(&format!("{}\t{}\t0x{:08x}\n", o.display(), c.name, c.crc));
        }
        crcs_of.insert(o.clone(), crcs);
    }
    let missing = exports_without_crc(&a.objects, kernel, &opts, |o, n| {
        Ok(crcs_of
            .get(o)
            .is_some_and(|v| v.iter().any(|c| c.name == n)))
    })?;
    report_missing(missing, a.allow_missing)?;
    print_out(&out)?;
    Ok(ExitCode::SUCCESS)
}

//! Subcommand dispatch. Each subcommand lives in its own file and only
//! turns arguments into library calls and results into output; flags that
//! several subcommands share are declared once, in [`args`].

mod args;
mod check;
mod crc;
mod docs;
mod dump_modversions;
mod dwarfksyms;
mod explain;
mod exports;
mod lds;
mod modfile;
mod modname;
mod symbols;
mod symversions;
mod why;

use clap::{Args as _, FromArgMatches as _, Parser, Subcommand};

/// Module versioning for Linux kernels built with Clang LTO.
#[derive(Parser)]
#[command(name = "modver", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Symbols(symbols::Args),
    Mod(modfile::ModArgs),
    Usyms(modfile::UsymsArgs),
    Modname(modname::Args),
    DumpModversions(dump_modversions::Args),
    Check(check::Args),
    Explain(explain::Args),
    Crc(crc::Args),
    Exports(exports::Args),
    Symversions(symversions::Args),
    Lds(lds::Args),
    Man(docs::ManArgs),
    Completions(docs::CompletionsArgs),
    Dwarfksyms(dwarfksyms::Args),
    Why(why::Args),
}

/// modver's exit statuses, the same for every subcommand.
pub mod exit {
    /// Success: all checks passed, the output was written.
    pub const OK: u8 = 0;
    /// The command worked and its answer is "no": `check` found a mismatch
    /// or a missing symbol, `explain` found CRCs that differ, `exports`
    /// found no exports, `modname --check-symvers` found a module name that
    /// was not built.
    pub const FAILED: u8 = 1;
    /// An error: bad input or command line, a missing tool; nothing (or,
    /// for `check` and `dump-modversions`, not everything) could be done.
    pub const ERROR: u8 = 2;
}

/// What a subcommand ends with: the process's exit status, one of the
/// [`exit`] constants (a plain number: `main` hands it to C's `exit`).
pub type Status = u8;

/// A modver process is short and reads one file after another, each
/// needing about as much memory as the last: keep what one file freed for
/// the next instead of handing it back to the kernel and faulting fresh
/// zeroed pages in again. glibc trims the heap top past 128 KiB by
/// default (and its dynamic threshold moves with each large free).
/// Measured on the 6.18 tree's 1264 objects (`scripts/bench-symbols.sh`):
/// about a tenth less wall time. Peak memory is unchanged: freed memory is
/// reused, not added to.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
    }
}

/// For a process whose threads take turns (`dwarfksyms` reads an object
/// on the main thread and walks it on one worker, one after the other):
/// one malloc arena, so that the worker reuses what reading freed instead
/// of growing an arena of its own page by page (`mprotect` and fresh
/// page faults). Over 80 objects of the 7.1 tree, one process each:
/// about a quarter less system time. Must run before any thread exists.
pub fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; the caller runs it
    // before any thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// The command line of one subcommand, built alone: what
/// [`Cli::try_parse_from`] builds for that subcommand, without the other
/// fourteen. kbuild runs some subcommands once per object, where building
/// every subcommand's arguments was 40 % of the instructions of
/// `modver dwarfksyms` on a small object.
fn subcommand_alone(name: &str) -> Option<clap::Command> {
    macro_rules! alone {
        ($($name:literal => $args:ty),* $(,)?) => {
            match name {
                $($name => <$args>::augment_args(clap::Command::new($name)),)*
                _ => return None,
            }
        };
    }
    Some(alone! {
        "symbols" => symbols::Args,
        "mod" => modfile::ModArgs,
        "usyms" => modfile::UsymsArgs,
        "modname" => modname::Args,
        "dump-modversions" => dump_modversions::Args,
        "check" => check::Args,
        "explain" => explain::Args,
        "crc" => crc::Args,
        "exports" => exports::Args,
        "symversions" => symversions::Args,
        "lds" => lds::Args,
        "man" => docs::ManArgs,
        "completions" => docs::CompletionsArgs,
        "dwarfksyms" => dwarfksyms::Args,
        "why" => why::Args,
    })
}

/// [`Cli::try_parse_from`] for a command line that names its subcommand
/// first and parses without error, from that subcommand's arguments
/// alone (the top level has none of its own); `None` for anything else,
/// which the full parser then handles, so that its help, version and
/// error messages are the ones printed.
fn fast_parse(args: &[std::ffi::OsString]) -> Option<Cli> {
    Cli::from_arg_matches(&fast_matches(args)?).ok()
}

/// The matches [`fast_parse`] builds its [`Cli`] from.
fn fast_matches(args: &[std::ffi::OsString]) -> Option<clap::ArgMatches> {
    let sub = subcommand_alone(args.get(1)?.to_str()?)?;
    clap::Command::new("modver")
        .subcommand(sub)
        .try_get_matches_from(args)
        .ok()
}

pub fn main() -> Status {
    keep_freed_memory();
    // Installed (or linked) as `gendwarfksyms`, modver is that tool.
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        == Some("gendwarfksyms".as_ref())
    {
        args.insert(1, "dwarfksyms".into());
    }
    let cli = match fast_parse(&args).map_or_else(|| Cli::try_parse_from(args), Ok) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    exit::OK
                }
                _ => exit::ERROR,
            };
        }
    };
    let result = match cli.command {
        Command::Symbols(a) => symbols::run(a),
        Command::Mod(a) => modfile::run_mod(a),
        Command::Usyms(a) => modfile::run_usyms(a),
        Command::Modname(a) => modname::run(a),
        Command::DumpModversions(a) => dump_modversions::run(a),
        Command::Check(a) => check::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Crc(a) => crc::run(a),
        Command::Exports(a) => exports::run(a),
        Command::Symversions(a) => symversions::run(a),
        Command::Lds(a) => lds::run(a),
        Command::Man(a) => docs::run_man(a),
        Command::Completions(a) => docs::run_completions(a),
        Command::Dwarfksyms(a) => dwarfksyms::run(a),
        Command::Why(a) => why::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("modver: {e}");
            exit::ERROR
        }
    }
}

/// Writes `s` to stdout; a closed pipe (`| head`) is not an error.
pub fn print_out(s: &str) -> modver::Result<()> {
    print_bytes(s.as_bytes())
}

/// [`print_out`] for output already in bytes.
pub fn print_bytes(s: &[u8]) -> modver::Result<()> {
    print_chunks(&[s])
}

/// [`print_bytes`] of several pieces in order, each written as it is (no
/// copy into one buffer first).
pub fn print_chunks<T: AsRef<[u8]>>(chunks: &[T]) -> modver::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let r = chunks
        .iter()
        .try_for_each(|c| out.write_all(c.as_ref()))
        .and_then(|_| out.flush());
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(modver::Error::io("<stdout>", e))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Each subcommand built alone has the arguments the full command
    /// line gives it, so a line both parse means the same to both.
    #[test]
    fn subcommands_alone_have_the_full_commands_arguments() {
        let full = Cli::command();
        let mut n = 0;
        for sub in full.get_subcommands() {
            let name = sub.get_name();
            let alone = subcommand_alone(name).unwrap_or_else(|| panic!("{name} is missing"));
            let args = |c: &clap::Command| -> Vec<String> {
                c.get_arguments().map(|a| format!("{a:?}")).collect()
            };
            assert_eq!(args(&alone), args(sub), "{name}");
            let subs = |c: &clap::Command| -> Vec<String> {
                c.get_subcommands()
                    .map(|s| s.get_name().to_string())
                    .collect()
            };
            assert_eq!(subs(&alone), subs(sub), "{name}");
            n += 1;
        }
        assert!(n >= 15, "{n} subcommands");
        assert!(subcommand_alone("no-such").is_none());
    }

    fn os(args: &[&str]) -> Vec<std::ffi::OsString> {
        args.iter().map(Into::into).collect()
    }

    /// The subcommand and every argument's raw values and their source
    /// (ArgMatches' own equality also compares what debug builds record
    /// of the command, which differs by construction).
    fn values(m: &clap::ArgMatches) -> (String, Vec<String>) {
        let Some((name, sub)) = m.subcommand() else {
            return (String::new(), Vec::new());
        };
        let mut out: Vec<String> = sub
            .ids()
            .map(|id| {
                let raw: Option<Vec<_>> = sub.get_raw(id.as_str()).map(Iterator::collect);
                format!("{id} {raw:?} {:?}", sub.value_source(id.as_str()))
            })
            .collect();
        out.sort();
        (name.to_string(), out)
    }

    #[test]
    fn fast_parse_matches_the_full_parse() {
        for line in [
            &["modver", "dwarfksyms", "a.o"][..],
            &[
                "modver",
                "dwarfksyms",
                "-s",
                "-T",
                "x.symtypes",
                "a.o",
                "b.o",
            ],
            &[
                "modver",
                "dwarfksyms",
                "--backend",
                "native",
                "-v",
                "--",
                "-a.o",
            ],
            &["modver", "symbols", "--help"],
            &["modver", "dwarfksyms", "--no-such-flag"],
            &["modver", "dwarfksyms", "--version"],
            &["modver", "--help"],
            &["modver"],
            &["modver", "dwarfksyms", "--backend", "nonsense", "a.o"],
        ] {
            let args = os(line);
            let full = Cli::command().try_get_matches_from(&args);
            match fast_matches(&args) {
                Some(alone) => {
                    let full = full.unwrap_or_else(|e| panic!("{line:?}: {e}"));
                    assert_eq!(values(&alone), values(&full), "{line:?}");
                    assert!(fast_parse(&args).is_some(), "{line:?}");
                }
                // Left to the full parser: what it says is an error (or
                // help, or the version) of its own.
                None => assert!(full.is_err(), "{line:?} parses but not alone"),
            }
        }
    }
}

//! `modver man` and `modver completions`: manual pages and shell
//! completions, generated from the definitions that parse the command
//! line, so they cannot drift from it. `scripts/install.sh` installs them.

use super::{exit, print_out, Cli, Status};
use clap::CommandFactory;
use clap_complete::Shell;
use modver::output::write_atomic;
use std::path::PathBuf;

/// Write the man pages of modver and its subcommands.
///
/// Write the manual pages (section 1) of modver and of each subcommand
/// into DIR: modver.1, modver-check.1, ..., modver-symversions-merge.1.
#[derive(clap::Args)]
pub struct ManArgs {
    /// The directory to write them to (created if missing), such as
    /// PREFIX/share/man/man1.
    dir: PathBuf,
}

/// Print the shell completion script.
///
/// Print the completion script of SHELL on stdout. Where it goes: bash
/// PREFIX/share/bash-completion/completions/modver, zsh
/// PREFIX/share/zsh/site-functions/_modver, fish
/// PREFIX/share/fish/vendor_completions.d/modver.fish.
#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: Shell,
}

/// Every manual page as (file name, roff text): `modver.1` and one per
/// subcommand at any depth, named `modver-SUB[-SUBSUB].1` as their
/// SEE ALSO lists them.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    fn walk(cmd: &clap::Command, out: &mut Vec<(String, Vec<u8>)>) {
        let man = clap_mangen::Man::new(cmd.clone());
        let mut roff = Vec::new();
        // Rendering into a Vec cannot fail.
        let _ = man.render(&mut roff);
        out.push((man.get_filename(), roff));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, out);
        }
    }
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    walk(&cmd, &mut out);
    out
}

/// The completion script of `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "modver", &mut out);
    out
}

pub fn run_man(a: ManArgs) -> modver::Result<Status> {
    std::fs::create_dir_all(&a.dir).map_err(|e| modver::Error::io(&a.dir, e))?;
    for (name, roff) in man_pages() {
        write_atomic(&a.dir.join(name), &roff)?;
    }
    Ok(exit::OK)
}

pub fn run_completions(a: CompletionsArgs) -> modver::Result<Status> {
    print_out(&String::from_utf8_lossy(&completions(a.shell)))?;
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every subcommand (nested ones too) has a page that documents every
    /// one of its flags and names the pages of its own subcommands.
    #[test]
    fn man_page_per_subcommand_names_its_flags() {
        let pages = man_pages();
        let page = |name: &str| -> String {
            let (_, roff) = pages
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("no man page {name}"));
            String::from_utf8(roff.clone()).unwrap()
        };
        fn check(cmd: &clap::Command, prefix: &str, page: &dyn Fn(&str) -> String) {
            let name = if prefix.is_empty() {
                cmd.get_name().to_string()
            } else {
                format!("{prefix}-{}", cmd.get_name())
            };
            let text = page(&format!("{name}.1"));
            // roff escapes '-' as '\-'.
            let plain = text.replace("\\-", "-");
            assert!(plain.contains(&format!(".TH {name}")), "{name}: title");
            for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                if let Some(long) = arg.get_long() {
                    assert!(
                        plain.contains(&format!("--{long}")),
                        "{name}.1 lacks --{long}"
                    );
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_name() != "help" {
                    check(sub, &name, page);
                }
            }
        }
        let cmd = Cli::command();
        check(&cmd, "", &page);
        assert!(pages.len() >= 15, "{} pages", pages.len());
        // The flags shared through flattened groups reach each user.
        let symbols = page("modver-symbols.1").replace("\\-", "-");
        assert!(symbols.contains("--backend") && symbols.contains("--nm"));
        let merge = page("modver-symversions-merge.1").replace("\\-", "-");
        assert!(merge.contains("--backend") && merge.contains("--allow-missing"));
    }

    #[test]
    fn completions_know_every_subcommand() {
        let bash = String::from_utf8(completions(Shell::Bash)).unwrap();
        for sub in Cli::command().get_subcommands() {
            assert!(
                bash.contains(sub.get_name()),
                "bash completion lacks {}",
                sub.get_name()
            );
        }
        assert!(bash.contains("--check-symvers") && bash.contains("--allow-missing"));
        for shell in [Shell::Zsh, Shell::Fish] {
            assert!(String::from_utf8(completions(shell))
                .unwrap()
                .contains("dump-modversions"));
        }
    }
}

//! The command line as users meet it: `--version`, `help CMD`, exit
//! statuses of usage errors, the man pages and completions `modver`
//! writes, and `scripts/install.sh` installing them under a PREFIX.

use crate::util::{self, Run};
use std::path::Path;

const MODVER: &str = env!("CARGO_BIN_EXE_modver");

fn modver(args: &[&str]) -> Run {
    util::modver().args(args).run()
}

fn stdout(o: &Run) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The subcommands `modver --help` lists (without `help`).
fn subcommands() -> Vec<String> {
    let help = stdout(&modver(&["--help"]));
    let list = help
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands: section");
    list.lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The long flags `modver CMD... --help` lists.
fn long_flags(cmd: &[&str]) -> Vec<String> {
    let mut args = cmd.to_vec();
    args.push("--help");
    let o = modver(&args);
    assert!(o.status.success(), "{cmd:?} --help");
    stdout(&o)
        .split_whitespace()
        .filter_map(|w| w.strip_prefix("--"))
        .map(|w| w.trim_end_matches([',', '.']))
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .map(|w| format!("--{w}"))
        .collect()
}

#[test]
fn version_as_users_expect() {
    let want = format!("modver {}\n", env!("CARGO_PKG_VERSION"));
    for args in [&["--version"][..], &["-V"]] {
        let o = modver(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert_eq!(stdout(&o), want, "{args:?}");
    }
    // A subcommand names itself, as clap does: `modver-check 0.1.0`.
    let o = modver(&["check", "--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), want.replace("modver", "modver-check"));
}

#[test]
fn help_subcommand_equals_help_flag() {
    let subs = subcommands();
    assert!(subs.len() >= 13, "{subs:?}");
    for s in &subs {
        let a = modver(&["help", s]);
        let b = modver(&[s, "--help"]);
        assert_eq!(a.status.code(), Some(0), "help {s}");
        assert_eq!(stdout(&a), stdout(&b), "help {s}");
    }
    let nested = modver(&["help", "symversions", "merge"]);
    assert_eq!(nested.status.code(), Some(0));
    assert!(stdout(&nested).contains("--allow-missing"));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["no-such-command"],
        &["check", "--no-such-flag", "x.ko"],
        &["crc", "--format", "xml", "x.symtypes"],
        &["exports", "--kernel", "9.1", "x.o"],
        &["symbols", "--backend", "fast", "x.o"],
    ] {
        assert_eq!(modver(args).status.code(), Some(2), "{args:?}");
    }
}

/// `--nm` and `--backend` on every command that reads symbol tables.
#[test]
fn symbol_reading_commands_share_nm_and_backend() {
    for cmd in [
        &["symbols"][..],
        &["exports"],
        &["mod"],
        &["usyms"],
        &["symversions", "merge"],
        &["symversions", "cmd"],
    ] {
        let flags = long_flags(cmd);
        for f in ["--nm", "--backend"] {
            assert!(flags.iter().any(|x| x == f), "{cmd:?} lacks {f}");
        }
    }
}

/// Every man page of `modver man`, one per subcommand (nested ones too),
/// names every flag that subcommand's --help lists.
#[test]
fn man_pages_cover_every_subcommand_and_flag() {
    let dir = tempfile::tempdir().unwrap();
    let o = modver(&["man", dir.path().to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let page = |name: &str| {
        std::fs::read_to_string(dir.path().join(format!("{name}.1")))
            .unwrap_or_else(|e| panic!("{name}.1: {e}"))
            .replace("\\-", "-")
    };
    let mut cmds: Vec<Vec<String>> = subcommands().into_iter().map(|s| vec![s]).collect();
    cmds.push(vec!["symversions".into(), "merge".into()]);
    cmds.push(vec!["symversions".into(), "cmd".into()]);
    assert!(page("modver").contains(".TH modver"));
    for cmd in &cmds {
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let text = page(&format!("modver-{}", cmd.join("-")));
        for f in long_flags(&args) {
            assert!(text.contains(&f), "modver-{}.1 lacks {f}", cmd.join("-"));
        }
    }
}

#[test]
fn completions_for_each_shell() {
    for (shell, check) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef modver"),
        ("fish", "complete -c modver"),
    ] {
        let o = modver(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let s = stdout(&o);
        assert!(s.contains(check), "{shell}: {check}");
        assert!(
            s.contains("dump-modversions") && s.contains("check-symvers"),
            "{shell}"
        );
    }
}

/// `scripts/install.sh PREFIX` with DESTDIR: binary, man pages and
/// completions land where man, bash-completion, zsh and fish look.
#[test]
fn install_script_writes_under_prefix() {
    let dest = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install.sh");
    let o = util::tool("bash")
        .arg(&script)
        .arg("/usr/local")
        .env("MODVER", MODVER)
        .env("DESTDIR", dest.path())
        .run();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let root = dest.path().join("usr/local");
    for f in [
        "bin/modver",
        "share/man/man1/modver.1",
        "share/man/man1/modver-check.1",
        "share/man/man1/modver-symversions-merge.1",
        "share/bash-completion/completions/modver",
        "share/zsh/site-functions/_modver",
        "share/fish/vendor_completions.d/modver.fish",
    ] {
        let p = root.join(f);
        let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
        assert!(len > 0, "{f} missing or empty");
    }
    // The installed binary runs, and bash accepts the completion script.
    let v = util::tool(root.join("bin/modver")).arg("--version").run();
    assert!(v.status.success());
    let b = util::tool("bash")
        .arg("-c")
        .arg("source \"$1\" && complete -p modver")
        .arg("bash")
        .arg(root.join("share/bash-completion/completions/modver"))
        .run();
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
}

//! Makefile.rs-hook under GNU make, without a kernel: its override
//! definitions win over kbuild's later plain ones, and a missing modver or
//! an unsupported kernel stops make with a message. (The real-kernel proof
//! is scripts/e2e-kernel.sh.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hook() -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "Makefile.rs-hook"]
        .iter()
        .collect()
}

/// Runs `make -f kbuild.mk` in `dir` with the hook in MAKEFILES.
fn make(dir: &Path, vars: &[&str]) -> Output {
    Command::new("make")
        .arg("-s")
        .arg("-f")
        .arg("kbuild.mk")
        .arg(format!("MAKEFILES={}", hook().display()))
        .args(vars)
        .current_dir(dir)
        .env_remove("MAKEFLAGS")
        .env_remove("MAKELEVEL")
        .output()
        .expect("make not found: run scripts/setup.sh base")
}

/// A stand-in for scripts/Makefile.build: plain definitions of the same
/// variables, as kbuild makes them after MAKEFILES were read.
const KBUILD_MK: &str = r#"
obj := lib
NM := llvm-nm-14
cmd_mod = printf stock
cmd_undefined_syms = $(NM) $< | sed -n 's/^  *U //p' > $@
gen_symversions = if $(NM) $@ 2>/dev/null | grep -q __ksymtab; then :; fi
real-search = $(1)
all:
	@echo 'mod: $(cmd_mod)'
	@echo 'usyms: $(cmd_undefined_syms)'
	@echo 'exports: $(call gen_symversions,c)'
"#;

#[test]
fn overrides_win_over_kbuild_definitions() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("kbuild.mk"), KBUILD_MK).unwrap();
    let modver = env!("CARGO_BIN_EXE_modver");
    let o = make(
        tmp.path(),
        &["VERSION=6", "PATCHLEVEL=1", &format!("MODVER={modver}")],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        out.contains(&format!("mod: {modver} mod --kernel 6.1 -o ")),
        "{out}"
    );
    assert!(
        out.contains(&format!("usyms: {modver} usyms --nm llvm-nm-14 -o ")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{modver} exports -q --kernel 6.1 ")),
        "{out}"
    );
    assert!(!out.contains("stock"), "{out}");
}

#[test]
fn missing_modver_stops_make() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("kbuild.mk"), KBUILD_MK).unwrap();
    let o = make(
        tmp.path(),
        &["VERSION=6", "PATCHLEVEL=1", "MODVER=/nonexistent/modver"],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("modver not found (MODVER=/nonexistent/modver)"),
        "{err}"
    );
}

#[test]
fn old_layout_is_refused_not_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("kbuild.mk"), KBUILD_MK).unwrap();
    let modver = env!("CARGO_BIN_EXE_modver");
    for pl in ["12", "15", "18"] {
        let o = make(
            tmp.path(),
            &[
                "VERSION=5",
                &format!("PATCHLEVEL={pl}"),
                &format!("MODVER={modver}"),
            ],
        );
        assert!(!o.status.success(), "5.{pl} accepted");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("5.12-5.18"), "{err}");
    }
    let o = make(
        tmp.path(),
        &["VERSION=5", "PATCHLEVEL=19", &format!("MODVER={modver}")],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The top-level make reads the hook before it knows the kernel version:
/// there the hook must define nothing and need nothing.
#[test]
fn top_level_make_is_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("kbuild.mk"), KBUILD_MK).unwrap();
    let o = make(tmp.path(), &["MODVER=/nonexistent/modver"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("mod: printf stock"));
}

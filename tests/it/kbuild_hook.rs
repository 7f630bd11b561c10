//! Makefile.rs-hook under GNU make, without a kernel: its override
//! definitions win over kbuild's later plain ones, and a missing modver or
//! an unsupported kernel stops make with a message. (The real-kernel proof
//! is scripts/e2e-kernel.sh.)

use crate::fixture::{repo, Scratch};
use crate::golden::assert_golden;
use crate::util::{require, tool, Run, MODVER};
use std::path::{Path, PathBuf};

fn hook() -> PathBuf {
    repo().join("Makefile.rs-hook")
}

/// make's output with the modver path written as `$MODVER`, for golden files.
fn with_modver_var(out: &str) -> Vec<u8> {
    out.replace(MODVER, "$MODVER").into_bytes()
}

/// Runs `make -f kbuild.mk` in `dir` with the hook in MAKEFILES.
fn make(dir: &Path, vars: &[&str]) -> Run {
    require("make", "base");
    tool("make")
        .arg("-s")
        .arg("-f")
        .arg("kbuild.mk")
        .arg(format!("MAKEFILES={}", hook().display()))
        .args(vars)
        .current_dir(dir)
        .env_remove("MAKEFLAGS")
        .env_remove("MAKELEVEL")
        .run()
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
    let tmp = Scratch::new();
    std::fs::write(tmp.path().join("kbuild.mk"), KBUILD_MK).unwrap();
    let modver = MODVER;
    let o = make(
        tmp.path(),
        &["VERSION=6", "PATCHLEVEL=1", &format!("MODVER={modver}")],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_golden("kbuild_hook/6.1.txt", &with_modver_var(&out));
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
    let tmp = Scratch::new();
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

/// A stand-in for the 5.12-5.18 scripts/Makefile.build: kbuild's plain
/// definitions of the variables the hook overrides, and rules that print
/// what the hook made of them for a C object, a thin archive and a module.
const KBUILD_OLD_MK: &str = r#"
obj := lib
NM := llvm-nm-14
mod-prelink-ext := .lto
foo-y := a.o b.o
cmd_modversions_c = stock
cmd_modversions_S = stock
cmd_update_lto_symversions = stock
cmd_mod = stock
cmd_gensymtypes_c = GENKSYMS-C-$(2)
cmd_gensymtypes_S = GENKSYMS-S-$(2)
all: lib/x.o lib/built-in.a lib/foo.mod
lib/x.o:
	@echo 'c: $(cmd_modversions_c)'
	@echo 'S: $(cmd_modversions_S)'
lib/built-in.a: lib/x.o lib/sub/built-in.a include/linux/h.h FORCE
	@echo 'ar: $(cmd_update_lto_symversions)'
lib/%.mod: lib/%$(mod-prelink-ext).o
	@echo 'mod: $(cmd_mod)'
lib/sub/built-in.a include/linux/h.h lib/foo.lto.o FORCE: ;
"#;

fn old_layout(vars: &[&str]) -> (bool, String, String) {
    let tmp = Scratch::new();
    std::fs::write(tmp.path().join("kbuild.mk"), KBUILD_OLD_MK).unwrap();
    let o = make(tmp.path(), vars);
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn old_layout_steps_are_routed() {
    let modver = MODVER;
    let mv = format!("MODVER={modver}");
    for pl in ["12", "15", "18"] {
        let pl = format!("PATCHLEVEL={pl}");
        let base = ["VERSION=5", pl.as_str(), mv.as_str()];
        let lto = [
            &base[..],
            &[
                "CONFIG_MODVERSIONS=y",
                "CONFIG_LTO_CLANG=y",
                "CONFIG_ASM_MODVERSIONS=y",
            ],
        ]
        .concat();
        let (ok, out, err) = old_layout(&lto);
        assert_golden(
            &format!("kbuild_hook/5.{}-lto.txt", &pl["PATCHLEVEL=".len()..]),
            &with_modver_var(&out),
        );
        assert!(ok, "{pl}: {err}");
        assert!(!out.contains("stock"), "{out}");
        let line = |p: &str| out.lines().find(|l| l.starts_with(p)).unwrap().to_string();
        let c = line("c: ");
        assert!(
            c.contains(&format!("{modver} exports -q --kernel 5.")),
            "{c}"
        );
        assert!(c.contains("GENKSYMS-C-lib/x.symtypes"), "{c}");
        assert!(c.contains("lib/x.o.symversions.tmp"), "{c}");
        let s = line("S: ");
        assert!(s.contains("GENKSYMS-S-") && s.contains(".tmp_x.ver"), "{s}");
        // The header a multi-object module's $^ can carry is no object.
        let words = |l: String| l.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            words(line("ar: ")),
            format!(
                "ar: {modver} symversions merge --nm llvm-nm-14 -o lib/built-in.a.symversions \
                 --objects lib/x.o lib/sub/built-in.a"
            )
        );
        let m = words(line("mod: "));
        assert!(
            m.ends_with(" -o lib/foo.mod lib/a.o lib/b.o") && !m.contains("--trim"),
            "{m}"
        );

        // TRIM_UNUSED_KSYMS: line 2 from the LTO-linked foo.lto.o.
        let trim = [&lto[..], &["CONFIG_TRIM_UNUSED_KSYMS=y"]].concat();
        let (_, out, _) = old_layout(&trim);
        assert!(
            out.contains("--trim --module lib/foo.lto.o --nm llvm-nm-14"),
            "{out}"
        );

        // Without LTO, C objects get their CRCs linked in; without
        // MODVERSIONS nothing runs; missing CRCs can be made warnings.
        let (_, out, _) = old_layout(&[&base[..], &["CONFIG_MODVERSIONS=y"]].concat());
        assert!(
            out.contains("c: modver_rc=0;") && out.contains(".tmp_x.ver"),
            "{out}"
        );
        assert!(out.contains("ar: echo >/dev/null"), "{out}");
        let (_, out, _) = old_layout(&base);
        assert!(out.lines().any(|l| l == "c: "), "{out}");
        let (_, out, _) = old_layout(&[&lto[..], &["MODVER_ALLOW_MISSING=1"]].concat());
        assert!(out.contains("merge --allow-missing --nm"), "{out}");
    }
    // link-vmlinux.sh (up to 6.0) sets VERSION to the build number before
    // it runs make: the version comes from KERNELVERSION.
    let (ok, out, err) = old_layout(&[
        "VERSION=2",
        "PATCHLEVEL=15",
        "KERNELVERSION=5.15.85",
        &mv,
        "CONFIG_MODVERSIONS=y",
        "CONFIG_LTO_CLANG=y",
    ]);
    assert!(
        ok && out.contains("exports -q --kernel 5.15 "),
        "{err}{out}"
    );
    let (ok, out, err) = old_layout(&["KERNELVERSION=5.18.0-rc1", &mv]);
    assert!(ok && out.contains("mod --kernel 5.18 "), "{err}{out}");
    // Before 5.12 there is no Clang LTO to route.
    let (ok, _, err) = old_layout(&["VERSION=5", "PATCHLEVEL=11", &mv]);
    assert!(!ok && err.contains("predates Clang LTO"), "{err}");
}

/// The top-level make reads the hook before it knows the kernel version:
/// there the hook must define nothing and need nothing.
#[test]
fn top_level_make_is_untouched() {
    let tmp = Scratch::new();
    std::fs::write(tmp.path().join("kbuild.mk"), KBUILD_MK).unwrap();
    let o = make(tmp.path(), &["MODVER=/nonexistent/modver"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("mod: printf stock"));
}

/// A stand-in for the 6.13+ scripts/Makefile.build and Makefile.modfinal of
/// an external-module build (M=), which runs in the module's directory:
/// kbuild's plain definitions, and rules that print what the hook made of
/// them. `cmd_gensymtypes_c` prints the arguments it was called with.
const KBUILD_EXTMOD_MK: &str = r#"
obj := .
NM := llvm-nm-19
LD := ld.lld-19
KBUILD_EXTMOD := ext
cmd_gensymtypes_c = GENKSYMS[$(1)][$(2)]
dot-target = $(@D)/.$(@F)
gen_symversions = stock
cmd_ld_ko_o = stock
cmd = echo '$(cmd_$(1))'
all: x.o foo.ko
x.o:
	@echo 'exports: $(call gen_symversions,c)'
foo.ko: foo.o foo.mod.o .module-common.o
	@echo 'ld: $(cmd_ld_ko_o)'
foo.o foo.mod.o .module-common.o: ;
"#;

fn extmod_layout(dir: &Path, vars: &[&str]) -> (bool, String, String) {
    std::fs::write(dir.join("kbuild.mk"), KBUILD_EXTMOD_MK).unwrap();
    let o = make(dir, vars);
    (o.success(), o.stdout_str(), o.stderr_str())
}

#[test]
fn extmod_layout_from_6_13() {
    let modver = MODVER;
    let mv = format!("MODVER={modver}");
    let tmp = tempfile::tempdir().unwrap();
    let kobj = tmp.path().join("kobj");
    std::fs::create_dir(&kobj).unwrap();
    std::fs::write(kobj.join("Module.symvers"), "").unwrap();
    std::fs::write(tmp.path().join("Module.symvers"), "").unwrap();
    let objtree = format!("objtree={}", kobj.display());
    let extra = "KBUILD_EXTRA_SYMBOLS=/other/Module.symvers";
    // What modpost read, as kbuild saved its command: the kernel's
    // Module.symvers and a KBUILD_EXTRA_SYMBOLS the module's Kbuild set
    // (which Makefile.modfinal never sees).
    let kbuild_extra = tmp.path().join("prov.symvers");
    std::fs::write(&kbuild_extra, "").unwrap();
    std::fs::write(
        tmp.path().join(".Module.symvers.cmd"),
        format!(
            "savedcmd_Module.symvers := scripts/mod/modpost -M -m -o Module.symvers -T modules.order \
             -i {}/Module.symvers -e -i {}\n",
            kobj.display(),
            kbuild_extra.display()
        ),
    )
    .unwrap();
    for kv in ["6.13.7", "6.18.35", "7.1.5"] {
        let kv = format!("KERNELVERSION={kv}");
        let (ok, out, err) = extmod_layout(
            tmp.path(),
            &[&kv, &mv, &objtree, extra, "KBUILD_SYMTYPES=1"],
        );
        assert!(ok, "{kv}: {err}");
        assert!(!out.contains("stock"), "{out}");
        // $(cmd_gensymtypes_c) without arguments, as 6.13+ kbuild calls it
        // ($(1) is still gen_symversions' own argument, as in kbuild).
        assert!(out.contains("GENKSYMS[c][] >> ./.x.o.cmd"), "{kv}: {out}");
        let ld = out.lines().find(|l| l.starts_with("ld: ")).unwrap();
        let words: Vec<&str> = ld.split_whitespace().collect();
        let lds = format!("{}/scripts/module.lds", kobj.display());
        assert!(
            words.windows(2).any(|w| w == ["-T", lds.as_str()]),
            "{kv}: {ld}"
        );
        assert!(ld.contains("foo.o foo.mod.o .module-common.o"), "{ld}");
        let check = &ld[ld.find(" check ").expect(ld)..];
        for s in [
            format!("--symvers {}/Module.symvers", kobj.display()),
            "--symvers Module.symvers".into(),
            "--symvers /other/Module.symvers".into(),
            format!("--symvers {}", kbuild_extra.display()),
        ] {
            assert!(check.contains(&s), "{kv}: {s} missing in {check}");
        }
        // Each file once, although modpost's command names it too.
        assert_eq!(check.matches("kobj/Module.symvers").count(), 1, "{check}");
        assert!(!check.contains("ext/Module.symvers"), "{check}");
    }
    // 6.12 and before: the arguments, and kbuild's relative module.lds.
    let (ok, out, err) = extmod_layout(tmp.path(), &["KERNELVERSION=6.12.117", &mv, &objtree]);
    assert!(ok, "{err}");
    assert!(out.contains("GENKSYMS[][x.symtypes]"), "{out}");
    assert!(out.contains("-T scripts/module.lds"), "{out}");
    // modpost's saved command is in $(KBUILD_EXTMOD), its paths relative
    // to the kernel's output directory, where modfinal runs too.
    std::fs::create_dir_all(tmp.path().join("ext")).unwrap();
    std::fs::write(tmp.path().join("ext/prov.symvers"), "").unwrap();
    std::fs::write(
        tmp.path().join("ext/.Module.symvers.cmd"),
        "savedcmd_ext/Module.symvers := scripts/mod/modpost -m -o ext/Module.symvers \
         -i Module.symvers -e -i ext/prov.symvers\n",
    )
    .unwrap();
    let (ok, out, err) = extmod_layout(tmp.path(), &["KERNELVERSION=6.12.117", &mv, &objtree]);
    assert!(ok, "{err}");
    assert!(
        out.contains("check --symvers Module.symvers --symvers ext/prov.symvers "),
        "{out}"
    );
}

#[test]
fn unchecked_kernel_is_refused() {
    let modver = MODVER;
    let mv = format!("MODVER={modver}");
    let tmp = tempfile::tempdir().unwrap();
    for kv in ["KERNELVERSION=7.2.0", "KERNELVERSION=8.0.0-rc1"] {
        let (ok, _, err) = extmod_layout(tmp.path(), &[kv, &mv]);
        assert!(!ok, "{kv} accepted");
        assert!(
            err.contains("newer than 7.1") && err.contains("MODVER_UNCHECKED_KERNEL=1"),
            "{err}"
        );
    }
    let (ok, out, err) = extmod_layout(
        tmp.path(),
        &["KERNELVERSION=7.2.0", &mv, "MODVER_UNCHECKED_KERNEL=1"],
    );
    assert!(ok && out.contains("exports -q --kernel 7.2 "), "{err}{out}");
}

/// `make vmlinux` from 6.13: modules.order (MODORDER is gone) names the
/// modules already built, which are checked against the new vmlinux.symvers.
#[test]
fn stale_module_check_reads_modules_order() {
    let modver = MODVER;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("kbuild.mk"),
        "cmd = echo '$(cmd_$(1))'\n__modpost:\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("modules.order"), "lib/a.o\nlib/b.o\n").unwrap();
    std::fs::create_dir(tmp.path().join("lib")).unwrap();
    std::fs::write(tmp.path().join("lib/a.ko"), "").unwrap();
    let o = tool("make")
        .args(["-s", "-f", "kbuild.mk", "__modpost"])
        .arg(format!("MAKEFILES={}", hook().display()))
        .args([
            "KERNELVERSION=7.1.5",
            "CONFIG_MODVERSIONS=y",
            "KBUILD_MODULES=",
        ])
        .arg(format!("MODVER={modver}"))
        .current_dir(tmp.path())
        .env_remove("MAKEFLAGS")
        .env_remove("MAKELEVEL")
        .stdin("")
        .run();
    let out = o.stdout_str();
    assert!(o.success(), "{}", o.stderr_str());
    assert!(
        out.contains("check --symvers vmlinux.symvers lib/a.ko") && !out.contains("b.ko"),
        "{out}"
    );
}

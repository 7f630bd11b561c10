//! Makefile.rs-hook's CONFIG_GENDWARFKSYMS routes (6.14+) under GNU make,
//! on real objects: a stand-in for 7.1's scripts/Makefile.build and
//! rust/Makefile whose recipes compile the dwarfksyms fixtures with clang
//! (ThinLTO bitcode, or ELF without LTO) and run kbuild's
//! gen_symversions / cmd_gensymtypes_c / cmd_gensymtypes_S (the
//! `.gendwarfksyms.o` stub of assembler exports) / rust/Makefile's
//! cmd_gendwarfksyms, as kbuild defines them. Through the hook, the
//! `#SYMVER` lines appended to `.foo.o.cmd` must be the real
//! gendwarfksyms' (the golden files of testdata/dwarfksyms, recorded on
//! the ELF objects), also when the objects are bitcode; a modver failure
//! must stop make. With `GENDWARFKSYMS=LINUX/scripts/gendwarfksyms/gendwarfksyms` the stock
//! recipes run too: the same lines on ELF, and a failed build (never
//! unversioned objects) on bitcode.

use crate::fixture::{repo, testdata};
use crate::util::{require, tool, Run, MODVER};
use std::path::Path;

/// kbuild's definitions (7.1.5 scripts/Makefile.build, rust/Makefile,
/// scripts/Kbuild.include's `cmd`), reduced to what the routes touch; the
/// recipes compile like kbuild's cc_o_c / as_o_S and then run kbuild's
/// versioning step. `V=1` prints each command as kbuild's log_print does.
const KBUILD_DWARF_MK: &str = r#"
squote := '
escsq = $(subst $(squote),'\$(squote)',$1)
cmd = @$(if $(cmd_$(1)),set -e; $(if $(filter 1,$(V)),echo '  $(call escsq,$(cmd_$(1)))';) $(cmd_$(1)),:)
dot-target = $(@D)/.$(@F)
obj := .
objtree := .
NM := llvm-nm-19
CC := clang-19
c_flags = -O2 -g -gdwarf-5 -fno-ident -ffile-prefix-map=$(SRC)/= -I$(SRC)/include -I. -include export.h $(if $(LTO),-flto=thin)
a_flags = -D__ASSEMBLY__ $(c_flags)

getexportsymbols = $(NM) $@ | sed -n 's/.* __export_symbol_\(.*\)/$(1)/p'
gendwarfksyms = $(objtree)/scripts/gendwarfksyms/gendwarfksyms	\
	$(if $(KBUILD_SYMTYPES), --symtypes $(@:.o=.symtypes))	\
	$(if $(KBUILD_GENDWARFKSYMS_STABLE), --stable)
cmd_gensymtypes_c = $(if $(skip_gendwarfksyms),,	\
	$(call getexportsymbols,\1) | $(gendwarfksyms) $@)
gen_symversions =								\
	if $(NM) $@ 2>/dev/null | grep -q ' __export_symbol_'; then		\
		$(cmd_gensymtypes_$1) >> $(dot-target).cmd;			\
	fi
cmd_gen_symversions_c =	$(call gen_symversions,c)
getasmexports =								\
   { echo "\#include <kdefs.h>" ;					\
     echo "\#include <asm-prototypes.h>" ;				\
     $(call getexportsymbols,EXPORT_SYMBOL(\1);) ; }
cmd_gensymtypes_S =							\
	$(getasmexports) |						\
	$(CC) $(c_flags) -c -o $(@:.o=.gendwarfksyms.o) -xc -;		\
	$(call getexportsymbols,\1) |					\
	$(gendwarfksyms) $(@:.o=.gendwarfksyms.o)
cmd_gen_symversions_S = $(call gen_symversions,S)

rust_exports = $(NM) -p --defined-only $(1) | awk '$$2~/(T|R|D|B)/ && $$3!~/__(pfx|cfi|odr_asan)/ { printf $(2),$$3 }'
ifdef CONFIG_MODVERSIONS
cmd_gendwarfksyms = $(if $(skip_gendwarfksyms),, \
	$(call rust_exports,$@,"%s\n") | \
	scripts/gendwarfksyms/gendwarfksyms \
		$(if $(KBUILD_GENDWARFKSYMS_STABLE), --stable) \
		$(if $(KBUILD_SYMTYPES), --symtypes $(@:.o=.symtypes),) \
		$@ >> $(dot-target).cmd)
endif

.DELETE_ON_ERROR:
all: core.o kabi.o asm.o skipped.o
core.o kabi.o: %.o: $(SRC)/%.c
	$(CC) $(c_flags) -c -o $@ $<
	$(call cmd,gen_symversions_c)
skipped.o: private skip_gendwarfksyms = 1
skipped.o: $(SRC)/core.c
	$(CC) $(c_flags) -c -o $@ $<
	$(call cmd,gen_symversions_c)
nodebug.o: $(SRC)/core.c
	$(CC) $(filter-out -g -gdwarf-5,$(c_flags)) -g0 -c -o $@ $<
	$(call cmd,gen_symversions_c)
asm.o: asm.S
	$(CC) $(a_flags) -fno-lto -c -o $@ $<
	$(call cmd,gen_symversions_S)
# rust/Makefile's rule_rust_cc_library (helpers.o) and rule_rustc_library.
rust.o: $(SRC)/extern.c
	$(CC) $(c_flags) -c -o $@ $<
	$(call cmd,gendwarfksyms)
"#;

/// include/linux/export.h's marker (7.1, CONFIG_GENDWARFKSYMS): the
/// license and namespace strings after the marker label, and the
/// reference to the symbol.
const EXPORT_H: &str = r#"#ifndef __ASSEMBLY__
#define __KEXPORT(sym, license)                                        \
	extern typeof(sym) sym;                                         \
	static typeof(sym) *__gendwarfksyms_ptr_##sym __used            \
		__section(".discard.gendwarfksyms") = &sym;             \
	asm(".section \".export_symbol\",\"a\"\n"                     \
	    "__export_symbol_" #sym ":\n"                               \
	    ".asciz \"" license "\"\n.asciz \"\"\n"                      \
	    ".balign 8\n.quad " #sym "\n.previous\n")
#define EXPORT_SYMBOL(sym) __KEXPORT(sym, "")
#define EXPORT_SYMBOL_GPL(sym) __KEXPORT(sym, "GPL")
#endif
"#;

/// An assembler export and the C prototype kbuild's asm-prototypes.h
/// gives it (the `.gendwarfksyms.o` stub gets its DWARF from there).
const ASM_S: &str = "\t.text\n\t.globl asm_sum\nasm_sum:\n\tret\n\
\t.section \".export_symbol\",\"a\"\n__export_symbol_asm_sum:\n\t.asciz \"GPL\"\n\t.asciz \"\"\n\
\t.balign 8\n\t.quad asm_sum\n\t.previous\n";
const ASM_PROTOTYPES_H: &str = "struct device;\nint asm_sum(const struct device *dev, int n);\n";

/// A fresh build directory with the stand-in makefile; `stock` links the
/// real gendwarfksyms where kbuild builds it.
fn build_dir(tag: &str, stock: Option<&Path>) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hook-dwarf-{tag}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("scripts/gendwarfksyms")).unwrap();
    std::fs::write(dir.join("kbuild.mk"), KBUILD_DWARF_MK).unwrap();
    std::fs::write(dir.join("asm.S"), ASM_S).unwrap();
    std::fs::write(dir.join("export.h"), EXPORT_H).unwrap();
    std::fs::write(dir.join("asm-prototypes.h"), ASM_PROTOTYPES_H).unwrap();
    if let Some(g) = stock {
        std::os::unix::fs::symlink(g, dir.join("scripts/gendwarfksyms/gendwarfksyms")).unwrap();
    }
    dir
}

/// `make -f kbuild.mk TARGETS` in `dir`, through the hook unless `hook`
/// is false; `lto` compiles C to ThinLTO bitcode.
fn make(dir: &Path, hook: bool, lto: bool, extra: &[&str]) -> Run {
    require("make", "base");
    require("clang-19", "base");
    let mut c = tool("make");
    c.args(["-s", "-f", "kbuild.mk"])
        .arg(format!("SRC={}", testdata("dwarfksyms/src").display()))
        .args([
            "KERNELVERSION=7.1.5",
            "CONFIG_MODVERSIONS=y",
            "CONFIG_GENDWARFKSYMS=y",
        ])
        .arg(format!("MODVER={MODVER}"))
        .args(extra)
        .current_dir(dir)
        .env_remove("MAKEFLAGS")
        .env_remove("MAKELEVEL")
        .env_remove("MAKEFILES");
    if hook {
        c.arg(format!(
            "MAKEFILES={}",
            repo().join("Makefile.rs-hook").display()
        ));
    }
    if lto {
        c.arg("LTO=1");
    }
    c.run()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn golden(name: &str) -> String {
    read(&testdata(&format!(
        "dwarfksyms/golden/clang19-dwarf5/{name}"
    )))
}

/// The `#SYMVER` lines appended to each object's `.cmd` file.
fn symvers(dir: &Path, obj: &str) -> String {
    read(&dir.join(format!(".{obj}.cmd")))
}

#[test]
fn gendwarfksyms_routes_give_gendwarfksyms_versions_also_on_bitcode() {
    let mut runs = Vec::new();
    for lto in [false, true] {
        let dir = build_dir(if lto { "lto" } else { "elf" }, None);
        let o = make(
            &dir,
            true,
            lto,
            &["V=1", "KBUILD_SYMTYPES=1", "all", "rust.o"],
        );
        let out = o
            .stdout_str()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(o.success(), "lto={lto}: {}{out}", o.stderr_str());
        // V=1 shows modver's command lines, and no stock gendwarfksyms ran.
        for cmd in [
            format!("{MODVER} dwarfksyms --symtypes core.symtypes --exports-of core.o core.o"),
            format!("{MODVER} dwarfksyms --symtypes asm.symtypes --exports-of asm.o asm.gendwarfksyms.o"),
            format!("{MODVER} exports --kernel 7.1 asm.o"),
            format!("| {MODVER} dwarfksyms --symtypes rust.symtypes rust.o >> ./.rust.o.cmd"),
        ] {
            assert!(out.contains(&cmd), "lto={lto}: no '{cmd}' in\n{out}");
        }
        assert!(
            !out.contains("scripts/gendwarfksyms/gendwarfksyms"),
            "{out}"
        );
        // The real gendwarfksyms' versions and symtypes of core.o (ELF).
        assert_eq!(
            symvers(&dir, "core.o"),
            golden("core.default.stdout"),
            "lto={lto}"
        );
        assert_eq!(
            read(&dir.join("core.symtypes")),
            golden("core.default.symtypes")
        );
        // skip_gendwarfksyms: exports, but no versions.
        assert!(!dir.join(".skipped.o.cmd").exists() || symvers(&dir, "skipped.o").is_empty());
        let file_kind = |f: &str| std::fs::read(dir.join(f)).unwrap()[..4].to_vec();
        let expect = if lto {
            b"BC\xc0\xde".to_vec()
        } else {
            b"\x7fELF".to_vec()
        };
        assert_eq!(file_kind("core.o"), expect);
        assert_eq!(file_kind("asm.gendwarfksyms.o"), expect);
        let asm = symvers(&dir, "asm.o");
        assert!(
            asm.starts_with("#SYMVER asm_sum 0x") && asm.lines().count() == 1,
            "{asm}"
        );
        runs.push((
            asm,
            symvers(&dir, "rust.o"),
            read(&dir.join("rust.symtypes")),
        ));
    }
    // The assembler stub and the rust/Makefile step: bitcode gives what ELF gives.
    assert_eq!(runs[0], runs[1]);
    // rust_exports lists every global the object defines, exported or not.
    assert!(runs[1].1.contains("#SYMVER local_user 0x"), "{}", runs[1].1);
    assert!(!golden("extern.default.stdout").contains("local_user"));
}

#[test]
fn gendwarfksyms_route_failure_stops_make() {
    for lto in [false, true] {
        let dir = build_dir(if lto { "fail-lto" } else { "fail-elf" }, None);
        let o = make(&dir, true, lto, &["nodebug.o"]);
        assert!(
            !o.success(),
            "lto={lto}: an object without debug info was versioned"
        );
        let err = o.stderr_str();
        assert!(
            err.contains("nodebug.o") && err.contains("no debugging information?"),
            "{err}"
        );
        // kbuild's .DELETE_ON_ERROR: no object is left to link unversioned.
        assert!(!dir.join("nodebug.o").exists());
        assert!(!std::fs::read_to_string(dir.join(".nodebug.o.cmd"))
            .unwrap_or_default()
            .contains("#SYMVER"));
    }
}

/// With the real gendwarfksyms (`GENDWARFKSYMS=`): stock kbuild on ELF
/// appends the same lines as the hook; stock kbuild on bitcode (what the
/// Kconfig patch of patches/ allows) stops the build.
#[test]
fn stock_gendwarfksyms_agrees_on_elf_and_fails_on_bitcode() {
    let Some(real) = std::env::var_os("GENDWARFKSYMS") else {
        eprintln!("skipped: set GENDWARFKSYMS=LINUX/scripts/gendwarfksyms/gendwarfksyms (a 6.14+ build) to compare");
        return;
    };
    let real = std::path::PathBuf::from(real);
    let hooked = build_dir("cmp-hook", None);
    assert!(make(&hooked, true, true, &["all", "rust.o"]).success());
    let stock = build_dir("cmp-stock", Some(&real));
    let o = make(&stock, false, false, &["all", "rust.o"]);
    assert!(o.success(), "{}", o.stderr_str());
    for obj in ["core.o", "asm.o", "kabi.o", "rust.o"] {
        assert_eq!(symvers(&hooked, obj), symvers(&stock, obj), "{obj}");
    }
    let stock_lto = build_dir("cmp-stock-lto", Some(&real));
    let o = make(&stock_lto, false, true, &["core.o"]);
    assert!(
        !o.success(),
        "stock gendwarfksyms versioned a bitcode object"
    );
    assert!(!stock_lto.join("core.o").exists());
}

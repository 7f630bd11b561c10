//! `.mod`, `.usyms` and module names against kbuild's own shell pipelines,
//! reproduced command for command from scripts/Makefile.build.

use crate::fixture::{Corpus, Scratch, LLVM_VERSIONS};
use crate::util::{first_difference, modver, shell};
use std::path::Path;

/// `sh -c SCRIPT` in `dir`, asserting success; its stdout.
fn sh(dir: &Path, script: &str) -> Vec<u8> {
    shell(script).current_dir(dir).ok().stdout
}

/// kbuild 5.12 (the LTO series as merged), CONFIG_TRIM_UNUSED_KSYMS=y:
/// `{ echo $(objs); $(NM) $< | awk '$1 == "U" {...}'; echo; } > $@`
fn kbuild_512_mod(dir: &Path, v: u32, objs: &str, module: &str) -> Vec<u8> {
    sh(
        dir,
        &format!(
            "{{ echo {objs}; llvm-nm-{v} {module} | awk '$1 == \"U\" {{ printf(\"%s%s\", x++ ? \" \" : \"\", $2) }}'; echo; }}"
        ),
    )
}

/// kbuild before 5.10: `$(NM) $< | sed -n 's/^  *U //p' | xargs echo`.
fn kbuild_xargs_line2(dir: &Path, v: u32, module: &str) -> Vec<u8> {
    sh(
        dir,
        &format!("llvm-nm-{v} {module} | sed -n 's/^  *U //p' | xargs echo"),
    )
}

/// kbuild 6.1 cmd_mod: `printf '%s\n' $(objs) | awk '!x[$0]++ { print("$(obj)/"$0) }'`.
fn kbuild_61_mod(dir: &Path, obj: &str, objs: &str) -> Vec<u8> {
    sh(
        dir,
        &format!("printf '%s\\n' {objs} | awk '!x[$0]++ {{ print(\"{obj}/\"$0) }}'"),
    )
}

/// kbuild 6.1 cmd_undefined_syms: `$(NM) $< | sed -n 's/^  *U //p'`.
fn kbuild_61_usyms(dir: &Path, v: u32, module: &str) -> Vec<u8> {
    sh(dir, &format!("llvm-nm-{v} {module} | sed -n 's/^  *U //p'"))
}

fn words(b: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(b)
        .split_whitespace()
        .map(String::from)
        .collect()
}

fn sorted_unique(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn modver_out(dir: &Path, args: &[&str]) -> Vec<u8> {
    // Tests run in parallel over the same fixtures: one output dir per call.
    let tmp = Scratch::new();
    let out = tmp.path().join("out");
    modver()
        .current_dir(dir)
        .args(args)
        .arg("-o")
        .arg(&out)
        .ok();
    std::fs::read(&out).unwrap()
}

#[test]
fn mod_512_trim_equals_kbuild_for_single_objects() {
    for v in LLVM_VERSIONS {
        let d = Corpus::Symbols(v).dir();
        for module in [
            "thin/demo_main.o",
            "full/demo_util.o",
            "elf/demo_data.o",
            "demo.lto.o",
        ] {
            let kb = kbuild_512_mod(d, v, "drivers/demo/demo_main.o", module);
            let ours = modver_out(
                d,
                &[
                    "mod",
                    "--kernel",
                    "5.12",
                    "--trim",
                    "--nm",
                    &format!("llvm-nm-{v}"),
                    "--module",
                    module,
                    "drivers/demo/demo_main.o",
                ],
            );
            // One object: llvm-nm already lists each symbol once, sorted.
            assert_eq!(
                ours,
                kb,
                "llvm {v} {module}: {}",
                first_difference(&kb, &ours)
            );
        }
    }
}

#[test]
fn mod_512_thin_archive_drops_kbuild_duplicates() {
    for v in LLVM_VERSIONS {
        let d = Corpus::Symbols(v).dir();
        let objs = "drivers/demo/demo_main.o drivers/demo/demo_util.o drivers/demo/demo_data.o";
        let kb = kbuild_512_mod(d, v, objs, "thin/demo-thin.a");
        let nm = format!("llvm-nm-{v}");
        let mut args = vec![
            "mod",
            "--kernel",
            "5.15",
            "--trim",
            "--nm",
            &nm,
            "--module",
            "thin/demo-thin.a",
        ];
        args.extend(objs.split(' '));
        let ours = modver_out(d, &args);
        let (kb_s, ours_s) = (
            String::from_utf8(kb).unwrap(),
            String::from_utf8(ours).unwrap(),
        );
        let (kb_l, ours_l): (Vec<_>, Vec<_>) = (kb_s.lines().collect(), ours_s.lines().collect());
        assert_eq!(kb_l.len(), 2);
        assert_eq!(ours_l.len(), 2);
        assert_eq!(kb_l[0], ours_l[0]);
        let kb_syms = words(kb_l[1].as_bytes());
        let ours_syms = words(ours_l[1].as_bytes());
        // kbuild repeats printk/kfree once per member that calls them.
        assert!(
            kb_syms.iter().filter(|s| *s == "printk").count() > 1,
            "{kb_syms:?}"
        );
        assert_eq!(ours_syms, sorted_unique(kb_syms), "llvm {v}");
        assert!(ours_s.ends_with('\n') && !ours_l[1].starts_with(' '));
    }
}

#[test]
fn mod_512_without_trim_has_empty_second_line() {
    let d = Corpus::Symbols(14).dir();
    let kb = sh(d, "{ echo drivers/demo/a.o drivers/demo/b.o; echo; }");
    let ours = modver_out(
        d,
        &[
            "mod",
            "--kernel",
            "5.12",
            "drivers/demo/a.o",
            "drivers/demo/b.o",
        ],
    );
    assert_eq!(ours, kb);
}

#[test]
fn mod_many_symbols_stay_on_one_line_where_xargs_split() {
    let v = 14;
    let d = Corpus::Symbols(v).dir();
    let xargs = kbuild_xargs_line2(d, v, "many/many-thin.a");
    let xargs_lines = String::from_utf8_lossy(&xargs).lines().count();
    assert!(
        xargs_lines > 1,
        "xargs did not split: the fixture is too small to show the bug"
    );
    let ours = modver_out(
        d,
        &[
            "mod",
            "--kernel",
            "5.12",
            "--trim",
            "--nm",
            "llvm-nm-14",
            "--module",
            "many/many-thin.a",
            "many/demo_many.o",
        ],
    );
    let s = String::from_utf8(ours).unwrap();
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 2);
    let ours_syms = words(lines[1].as_bytes());
    assert!(ours_syms.len() > 3000);
    assert_eq!(ours_syms, sorted_unique(words(&xargs)));
}

#[test]
fn mod_61_equals_kbuild_including_duplicate_objects() {
    let d = Corpus::Symbols(14).dir();
    let kb = kbuild_61_mod(
        d,
        "drivers/demo",
        "demo_main.o demo_util.o demo_main.o demo_data.o",
    );
    let ours = modver_out(
        d,
        &[
            "mod",
            "--kernel",
            "6.1",
            "drivers/demo/demo_main.o",
            "drivers/demo/demo_util.o",
            "drivers/demo/demo_main.o",
            "drivers/demo/demo_data.o",
        ],
    );
    assert_eq!(ours, kb);
    // --trim changes nothing from 5.19 on: the symbols live in .usyms.
    let trimmed = modver_out(
        d,
        &[
            "mod",
            "--kernel",
            "6.12",
            "--trim",
            "--module",
            "thin/demo_main.o",
            "drivers/demo/demo_main.o",
            "drivers/demo/demo_util.o",
            "drivers/demo/demo_main.o",
            "drivers/demo/demo_data.o",
        ],
    );
    assert_eq!(trimmed, kb);
}

#[test]
fn usyms_equals_kbuild_and_dedups_thin_archives() {
    for v in LLVM_VERSIONS {
        let d = Corpus::Symbols(v).dir();
        let nm = format!("llvm-nm-{v}");
        for module in ["thin/demo_main.o", "elf/demo_util.o", "bc32/demo_main.o"] {
            let kb = kbuild_61_usyms(d, v, module);
            let ours = modver_out(d, &["usyms", "--nm", &nm, module]);
            assert_eq!(
                ours,
                kb,
                "llvm {v} {module}: {}",
                first_difference(&kb, &ours)
            );
        }
        let kb = kbuild_61_usyms(d, v, "thin/demo-thin.a");
        let ours = modver_out(d, &["usyms", "--nm", &nm, "thin/demo-thin.a"]);
        let kb_w = words(&kb);
        assert!(
            kb_w.len() > sorted_unique(kb_w.clone()).len(),
            "no duplicates to remove"
        );
        assert_eq!(words(&ours), sorted_unique(kb_w));
        assert!(String::from_utf8(ours)
            .unwrap()
            .lines()
            .all(|l| !l.contains(' ')));
    }
}

#[test]
fn failures_exit_2_and_leave_no_or_the_old_output() {
    let d = Corpus::Symbols(14).dir();
    let tmp = Scratch::new();
    let out = tmp.path().join("x.mod");
    // Unknown kernel.
    let o = modver()
        .current_dir(d)
        .args(["mod", "--kernel", "5.99", "-o"])
        .arg(&out)
        .arg("a.o")
        .run();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("5.99"));
    assert!(!out.exists());
    // Bad module: the previous complete .usyms stays as it was.
    std::fs::write(&out, "previous\n").unwrap();
    for bad in [
        "junk/text.o",
        "junk/truncated-bc.o",
        "junk/missing-member.a",
        "junk/nope.o",
    ] {
        let o = modver()
            .current_dir(d)
            .args(["usyms", "-o"])
            .arg(&out)
            .arg(bad)
            .run();
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(bad.rsplit('/').next().unwrap()));
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous\n");
    }
    // No temporary files are left behind.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    // No kernel version and no kernel tree.
    let o = modver()
        .current_dir(tmp.path())
        .args(["mod", "-o", "y.mod", "a.o"])
        .run();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--kernel"));
    assert!(!tmp.path().join("y.mod").exists());
}

#[test]
fn kernel_version_is_read_from_the_tree() {
    let tmp = Scratch::new();
    std::fs::write(
        tmp.path().join("Makefile"),
        "VERSION = 5\nPATCHLEVEL = 15\n",
    )
    .unwrap();
    let o = modver()
        .current_dir(tmp.path())
        .args(["mod", "-o", "a.mod", "d/a.o", "d/b.o"])
        .run();
    assert!(o.status.success());
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("a.mod")).unwrap(),
        "d/a.o d/b.o\n\n"
    );
    let o = modver()
        .current_dir(tmp.path())
        .args(["modname", "d/foo.lto.o", "d/bar.ko"])
        .run();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "d/foo\nd/bar\n");
}

#[test]
fn concurrent_writers_never_leave_a_partial_file() {
    let d = Corpus::Symbols(14).dir();
    let tmp = Scratch::new();
    let out = tmp.path().join("many.usyms");
    let full = modver_out(d, &["usyms", "--nm", "llvm-nm-14", "many/many-thin.a"]);
    for _ in 0..5 {
        let mut kids: Vec<_> = (0..4)
            .map(|_| {
                modver()
                    .current_dir(d)
                    .args(["usyms", "--nm", "llvm-nm-14", "-o"])
                    .arg(&out)
                    .arg("many/many-thin.a")
                    .spawn()
            })
            .collect();
        // Read while they write: the file is absent or complete, never partial.
        for _ in 0..50 {
            if let Ok(b) = std::fs::read(&out) {
                assert_eq!(b.len(), full.len());
            }
        }
        for k in &mut kids {
            assert!(k.wait().unwrap().success());
        }
        assert_eq!(std::fs::read(&out).unwrap(), full);
    }
}

#[test]
fn modname_matches_modpost_per_kernel() {
    let o = modver()
        .args([
            "modname",
            "--kernel",
            "5.12",
            "drivers/a/foo.lto.o",
            "lib/crc.o",
            "fs/x.ko",
        ])
        .run();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "drivers/a/foo\nlib/crc\nfs/x\n"
    );
    let o = modver()
        .args([
            "modname",
            "--kernel",
            "5.18",
            "drivers/a/foo.prelink.o",
            "drivers/a/foo.lto.o",
        ])
        .run();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "drivers/a/foo\ndrivers/a/foo.lto\n"
    );
    let o = modver().args(["modname", "--kernel", "6.1", "foo.c"]).run();
    assert_eq!(o.status.code(), Some(2));
}

//! `modver symversions merge` (5.12–5.18) against kbuild's `cat`
//! concatenation, and `modver symversions cmd` (5.19+) against the real
//! modpost of linux-kbuild-6.1/6.12 reading the same `.cmd` files. CRCs
//! come from the real genksyms; objects from clang-14/19 (ELF and bitcode).

use crate::fixture::{Corpus, Llvm, Scratch};
use crate::kbuild::{
    fixdep_cmd, genksyms_lines, modpost, CRC_OBJECTS as OBJECTS, CRC_SOURCES as SOURCES,
};
use crate::util::{modver, shell, Run};
use std::collections::BTreeMap;
use std::path::Path;

/// genksyms 6.1's CRCs in the pre-5.19 `.symversions` form
/// (`__crc_%s = 0x%08lx;`, as genksyms up to 5.18 printed them).
fn symversions_text(source: &str) -> String {
    genksyms_lines("6.1", source)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            assert_eq!(f[0], "#SYMVER");
            format!("__crc_{} = {};\n", f[1], f[2])
        })
        .collect()
}

/// kbuild's cmd_update_lto_symversions / link-vmlinux.sh gen_symversions.
fn kbuild_cat(dir: &Path, inputs: &[&str], out: &str) -> Option<Vec<u8>> {
    let script = format!(
        "rm -f {out}; for n in {}; do if test -s $n; then cat $n >> {out}; fi; done",
        inputs.join(" ")
    );
    shell(&script).current_dir(dir).ok();
    std::fs::read(dir.join(out)).ok()
}

fn run(dir: &Path, args: &[&str]) -> Run {
    modver().args(args).current_dir(dir).run()
}

/// `modver symversions merge -o OUT ARGS...` in `dir`.
fn merge(dir: &Path, out: &str, args: &[&str]) -> Run {
    let mut all = vec!["symversions", "merge", "-o", out];
    all.extend(args);
    run(dir, &all)
}

fn stderr(o: &Run) -> String {
    o.stderr_str()
}

/// A work dir with the corpus objects and their .symversions files.
fn merge_fixture(v: u32, kind: &str) -> Scratch {
    let work = Scratch::new();
    let src = Corpus::CrcObjects(v).dir().join("61").join(kind);
    for m in OBJECTS {
        work.copy(src.join(format!("{m}.o")), format!("{m}.o"));
    }
    work.copy(src.join("built-in.a"), "built-in.a");
    for s in SOURCES {
        work.write(format!("{s}.o.symversions"), symversions_text(s));
    }
    work
}

const INPUTS: [&str; 4] = [
    "basic.o.symversions",
    "structs.o.symversions",
    "misc.o.symversions",
    "noexport.o.symversions",
];

#[test]
fn merge_is_kbuild_cat_and_checks_exports() {
    for v in [14, 19] {
        for kind in ["elf", "bc"] {
            let work = merge_fixture(v, kind);
            let nm = format!("llvm-nm-{v}");
            let want = kbuild_cat(&work, &INPUTS, "want.lds").unwrap();
            let mut args = vec!["--nm", &nm, "--objects"];
            args.extend(OBJECTS.map(|o| match o {
                "basic" => "basic.o",
                "structs" => "structs.o",
                "misc" => "misc.o",
                _ => "noexport.o",
            }));
            args.push("--");
            args.extend(INPUTS);
            let o = merge(&work, "got.lds", &args);
            assert!(o.status.success(), "clang-{v} {kind}: {}", stderr(&o));
            assert_eq!(
                std::fs::read(work.join("got.lds")).unwrap(),
                want,
                "clang-{v} {kind}"
            );

            // The thin archive stands for its members.
            let mut args = vec!["--nm", &nm, "--objects", "built-in.a", "--"];
            let o = merge(&work, "a.lds", &args);
            assert_eq!(
                o.status.code(),
                Some(2),
                "nothing merged, exports of built-in.a lack CRCs"
            );
            assert!(!work.join("a.lds").exists());
            args.extend(INPUTS);
            let o = merge(&work, "a.lds", &args);
            assert!(o.status.success(), "{}", stderr(&o));
            assert_eq!(std::fs::read(work.join("a.lds")).unwrap(), want);

            // The CRC-0 bug: one .symversions missed (as $(wildcard) did on
            // clean builds). modver names the export and object, exit 2, and
            // leaves the old output alone.
            std::fs::remove_file(work.join("structs.o.symversions")).unwrap();
            std::fs::write(work.join("got.lds"), "OLD").unwrap();
            let mut args = vec!["--nm", &nm, "--objects", "basic.o", "structs.o", "--"];
            args.extend(INPUTS);
            let o = merge(&work, "got.lds", &args);
            assert_eq!(o.status.code(), Some(2));
            let e = stderr(&o);
            assert!(
                e.contains("no CRC for exported symbol corpus_registry of structs.o"),
                "{e}"
            );
            assert_eq!(std::fs::read(work.join("got.lds")).unwrap(), b"OLD");
            // --allow-missing: a warning, and exactly what kbuild would write.
            args.insert(0, "--allow-missing");
            let o = merge(&work, "got.lds", &args);
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(stderr(&o).contains("warning: no CRC for exported symbol corpus_registry"));
            assert_eq!(
                std::fs::read(work.join("got.lds")).unwrap(),
                kbuild_cat(&work, &INPUTS, "want2.lds").unwrap()
            );
        }
    }
}

#[test]
fn merge_inputs_from_objects_and_crcs_linked_in() {
    let work = merge_fixture(19, "elf");
    // No INPUTS: OBJ.symversions of each --objects OBJ, as
    // cmd_update_lto_symversions concatenates them.
    let o = merge(
        &work,
        "f.lds",
        &["--objects", "basic.o", "structs.o", "misc.o", "noexport.o"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(work.join("f.lds")).unwrap(),
        kbuild_cat(&work, &INPUTS, "f-want.lds").unwrap()
    );

    // An ELF object with its CRCs linked in (cmd_modversions_S: ld -r -T)
    // needs no .symversions file; without them its exports are reported.
    work.ld(
        Llvm(19),
        &[
            "-r",
            "-o",
            "basic-crc.o",
            "basic.o",
            "-T",
            "basic.o.symversions",
        ],
    );
    let o = merge(&work, "g.lds", &["--objects", "basic-crc.o"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!work.join("g.lds").exists(), "nothing to concatenate");
    std::fs::copy(work.join("basic.o"), work.join("basic-nocrc.o")).unwrap();
    let o = merge(&work, "g.lds", &["--objects", "basic-nocrc.o"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("of basic-nocrc.o"), "{}", stderr(&o));
}

#[test]
fn merge_duplicates_conflicts_and_bad_lines() {
    let work = merge_fixture(19, "elf");
    let basic = std::fs::read_to_string(work.join("basic.o.symversions")).unwrap();
    // Exact duplicates (an object listed twice) are kept, as cat keeps them.
    let o = merge(
        &work,
        "d.lds",
        &["basic.o.symversions", "basic.o.symversions"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(work.join("d.lds")).unwrap(),
        kbuild_cat(
            &work,
            &["basic.o.symversions", "basic.o.symversions"],
            "d-want.lds"
        )
        .unwrap()
    );

    // Conflicting CRCs: both places named, output untouched.
    let second = basic.lines().nth(1).unwrap();
    let conflicting = basic.replace(
        second,
        &format!("{}0x00000001;", &second[..second.find("0x").unwrap()]),
    );
    std::fs::write(work.join("other.symversions"), &conflicting).unwrap();
    std::fs::write(work.join("c.lds"), "OLD").unwrap();
    let o = merge(
        &work,
        "c.lds",
        &["basic.o.symversions", "other.symversions"],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("conflicting CRCs for corpus_widen")
            && e.contains("basic.o.symversions:2")
            && e.contains("other.symversions:2"),
        "{e}"
    );
    assert_eq!(std::fs::read(work.join("c.lds")).unwrap(), b"OLD");

    // Lines that are not assignments, and a missing final newline.
    for (name, text, expect) in [
        (
            "notassign",
            format!("{basic}corpus_x = 0x1;\n"),
            ":9:1: expected '__crc_NAME = 0xXXXXXXXX;'",
        ),
        ("nohex", "__crc_a = 0x;\n".to_string(), ":1:13: "),
        ("garbage", "__crc_a = 0x12; junk\n".to_string(), ":1:15: "),
        (
            "nonewline",
            "__crc_a = 0x1;\n__crc_b = 0x2;".to_string(),
            ":2:15: expected a newline at the end of the file",
        ),
    ] {
        let f = format!("{name}.symversions");
        std::fs::write(work.join(&f), text).unwrap();
        let o = merge(&work, "bad.lds", &["basic.o.symversions", &f]);
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(
            stderr(&o).contains(&format!("{f}{expect}")),
            "{name}: {}",
            stderr(&o)
        );
        assert!(!work.join("bad.lds").exists(), "{name}: output written");
    }
}

/// A work dir for one kernel's modpost: modules NAME.o with NAME.mod and
/// .NAME.o.cmd (fixdep part + `extra(NAME)`).
fn cmd_fixture(v: u32, dir: &str, extra: impl Fn(&str) -> String) -> Scratch {
    let work = Scratch::new();
    for m in OBJECTS {
        work.copy(
            Corpus::CrcObjects(v)
                .dir()
                .join(dir)
                .join("elf")
                .join(format!("{m}.o")),
            format!("{m}.o"),
        );
        work.write(format!("{m}.mod"), format!("{m}.o\n"));
        let mut cmd = fixdep_cmd(&format!("{m}.o"));
        cmd += &extra(m);
        work.write(format!(".{m}.o.cmd"), cmd);
    }
    work
}

/// modver's CRCs from `symversions cmd` (symbol -> crc).
fn modver_cmd_crcs(
    work: &Path,
    kernel: &str,
    allow_missing: bool,
) -> (Option<i32>, BTreeMap<String, String>, String) {
    let mut args = vec!["symversions", "cmd", "--kernel", kernel];
    if allow_missing {
        args.push("--allow-missing");
    }
    let objs: Vec<String> = OBJECTS.iter().map(|m| format!("{m}.o")).collect();
    args.extend(objs.iter().map(String::as_str));
    let o = run(work, &args);
    let map = String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].to_string(), f[2].to_string())
        })
        .collect();
    (o.status.code(), map, stderr(&o))
}

#[test]
fn cmd_crcs_match_modpost() {
    for v in [14, 19] {
        for (dir, kernel) in [("61", "6.1"), ("612", "6.12")] {
            let work = cmd_fixture(v, dir, |m| {
                if m == "noexport" {
                    String::new()
                } else {
                    genksyms_lines(kernel, m)
                }
            });
            let (symvers, _) = modpost(kernel, &work, &OBJECTS);
            let (code, got, err) = modver_cmd_crcs(&work, kernel, false);
            assert_eq!(code, Some(0), "{err}");
            assert!(symvers.len() > 20);
            for s in &symvers {
                assert_eq!(
                    got.get(&s.name),
                    Some(&s.crc),
                    "clang-{v} {kernel} {}",
                    s.name
                );
            }
            assert_eq!(got.len(), symvers.len());
        }
    }
}

#[test]
fn cmd_edge_cases_follow_modpost() {
    // Lines modpost skips, reinterprets or overrides.
    let tricky = |m: &str| -> String {
        if m != "basic" {
            return if m == "noexport" {
                String::new()
            } else {
                genksyms_lines("6.1", m)
            };
        }
        [
            "#SYMVER corpus_widen 017\n",      // octal (strtoul base 0)
            "#SYMVER corpus_next_color 12x\n", // junk after the number: skipped
            "#SYMVER corpus_counter 0x1\n",
            "#SYMVER corpus_counter 0x2\n", // the later line wins
            "#SYMVER corpus_banner 99999999999\n", // truncated to unsigned int
            "#SYMVER corpus_declared_extern x1\n", // not a digit: skipped
            "#SYMVER corpus_uses_helper 0xabc\r\n", // CR before the newline: skipped
            "#SYMVER corpus_noargs 0x00000042\n",
            " #SYMVER corpus_next_color 0x5\n", // not at line start: skipped
            "#SYMVER corpus_add 0x1234",        // no newline after the value
        ]
        .concat()
    };
    for (dir, kernel) in [("61", "6.1"), ("612", "6.12")] {
        let work = cmd_fixture(19, dir, tricky);
        let (symvers, mp_err) = modpost(kernel, &work, &OBJECTS);
        let (code, _, err) = modver_cmd_crcs(&work, kernel, false);
        assert_eq!(code, Some(2), "missing CRCs must fail: {err}");
        let (code, got, warnings) = modver_cmd_crcs(&work, kernel, true);
        assert_eq!(code, Some(0), "{warnings}");
        for s in symvers.iter().filter(|s| s.module == "basic") {
            let failed = mp_err.contains(&format!(
                "EXPORT symbol \"{}\" [basic.ko] version generation failed",
                s.name
            ));
            if failed {
                assert!(
                    err.contains(&format!("no CRC for exported symbol {} of basic.o", s.name)),
                    "{kernel} {}: {err}",
                    s.name
                );
                assert!(!got.contains_key(&s.name));
            } else {
                assert_eq!(got.get(&s.name), Some(&s.crc), "{kernel} {}", s.name);
            }
        }
        assert!(mp_err.contains("\"corpus_add\" [basic.ko] version generation failed"));
        assert!(warnings.contains("warning: no CRC for exported symbol corpus_add of basic.o"));
    }
}

#[test]
fn cmd_bad_inputs() {
    let work = Scratch::new();
    work.copy(
        Corpus::CrcObjects(19).dir().join("61/elf/basic.o"),
        "basic.o",
    );
    // No .cmd file: modpost stops too.
    let o = run(&work, &["symversions", "cmd", "--kernel", "6.1", "basic.o"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(".basic.o.cmd"), "{}", stderr(&o));
    // This layout does not exist before 5.19.
    std::fs::write(work.join(".basic.o.cmd"), genksyms_lines("6.1", "basic")).unwrap();
    let o = run(
        &work,
        &["symversions", "cmd", "--kernel", "5.15", "basic.o"],
    );
    assert_eq!(o.status.code(), Some(2));
}

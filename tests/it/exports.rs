//! `modver exports` against kbuild's own test (`$(NM) $@ | grep -q
//! __ksymtab`, from 6.5 `' __export_symbol_'`) on ELF and bitcode objects
//! built with clang-14/19, and, for ELF, against the export type and
//! namespace the real modpost (6.1, 6.12) writes into Module.symvers.

use crate::fixture::{Corpus, Llvm, Scratch};
use crate::kbuild::{fixdep_cmd, modpost, CRC_OBJECTS as OBJECTS};
use crate::util::modver;
use std::collections::BTreeSet;

fn layouts() -> [(&'static str, &'static str, &'static str); 2] {
    // (directory, --kernel, the marker kbuild greps for)
    [
        ("61", "6.1", "__ksymtab_"),
        ("612", "6.12", "__export_symbol_"),
    ]
}

/// kbuild's view: `llvm-nm OBJ`, names after the marker (defined ones).
fn nm_exports(v: u32, obj: &std::path::Path, marker: &str) -> BTreeSet<String> {
    Llvm(v)
        .nm()
        .arg(obj)
        .stdout()
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace().rev();
            let name = f.next()?;
            let kind = f.next()?;
            (kind != "U").then_some(())?;
            name.strip_prefix(marker).map(str::to_string)
        })
        .collect()
}

#[test]
fn export_names_match_kbuild_grep() {
    for v in [14, 19] {
        let root = Corpus::CrcObjects(v).dir();
        for (dir, kernel, marker) in layouts() {
            for kind in ["elf", "bc"] {
                let d = root.join(dir).join(kind);
                let mut files: Vec<_> = OBJECTS.iter().map(|o| d.join(format!("{o}.o"))).collect();
                files.push(d.join("built-in.a"));
                for f in &files {
                    let want = nm_exports(v, f, marker);
                    let nm = format!("llvm-nm-{v}");
                    let o = modver()
                        .args(["exports", "--nm", &nm, "--kernel", kernel])
                        .arg(f)
                        .run();
                    let what = format!(
                        "clang-{v} {dir}/{kind}/{}",
                        f.file_name().unwrap().to_string_lossy()
                    );
                    let code = if want.is_empty() { 1 } else { 0 };
                    assert_eq!(
                        o.status.code(),
                        Some(code),
                        "{what}: {}",
                        String::from_utf8_lossy(&o.stderr)
                    );
                    let got: BTreeSet<String> = String::from_utf8(o.stdout)
                        .unwrap()
                        .lines()
                        .map(|l| l.split('\t').next().unwrap().to_string())
                        .collect();
                    assert_eq!(got, want, "{what}");
                    // -q: the same status, no output.
                    let q = modver()
                        .args(["exports", "-q", "--nm", &nm, "--kernel", kernel])
                        .arg(f)
                        .run();
                    assert_eq!(q.status.code(), Some(code), "{what} -q");
                    assert!(q.stdout.is_empty());
                }
            }
        }
    }
}

#[test]
fn license_and_namespace_match_modpost() {
    for v in [14, 19] {
        let root = Corpus::CrcObjects(v).dir();
        for (dir, kernel, _) in layouts() {
            let scratch = Scratch::new();
            let work = scratch.path();
            for m in OBJECTS {
                std::fs::copy(
                    root.join(dir).join("elf").join(format!("{m}.o")),
                    work.join(format!("{m}.o")),
                )
                .unwrap();
                std::fs::write(work.join(format!("{m}.mod")), format!("{m}.o\n")).unwrap();
                std::fs::write(
                    work.join(format!(".{m}.o.cmd")),
                    fixdep_cmd(&format!("{m}.o")),
                )
                .unwrap();
            }
            let (symvers, _) = modpost(kernel, work, &OBJECTS);
            assert!(
                symvers.len() > 20,
                "modpost {kernel} found {} exports",
                symvers.len()
            );
            let mut want: Vec<String> = symvers
                .iter()
                .map(|s| format!("{}\t{}\t{}\t{}", s.module, s.name, s.export, s.namespace))
                .collect();
            want.sort();
            let mut got = Vec::new();
            for m in OBJECTS {
                let o = modver()
                    .args(["exports", "--kernel", kernel])
                    .arg(work.join(format!("{m}.o")))
                    .run();
                for l in String::from_utf8(o.stdout).unwrap().lines() {
                    got.push(format!("{m}\t{l}"));
                }
            }
            got.sort();
            assert_eq!(got, want, "clang-{v} layout {dir}");
            // The thin archive of the same ELF objects: the members' lines.
            let a = root.join(dir).join("elf").join("built-in.a");
            let o = modver().args(["exports", "--kernel", kernel]).arg(&a).run();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let mut from_archive: Vec<String> = String::from_utf8(o.stdout)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect();
            from_archive.sort();
            let mut members: Vec<String> = got
                .iter()
                .map(|l| l.split_once('\t').unwrap().1.to_string())
                .collect();
            members.sort();
            assert_eq!(from_archive, members, "clang-{v} layout {dir} built-in.a");
        }
    }
}

#[test]
fn bad_objects_are_errors() {
    let work = Scratch::new();
    let p = work.write("junk.o", b"not an object");
    let o = modver().args(["exports", "--kernel", "6.1"]).arg(&p).run();
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let o = modver()
        .args(["exports", "--kernel", "6.1", "/nonexistent.o"])
        .run();
    assert_eq!(o.status.code(), Some(2));
}

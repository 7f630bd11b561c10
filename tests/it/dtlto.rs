//! 7.2's distributed ThinLTO layout (CONFIG_LTO_CLANG_THIN_DIST), built by
//! testdata/dtlto/build.sh with LLVM 19 and 22 the way 7.2's
//! Makefile.vmlinux_a and Makefile.thinlto build vmlinux: `symbols` against
//! that LLVM's llvm-nm on every file of the layout; `exports` of the native
//! objects against kbuild's `$(NM) | grep __export_symbol_`; `symversions
//! cmd` reading the CRCs genksyms wrote into the bitcode object's `.foo.o.cmd`
//! for the `foo.thinlto-native.o` that `.vmlinux.objs` names, as 7.2's
//! modpost `extract_crcs_for_object` does (and failing as 7.1's would).

use crate::fixture::{Corpus, Llvm};
use crate::util::modver;
use std::collections::BTreeSet;
use std::path::Path;

const VERSIONS: [u32; 2] = [19, 22];

/// The files of the layout: ThinLTO bitcode, the thin link's per-object
/// index files, the native objects, an ELF object left as it is, and the
/// two thin archives.
fn layout_files(dir: &Path) -> Vec<String> {
    let mut files = vec!["built-in-fixup.a".to_string(), "vmlinux.a".to_string()];
    let index = std::fs::read_to_string(dir.join("vmlinux.thinlto-index")).unwrap();
    for o in index.lines() {
        let stem = o.strip_suffix(".o").unwrap();
        files.push(o.to_string());
        files.push(format!("{o}.thinlto.bc"));
        files.push(format!("{stem}.thinlto-native.o"));
    }
    files.push("lib/noexport.o".into());
    files
}

fn objs(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(".vmlinux.objs"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn symbols_of_every_file_match_llvm_nm() {
    for v in VERSIONS {
        let dir = Corpus::Dtlto(v).dir();
        let files = layout_files(dir);
        assert!(files.len() > 10, "{files:?}");
        for f in &files {
            for fmt in ["bsd", "posix"] {
                let flag = if fmt == "posix" { "-P" } else { "-B" };
                let nm = Llvm(v).nm().arg(flag).arg(f).current_dir(dir).ok();
                let got = modver()
                    .args(["symbols", "--format", fmt, f])
                    .current_dir(dir)
                    .ok();
                assert_eq!(got.stdout_str(), nm.stdout_str(), "llvm {v}: {f} ({fmt})");
            }
        }
    }
}

#[test]
fn native_objects_export_what_kbuilds_grep_finds() {
    for v in VERSIONS {
        let dir = Corpus::Dtlto(v).dir();
        for o in objs(dir) {
            let nm = Llvm(v).nm().arg(&o).current_dir(dir).ok().stdout_str();
            let expected: BTreeSet<String> = nm
                .lines()
                .filter_map(|l| l.split(' ').next_back()?.strip_prefix("__export_symbol_"))
                .map(str::to_owned)
                .collect();
            let run = modver()
                .args(["exports", "--kernel", "7.2", &o])
                .current_dir(dir)
                .run();
            let got: BTreeSet<String> = run
                .stdout_str()
                .lines()
                .map(|l| l.split('\t').next().unwrap().to_owned())
                .collect();
            assert_eq!(got, expected, "llvm {v}: {o}");
            // Exit 1 when there are none, as kbuild's grep -q.
            let code = if expected.is_empty() { 1 } else { 0 };
            assert_eq!(run.code(), Some(code), "llvm {v}: {o}");
        }
        // The thin archive of native objects exports what the bitcode one does.
        let names = |a: &str| -> BTreeSet<String> {
            modver()
                .args(["exports", "--kernel", "7.2", a])
                .current_dir(dir)
                .ok()
                .stdout_str()
                .lines()
                .map(|l| l.split('\t').next().unwrap().to_owned())
                .collect()
        };
        let native = names("vmlinux.a");
        assert!(native.len() > 10, "{native:?}");
        assert_eq!(native, names("built-in-fixup.a"), "llvm {v}");
    }
}

#[test]
fn symversions_cmd_reads_the_bitcode_objects_cmd_file() {
    for v in VERSIONS {
        let dir = Corpus::Dtlto(v).dir();
        let objects = objs(dir);
        assert!(objects.iter().any(|o| o.ends_with(".thinlto-native.o")));
        // genksyms' #SYMVER lines, as build.sh appended them to .foo.o.cmd.
        let mut expected = String::new();
        for o in &objects {
            let bitcode = o.replace(".thinlto-native.o", ".o");
            let (d, b) = bitcode.rsplit_once('/').unwrap();
            let cmd = std::fs::read_to_string(dir.join(format!("{d}/.{b}.cmd"))).unwrap();
            for l in cmd.lines().filter_map(|l| l.strip_prefix("#SYMVER ")) {
                let (sym, crc) = l.split_once(' ').unwrap();
                expected.push_str(&format!("{o}\t{sym}\t{crc}\n"));
            }
        }
        assert!(expected.lines().count() > 10, "{expected}");
        let mut args = vec!["symversions", "cmd", "--kernel", "7.2"];
        args.extend(objects.iter().map(String::as_str));
        let got = modver().args(&args).current_dir(dir).ok().stdout_str();
        assert_eq!(got, expected, "llvm {v}");
        // 7.1's modpost looks for .foo.thinlto-native.o.cmd, which is not there.
        args[3] = "7.1";
        let o = modver().args(&args).current_dir(dir).code(2);
        assert!(
            o.stderr_str()
                .contains("kernel/.basic.thinlto-native.o.cmd"),
            "{}",
            o.stderr_str()
        );
    }
}

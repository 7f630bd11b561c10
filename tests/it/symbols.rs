//! `modver symbols` against the real llvm-nm (14 and 19), byte for byte.

use crate::fixture::{Corpus, Llvm, Scratch, LLVM_VERSIONS};
use crate::util::{files_under, first_difference, modver, tool, Rng};
use std::path::{Path, PathBuf};

/// All fixture objects and archives (not the deliberately bad ones).
fn fixture_files(root: &Path) -> Vec<PathBuf> {
    let mut v = files_under(root);
    v.retain(|p| {
        !p.components().any(|c| c.as_os_str() == "junk")
            && matches!(p.extension().and_then(|e| e.to_str()), Some("o" | "a"))
    });
    v
}

fn nm_vs_modver(dir: &Path, v: u32, files: &[&Path], posix: bool) {
    let mut nm = Llvm(v).nm();
    let mut ours = modver();
    ours.arg("symbols").arg("--nm").arg(format!("llvm-nm-{v}"));
    if posix {
        nm.arg("-P");
        ours.args(["--format", "posix"]);
    }
    nm.args(files);
    ours.args(files);
    let theirs = nm.current_dir(dir).run();
    let ours = ours.current_dir(dir).run();
    assert!(theirs.success(), "llvm-nm-{v} failed on {files:?}");
    assert!(
        ours.success(),
        "modver failed on {files:?}: {}",
        ours.stderr_str()
    );
    assert!(!theirs.stdout.is_empty());
    assert!(
        ours.stdout == theirs.stdout,
        "llvm-nm-{v}{} vs modver on {files:?}: {}",
        if posix { " -P" } else { "" },
        first_difference(&theirs.stdout, &ours.stdout)
    );
}

#[test]
fn every_fixture_matches_llvm_nm_default_and_posix() {
    for v in LLVM_VERSIONS {
        let root = Corpus::Symbols(v).dir();
        let files = fixture_files(root);
        assert!(files.len() >= 25, "fixtures missing: {files:?}");
        for f in &files {
            let rel = f.strip_prefix(root).unwrap();
            nm_vs_modver(root, v, &[rel], false);
            nm_vs_modver(root, v, &[rel], true);
        }
    }
}

#[test]
fn many_files_in_one_call_match_llvm_nm() {
    for v in LLVM_VERSIONS {
        let root = Corpus::Symbols(v).dir();
        let files = fixture_files(root);
        let rel: Vec<&Path> = files
            .iter()
            .map(|f| f.strip_prefix(root).unwrap())
            .collect();
        nm_vs_modver(root, v, &rel, false);
        nm_vs_modver(root, v, &rel, true);
        // Absolute paths too: the labels are the paths as given.
        let abs: Vec<&Path> = files.iter().map(|f| f.as_path()).collect();
        nm_vs_modver(root, v, &abs[..5], false);
    }
}

#[test]
fn json_has_one_record_per_symbol() {
    let root = Corpus::Symbols(14).dir();
    let o = modver()
        .current_dir(root)
        .args(["symbols", "--format", "json", "mixed.a", "elf/demo_main.o"])
        .run();
    assert!(o.success());
    let posix = modver()
        .current_dir(root)
        .args(["symbols", "-f", "posix", "mixed.a", "elf/demo_main.o"])
        .run();
    let symbol_lines = posix
        .stdout_str()
        .lines()
        .filter(|l| l.contains(' '))
        .count();
    let records: Vec<serde_json::Value> = o
        .stdout_str()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), symbol_lines);
    let bc = records
        .iter()
        .find(|r| r["name"] == "demo_alloc" && r["type"] == "T")
        .expect("demo_alloc defined in the bitcode member");
    assert_eq!(bc["format"], "bitcode");
    assert_eq!(bc["member"], "demo_main.o");
    assert!(bc.get("address").is_none());
    let elf = records
        .iter()
        .find(|r| r["file"] == "elf/demo_main.o" && r["name"] == "demo_alloc")
        .unwrap();
    assert_eq!(elf["format"], "elf");
    assert!(elf["size"].as_u64().unwrap() > 0);
}

#[test]
fn bad_inputs_name_the_file_and_exit_2() {
    let root = Corpus::Symbols(14).dir();
    let cases = [
        ("junk/nonexistent.o", "No such file"),
        ("junk/text.o", "not an object file"),
        ("junk/empty.o", "not an object file"),
        ("junk/truncated-elf.o", "section header table"),
        ("junk/truncated-bc.o", "truncated-bc.o"),
        ("junk/missing-member.a", "missing-member.a(member.o)"),
    ];
    for (file, expect) in cases {
        let o = modver().current_dir(root).args(["symbols", file]).run();
        let err = o.stderr_str();
        assert_eq!(o.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains(file.rsplit('/').next().unwrap()),
            "{file}: {err}"
        );
        assert!(err.contains(expect), "{file}: {err}");
        assert!(!err.contains("panicked"), "{file}: {err}");
    }
    // One bad file among good ones: the good ones are still listed.
    let o = modver()
        .current_dir(root)
        .args(["symbols", "junk/text.o", "elf/demo_util.o"])
        .run();
    assert_eq!(o.code(), Some(2));
    assert!(o.stdout_str().contains("demo_util_scale"));
}

#[test]
fn every_truncation_of_elf_and_archives_is_an_error_not_a_panic() {
    let root = Corpus::Symbols(14).dir();
    let opts = modver::symbols::ReadOptions::default();
    let dir = Scratch::new();
    for src in [
        "elf/demo_util.o",
        "elf32/demo_main.o",
        "elf/demo.a",
        "elf/demo-thin.a",
    ] {
        let data = std::fs::read(root.join(src)).unwrap();
        let full = modver::symbols::read_file(&root.join(src), &opts);
        assert!(full.is_ok(), "{src}: {:?}", full.err());
        // Thin archives resolve members relative to their directory: the
        // members go next to the cut archives, in this test's own dir.
        if src.ends_with("-thin.a") {
            for m in ["demo_main.o", "demo_util.o", "demo_data.o"] {
                dir.copy(root.join("elf").join(m), m);
            }
        }
        let step = (data.len() / 400).max(1);
        for len in (0..data.len()).step_by(step) {
            let p = dir.write(format!("cut-{len}"), &data[..len]);
            let r = modver::symbols::read_file(&p, &opts);
            if let Ok(fs) = &r {
                // A cut archive may still be well-formed up to a member
                // boundary; then it lists fewer members, never garbage.
                assert!(fs.tables.len() <= 3, "{src} cut at {len}");
            }
        }
    }
}

#[test]
fn llvm_nm_is_found_as_kbuild_would_and_missing_is_explained() {
    let root = Corpus::Symbols(19).dir();
    // LLVM=-19 selects llvm-nm-19 (as kbuild's LLVM=-19 does).
    let theirs = Llvm(19)
        .nm()
        .current_dir(root)
        .arg("thin/demo_main.o")
        .run();
    let ours = modver()
        .current_dir(root)
        .env_remove("NM")
        .env("LLVM", "-19")
        // Force llvm-nm: the native reader would serve this bitcode.
        .args(["symbols", "--backend", "llvm-nm", "thin/demo_main.o"])
        .run();
    assert!(ours.success());
    assert_eq!(ours.stdout, theirs.stdout);
    // LLVM=/usr/lib/llvm-19/bin/ selects that directory's llvm-nm.
    let ours = modver()
        .current_dir(root)
        .env_remove("NM")
        .env("LLVM", "/usr/lib/llvm-19/bin/")
        .env("PATH", "/nonexistent")
        // Force llvm-nm: the native reader would serve this bitcode.
        .args(["symbols", "--backend", "llvm-nm", "thin/demo_main.o"])
        .run();
    assert!(ours.success(), "{}", ours.stderr_str());
    // Nothing to be found: the error says what was tried; ELF needs no llvm-nm.
    let o = modver()
        .current_dir(root)
        .env_remove("NM")
        .env("LLVM", "/nonexistent/")
        .env("PATH", "/nonexistent")
        // Force llvm-nm: the native reader would serve this bitcode.
        .args([
            "symbols",
            "--backend",
            "llvm-nm",
            "thin/demo_main.o",
            "elf/demo_main.o",
        ])
        .run();
    let err = o.stderr_str();
    assert_eq!(o.code(), Some(2));
    assert!(
        err.contains("$LLVM -> /nonexistent/llvm-nm") && err.contains("llvm-nm on PATH"),
        "{err}"
    );
    assert!(o.stdout_str().contains("demo_alloc"));
}

/// The fuzz targets' property on stable Rust, over deterministic mutations
/// of real fixtures (cargo-fuzz explores further; see fuzz/).
#[test]
fn mutated_objects_and_nm_output_never_panic() {
    let root = Corpus::Symbols(14).dir();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0;
    for src in [
        "elf/demo_util.o",
        "elf32/demo_data.o",
        "elf/demo.a",
        "mixed.a",
        "demo.lto.o",
    ] {
        let orig = std::fs::read(root.join(src)).unwrap();
        for _ in 0..3000 {
            let d = rng.mutate(&orig, 8, None);
            if let Ok(fs) = modver::symbols::parse_bytes(&d, src, Path::new("/nonexistent")) {
                parsed += 1;
                let _ = modver::symbols::render(&[fs], modver::symbols::NmFormat::Posix, false);
            }
        }
    }
    assert!(
        parsed > 0,
        "no mutant parsed at all: the mutation is too coarse"
    );
    let out = tool("llvm-nm-14")
        .args(["thin/demo_main.o", "thin/demo_util.o"])
        .current_dir(root)
        .run()
        .stdout_str();
    let files = [Path::new("thin/demo_main.o"), Path::new("thin/demo_util.o")];
    assert!(modver::symbols::llvm_nm::split_output(&out, &files).is_some());
    let bytes = out.as_bytes();
    for _ in 0..20000 {
        let d = rng.mutate(bytes, 1, Some(b" -\nUTa:"));
        if let Ok(s) = std::str::from_utf8(&d) {
            let _ = modver::symbols::llvm_nm::split_output(s, &files);
        }
    }
}

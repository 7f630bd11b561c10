//! `modver symbols` against the real llvm-nm (14 and 19), byte for byte.

mod common;
use common::*;
use std::path::Path;

fn nm_vs_modver(dir: &Path, v: u32, files: &[&Path], posix: bool) {
    let mut nm = std::process::Command::new(format!("llvm-nm-{v}"));
    let mut ours = modver();
    ours.arg("symbols").arg("--nm").arg(format!("llvm-nm-{v}"));
    if posix {
        nm.arg("-P");
        ours.args(["--format", "posix"]);
    }
    nm.args(files);
    ours.args(files);
    let theirs = run_in(dir, &mut nm);
    let ours = run_in(dir, &mut ours);
    assert!(theirs.status.success(), "llvm-nm-{v} failed on {files:?}");
    assert!(
        ours.status.success(),
        "modver failed on {files:?}: {}",
        String::from_utf8_lossy(&ours.stderr)
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
        let root = symbol_fixtures(v);
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
        let root = symbol_fixtures(v);
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
    let root = symbol_fixtures(14);
    let o = run_in(
        root,
        modver().args(["symbols", "--format", "json", "mixed.a", "elf/demo_main.o"]),
    );
    assert!(o.status.success());
    let posix = run_in(
        root,
        modver().args(["symbols", "-f", "posix", "mixed.a", "elf/demo_main.o"]),
    );
    let symbol_lines = String::from_utf8(posix.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.contains(' '))
        .count();
    let records: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
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
    let root = symbol_fixtures(14);
    let cases = [
        ("junk/nonexistent.o", "No such file"),
        ("junk/text.o", "not an object file"),
        ("junk/empty.o", "not an object file"),
        ("junk/truncated-elf.o", "section header table"),
        ("junk/truncated-bc.o", "truncated-bc.o"),
        ("junk/missing-member.a", "missing-member.a(member.o)"),
    ];
    for (file, expect) in cases {
        let o = run_in(root, modver().args(["symbols", file]));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains(file.rsplit('/').next().unwrap()),
            "{file}: {err}"
        );
        assert!(err.contains(expect), "{file}: {err}");
        assert!(!err.contains("panicked"), "{file}: {err}");
    }
    // One bad file among good ones: the good ones are still listed.
    let o = run_in(
        root,
        modver().args(["symbols", "junk/text.o", "elf/demo_util.o"]),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stdout).contains("demo_util_scale"));
}

#[test]
fn every_truncation_of_elf_and_archives_is_an_error_not_a_panic() {
    let root = symbol_fixtures(14);
    let opts = modver::symbols::ReadOptions::default();
    let dir = tempfile::tempdir().unwrap();
    for src in [
        "elf/demo_util.o",
        "elf32/demo_main.o",
        "elf/demo.a",
        "elf/demo-thin.a",
    ] {
        let data = std::fs::read(root.join(src)).unwrap();
        let full = modver::symbols::read_file(&root.join(src), &opts);
        assert!(full.is_ok(), "{src}: {:?}", full.err());
        let step = (data.len() / 400).max(1);
        for len in (0..data.len()).step_by(step) {
            let p = dir.path().join(format!("cut-{len}"));
            // Thin archives resolve members relative to their directory.
            let p = if src.ends_with("-thin.a") {
                root.join(src).with_file_name(format!("cut-{len}.a"))
            } else {
                p
            };
            std::fs::write(&p, &data[..len]).unwrap();
            let r = modver::symbols::read_file(&p, &opts);
            if let Ok(fs) = &r {
                // A cut archive may still be well-formed up to a member
                // boundary; then it lists fewer members, never garbage.
                assert!(fs.tables.len() <= 3, "{src} cut at {len}");
            }
            if src.ends_with("-thin.a") {
                std::fs::remove_file(&p).unwrap();
            }
        }
    }
}

#[test]
fn llvm_nm_is_found_as_kbuild_would_and_missing_is_explained() {
    let root = symbol_fixtures(19);
    // LLVM=-19 selects llvm-nm-19 (as kbuild's LLVM=-19 does).
    let theirs = run_in(
        root,
        std::process::Command::new("llvm-nm-19").arg("thin/demo_main.o"),
    );
    let ours = run_in(
        root,
        modver()
            .env_remove("NM")
            .env("LLVM", "-19")
            // Force llvm-nm: the native reader would serve this bitcode.
            .args(["symbols", "--backend", "llvm-nm", "thin/demo_main.o"]),
    );
    assert!(ours.status.success());
    assert_eq!(ours.stdout, theirs.stdout);
    // LLVM=/usr/lib/llvm-19/bin/ selects that directory's llvm-nm.
    let ours = run_in(
        root,
        modver()
            .env_remove("NM")
            .env("LLVM", "/usr/lib/llvm-19/bin/")
            .env("PATH", "/nonexistent")
            // Force llvm-nm: the native reader would serve this bitcode.
            .args(["symbols", "--backend", "llvm-nm", "thin/demo_main.o"]),
    );
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    // Nothing to be found: the error says what was tried; ELF needs no llvm-nm.
    let o = run_in(
        root,
        modver()
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
            ]),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("$LLVM -> /nonexistent/llvm-nm") && err.contains("llvm-nm on PATH"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("demo_alloc"));
}

/// The fuzz targets' property on stable Rust, over deterministic mutations
/// of real fixtures (cargo-fuzz explores further; see fuzz/).
#[test]
fn mutated_objects_and_nm_output_never_panic() {
    let root = symbol_fixtures(14);
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
    let nm = std::process::Command::new("llvm-nm-14")
        .args(["thin/demo_main.o", "thin/demo_util.o"])
        .current_dir(root)
        .output()
        .unwrap();
    let out = String::from_utf8(nm.stdout).unwrap();
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

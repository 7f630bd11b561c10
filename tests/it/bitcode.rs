//! The native bitcode symbol table reader against each LLVM version's own
//! llvm-nm, its fallback to llvm-nm, and its behaviour on damaged bitcode.
//!
//! Needs clang/llvm 13, 14, 15, 16, 19 and 22: `scripts/setup.sh base llvm-all`.

use crate::fixture::{testdata, Corpus, Llvm, Scratch};
use crate::util::{modver, Rng, TestCommand};
use modver::bitcode::{self, irsymtab};
use modver::symbols::native::bitcode_table;
use std::path::Path;

/// Every LLVM version whose bitcode and llvm-nm are compared.
const VERSIONS: [u32; 6] = [13, 14, 15, 16, 19, 22];

/// The corpus of testdata/bitcode built with clang-`v` (once per process).
fn corpus(v: u32) -> &'static Path {
    Corpus::Bitcode(v).dir()
}

/// Objects and archives of a corpus, sorted (relative names).
fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".o") || n.ends_with(".a"))
        .collect();
    v.sort();
    v
}

fn stdout_of(dir: &Path, cmd: &mut TestCommand) -> (bool, String, String) {
    let out = cmd.current_dir(dir).run();
    (out.success(), out.stdout_str(), out.stderr_str())
}

/// Checks one invocation, native vs that version's llvm-nm, both formats.
fn assert_same(v: u32, dir: &Path, args: &[String]) {
    for (nm_flag, fmt) in [(None, "bsd"), (Some("-P"), "posix")] {
        let mut nm = Llvm(v).nm();
        nm.args(nm_flag).args(args);
        let (nm_ok, expected, nm_err) = stdout_of(dir, &mut nm);
        assert!(nm_ok, "llvm-nm-{v} {args:?} failed: {nm_err}");
        let mut mv = modver();
        mv.args(["symbols", "--backend", "native", "-f", fmt])
            .args(args);
        let (ok, got, err) = stdout_of(dir, &mut mv);
        assert!(
            ok,
            "modver --backend native {args:?} (clang-{v}) failed: {err}"
        );
        assert_eq!(
            got, expected,
            "clang-{v} bitcode, {fmt}: modver --backend native {args:?} differs from llvm-nm-{v}"
        );
    }
}

#[test]
fn native_equals_each_versions_llvm_nm() {
    for v in VERSIONS {
        let dir = corpus(v);
        let all = files(dir);
        assert!(
            all.len() >= 38,
            "corpus for clang-{v} is incomplete: {all:?}"
        );
        // Every file alone (no "file:" labels) ...
        for f in &all {
            assert_same(v, dir, std::slice::from_ref(f));
        }
        // ... and all in one invocation, as kbuild-scale callers use it.
        assert_same(v, dir, &all);
        // Which irsymtab each version writes (for the record).
        let data = std::fs::read(dir.join("x86_64-linux-gnu-thin-symbols.o")).unwrap();
        let c = bitcode::read_contents(&data).unwrap();
        let (ver, producer) =
            irsymtab::version_and_producer(c.symtab.unwrap(), c.strtab_for_symtab.unwrap())
                .unwrap();
        eprintln!(
            "clang-{v}: irsymtab version {ver}, producer {}, {} files compared",
            String::from_utf8_lossy(producer),
            all.len()
        );
        assert!(irsymtab::SUPPORTED_VERSIONS.contains(&ver));
    }
}

#[test]
fn auto_uses_native_without_llvm_nm() {
    // With no llvm-nm reachable at all, auto still serves trustworthy files.
    let dir = corpus(19);
    let (ok, got, err) = stdout_of(
        dir,
        modver()
            .args([
                "symbols",
                "-v",
                "x86_64-linux-gnu-thin-exports.o",
                "all.a",
                "thin.a",
            ])
            .env("PATH", "/nonexistent")
            .env_remove("NM")
            .env_remove("LLVM"),
    );
    assert!(ok, "{err}");
    assert!(!err.contains("using llvm-nm"), "{err}");
    let (_, expected, _) = stdout_of(
        dir,
        Llvm(19)
            .nm()
            .args(["x86_64-linux-gnu-thin-exports.o", "all.a", "thin.a"]),
    );
    assert_eq!(got, expected);
}

/// Byte offset of the symtab blob in a bitcode file.
fn symtab_offset(data: &[u8]) -> usize {
    let c = bitcode::read_contents(data).unwrap();
    c.symtab.unwrap().as_ptr() as usize - data.as_ptr() as usize
}

#[test]
fn falls_back_where_the_irsymtab_cannot_be_used() {
    let src = corpus(19);
    let tmp = Scratch::new();
    let dir = tmp.path();
    // 1. No irsymtab: a module without a datalayout gets none.
    tmp.write(
        "nodl.ll",
        b"define i32 @f() {\n  ret i32 0\n}\n@g = global i32 1\ndeclare void @u()\n",
    );
    tmp.cmd(Llvm(19).llvm_as())
        .args(["nodl.ll", "-o", "nodl.o"])
        .ok();
    // 2. A Darwin target (llvm-nm prints 's' for constants there).
    tmp.cmd(Llvm(19).clang())
        .args(["-c", "-flto=thin", "--target=x86_64-apple-macos11", "-o"])
        .arg(dir.join("darwin.o"))
        .arg(testdata("bitcode/common.c"))
        .ok();
    // 3. An irsymtab version modver does not know.
    let mut data = std::fs::read(src.join("x86_64-linux-gnu-thin-symbols.o")).unwrap();
    let at = symtab_offset(&data);
    data[at..at + 4].copy_from_slice(&99u32.to_le_bytes());
    tmp.write("v99.o", &data);
    // 4. A table covering two modules in a one-module file.
    let mut data = std::fs::read(src.join("x86_64-linux-gnu-thin-symbols.o")).unwrap();
    let at = symtab_offset(&data);
    let modules = u32::from_le_bytes(data[at + 12..at + 16].try_into().unwrap()) as usize;
    data[at + 16..at + 20].copy_from_slice(&0u32.to_le_bytes());
    let _ = modules;
    tmp.write("nomodules.o", &data);

    for (name, reason) in [
        ("nodl.o", "no irsymtab"),
        ("darwin.o", "Darwin"),
        ("v99.o", "irsymtab version 99"),
        ("nomodules.o", "covers 0 modules"),
    ] {
        let (ok, out, err) =
            stdout_of(dir, modver().args(["symbols", "--backend", "native", name]));
        assert!(!ok && out.is_empty(), "{name}: native should refuse: {out}");
        assert!(err.contains(reason), "{name}: {err}");
        let (ok, got, err) = stdout_of(
            dir,
            modver().args(["symbols", "-v", "--nm", "llvm-nm-19", name]),
        );
        assert!(ok, "{name}: auto failed: {err}");
        assert!(
            err.contains(&format!("{name}: using llvm-nm: ")) && err.contains(reason),
            "{name}: {err}"
        );
        let (_, expected, _) = stdout_of(dir, Llvm(19).nm().arg(name));
        assert_eq!(got, expected, "{name}: auto output differs from llvm-nm-19");
    }
    // llvm-nm rebuilds its table from IR: the damaged irsymtab above did
    // not change what it prints.
    let (_, a, _) = stdout_of(dir, Llvm(19).nm().arg("v99.o"));
    let (_, b, _) = stdout_of(src, Llvm(19).nm().arg("x86_64-linux-gnu-thin-symbols.o"));
    assert_eq!(a, b);
}

/// Runs the whole native path (bitstream, irsymtab, nm mapping) on damaged
/// input; it must return, with a table or an error, never panic.
fn survive(data: &[u8]) -> bool {
    bitcode_table(data, None).is_ok()
}

#[test]
fn damaged_bitcode_is_an_error_never_a_panic() {
    let mut inputs = Vec::new();
    for v in [13, 19, 22] {
        let dir = corpus(v);
        for f in [
            "x86_64-linux-gnu-thin-exports.o",
            "i386-linux-gnu-full-symbols.o",
            "aarch64-linux-gnu-thin-longnames.o",
        ] {
            inputs.push(std::fs::read(dir.join(f)).unwrap());
        }
    }
    let mut rng = Rng(0x5eed);
    let mut runs = 0u64;
    let mut accepted = 0u64;
    for orig in &inputs {
        assert!(survive(orig));
        // Truncation at every 32-bit boundary (every block boundary and
        // every length word among them) and at odd lengths near the end.
        for len in (0..orig.len())
            .step_by(4)
            .chain(orig.len().saturating_sub(9)..orig.len())
        {
            accepted += survive(&orig[..len]) as u64;
            runs += 1;
        }
        // Every 32-bit word (block length words, abbreviation definitions,
        // irsymtab offsets and counts) replaced by hostile values.
        for at in (0..orig.len().saturating_sub(3)).step_by(4) {
            let w = u32::from_le_bytes(orig[at..at + 4].try_into().unwrap());
            for val in [
                0,
                1,
                u32::MAX,
                0x7fff_ffff,
                0x8000_0000,
                w.wrapping_add(1),
                w.wrapping_sub(1),
                w ^ 0xff,
            ] {
                let mut d = orig.clone();
                d[at..at + 4].copy_from_slice(&val.to_le_bytes());
                accepted += survive(&d) as u64;
                runs += 1;
            }
        }
        // Inside the irsymtab, every byte offset (unaligned fields too).
        let st = symtab_offset(orig);
        let end = (st + irsymtab::HEADER_SIZE + 24 * 8).min(orig.len() - 4);
        for at in st..end {
            for val in [u32::MAX, 0x00ff_ffff, orig.len() as u32] {
                let mut d = orig.clone();
                d[at..at + 4].copy_from_slice(&val.to_le_bytes());
                accepted += survive(&d) as u64;
                runs += 1;
            }
        }
        // Random bit flips, byte stores and splices.
        for _ in 0..4000 {
            let mut d = orig.clone();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(d.len());
                match rng.below(3) {
                    0 => d[i] ^= 1 << rng.below(8),
                    1 => d[i] = rng.next() as u8,
                    _ => {
                        let j = rng.below(d.len());
                        let n = rng.below(64).min(d.len() - i.max(j));
                        d.copy_within(j..j + n, i);
                    }
                }
            }
            accepted += survive(&d) as u64;
            runs += 1;
        }
    }
    eprintln!("damaged bitcode: {runs} runs, {accepted} still accepted, no panic");
    assert!(runs > 50_000);
}

#[test]
fn truncated_and_lying_files_through_the_cli() {
    let dir = corpus(19);
    let data = std::fs::read(dir.join("x86_64-linux-gnu-thin-symbols.o")).unwrap();
    let tmp = Scratch::new();
    tmp.write("cut.o", &data[..data.len() - 8]);
    let (ok, out, err) = stdout_of(
        tmp.path(),
        modver().args(["symbols", "--backend", "native", "cut.o"]),
    );
    assert!(!ok && out.is_empty());
    assert!(
        err.starts_with("modver: cut.o: ") && err.contains("offset"),
        "{err}"
    );
    // A strtab offset past the end of the string table.
    let mut d = data.clone();
    let st = symtab_offset(&d);
    let sym0 = st + u32::from_le_bytes(d[st + 28..st + 32].try_into().unwrap()) as usize;
    d[sym0..sym0 + 4].copy_from_slice(&0x00ff_0000u32.to_le_bytes());
    tmp.write("strtab.o", &d);
    let (ok, _, err) = stdout_of(
        tmp.path(),
        modver().args(["symbols", "--backend", "native", "strtab.o"]),
    );
    assert!(
        !ok && err.contains("past the end of the string table"),
        "{err}"
    );
}

#[test]
fn thread_count_does_not_change_output() {
    let dir = corpus(22);
    let all = files(dir);
    let run = |threads: &str| {
        let (ok, out, err) = stdout_of(
            dir,
            modver()
                .args(["symbols", "--backend", "native"])
                .args(&all)
                .env("MODVER_THREADS", threads),
        );
        assert!(ok, "{err}");
        out
    };
    let one = run("1");
    assert_eq!(one, run("3"));
    assert_eq!(one, run("16"));
}

#[test]
fn archives_sharing_members_and_elf_members() {
    // Thin archives in different directories naming the same objects (as
    // kbuild's nested built-in.a do: read once, listed under each archive
    // with its own member name), and a regular archive of ELF objects
    // (unaligned member data) next to bitcode.
    let llvm = Llvm(19);
    let src = corpus(19);
    let tmp = Scratch::new();
    let dir = tmp.path();
    let objs = [
        "x86_64-linux-gnu-thin-symbols.o",
        "x86_64-linux-gnu-full-exports.o",
    ];
    for o in objs {
        tmp.copy(src.join(o), Path::new("sub").join(o));
    }
    let cc = |out: &str, c: &str| {
        let c = testdata("bitcode").join(c);
        tmp.clang(llvm, &["-c", "-O2", "-o", out, c.to_str().unwrap()]);
    };
    cc("sub/elf1.o", "common.c");
    cc("sub/elf2.o", "longnames.c");
    let ar = |args: &[&str]| tmp.ar(llvm, args);
    ar(&[
        "rcT",
        "sub/inner.a",
        "sub/x86_64-linux-gnu-thin-symbols.o",
        "sub/x86_64-linux-gnu-full-exports.o",
        "sub/elf1.o",
    ]);
    ar(&[
        "rcT",
        "outer.a",
        "sub/x86_64-linux-gnu-thin-symbols.o",
        "sub/elf1.o",
        "sub/x86_64-linux-gnu-full-exports.o",
    ]);
    ar(&[
        "rc",
        "regular.a",
        "sub/elf1.o",
        "sub/elf2.o",
        "sub/x86_64-linux-gnu-thin-symbols.o",
    ]);
    let args: Vec<String> = [
        "outer.a",
        "sub/inner.a",
        "regular.a",
        "sub/elf2.o",
        "outer.a",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_same(19, dir, &args);
}

//! `modver dwarfksyms` against the real gendwarfksyms: the golden outputs
//! under testdata/dwarfksyms/golden/ (recorded by
//! testdata/dwarfksyms/build.sh with gendwarfksyms 7.1), and the real binary
//! itself when `$GENDWARFKSYMS` names one.

use crate::util::modver;
use crate::util::{Run as Output, TestCommand};
use std::path::{Path, PathBuf};

/// The flag sets of build.sh (`-T` stands for `-T FILE`).
const FLAGSETS: [(&str, &str); 8] = [
    ("default", "-T"),
    ("stable", "-s -T"),
    ("dies", "--dump-dies"),
    ("dies-stable", "-s --dump-dies"),
    ("versions", "--dump-versions"),
    ("versions-stable", "-s --dump-versions"),
    ("types", "--dump-types -T"),
    ("debug", "-d -s -T"),
];

/// Sets whose stderr order depends on gendwarfksyms' memory addresses
/// (its DIE map walk): compared as sorted lines.
const UNORDERED: [&str; 2] = ["types", "debug"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/dwarfksyms")
}

fn configs() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("golden"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    assert!(v.len() >= 7, "golden configs missing: {v:?}");
    v
}

struct Outcome {
    out: Output,
    symtypes: Option<Vec<u8>>,
}

fn run(
    cmd: &mut TestCommand,
    dir: &Path,
    flags: &str,
    list: &Path,
    inputs: &[&str],
    tag: &str,
) -> Outcome {
    let st = std::env::temp_dir().join(format!(
        "modver-dwarfksyms-{}-{tag}.symtypes",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&st);
    for f in flags.split_whitespace() {
        if f == "-T" {
            cmd.arg("-T").arg(&st);
        } else {
            cmd.arg(f);
        }
    }
    cmd.args(inputs)
        .current_dir(dir)
        .stdin(std::fs::read(dir.join(list)).unwrap());
    let out = cmd.run();
    let symtypes = std::fs::read(&st).ok();
    let _ = std::fs::remove_file(&st);
    Outcome { out, symtypes }
}

fn sorted(b: &[u8]) -> Vec<&[u8]> {
    let mut v: Vec<&[u8]> = b.split(|&c| c == b'\n').collect();
    v.sort();
    v
}

fn modver_run(dir: &Path, flags: &str, list: &Path, inputs: &[&str], tag: &str) -> Outcome {
    let mut c = modver();
    c.arg("dwarfksyms");
    run(&mut c, dir, flags, list, inputs, tag)
}

/// [`compare`] against another tool's [`Outcome`] on the same input.
fn compare_outcomes(what: &str, set: &str, got: &Outcome, want: &Outcome) -> Vec<String> {
    compare(
        what,
        set,
        got,
        &want.out.stdout,
        Some(&want.out.stderr),
        want.symtypes.as_deref(),
        want.out.status.code().unwrap_or(-1),
    )
}

/// Compares a modver run with the expected outputs; returns mismatches.
fn compare(
    what: &str,
    set: &str,
    got: &Outcome,
    stdout: &[u8],
    stderr: Option<&[u8]>,
    symtypes: Option<&[u8]>,
    rc: i32,
) -> Vec<String> {
    let mut bad = Vec::new();
    if got.out.stdout != stdout {
        bad.push(format!("{what} [{set}]: stdout differs"));
    }
    if got.out.status.code() != Some(rc) {
        bad.push(format!(
            "{what} [{set}]: exit {:?}, expected {rc}: {}",
            got.out.status.code(),
            String::from_utf8_lossy(&got.out.stderr)
        ));
    }
    if let Some(e) = stderr {
        let same = if UNORDERED.contains(&set) {
            sorted(&got.out.stderr) == sorted(e)
        } else {
            got.out.stderr == e
        };
        if !same {
            bad.push(format!("{what} [{set}]: stderr differs"));
        }
    }
    if symtypes != got.symtypes.as_deref() {
        bad.push(format!("{what} [{set}]: symtypes differs"));
    }
    bad
}

fn golden(config: &str, stem: &str, set: &str, ext: &str) -> Option<Vec<u8>> {
    golden_in(&root(), config, stem, set, ext)
}

fn golden_in(root: &Path, config: &str, stem: &str, set: &str, ext: &str) -> Option<Vec<u8>> {
    std::fs::read(
        root.join("golden")
            .join(config)
            .join(format!("{stem}.{set}.{ext}")),
    )
    .ok()
}

/// The golden stdout, stderr, symtypes and exit status of one run.
struct Golden {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    symtypes: Option<Vec<u8>>,
    rc: i32,
}

fn golden_run(root: &Path, config: &str, stem: &str, set: &str) -> Option<Golden> {
    let g = |ext| golden_in(root, config, stem, set, ext);
    Some(Golden {
        stdout: g("stdout")?,
        stderr: g("stderr").unwrap(),
        symtypes: g("symtypes"),
        rc: String::from_utf8(g("rc").unwrap())
            .unwrap()
            .trim()
            .parse()
            .unwrap(),
    })
}

/// Compares modver on `dir/kmod.o` (the Rust fixture) with a golden run.
fn compare_rust(dir: &Path, config: &str, what: &str) -> (usize, Vec<String>) {
    let root = rust_root();
    let (mut checked, mut bad) = (0, Vec::new());
    for (set, flags) in FLAGSETS {
        let Some(mut want) = golden_run(&root, config, "kmod", set) else {
            continue;
        };
        // The tests of this file run in parallel in one process: each its
        // own symtypes file.
        let tag = format!("rust-{what}-{config}-{set}");
        let mut got = modver_run(dir, flags, Path::new("kmod.syms"), &["kmod.o"], &tag);
        if config.contains("lto") && set == "debug" {
            // gendwarfksyms ran on kmod.codegen.o, whose symbols have the
            // section addresses codegen gave them (set_symbol_addr); and
            // the die_map_free statistics (DIE_FQN entries, misses) of the
            // DWARF that LLVM emits for rustc's metadata count DIEs the
            // native lowering does not make: the versions and every dump
            // agree, these lines do not (see testdata/rust/README.md).
            let keep = |t: &[u8]| -> Vec<u8> {
                String::from_utf8_lossy(t)
                    .replace("kmod.codegen.o", "kmod.o")
                    .lines()
                    .filter(|l| !l.contains("die_map_free: ") && !l.contains("set_symbol_addr: "))
                    .flat_map(|l| [l, "\n"])
                    .collect::<String>()
                    .into_bytes()
            };
            want.stderr = keep(&want.stderr);
            got.out.stderr = keep(&got.out.stderr);
        }
        bad.extend(compare(
            &format!("{what}/{config}"),
            set,
            &got,
            &want.stdout,
            Some(&want.stderr),
            want.symtypes.as_deref(),
            want.rc,
        ));
        checked += 1;
    }
    (checked, bad)
}

fn rust_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rust")
}

const RUST_CONFIGS: [&str; 3] = ["rustc-dwarf5", "rustc-dwarf4", "rustc-lto-dwarf5"];

/// The Rust fixture as kbuild compiles Rust (v0-mangled names, Rust DWARF:
/// namespaces, variant parts, template parameters), built by
/// testdata/rust/build.sh: modver on the ELF objects equals the real
/// gendwarfksyms' golden outputs, and on the bitcode one
/// (-Clinker-plugin-lto) equals gendwarfksyms on that bitcode compiled
/// back to ELF.
#[test]
fn rust_fixture_golden_outputs_match() {
    let (mut checked, mut bad) = (0, Vec::new());
    for config in RUST_CONFIGS {
        let (n, b) = compare_rust(&rust_root().join("obj").join(config), config, "obj");
        checked += n;
        bad.extend(b);
    }
    assert_eq!(checked, 3 * FLAGSETS.len());
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// testdata/rust/build.sh with the rustc on this machine (Debian's
/// rustc-web, /usr/bin/rustc, or $RUSTC): the fresh objects are versioned
/// as the golden files say when this is the rustc that recorded them (the
/// crate hash in every v0 name depends on it); with any rustc, the
/// bitcode's versions (native metadata reader) equal those of its codegen
/// to ELF and those of the ELF build; with `$GENDWARFKSYMS`, the real
/// binary on the fresh ELF objects agrees.
#[test]
fn rust_fixture_fresh_build() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "/usr/bin/rustc".into());
    if !Path::new(&rustc).exists() {
        eprintln!("skipped: no {rustc} (Debian's rustc-web: scripts/setup.sh rust)");
        return;
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rust-fixture");
    let _ = std::fs::remove_dir_all(&out);
    let st = crate::util::tool(rust_root().join("build.sh"))
        .arg("--out")
        .arg(&out)
        .env("RUSTC", &rustc)
        .run();
    assert!(st.success(), "build.sh: {}", st.stderr_str());
    let version = std::fs::read(out.join("rustc-version.txt")).unwrap();
    let mut bad = Vec::new();
    if version == std::fs::read(rust_root().join("obj/rustc-version.txt")).unwrap() {
        for config in RUST_CONFIGS {
            bad.extend(compare_rust(&out.join(config), config, "fresh").1);
        }
    } else {
        eprintln!(
            "{rustc} is not the rustc of the golden files: self-consistency only\n{}",
            String::from_utf8_lossy(&version)
        );
    }
    let lto = out.join("rustc-lto-dwarf5");
    let versions = |dir: &Path, obj: &str, backend: &str| {
        let o = modver()
            .args(["dwarfksyms", "--backend", backend, obj])
            .current_dir(dir)
            .stdin(std::fs::read(dir.join("kmod.syms")).unwrap())
            .run();
        assert!(o.success(), "{obj}: {}", o.stderr_str());
        o.stdout
    };
    let native = versions(&lto, "kmod.o", "native");
    assert!(native.starts_with(b"#SYMVER "));
    assert_eq!(
        native,
        versions(&lto, "kmod.codegen.o", "native"),
        "bitcode vs codegen"
    );
    assert_eq!(
        native,
        versions(&out.join("rustc-dwarf5"), "kmod.o", "native"),
        "-Clinker-plugin-lto vs --emit=obj"
    );
    if let Some(real) = std::env::var_os("GENDWARFKSYMS") {
        for config in ["rustc-dwarf5", "rustc-dwarf4"] {
            let dir = out.join(config);
            for (set, flags) in FLAGSETS {
                let list = Path::new("kmod.syms");
                let tag = format!("rust-real-{config}-{set}");
                let want = run(
                    &mut crate::util::tool(&real),
                    &dir,
                    flags,
                    list,
                    &["kmod.o"],
                    &tag,
                );
                let got = modver_run(&dir, flags, list, &["kmod.o"], &tag);
                bad.extend(compare_outcomes(
                    &format!("real/{config}"),
                    set,
                    &got,
                    &want,
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn golden_outputs_match() {
    let mut bad = Vec::new();
    let mut checked = 0;
    for config in configs() {
        let dir = root().join("obj").join(&config);
        for stem in ["core", "extern", "kabi", "all"] {
            for (set, flags) in FLAGSETS {
                let Some(stdout) = golden(&config, stem, set, "stdout") else {
                    continue;
                };
                let stderr = golden(&config, stem, set, "stderr").unwrap();
                let rc: i32 = String::from_utf8(golden(&config, stem, set, "rc").unwrap())
                    .unwrap()
                    .trim()
                    .parse()
                    .unwrap();
                let symtypes = golden(&config, stem, set, "symtypes");
                let list = PathBuf::from(format!("{stem}.syms"));
                let inputs: Vec<&str> = if stem == "all" {
                    vec!["core.o", "extern.o", "kabi.o"]
                } else {
                    vec![]
                };
                let obj = format!("{stem}.o");
                let inputs = if inputs.is_empty() {
                    vec![obj.as_str()]
                } else {
                    inputs
                };
                let tag = format!("golden-{config}-{stem}-{set}");
                let got = modver_run(&dir, flags, &list, &inputs, &tag);
                let what = format!("{config}/{stem}");
                bad.extend(compare(
                    &what,
                    set,
                    &got,
                    &stdout,
                    Some(&stderr),
                    symtypes.as_deref(),
                    rc,
                ));
                checked += 1;
                if stem == "all" {
                    // Archives: their members as if given one by one (the
                    // `-d` lines name members as archive(member)).
                    for ar in ["all.a", "thin.a"] {
                        let got = modver_run(&dir, flags, &list, &[ar], &tag);
                        let err = (set != "debug").then_some(&stderr[..]);
                        bad.extend(compare(
                            &format!("{config}/{ar}"),
                            set,
                            &got,
                            &stdout,
                            err,
                            symtypes.as_deref(),
                            rc,
                        ));
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 200, "only {checked} runs checked");
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// With `$GENDWARFKSYMS` set, modver equals the real binary on every
/// fixture object here and now (and so the golden files are current).
#[test]
fn real_gendwarfksyms_when_present() {
    let Some(real) = std::env::var_os("GENDWARFKSYMS") else {
        eprintln!("GENDWARFKSYMS not set: golden files only");
        return;
    };
    let mut bad = Vec::new();
    for config in configs() {
        let dir = root().join("obj").join(&config);
        for stem in ["core", "extern", "kabi"] {
            // (Configs of other architectures lack extern.c.)
            if !dir.join(format!("{stem}.o")).exists() {
                continue;
            }
            for (set, flags) in FLAGSETS {
                let list = PathBuf::from(format!("{stem}.syms"));
                let obj = format!("{stem}.o");
                let want = run(
                    &mut crate::util::tool(&real),
                    &dir,
                    flags,
                    &list,
                    &[&obj],
                    &format!("real-{config}-{stem}-{set}"),
                );
                let got = modver_run(
                    &dir,
                    flags,
                    &list,
                    &[&obj],
                    &format!("cmp-{config}-{stem}-{set}"),
                );
                bad.extend(compare_outcomes(
                    &format!("{config}/{stem}"),
                    set,
                    &got,
                    &want,
                ));
                let recorded = golden(&config, stem, set, "stdout");
                if recorded.is_some() && recorded.as_deref() != Some(&want.out.stdout[..]) {
                    bad.push(format!(
                        "{config}/{stem} [{set}]: golden stdout is stale: rerun build.sh"
                    ));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn modver_stdin(args: &[&str], stdin: &[u8], dir: &Path) -> Output {
    modver()
        .arg("dwarfksyms")
        .args(args)
        .current_dir(dir)
        .stdin(stdin.to_vec())
        .run()
}

#[test]
fn bad_input_is_a_positioned_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let core = root().join("obj/clang19-dwarf5/core.o");
    std::fs::copy(&core, d.join("core.o")).unwrap();
    let data = std::fs::read(&core).unwrap();
    std::fs::write(d.join("trunc.o"), &data[..data.len() / 3]).unwrap();
    std::fs::write(d.join("junk.o"), b"hello world\n").unwrap();
    std::fs::write(d.join("old.symtypes"), b"old\n").unwrap();

    // No input files: usage and an error.
    let o = modver_stdin(&[], b"x\n", d);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no input files?"));

    // No symbols: nothing at all, success, no symtypes file (as gendwarfksyms).
    let o = modver_stdin(&["-T", "new.symtypes", "missing.o"], b"", d);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty() && !d.join("new.symtypes").exists());

    // A blank line in the symbol list.
    let o = modver_stdin(&["core.o"], b"dev_noargs\n\nroot_device\n", d);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("<stdin>:2:1: malformed input line"), "{e}");

    for (file, want) in [
        ("junk.o", "junk.o: at offset 0x0: not an object file"),
        ("trunc.o", "trunc.o: "),
        ("missing.o", "missing.o: "),
    ] {
        let o = modver_stdin(&["-T", "old.symtypes", "core.o", file], b"dev_noargs\n", d);
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{file}: {e}");
        assert!(e.contains(want), "{file}: {e}");
        assert!(o.stdout.is_empty(), "{file}: half a result printed");
        assert_eq!(std::fs::read(d.join("old.symtypes")).unwrap(), b"old\n");
    }
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".modver-tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

/// Truncated bitcode (the magic and nothing more) is read natively now:
/// a positioned error, exit 2, nothing on stdout.
#[test]
fn truncated_bitcode_is_a_positioned_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("x.o"), b"BC\xc0\xde\x35\x14\x00\x00").unwrap();
    let o = modver_stdin(&["x.o"], b"f\n", d);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("x.o"), "{e}");
    assert!(o.stdout.is_empty(), "half a result printed");
}

/// `modver crc` on gendwarfksyms' own symtypes files (dialect detected and
/// forced) gives the versions gendwarfksyms printed for them.
#[test]
fn crc_from_dwarf_symtypes() {
    let mut checked = 0;
    for config in configs() {
        for stem in ["core", "extern", "kabi"] {
            for set in ["default", "stable"] {
                let st = root()
                    .join("golden")
                    .join(&config)
                    .join(format!("{stem}.{set}.symtypes"));
                // (Configs of other architectures lack extern.c.)
                let Some(want) = golden(&config, stem, set, "stdout") else {
                    continue;
                };
                let want = String::from_utf8(want).unwrap();
                for dialect in ["auto", "dwarf"] {
                    let o = modver().args(["crc", "--dialect", dialect]).arg(&st).run();
                    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                    let got = String::from_utf8(o.stdout).unwrap();
                    let mut got: Vec<&str> = got.lines().collect();
                    got.sort();
                    // Symbols gendwarfksyms found no DWARF for print 0 and
                    // have no symtypes line.
                    let mut exp: Vec<&str> = want
                        .lines()
                        .filter(|l| !l.ends_with(" 0x00000000"))
                        .collect();
                    exp.sort();
                    assert_eq!(got, exp, "{config}/{stem}.{set}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 80);
}

/// `--backend native|codegen|auto` on ThinLTO bitcode of a fixture, alone
/// and as a member of an archive: the three give the same `#SYMVER` lines
/// and symtypes, and `-v` names the path each took for the file or member
/// (auto: native, as the metadata is one modver knows).
#[test]
fn bitcode_backends_agree_and_v_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("src/core.c");
    let bc = dir.path().join("core.bc.o");
    let st = crate::util::tool("clang-19")
        .args(["-O2", "-g", "-flto=thin", "-c", "-I"])
        .arg(root().join("src/include"))
        .arg(&src)
        .arg("-o")
        .arg(&bc)
        .run();
    assert!(st.success(), "clang-19 -flto=thin {}", src.display());
    let ar = dir.path().join("core.a");
    let st = crate::util::tool("llvm-ar-19")
        .arg("rc")
        .arg(&ar)
        .arg(&bc)
        .run();
    assert!(st.success(), "llvm-ar-19 rc");
    let list = std::fs::read(root().join("obj/clang19-dwarf5/core.syms")).unwrap();
    let mut outs = Vec::new();
    for (be, input) in ["native", "codegen", "auto"]
        .into_iter()
        .flat_map(|be| [(be, &bc), (be, &ar)])
    {
        let r = modver()
            .arg("dwarfksyms")
            .args(["-v", "--backend", be, "-T", "st"])
            .arg(input)
            .current_dir(dir.path())
            .env("CLANG", "clang-19")
            .stdin(list.clone())
            .run();
        assert!(
            r.success(),
            "--backend {be}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
        let err = String::from_utf8_lossy(&r.stderr).into_owned();
        let want = if be == "codegen" {
            "bitcode: codegen"
        } else {
            "bitcode: native"
        };
        let shown = if input == &ar {
            "core.a(core.bc.o): "
        } else {
            "core.bc.o: "
        };
        assert!(
            err.lines().any(|l| l.contains(shown) && l.contains(want)),
            "--backend {be} {}: -v says {err}",
            input.display()
        );
        assert!(r.stdout_str().contains("#SYMVER "), "--backend {be}");
        outs.push((r.stdout, std::fs::read(dir.path().join("st")).unwrap()));
    }
    for (i, o) in outs.iter().enumerate().skip(1) {
        assert_eq!(
            &outs[0], o,
            "run {i} (native, codegen, auto; file, archive)"
        );
    }
}

/// `SHF_COMPRESSED` zstd debug sections (`-gz=zstd`, which this
/// gendwarfksyms' libdw cannot read, so there are no golden outputs of its
/// own): the clang 19 DWARF 5 objects recompressed with llvm-objcopy give
/// exactly the uncompressed objects' golden outputs; and a corrupt stream
/// is a positioned error.
#[test]
fn zstd_compressed_sections_read_as_uncompressed() {
    crate::util::require("llvm-objcopy-19", "llvm-all");
    let out = crate::fixture::Scratch::new();
    let config = "clang19-dwarf5";
    let mut bad = Vec::new();
    for stem in ["core", "extern", "kabi"] {
        let obj = root().join("obj").join(config).join(format!("{stem}.o"));
        let z = out.join(format!("{stem}.o"));
        let st = std::process::Command::new("llvm-objcopy-19")
            .arg("--compress-debug-sections=zstd")
            .arg(&obj)
            .arg(&z)
            .status()
            .unwrap();
        assert!(st.success());
        assert_ne!(std::fs::read(&z).unwrap(), std::fs::read(&obj).unwrap());
        out.copy(obj.with_extension("syms"), format!("{stem}.syms"));
        for (set, flags) in &FLAGSETS[..2] {
            let got = modver_run(
                out.path(),
                flags,
                Path::new(&format!("{stem}.syms")),
                &[&format!("{stem}.o")],
                // (The tag names the temporary symtypes file: its own, as
                // the golden test runs the same sets in parallel.)
                &format!("zstd-{set}"),
            );
            let g = |ext| golden(config, stem, set, ext).unwrap();
            bad.extend(compare(
                &format!("{config}/{stem} (zstd)"),
                set,
                &got,
                &g("stdout"),
                Some(&g("stderr")),
                golden(config, stem, set, "symtypes").as_deref(),
                0,
            ));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
    // A corrupt stream: the bytes after .debug_info's Elf_Chdr zeroed.
    let z = std::fs::read(out.join("core.o")).unwrap();
    let image = modver::elf::ElfImage::parse(&z, "core.o").unwrap();
    let info = image.section(".debug_info").unwrap();
    let at = info.offset as usize + 24;
    let mut broken = z.clone();
    broken[at..at + 16].fill(0);
    out.write("broken.o", &broken);
    let got = modver_run(
        out.path(),
        "",
        Path::new("core.syms"),
        &["broken.o"],
        "zstd-broken",
    );
    let err = String::from_utf8_lossy(&got.out.stderr);
    assert_eq!(got.out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("broken.o: at offset 0x") && err.contains(".debug_info: zstd"),
        "{err}"
    );
}

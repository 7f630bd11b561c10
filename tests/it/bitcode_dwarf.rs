//! gendwarfksyms' logic on the native lowering of bitcode metadata
//! (`modver::metadata_dwarf`) against the same logic on the DWARF that the
//! producing clang emits for that bitcode (`clang -c -x ir`), for every
//! exported symbol: the same `#SYMVER` lines and the same symtypes.
//!
//! Inputs: testdata/bitcode-metadata (kernel-like types) and
//! testdata/dwarfksyms/src (kernel-style exports), built as ThinLTO and
//! full-LTO bitcode, DWARF 4 and 5, by each clang.

use crate::util::require;
use modver::bitcode::metadata;
use modver::dwarf;
use modver::dwarfksyms::{ModuleInput, Options, Run};
use modver::metadata_dwarf;
use std::path::{Path, PathBuf};

const VERSIONS: [u32; 4] = [15, 16, 19, 22];

/// Bitcode of every source, with `flags`, into a fresh directory.
fn build(v: u32, tag: &str, flags: &[&str]) -> Vec<PathBuf> {
    require(&format!("clang-{v}"), "llvm-all");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bitcode-dwarf-{v}-{tag}"));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut sources: Vec<PathBuf> = Vec::new();
    for dir in ["bitcode-metadata", "dwarfksyms/src"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "c") {
                sources.push(e.path());
            }
        }
    }
    sources.sort();
    let mut objs = Vec::new();
    for src in sources {
        let o = out.join(src.file_stem().unwrap()).with_extension("o");
        let st = crate::util::tool(format!("clang-{v}"))
            .args(["-c", "-O2", "-g", "-ffreestanding", "-fno-common", "-w"])
            .args(flags)
            .arg("-I")
            .arg(root.join("dwarfksyms/src/include"))
            .arg(&src)
            .arg("-o")
            .arg(&o)
            .run();
        assert!(st.success(), "clang-{v} {}", src.display());
        objs.push(o);
    }
    objs
}

/// The bitcode compiled back to an ELF object by the same clang.
fn codegen(v: u32, bc: &Path, triple: &str) -> Vec<u8> {
    let elf = bc.with_extension("elf.o");
    let st = crate::util::tool(format!("clang-{v}"))
        .args(["-c", "-O2", "-Werror=override-module", "-x", "ir"])
        .arg(format!("--target={triple}"))
        .arg(bc)
        .arg("-o")
        .arg(&elf)
        .run();
    assert!(st.success(), "clang-{v} -c -x ir {}", bc.display());
    std::fs::read(&elf).unwrap()
}

/// The lines only one side has (native `<`, codegen `>`).
fn line_diff(native: &str, codegen: &str) -> String {
    let mut out = String::new();
    for l in native.lines().filter(|l| !codegen.lines().any(|c| c == *l)) {
        out.push_str(&format!("< {l}\n"));
    }
    for l in codegen.lines().filter(|l| !native.lines().any(|c| c == *l)) {
        out.push_str(&format!("> {l}\n"));
    }
    out
}

fn gendwarfksyms(input: &ModuleInput, list: &str, stable: bool) -> (String, String) {
    let opts = Options {
        symtypes: true,
        stable,
        ..Options::default()
    };
    let mut run = Run::new(opts, list.as_bytes()).unwrap();
    run.add_module(input.clone())
        .unwrap_or_else(|e| panic!("{}: {e}", input.name));
    let out = run.finish();
    (out.stdout, out.symtypes)
}

fn compare(v: u32, bc: &Path) -> usize {
    let data = std::fs::read(bc).unwrap();
    let modules = metadata::read(&data).unwrap_or_else(|e| panic!("{}: {e}", bc.display()));
    let m = &modules[0];
    let elf = codegen(v, bc, &String::from_utf8_lossy(&m.target_triple));
    let obj = dwarf::read_object(&elf, "elf").unwrap();
    // Every defined global of the object is an "export".
    let mut names: Vec<String> = obj
        .symbols
        .iter()
        .filter(|s| s.section != 0)
        .map(|s| s.name.clone())
        .collect();
    names.sort();
    names.dedup();
    let list = names.join("\n") + "\n";
    let kabi_rules = m
        .section_bytes(dwarf::KABI_RULES_SECTION.as_bytes())
        .map(|r| r.expect("kABI rules are string constants"));
    assert_eq!(
        kabi_rules,
        obj.kabi_rules,
        "{}: kABI rules section",
        bc.display()
    );
    let mut inputs = metadata_dwarf::module_inputs(&data, "obj").unwrap();
    assert_eq!(inputs.len(), 1);
    let native = inputs.pop().unwrap();
    assert_eq!(native.kabi_rules, kabi_rules);
    // DW_AT_external (what explain's btf_encoder tells exports from
    // static functions by) as LLVM writes it, for every function and
    // variable entry both readers have.
    let flags = |info: &modver::debuginfo::DebugInfo| {
        let mut m = std::collections::BTreeMap::new();
        for (i, d) in info.dies.iter().enumerate() {
            if matches!(d.tag, 0x2e | 0x34) {
                if let Some(n) = info.name(modver::debuginfo::DieId(i as u32)) {
                    m.insert((d.tag, n.to_string(), d.declaration), d.external);
                }
            }
        }
        m
    };
    let (nf, rf) = (flags(&native.info), flags(&obj.info));
    let mut common = 0;
    for (k, ext) in &nf {
        if let Some(r) = rf.get(k) {
            assert_eq!(
                ext,
                r,
                "clang-{v} {}: DW_AT_external of {k:?}",
                bc.display()
            );
            common += 1;
        }
    }
    assert!(
        common > 0,
        "{}: no function or variable in common",
        bc.display()
    );
    let reference = ModuleInput {
        name: "obj".into(),
        info: obj.info,
        symbols: obj.symbols,
        kabi_rules: obj.kabi_rules,
    };
    // The binary as kbuild would run it: on the bitcode object itself and
    // on the same bitcode compiled back to ELF, the same #SYMVER lines.
    let elf_path = bc.with_extension("elf.o");
    let on_bitcode = crate::util::modver()
        .arg("dwarfksyms")
        .arg(bc)
        .stdin(list.clone())
        .ok()
        .stdout_str();
    let on_elf = crate::util::modver()
        .arg("dwarfksyms")
        .arg(&elf_path)
        .stdin(list.clone())
        .ok()
        .stdout_str();
    assert_eq!(
        on_bitcode,
        on_elf,
        "clang-{v} {}: modver dwarfksyms on bitcode vs ELF",
        bc.display()
    );
    for stable in [false, true] {
        let (n_out, n_types) = gendwarfksyms(&native, &list, stable);
        let (r_out, r_types) = gendwarfksyms(&reference, &list, stable);
        assert!(
            n_types == r_types,
            "clang-{v} {} (stable {stable}): symtypes differ:\n{}",
            bc.display(),
            line_diff(&n_types, &r_types)
        );
        assert_eq!(
            n_out,
            r_out,
            "clang-{v} {}: #SYMVER lines differ",
            bc.display()
        );
    }
    names.len()
}

#[test]
fn native_lowering_equals_codegen_dwarf() {
    let mut objects = 0;
    let mut symbols = 0;
    for v in VERSIONS {
        for (tag, flags) in [
            ("thin5", &["-flto=thin", "-gdwarf-5"][..]),
            ("full4", &["-flto", "-gdwarf-4"][..]),
            ("arm64", &["-flto=thin", "--target=aarch64-linux-gnu"][..]),
        ] {
            for bc in build(v, tag, flags) {
                symbols += compare(v, &bc);
                objects += 1;
            }
        }
    }
    eprintln!("{objects} objects, {symbols} symbols: identical symtypes and versions");
}

#[test]
fn native_lowering_equals_codegen_dwarf_for_rust() {
    let v = 22;
    require("rustc", "base");
    let verbose = crate::util::tool("rustc")
        .arg("--version")
        .arg("--verbose")
        .run();
    if !String::from_utf8_lossy(&verbose.stdout).contains(&format!("LLVM version: {v}.")) {
        eprintln!("rustc is not LLVM {v}: skipped");
        return;
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bitcode-dwarf-rust");
    std::fs::create_dir_all(&out).unwrap();
    let bc = out.join("kernel_rust.o");
    let src =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bitcode-metadata/kernel_rust.rs");
    let st = crate::util::tool("rustc")
        .args([
            "--edition",
            "2021",
            "-A",
            "warnings",
            "-C",
            "debuginfo=2",
            "-C",
            "opt-level=2",
        ])
        .args(["-C", "panic=abort", "--emit=llvm-bc"])
        .arg(&src)
        .arg("-o")
        .arg(&bc)
        .run();
    assert!(st.success());
    let n = compare(v, &bc);
    eprintln!("kernel_rust: {n} symbols: identical symtypes and versions");
    assert!(n > 0);
}

//! `modver lds`: the fragment equals the real module.lds.S LTO block (6.1,
//! 6.12 from Debian's linux-source packages, preprocessed by the C
//! preprocessor as cmd_cpp_lds_S does; the file kbuild itself writes in an
//! LTO build is checked by the e2e run), and linking a real two-unit
//! ThinLTO module with it merges the split sections, with ld.lld 14 and 19
//! and GNU ld.

use crate::fixture::{build_script, debian_source, Scratch};
use crate::golden::assert_golden;
use crate::util::{modver, require as need, tool};
use object::{Object, ObjectSection, SectionKind};
use std::path::Path;

fn modver_lds(args: &[&str]) -> String {
    modver().arg("lds").args(args).stdout()
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

/// The kernel's own `#ifdef CONFIG_LTO_CLANG` block, run through the C
/// preprocessor the way kbuild makes scripts/module.lds, is the oracle.
#[test]
fn fragment_matches_real_module_lds() {
    need("clang-14", "base");
    for ver in ["6.1", "6.12"] {
        let tmp = Scratch::new();
        let root = debian_source(ver);
        let src = std::fs::read_to_string(root.join("scripts/module.lds.S")).unwrap();
        // The LTO block up to its #else/#endif.
        let start = src.find("#ifdef CONFIG_LTO_CLANG\n").expect("no LTO block");
        let body = &src[start + "#ifdef CONFIG_LTO_CLANG\n".len()..];
        let end = body
            .find("\n#else")
            .or_else(|| body.find("\n#endif"))
            .unwrap();
        let mut lds = String::new();
        if ver != "6.1" {
            lds.push_str("#include <asm-generic/codetag.lds.h>\n");
        }
        lds.push_str("SECTIONS {\n");
        lds.push_str(&body[..=end]);
        lds.push_str("}\n");
        let input = tmp.path().join("lto.lds.S");
        std::fs::write(&input, &lds).unwrap();
        let o = tool("clang-14")
            .args([
                "-E",
                "-P",
                "-x",
                "c",
                "-D__ASSEMBLY__",
                "-DLINKER_SCRIPT",
                "-I",
            ])
            .arg(root.join("include"))
            .arg(&input)
            .run();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let expected = String::from_utf8(o.stdout).unwrap();
        let got = modver_lds(&["--kernel", ver]);
        assert_golden(&format!("lds/{ver}.lds"), got.as_bytes());
        // cpp drops comments and joins the macro expansion on one line:
        // compare token sequences without the comment.
        let got_nc: String = {
            let a = got.find("/*").unwrap();
            let b = got.find("*/").unwrap() + 2;
            format!("{}{}", &got[..a], &got[b..])
        };
        assert_eq!(words(&got_nc), words(&expected), "kernel {ver}");
        if ver == "6.1" {
            // No macros in 6.1's block: byte-identical to the source text.
            assert_eq!(&got["SECTIONS {\n".len()..got.len() - 2], &body[..=end]);
        }
    }
}

fn run_check(args: &[&std::ffi::OsStr]) -> crate::util::Run {
    tool("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check-module-lds.sh"))
        .args(args)
        .env("MODVER", crate::util::MODVER)
        .run()
}

/// scripts/check-module-lds.sh on a whole scripts/module.lds made the way
/// kbuild's cmd_cpp_lds_S makes it (the C preprocessor over the real
/// module.lds.S with `CONFIG_LTO_CLANG`, `asm/module.lds.h` being the
/// asm-generic wrapper x86 gets from scripts/Makefile.asm-generic): it
/// passes, and fails on one changed rule. The module.lds that kbuild itself
/// writes in a full LTO build is checked by the e2e run (scripts/e2e/compare.sh).
#[test]
fn check_module_lds_script_passes_and_catches_a_changed_rule() {
    need("clang-19", "base");
    for ver in ["6.1", "6.12"] {
        let tmp = Scratch::new();
        let root = debian_source(ver);
        let generated = tmp.path().join("generated");
        std::fs::create_dir_all(generated.join("asm")).unwrap();
        std::fs::write(
            generated.join("asm/module.lds.h"),
            "#include <asm-generic/module.lds.h>\n",
        )
        .unwrap();
        let out = tmp.path().join("out");
        std::fs::create_dir_all(out.join("scripts")).unwrap();
        std::fs::create_dir_all(out.join("include/config")).unwrap();
        std::fs::write(
            out.join("include/config/kernel.release"),
            format!("{ver}.0\n"),
        )
        .unwrap();
        let o = tool("clang-19")
            .args([
                "-E",
                "-P",
                "-x",
                "c",
                "-Ux86",
                "-D__ASSEMBLY__",
                "-DLINKER_SCRIPT",
            ])
            .args(["-DCONFIG_LTO_CLANG=1", "-DCONFIG_MODULES=1", "-I"])
            .arg(&generated)
            .arg("-I")
            .arg(root.join("include"))
            .arg(root.join("scripts/module.lds.S"))
            .run();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let lds = out.join("scripts/module.lds");
        std::fs::write(&lds, &o.stdout).unwrap();
        let o = run_check(&[out.as_os_str()]);
        let text = o.stdout_str();
        assert!(
            o.success() && text.starts_with("ok "),
            "{ver}: {text}{}",
            o.stderr_str()
        );
        // One changed rule must be found.
        let real = std::fs::read_to_string(&lds).unwrap();
        assert!(real.contains("*(.rodata..L*)"), "{ver}: {real}");
        std::fs::write(&lds, real.replacen("*(.rodata..L*)", "*(.rodata..X*)", 1)).unwrap();
        let o = run_check(&[out.as_os_str()]);
        assert_eq!(o.code(), Some(1), "{ver}: mismatch not reported");
        assert!(o.stdout_str().starts_with("FAIL "));
    }
}

struct Sections {
    count: usize,
    /// (name, size) of the allocated sections.
    alloc: Vec<(String, u64)>,
}

fn sections(path: &Path) -> Sections {
    let data = std::fs::read(path).unwrap();
    let f = object::File::parse(&*data).unwrap();
    let mut alloc = Vec::new();
    let mut count = 0;
    for s in f.sections() {
        count += 1;
        let name = s.name().unwrap_or("").to_owned();
        if !matches!(s.kind(), SectionKind::Metadata | SectionKind::Other)
            && !name.starts_with(".rela")
            && !name.is_empty()
            && !name.starts_with(".sym")
            && !name.starts_with(".str")
            && !name.starts_with(".note")
            && !name.starts_with(".llvm")
            && !name.starts_with(".comment")
        {
            alloc.push((name, s.size()));
        }
    }
    Sections { count, alloc }
}

fn split(s: &Sections, base: &str) -> Vec<String> {
    let prefix = format!("{base}.");
    s.alloc
        .iter()
        .filter(|(n, _)| n.starts_with(&prefix))
        .map(|(n, _)| n.clone())
        .collect()
}

fn size_of(s: &Sections, base: &str) -> u64 {
    let prefix = format!("{base}.");
    s.alloc
        .iter()
        .filter(|(n, _)| n == base || n.starts_with(&prefix))
        .map(|(_, z)| z)
        .sum()
}

fn build(dir: &Path, llvm: &str, frag: &Path) {
    build_script(
        "lds",
        &[dir.to_str().unwrap(), llvm, frag.to_str().unwrap()],
    );
}

/// The final `ld -r` of a multi-unit LTO module, as kbuild does it, with and
/// without the fragment: the fragment leaves exactly one .bss/.data/.rodata
/// (and .text for 5.12/5.13-6.0), fewer sections, and nothing is lost.
#[test]
fn fragment_merges_lto_sections() {
    need("ld", "base");
    for llvm in ["14", "19"] {
        need(&format!("clang-{llvm}"), "base");
        need(&format!("ld.lld-{llvm}"), "base");
        for (kernel, cfi, merges_text) in [
            ("5.12", false, true),
            ("5.15", false, true),
            ("5.15", true, true),
            ("6.1", false, false),
            ("6.18", false, false),
            ("7.1", false, true),
        ] {
            let tmp = Scratch::new();
            let frag = tmp.path().join("frag.lds");
            let mut args = vec!["--kernel", kernel, "-o", frag.to_str().unwrap()];
            if cfi {
                args.push("--cfi");
            }
            modver_lds(&args);
            let cfi_tag = if cfi { "-cfi" } else { "" };
            assert_golden(
                &format!("lds/{kernel}{cfi_tag}.lds"),
                &std::fs::read(&frag).unwrap(),
            );
            build(tmp.path(), llvm, &frag);
            let plain = sections(&tmp.path().join("plain.ko"));
            let merged = sections(&tmp.path().join("merged.ko"));
            let mut bases = vec![".bss", ".data", ".rodata"];
            if merges_text {
                bases.push(".text");
            }
            for b in &bases {
                assert!(
                    !split(&plain, b).is_empty(),
                    "lld {llvm}: no split {b}.* sections without the fragment"
                );
                assert!(
                    split(&merged, b).is_empty(),
                    "lld {llvm} kernel {kernel}: {b} still split: {:?}",
                    split(&merged, b)
                );
                // Merging only adds alignment padding.
                assert!(size_of(&merged, b) >= size_of(&plain, b));
                assert!(size_of(&merged, b) < size_of(&plain, b) + 64);
            }
            if !merges_text {
                assert!(!split(&merged, ".text").is_empty());
            }
            assert!(merged.count < plain.count);
            let total = |s: &Sections| s.alloc.iter().map(|(_, z)| z).sum::<u64>();
            eprintln!(
                "ld.lld-{llvm} kernel {kernel}{}: {} sections, {} bytes allocated without the fragment; {} sections, {} bytes with it",
                if cfi { " --cfi" } else { "" },
                plain.count,
                total(&plain),
                merged.count,
                total(&merged)
            );
            // GNU ld accepts the same fragment for the same final link.
            let gnu = tmp.path().join("gnu.ko");
            let st = tool("ld")
                .args(["-m", "elf_x86_64", "-r", "-T"])
                .arg(&frag)
                .arg("-o")
                .arg(&gnu)
                .arg(tmp.path().join("module.o"))
                .run();
            assert!(st.success(), "GNU ld rejected the {kernel} fragment");
            let g = sections(&gnu);
            for b in &bases {
                assert!(split(&g, b).is_empty(), "GNU ld: {b} still split");
            }
        }
    }
}

#[test]
fn bad_requests_fail_with_exit_2() {
    for args in [
        &["--kernel", "5.11"][..],
        &["--kernel", "6.1", "--cfi"],
        &["--kernel", "5.12", "--cfi"],
        &["--kernel", "7.0", "--keep-text-sections"],
        &["--kernel", "5.15", "--cfi", "--page-size", "1000"],
    ] {
        let o = modver().arg("lds").args(args).code(2);
        assert!(o.stdout.is_empty());
        assert!(String::from_utf8_lossy(&o.stderr).starts_with("modver: "));
    }
}

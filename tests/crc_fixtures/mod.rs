//! Fixtures shared by the exports and symversions tests: the CRC corpus
//! (testdata/crc) built with clang into ELF and bitcode objects, the real
//! genksyms, and the real modpost of linux-kbuild-6.1/6.12 as oracles.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The corpus sources with exports.
pub const SOURCES: [&str; 3] = ["basic", "structs", "misc"];
/// All objects built per configuration (noexport has no exports).
pub const OBJECTS: [&str; 4] = ["basic", "structs", "misc", "noexport"];

#[path = "../common/mod.rs"]
mod common;
pub use common::require;

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/crc")
}

/// The kbuild lib directory of a kernel ("6.1" or "6.12").
pub fn kbuild_dir(k: &str) -> PathBuf {
    if k == "6.1" {
        let d = PathBuf::from("/usr/lib/linux-kbuild-6.1");
        assert!(
            d.join("scripts/genksyms/genksyms").is_file(),
            "linux-kbuild-6.1 missing: run scripts/setup.sh kbuild"
        );
        return d;
    }
    for e in std::fs::read_dir("/usr/lib").expect("/usr/lib").flatten() {
        if e.file_name()
            .to_string_lossy()
            .starts_with(&format!("linux-kbuild-{k}"))
            && e.path().join("scripts/genksyms/genksyms").is_file()
        {
            return e.path();
        }
    }
    panic!("linux-kbuild-{k}* missing: run scripts/setup.sh kbuild");
}

/// Objects for LLVM `v`: OUT/{61,612}/{elf,bc}/{basic,...}.o and built-in.a.
pub fn objects(v: u32) -> &'static Path {
    static BUILT: [OnceLock<PathBuf>; 2] = [OnceLock::new(), OnceLock::new()];
    BUILT[usize::from(v != 14)].get_or_init(|| {
        require(&format!("clang-{v}"), "base");
        require(&format!("llvm-ar-{v}"), "base");
        // Per test binary, so binaries run in parallel do not share it.
        let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("crc-objects-{}-{v}", env!("CARGO_CRATE_NAME")));
        let _ = std::fs::remove_dir_all(&out);
        let st = Command::new("bash")
            .arg(corpus_dir().join("build.sh"))
            .arg(&out)
            .arg(v.to_string())
            .status()
            .expect("run build.sh");
        assert!(st.success(), "testdata/crc/build.sh {v} failed");
        out
    })
}

/// genksyms' stdout (`#SYMVER` lines) for a corpus source.
pub fn genksyms_lines(k: &str, source: &str) -> String {
    require("clang-19", "base");
    let src = corpus_dir().join(format!("{source}.c"));
    let pre = Command::new("clang-19")
        .args(["-E", "-D__GENKSYMS__", "-I"])
        .arg(corpus_dir().join("include"))
        .arg(&src)
        .output()
        .unwrap();
    assert!(pre.status.success());
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), &pre.stdout).unwrap();
    let o = Command::new(kbuild_dir(k).join("scripts/genksyms/genksyms"))
        .stdin(std::fs::File::open(tmp.path()).unwrap())
        .output()
        .unwrap();
    assert!(o.status.success());
    String::from_utf8(o.stdout).unwrap()
}

/// A `.cmd` file as fixdep writes it for `obj`, without genksyms output.
pub fn fixdep_cmd(obj: &str) -> String {
    format!(
        "cmd_{obj} := clang -c -o {obj} {src}\n\nsource_{obj} := {src}\n\ndeps_{obj} := \\\n  include/corpus_types.h \\\n\n{obj}: $(deps_{obj})\n\n$(deps_{obj}):\n",
        src = obj.replace(".o", ".c")
    )
}

/// One line of Module.symvers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymversLine {
    pub crc: String,
    pub name: String,
    pub module: String,
    pub export: String,
    pub namespace: String,
}

/// Runs the real modpost of kernel `k` over modules (one object each) in
/// `dir`, which must hold `NAME.o`, `NAME.mod` and `.NAME.o.cmd`; returns
/// Module.symvers and modpost's stderr.
pub fn modpost(k: &str, dir: &Path, modules: &[&str]) -> (Vec<SymversLine>, String) {
    let order: String = modules.iter().map(|m| format!("{m}.o\n")).collect();
    std::fs::write(dir.join("modules.order"), order).unwrap();
    let _ = std::fs::remove_file(dir.join("Module.symvers"));
    let mut cmd = Command::new(kbuild_dir(k).join("scripts/mod/modpost"));
    if k != "6.1" {
        cmd.arg("-M");
    }
    let o = cmd
        .args(["-m", "-w", "-o", "Module.symvers", "-T", "modules.order"])
        .current_dir(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "modpost {k}: {stderr}");
    let text = std::fs::read_to_string(dir.join("Module.symvers")).unwrap_or_default();
    let lines = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            SymversLine {
                crc: f[0].into(),
                name: f[1].into(),
                module: f[2].into(),
                export: f[3].into(),
                namespace: f.get(4).copied().unwrap_or("").into(),
            }
        })
        .collect();
    (lines, stderr)
}

/// A scratch directory under the target dir.
pub fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn modver() -> Command {
    Command::new(env!("CARGO_BIN_EXE_modver"))
}

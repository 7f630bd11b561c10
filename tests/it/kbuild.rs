//! The real kbuild tools as oracles: genksyms and modpost of Debian's
//! linux-kbuild-6.1 and linux-kbuild-6.12 (`scripts/setup.sh kbuild`), run
//! the way kbuild runs them, and the CRC corpus of `testdata/crc` they read.

use crate::fixture::{testdata, Llvm};
use crate::util::tool;
use std::path::{Path, PathBuf};

/// The corpus sources with exports.
pub const CRC_SOURCES: [&str; 3] = ["basic", "structs", "misc"];
/// All objects built per configuration (noexport has no exports).
pub const CRC_OBJECTS: [&str; 4] = ["basic", "structs", "misc", "noexport"];

/// testdata/crc.
pub fn crc_corpus_dir() -> PathBuf {
    testdata("crc")
}

/// The kbuild lib directory of a kernel ("6.1" or "6.12"; for 6.12 the
/// newest linux-kbuild-6.12.* installed).
pub fn kbuild_dir(k: &str) -> PathBuf {
    let has_genksyms = |d: &Path| d.join("scripts/genksyms/genksyms").is_file();
    let found = if k == "6.1" {
        Some(PathBuf::from("/usr/lib/linux-kbuild-6.1")).filter(|d| has_genksyms(d))
    } else {
        let prefix = format!("linux-kbuild-{k}");
        std::fs::read_dir("/usr/lib")
            .expect("/usr/lib")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .map(|e| e.path())
            .filter(|d| has_genksyms(d))
            .max()
    };
    found.unwrap_or_else(|| panic!("linux-kbuild-{k}* missing: run scripts/setup.sh kbuild"))
}

/// The genksyms binary of a kernel.
pub fn genksyms(k: &str) -> PathBuf {
    kbuild_dir(k).join("scripts/genksyms/genksyms")
}

/// The genksyms binaries: (kernel, path).
pub fn genksyms_versions() -> Vec<(&'static str, PathBuf)> {
    ["6.1", "6.12"].map(|k| (k, genksyms(k))).into()
}

/// `clang -E -D__GENKSYMS__ -I INCLUDE... SRC`, as kbuild's
/// cmd_gensymtypes_c does.
pub fn preprocess(llvm: Llvm, src: &Path, includes: &[&Path]) -> Vec<u8> {
    let mut c = llvm.clang();
    c.args(["-E", "-D__GENKSYMS__"]);
    for i in includes {
        c.arg("-I").arg(i);
    }
    c.arg(src).ok().stdout
}

/// What one genksyms run wrote: stdout (CRC lines), the -D dump (stderr)
/// and the -T symtypes file.
pub struct Genksyms {
    pub crc_lines: String,
    pub dump: String,
    pub symtypes: PathBuf,
}

/// `genksyms -D -T SYMTYPES < INPUT`.
pub fn run_genksyms(genksyms: &Path, input: &[u8], symtypes: &Path) -> Genksyms {
    let o = tool(genksyms)
        .arg("-D")
        .arg("-T")
        .arg(symtypes)
        .stdin(input)
        .ok();
    Genksyms {
        crc_lines: o.stdout_str(),
        dump: String::from_utf8(o.stderr).unwrap(),
        symtypes: symtypes.to_path_buf(),
    }
}

/// genksyms' stdout (`#SYMVER` lines) for a corpus source.
pub fn genksyms_lines(k: &str, source: &str) -> String {
    let src = crc_corpus_dir().join(format!("{source}.c"));
    let pre = preprocess(Llvm(19), &src, &[&crc_corpus_dir().join("include")]);
    tool(genksyms(k)).stdin(pre).stdout()
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
    let mut cmd = tool(kbuild_dir(k).join("scripts/mod/modpost"));
    if k != "6.1" {
        cmd.arg("-M");
    }
    let o = cmd
        .args(["-m", "-w", "-o", "Module.symvers", "-T", "modules.order"])
        .current_dir(dir)
        .run();
    let stderr = o.stderr_str();
    assert!(o.success(), "modpost {k}: {stderr}");
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

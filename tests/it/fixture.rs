//! The one fixture builder. Inputs are built at test time with the real
//! compilers from the C sources and scripts in `testdata/`:
//!
//! - [`Corpus`]: a `testdata/NAME/build.sh` output, built once per test
//!   process (tests only read it) under `$CARGO_TARGET_TMPDIR/it/corpus/`;
//! - [`Scratch`]: a fresh directory per test (removed when it is dropped,
//!   kept with `MODVER_KEEP_SCRATCH=1`), for everything a test writes;
//! - [`Llvm`]: clang-N, ld.lld-N, llvm-ar-N, llvm-nm-N of one LLVM version
//!   as [`TestCommand`]s, and [`Scratch`] methods that run them in it.

use crate::util::{require, tool, TestCommand};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The LLVM versions most differential tests run against.
pub const LLVM_VERSIONS: [u32; 2] = [14, 19];

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `testdata/REL`.
pub fn testdata(rel: &str) -> PathBuf {
    repo().join("testdata").join(rel)
}

/// This test process's directory under the cargo target dir.
fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("it");
        std::fs::create_dir_all(d.join("scratch")).unwrap();
        d
    })
}

/// One LLVM version's tools.
#[derive(Clone, Copy, Debug)]
pub struct Llvm(pub u32);

impl Llvm {
    /// The `scripts/setup.sh` group that installs this version.
    pub fn group(self) -> &'static str {
        if LLVM_VERSIONS.contains(&self.0) {
            "base"
        } else {
            "llvm-all"
        }
    }

    /// The versioned name of an LLVM tool, checked to be installed.
    pub fn name(self, t: &str) -> String {
        let name = format!("{t}-{}", self.0);
        require(&name, self.group());
        name
    }

    pub fn clang(self) -> TestCommand {
        tool(self.name("clang"))
    }

    pub fn ld(self) -> TestCommand {
        tool(self.name("ld.lld"))
    }

    pub fn ar(self) -> TestCommand {
        tool(self.name("llvm-ar"))
    }

    pub fn nm(self) -> TestCommand {
        tool(self.name("llvm-nm"))
    }

    pub fn llvm_as(self) -> TestCommand {
        tool(self.name("llvm-as"))
    }
}

/// A fixture set built by one of the `testdata/*/build.sh` scripts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Corpus {
    /// testdata/symbols: ELF, bitcode, archives, thin archives, junk.
    Symbols(u32),
    /// testdata/bitcode: bitcode of 4 targets x full/thin LTO.
    Bitcode(u32),
    /// testdata/crc: ELF and bitcode objects of the CRC corpus, both export
    /// layouts (`61/`, `612/`), with a thin `built-in.a` each.
    CrcObjects(u32),
    /// testdata/check: two builds of a module set as `.ko` files (clang 19).
    Check,
    /// testdata/btf: two builds of exports.c as a vmlinux with BTF, its
    /// symtypes and Module.symvers, and a module with split BTF (clang 19).
    Btf,
    /// testdata/dtlto: vmlinux's objects as 7.2's distributed ThinLTO
    /// builds them (bitcode, index files, `.thinlto-native.o`, thin
    /// archives, `.vmlinux.objs`).
    Dtlto(u32),
}

impl Corpus {
    /// The built corpus (built on first use in this process).
    pub fn dir(self) -> &'static Path {
        once_dir(&format!("{self:?}"), || self.build())
    }

    fn build(self) -> PathBuf {
        let (name, v) = match self {
            Corpus::Symbols(v) => ("symbols", v),
            Corpus::Bitcode(v) => ("bitcode", v),
            Corpus::CrcObjects(v) => ("crc", v),
            Corpus::Check => ("check", 19),
            Corpus::Btf => ("btf", 19),
            Corpus::Dtlto(v) => ("dtlto", v),
        };
        let llvm = Llvm(v);
        for t in ["clang", "llvm-ar"] {
            llvm.name(t);
        }
        match self {
            Corpus::Symbols(_) | Corpus::Bitcode(_) => {
                llvm.name("llvm-nm");
            }
            _ => {}
        }
        if self == Corpus::Btf {
            llvm.name("ld.lld");
            for t in ["pahole", "bpftool"] {
                require(t, "kbuild");
            }
        }
        if let Corpus::Dtlto(_) = self {
            llvm.name("ld.lld");
            crate::kbuild::genksyms("6.12");
        }
        if self == Corpus::Check {
            llvm.name("ld.lld");
            for t in ["xz", "zstd", "gzip", "modprobe"] {
                require(t, "kbuild");
            }
        }
        let out = root().join("corpus").join(format!("{name}-{v}"));
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        let v = v.to_string();
        let o = out.to_str().unwrap();
        // testdata/bitcode/build.sh takes VERSION OUTDIR, the others OUTDIR VERSION.
        let args = if name == "bitcode" {
            [&v[..], o]
        } else {
            [o, &v[..]]
        };
        build_script(name, &args);
        out
    }
}

/// The directory `make` returns, made once per test process for `key`:
/// later callers (in any thread) wait for the first and share it. Different
/// keys are made in parallel.
pub fn once_dir(key: &str, make: impl FnOnce() -> PathBuf) -> &'static Path {
    type Slots = HashMap<String, &'static OnceLock<PathBuf>>;
    static MADE: OnceLock<Mutex<Slots>> = OnceLock::new();
    let slot: &'static OnceLock<PathBuf> = MADE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key.to_owned())
        .or_insert_with(|| Box::leak(Box::default()));
    slot.get_or_init(make)
}

/// The files of Debian's kernel source tarballs the tests read (6.1 has no
/// codetag.lds.h).
fn debian_source_files(ver: &str) -> Vec<&'static str> {
    let mut files = vec![
        "scripts/module.lds.S",
        "include/asm-generic/module.lds.h",
        "scripts/extract-vmlinux",
    ];
    if ver != "6.1" {
        files.push("include/asm-generic/codetag.lds.h");
    }
    files
}

/// Debian's kernel source tarball `/usr/src/linux-source-VER.tar.xz`
/// (`scripts/setup.sh kernel`) with the files tests read from it
/// ([`debian_source_files`]), extracted once per test process: each `tar
/// -xJf` decompresses the whole tarball (about 150 MB of xz). Returns the
/// `linux-source-VER` root.
pub fn debian_source(ver: &str) -> &'static Path {
    once_dir(&format!("linux-source-{ver}"), || {
        let tarball = format!("/usr/src/linux-source-{ver}.tar.xz");
        assert!(
            Path::new(&tarball).exists(),
            "{tarball} missing: run scripts/setup.sh kernel"
        );
        let dir = root().join(format!("debian-source-{ver}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        tool("tar")
            .arg("-xJf")
            .arg(&tarball)
            .arg("-C")
            .arg(&dir)
            .args(
                debian_source_files(ver)
                    .iter()
                    .map(|f| format!("linux-source-{ver}/{f}")),
            )
            .ok();
        dir.join(format!("linux-source-{ver}"))
    })
}

/// Runs `testdata/NAME/build.sh ARGS...`, asserting success.
pub fn build_script(name: &str, args: &[&str]) {
    tool("bash")
        .arg(testdata(name).join("build.sh"))
        .args(args)
        .ok();
}

/// A directory of one test's own, removed when dropped; derefs to its path.
pub struct Scratch(Option<tempfile::TempDir>);

impl Scratch {
    pub fn new() -> Self {
        let d = tempfile::Builder::new()
            .prefix("t-")
            .tempdir_in(root().join("scratch"))
            .unwrap();
        Scratch(Some(d))
    }

    pub fn path(&self) -> &Path {
        self.0.as_ref().unwrap().path()
    }

    /// Writes `rel` (creating its directory), returning its path.
    pub fn write(&self, rel: impl AsRef<Path>, data: impl AsRef<[u8]>) -> PathBuf {
        let p = self.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(&p, data).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        p
    }

    /// Copies `src` to `rel` in the scratch dir, returning the new path.
    pub fn copy(&self, src: impl AsRef<Path>, rel: impl AsRef<Path>) -> PathBuf {
        let (src, p) = (src.as_ref(), self.join(rel));
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::copy(src, &p).unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
        p
    }

    /// A command that runs in the scratch dir.
    pub fn cmd(&self, mut c: TestCommand) -> TestCommand {
        c.current_dir(self.path());
        c
    }

    /// `clang-N ARGS` in the scratch dir, asserting success.
    pub fn clang(&self, llvm: Llvm, args: &[&str]) {
        self.cmd(llvm.clang()).args(args).ok();
    }

    /// `ld.lld-N ARGS` in the scratch dir, asserting success.
    pub fn ld(&self, llvm: Llvm, args: &[&str]) {
        self.cmd(llvm.ld()).args(args).ok();
    }

    /// `llvm-ar-N ARGS` in the scratch dir, asserting success.
    pub fn ar(&self, llvm: Llvm, args: &[&str]) {
        self.cmd(llvm.ar()).args(args).ok();
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.path()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var_os("MODVER_KEEP_SCRATCH").is_some() {
            if let Some(d) = self.0.take() {
                eprintln!("kept {}", d.keep().display());
            }
        }
    }
}

/// Downloads (once, into the cache outside git) and unpacks a Debian kernel
/// module tree with its Module.symvers; returns the root holding
/// `modules/` and `Module.symvers`. `series` is "6.1" or "6.12".
pub fn debian_modules(series: &str) -> PathBuf {
    require("apt-get", "kbuild");
    let out = tool("bash")
        .arg(repo().join("scripts/fetch-debian-modules.sh"))
        .arg(series)
        .run();
    assert!(
        out.success(),
        "scripts/fetch-debian-modules.sh {series} failed (needs apt access to Debian's archive):\n{}",
        out.stderr_str()
    );
    let line = out.stdout_str();
    let root = line
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{series}\t")))
        .expect("fetch-debian-modules.sh prints SERIES<TAB>ROOT");
    PathBuf::from(root)
}

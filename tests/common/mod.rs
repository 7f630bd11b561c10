//! Shared helpers of the integration tests: the fixture builds and the
//! modver binary. Fixtures are built from `testdata/` with the real LLVM
//! tools at test time (`scripts/setup.sh base` installs them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The LLVM versions the differential tests run against.
pub const LLVM_VERSIONS: [u32; 2] = [14, 19];

/// Fails the test with a clear message when a tool is missing.
pub fn require(tool: &str, group: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{tool} is not installed: run scripts/setup.sh {group}"
    );
}

/// The symbol-table fixtures for one LLVM version, built once per test process.
pub fn symbol_fixtures(v: u32) -> &'static Path {
    static BUILT: [OnceLock<PathBuf>; 2] = [OnceLock::new(), OnceLock::new()];
    let slot = LLVM_VERSIONS
        .iter()
        .position(|&x| x == v)
        .expect("known version");
    BUILT[slot].get_or_init(|| {
        for t in ["clang", "llvm-ar", "ld.lld", "llvm-nm"] {
            require(&format!("{t}-{v}"), "base");
        }
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("symbol-fixtures-{v}"));
        let _ = std::fs::remove_dir_all(&out);
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/symbols/build.sh");
        let st = Command::new("bash")
            .arg(&script)
            .arg(&out)
            .arg(v.to_string())
            .status()
            .expect("run build.sh");
        assert!(st.success(), "testdata/symbols/build.sh {v} failed");
        out
    })
}

/// All fixture objects and archives (not the deliberately bad ones).
pub fn fixture_files(root: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    walk(root, &mut v);
    v.retain(|p| {
        !p.components().any(|c| c.as_os_str() == "junk")
            && matches!(p.extension().and_then(|e| e.to_str()), Some("o" | "a"))
    });
    v.sort();
    v
}

fn walk(d: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(d).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// A `modver` command.
pub fn modver() -> Command {
    Command::new(env!("CARGO_BIN_EXE_modver"))
}

/// Runs a command in `dir` and returns its output.
pub fn run_in(dir: &Path, cmd: &mut Command) -> Output {
    cmd.current_dir(dir).output().expect("spawn")
}

/// Runs `sh -c script` in `dir`, asserting success, and returns stdout.
pub fn sh(dir: &Path, script: &str) -> Vec<u8> {
    let o = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .expect("spawn sh");
    assert!(
        o.status.success(),
        "sh -c {script:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

/// Shows the first differing line of two outputs.
pub fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}: {x:?} != {y:?}", i + 1);
        }
    }
    format!(
        "lengths {} vs {} lines",
        a.lines().count(),
        b.lines().count()
    )
}

/// The `modver check` fixtures (testdata/check/build.sh), built once per
/// test process with clang/ld.lld 19 and genksyms from linux-kbuild-6.1.
pub fn check_fixtures() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        for t in ["clang-19", "ld.lld-19"] {
            require(t, "base");
        }
        for t in ["xz", "zstd", "gzip", "modprobe"] {
            require(t, "kbuild");
        }
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("check-fixtures");
        let _ = std::fs::remove_dir_all(&out);
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/check/build.sh");
        let st = Command::new("bash")
            .arg(&script)
            .arg(&out)
            .arg("19")
            .status()
            .expect("run build.sh");
        assert!(st.success(), "testdata/check/build.sh failed");
        out
    })
}

/// Downloads (once, into the cache outside git) and unpacks a Debian kernel
/// module tree with its Module.symvers; returns the root holding
/// `modules/` and `Module.symvers`. `series` is "6.1" or "6.12".
pub fn debian_modules(series: &str) -> PathBuf {
    require("apt-get", "kbuild");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fetch-debian-modules.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(series)
        .output()
        .expect("run fetch-debian-modules.sh");
    assert!(
        out.status.success(),
        "scripts/fetch-debian-modules.sh {series} failed (needs apt access to Debian's archive):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout).into_owned();
    let root = line
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{series}\t")))
        .expect("fetch-debian-modules.sh prints SERIES<TAB>ROOT");
    PathBuf::from(root)
}

/// Every file under `dir` whose name ends with `suffix`, sorted.
pub fn files_with_suffix(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v = Vec::new();
    walk(dir, &mut v);
    v.retain(|p| p.to_string_lossy().ends_with(suffix));
    v.sort();
    v
}

/// A deterministic pseudo-random generator (xorshift64*) for the generated
/// and mutated inputs of the tests: the same inputs on every run.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with a probability of `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }

    /// One element of `v`.
    pub fn pick<'a>(&mut self, v: &'a [String]) -> &'a str {
        &v[self.below(v.len())]
    }

    /// A copy of `orig` with 1 to `max_changes` bytes replaced, by random
    /// bytes or, given an alphabet, by bytes from it.
    pub fn mutate(&mut self, orig: &[u8], max_changes: usize, alphabet: Option<&[u8]>) -> Vec<u8> {
        let mut d = orig.to_vec();
        if d.is_empty() {
            return d;
        }
        for _ in 0..1 + self.below(max_changes) {
            let i = self.below(d.len());
            d[i] = match alphabet {
                Some(a) => a[self.below(a.len())],
                None => self.next() as u8,
            };
        }
        d
    }
}

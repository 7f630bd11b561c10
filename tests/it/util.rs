//! The one way the tests run a program: [`modver()`] for the binary under
//! test and [`tool()`] for the real tools it is compared with (llvm-nm,
//! genksyms, modpost, modprobe, make, ...). Both give a [`TestCommand`],
//! whose [`Run`] carries the command line into every failure message.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

/// The modver binary cargo built for these tests.
pub const MODVER: &str = env!("CARGO_BIN_EXE_modver");

/// A `modver` command.
pub fn modver() -> TestCommand {
    TestCommand::new(MODVER)
}

/// A command running a real tool (looked up on PATH unless a path).
pub fn tool(program: impl AsRef<OsStr>) -> TestCommand {
    TestCommand::new(program)
}

/// `sh -c script`.
pub fn shell(script: &str) -> TestCommand {
    let mut c = TestCommand::new("sh");
    c.args(["-c", script]);
    c
}

/// A command under construction (as `std::process::Command`) plus what
/// the tests ask of its run: [`run`](Self::run) returns whatever happened,
/// [`ok`](Self::ok) and [`code`](Self::code) also assert the exit status.
pub struct TestCommand {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

impl TestCommand {
    fn new(program: impl AsRef<OsStr>) -> Self {
        TestCommand {
            cmd: Command::new(program),
            stdin: None,
        }
    }

    pub fn arg(&mut self, a: impl AsRef<OsStr>) -> &mut Self {
        self.cmd.arg(a);
        self
    }

    pub fn args<I, S>(&mut self, args: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Runs in `dir` (relative paths in the arguments are relative to it).
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.cmd.current_dir(dir);
        self
    }

    pub fn env(&mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> &mut Self {
        self.cmd.env(k, v);
        self
    }

    pub fn env_remove(&mut self, k: impl AsRef<OsStr>) -> &mut Self {
        self.cmd.env_remove(k);
        self
    }

    /// Feeds `data` on standard input.
    pub fn stdin(&mut self, data: impl Into<Vec<u8>>) -> &mut Self {
        self.stdin = Some(data.into());
        self
    }

    /// The command line, for messages.
    pub fn cmdline(&self) -> String {
        let mut s = self.cmd.get_program().to_string_lossy().into_owned();
        for a in self.cmd.get_args() {
            let _ = write!(s, " {}", a.to_string_lossy());
        }
        if let Some(d) = self.cmd.get_current_dir() {
            let _ = write!(s, " (in {})", d.display());
        }
        s
    }

    /// Runs to completion; asserts nothing but that it could be started.
    pub fn run(&mut self) -> Run {
        let cmdline = self.cmdline();
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self
            .cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {cmdline}: {e}"));
        // A thread writes stdin so that a large input cannot deadlock
        // against a full stdout pipe.
        let writer = self.stdin.clone().map(|data| {
            let mut pipe = child.stdin.take().unwrap();
            std::thread::spawn(move || pipe.write_all(&data))
        });
        let out = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("{cmdline}: {e}"));
        if let Some(w) = writer {
            // The program may exit without reading all of it.
            let _ = w.join().unwrap();
        }
        Run {
            status: out.status,
            stdout: out.stdout,
            stderr: out.stderr,
            cmdline,
        }
    }

    /// Runs and asserts exit status 0.
    pub fn ok(&mut self) -> Run {
        let r = self.run();
        assert!(r.status.success(), "{}", r.failure("should succeed"));
        r
    }

    /// Runs and asserts the exit code.
    pub fn code(&mut self, code: i32) -> Run {
        let r = self.run();
        assert_eq!(
            r.status.code(),
            Some(code),
            "{}",
            r.failure(&format!("should exit {code}"))
        );
        r
    }

    /// Runs, asserts success, and returns standard output as UTF-8.
    pub fn stdout(&mut self) -> String {
        self.ok().stdout_str()
    }

    /// Starts it in the background (stdin closed, output inherited).
    pub fn spawn(&mut self) -> Child {
        let cmdline = self.cmdline();
        self.cmd
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {cmdline}: {e}"))
    }
}

/// What a finished [`TestCommand`] did.
pub struct Run {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub cmdline: String,
}

impl Run {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// Standard output; panics if it is not UTF-8.
    pub fn stdout_str(&self) -> String {
        String::from_utf8(self.stdout.clone())
            .unwrap_or_else(|e| panic!("{}: stdout is not UTF-8: {e}", self.cmdline))
    }

    /// Standard error, lossily decoded.
    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    fn failure(&self, what: &str) -> String {
        format!(
            "{} {what}, got {}\nstderr:\n{}",
            self.cmdline,
            self.status,
            self.stderr_str()
        )
    }
}

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

/// Every file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    fn walk(d: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(d)
            .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
            .flatten()
        {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, &mut v);
    v.sort();
    v
}

/// Every file under `dir` whose name ends with `suffix`, sorted.
pub fn files_with_suffix(dir: &Path, suffix: &str) -> Vec<std::path::PathBuf> {
    let mut v = files_under(dir);
    v.retain(|p| p.to_string_lossy().ends_with(suffix));
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

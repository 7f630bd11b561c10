//! How deep `modver dwarfksyms` can walk types, on both of its stacks.
//!
//! The versioning walk recurses once per nesting level of the types it
//! reaches, up to a bound (an error past it). `Run::add_module` walks on
//! the calling thread when that is the process's main thread and its
//! stack may grow to hold the bound (what the CLI does), else on a thread
//! of its own. A test harness runs tests on threads of their own, so this
//! test is its own `main` (`harness = false`) and tries both.

use modver::debuginfo::{tag, ConstAttr, DebugInfo, DieAttrs};
use modver::dwarfksyms::{ModuleInput, Options, Run};

/// `int f(struct s0 *x)` with `n` distinct structs, each holding a pointer
/// to the next: three levels of the walk per struct.
fn chain(n: usize) -> ModuleInput {
    let mut d = DebugInfo::new();
    let file = d.intern("x.h");
    d.add_unit(vec![file]);
    let cu = d.add_die(None, tag::COMPILE_UNIT, 0, &DieAttrs::named("x.c"));
    let f = d.add_die(Some(cu), tag::SUBPROGRAM, 1, &DieAttrs::named("f"));
    let p = d.add_die(Some(f), tag::FORMAL_PARAMETER, 2, &DieAttrs::named("x"));
    let mut size = DieAttrs::default();
    size.set_const(ConstAttr::ByteSize, 8);
    let mut prev = p;
    for i in 0..n as u64 {
        let name = format!("s{i}");
        let s = d.add_die(
            Some(cu),
            tag::STRUCTURE_TYPE,
            10 + 3 * i,
            &DieAttrs::named(&name),
        );
        let m = d.add_die(Some(s), tag::MEMBER, 11 + 3 * i, &DieAttrs::named("next"));
        let ptr = d.add_die(Some(cu), tag::POINTER_TYPE, 12 + 3 * i, &size);
        d.set_type_ref(prev, ptr);
        d.set_type_ref(ptr, s);
        prev = m;
    }
    ModuleInput {
        name: "x.o".into(),
        info: d,
        symbols: vec![],
        kabi_rules: None,
    }
}

/// Just under the bound `f` is versioned; past it, a clear error, never a
/// stack overflow.
fn walk(on: &str) {
    let mut run = Run::new(Options::default(), b"f\n").unwrap();
    run.add_module(chain(3_300)).unwrap();
    let out = run.finish();
    assert!(
        out.stdout.starts_with("#SYMVER f 0x"),
        "{on}: {}",
        out.stdout
    );
    let mut run = Run::new(Options::default(), b"f\n").unwrap();
    let e = run.add_module(chain(10_000)).unwrap_err();
    assert!(e.to_string().contains("nested more than"), "{on}: {e}");
    println!("walk_stack: {on}: ok");
}

/// The size of the main thread's stack mapping (Linux's `[stack]`).
#[cfg(target_os = "linux")]
fn main_stack_size() -> u64 {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let line = maps.lines().find(|l| l.ends_with("[stack]")).unwrap();
    let range = line.split(' ').next().unwrap();
    let (a, b) = range.split_once('-').unwrap();
    u64::from_str_radix(b, 16).unwrap() - u64::from_str_radix(a, 16).unwrap()
}

fn main() {
    #[cfg(target_os = "linux")]
    let before = main_stack_size();
    walk("main thread");
    // Walked on the main thread's own stack, which grew by the levels'
    // frames (750 bytes or more each), not on a thread of its own; unless
    // the hard limit forbids raising the soft one.
    #[cfg(target_os = "linux")]
    {
        let grown = main_stack_size() - before;
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: lim is a valid rlimit to fill in.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut lim) }, 0);
        if lim.rlim_max == libc::RLIM_INFINITY || lim.rlim_max >= 81 << 20 {
            assert!(
                grown > 4 << 20,
                "the main thread's stack grew by {grown} bytes only"
            );
        }
    }
    std::thread::spawn(|| walk("another thread"))
        .join()
        .unwrap();
}

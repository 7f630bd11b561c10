//! The `modver` command line: parses arguments, calls the library, prints.
//!
//! On Linux, modver starts from C's `main`, not from Rust's runtime: kbuild
//! runs `modver dwarfksyms` once per exporting object, and Rust's start-up
//! cost each process about 0.1 ms, 6 % of the CPU time over a 7.1 tree's
//! 359 exporting objects. Most of it is the main thread's stack-overflow
//! handler: glibc's `pthread_getattr_np` reads `/proc/self/maps` to find
//! the stack, and an alternate signal stack is mapped and unmapped. `start`
//! keeps everything else of that start-up that modver's behaviour rests
//! on; without the handler a stack overflow (which the readers' depth
//! limits rule out) is a plain SIGSEGV instead of a message and SIGABRT.
// (Test builds keep the harness's own main.)
#![cfg_attr(all(target_os = "linux", not(test)), no_main)]

mod cli;

/// The entry point C's start-up calls: [`start`].
#[cfg(all(target_os = "linux", not(test)))]
#[no_mangle]
pub extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    start()
}

/// What Rust's `lang_start` would do around `cli::main`, less the
/// stack-overflow handler (see the crate documentation):
/// - SIGPIPE ignored, so that writing to a closed pipe is an `EPIPE` error
///   (`print_out` takes it as the reader having stopped), not death;
/// - standard descriptors 0-2 that are closed opened on `/dev/null`, so
///   that no file modver opens takes their place;
/// - a panic ends the process with status 101 (after the panic hook's
///   message, which names the thread `<unnamed>` rather than `main`);
/// - stdout flushed before exiting.
///
/// Arguments come from `std::env::args_os`, which glibc hands to Rust
/// before `main` runs. (Test builds have the harness's entry point, and
/// only compile this.)
#[cfg(target_os = "linux")]
#[cfg_attr(test, allow(dead_code))]
fn start() -> libc::c_int {
    // SAFETY: setting a signal's disposition to SIG_IGN has no
    // preconditions; no other thread exists yet.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    open_closed_stdio();
    let status = std::panic::catch_unwind(cli::main).unwrap_or(101);
    let _ = std::io::Write::flush(&mut std::io::stdout());
    libc::c_int::from(status)
}

/// Standard descriptors 0-2 that are not open are opened on `/dev/null`
/// (as Rust's runtime does at start-up); aborts if that fails.
#[cfg(target_os = "linux")]
#[cfg_attr(test, allow(dead_code))]
fn open_closed_stdio() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: fds is a valid array of three pollfd.
    if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } == -1 {
        // poll itself failed (no descriptor was looked at): ask each.
        for p in &mut fds {
            // SAFETY: F_GETFD on any number has no preconditions.
            if unsafe { libc::fcntl(p.fd, libc::F_GETFD) } == -1 {
                p.revents = libc::POLLNVAL;
            }
        }
    }
    for p in fds {
        if p.revents & libc::POLLNVAL != 0 {
            // SAFETY: a constant NUL-terminated path. The lowest free
            // descriptor, p.fd, is the one open returns.
            if unsafe { libc::open(b"/dev/null\0".as_ptr().cast(), libc::O_RDWR) } == -1 {
                std::process::abort();
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(cli::main())
}

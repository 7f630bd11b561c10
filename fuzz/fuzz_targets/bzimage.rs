//! The bzImage reader: any bytes give a vmlinux or a positioned error,
//! never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = modver::bzimage::extract_vmlinux(data, "fuzz.bzImage");
});

//! The llvm-nm output parser: any text must parse or be rejected, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for line in text.lines() {
        let _ = modver::symbols::llvm_nm::parse_bsd_line(line);
    }
    let files = [Path::new("a.o"), Path::new("b.o")];
    let _ = modver::symbols::llvm_nm::split_output(text, &files);
    let _ = modver::symbols::llvm_nm::split_output(text, &files[..1]);
});

//! The ELF and archive readers: any bytes give symbols or an error, never a
//! panic; and whatever parses renders in every format.
#![no_main]
use libfuzzer_sys::fuzz_target;
use modver::symbols::{parse_bytes, render, NmFormat};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(fs) = parse_bytes(data, "fuzz.o", Path::new("/nonexistent")) {
        for f in [NmFormat::Bsd, NmFormat::Posix, NmFormat::Json] {
            let _ = render(std::slice::from_ref(&fs), f, true);
        }
    }
});

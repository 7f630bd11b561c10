//! The Module.symvers parser: any text gives entries or a positioned
//! error, never a panic; what parses renders back to the same entries.
#![no_main]
use libfuzzer_sys::fuzz_target;
use modver::symvers::{parse, render};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(entries) = parse(text, "fuzz.symvers") {
            let again = parse(&render(&entries), "fuzz.symvers").expect("rendered symvers parses");
            assert_eq!(again, entries);
        }
    }
});

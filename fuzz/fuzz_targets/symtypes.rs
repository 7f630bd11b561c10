//! The symtypes parser and the CRC engine: any bytes parse or are rejected
//! with a positioned error, never a panic; whatever parses renders back to
//! text that parses to the same entries, and every export gets a CRC or an
//! error. The .symversions and .cmd readers run on the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = modver::symtypes::parse_bytes("fuzz.symtypes", data) {
        let text: String = f.entries.iter().map(|e| e.render() + "\n").collect();
        let again = modver::symtypes::parse("fuzz.symtypes", &text).expect("rendered text parses");
        assert_eq!(again.entries.len(), f.entries.len());
        for (a, b) in again.entries.iter().zip(&f.entries) {
            assert!(a.same_as(b), "{a:?} rendered from {b:?}");
        }
        let _ = modver::crc::export_crcs(&f, true);
    }
    if let Ok(t) = std::str::from_utf8(data) {
        let _ = modver::symversions::parse_symversions("fuzz.symversions", t);
    }
    let _ = modver::symversions::parse_cmd(data);
});

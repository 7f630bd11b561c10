//! The symtypes parser and the CRC engine: any bytes parse or are rejected
//! with a positioned error, never a panic; whatever parses renders back to
//! text that parses to the same entries, and every export gets a CRC or an
//! error; the lazy reader of `crc`'s fast path gives the same entries,
//! tokens and CRCs (or error). The .symversions and .cmd readers run on the same bytes.
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
        let full = modver::crc::export_crcs(&f, true);
        // The lazy reader of crc's fast path agrees with the full parse.
        if let Some(l) = modver::symtypes::parse_lazy("fuzz.symtypes", f.text) {
            assert!(l.agrees_with(&f), "lazy parse differs");
        }
        let lazy = modver::crc::export_crcs_of_bytes("fuzz.symtypes", data, true);
        match (&full, &lazy) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("full {:?} / lazy {:?}", full.is_ok(), lazy.is_ok()),
        }
    }
    if let Ok(t) = std::str::from_utf8(data) {
        let _ = modver::symversions::parse_symversions("fuzz.symversions", t);
    }
    let _ = modver::symversions::parse_cmd(data);
});

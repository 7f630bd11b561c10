//! The BTF reader: any bytes, as base BTF and as split BTF over a small
//! base, give types or a positioned error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(base) = modver::btf::parse(data, "fuzz.btf", 0, None) {
        let _ = modver::btf::render_raw(&base);
        // The input as its own split BTF: ids and strings continue the base's.
        if let Ok(split) = modver::btf::parse(data, "fuzz.split", 0, Some(&base)) {
            let _ = modver::btf::render_raw(&split);
        }
    }
    let _ = modver::btf::btf_blob(data, "fuzz.elf");
});

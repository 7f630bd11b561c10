//! The __versions / extended-table readers: raw section bytes for every
//! class and byte order, and whole (possibly compressed) module images,
//! give entries or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use modver::modversions::{parse_extended, parse_versions, render_dump, versions_from_bytes};

fuzz_target!(|data: &[u8]| {
    for is_64 in [false, true] {
        for be in [false, true] {
            let _ = parse_versions(data, is_64, be, "fuzz", 0);
        }
    }
    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let (crcs, names) = data.split_at(split);
    let _ = parse_extended(crcs, names, false, "fuzz", 0, 0);
    if let Ok(v) = versions_from_bytes(data, "fuzz.ko") {
        let _ = render_dump(&v);
    }
});

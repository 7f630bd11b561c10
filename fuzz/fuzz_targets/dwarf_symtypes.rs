//! `modver crc --dialect dwarf`: any text gives versions or an error,
//! never a panic, and never a hang on reference cycles.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = modver::dwarfksyms::symtypes::is_dwarf_symtypes(&text);
    let _ = modver::dwarfksyms::symtypes::export_crcs("fuzz", &text, true);
});

//! The native bitcode reader (bitstream top level, irsymtab, nm mapping):
//! any bytes give a symbol table or an error, never a panic; the lower
//! layers are driven directly too so that a table the nm layer refuses
//! still gets fully parsed.
#![no_main]
use libfuzzer_sys::fuzz_target;
use modver::bitcode::{irsymtab, read_contents};
use modver::symbols::native::bitcode_table;

fuzz_target!(|data: &[u8]| {
    let _ = bitcode_table(data, None);
    if let Ok(c) = read_contents(data) {
        if let (Some(s), Some(t)) = (c.symtab, c.strtab_for_symtab) {
            let _ = irsymtab::parse(s, t);
        }
    }
    // The irsymtab parser on its own: first half symtab, rest strtab.
    let mid = data.len() / 2;
    let _ = irsymtab::parse(&data[..mid], &data[mid..]);
});

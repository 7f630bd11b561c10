//! The ELF image reader, the archive walker and their users (llvm-nm
//! symbol tables, object exports, `__ksymtab`, `__versions`): any bytes
//! give a result or an error, never a panic; and whatever parses as a
//! symbol table renders in every format.
#![no_main]
use libfuzzer_sys::fuzz_target;
use modver::archive::Archive;
use modver::elf::ElfImage;
use modver::exports::elf_object_exports;
use modver::ksymtab::read_ksymtab;
use modver::kver::KernelVersion;
use modver::modversions::read_versions;
use modver::symbols::{parse_bytes, render, NmFormat};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(fs) = parse_bytes(data, "fuzz.o", Path::new("/nonexistent")) {
        for f in [NmFormat::Bsd, NmFormat::Posix, NmFormat::Json] {
            let _ = render(std::slice::from_ref(&fs), f, true);
        }
    }
    if let Ok(image) = ElfImage::parse(data, "fuzz.o") {
        let _ = read_ksymtab(&image);
        let _ = read_versions(&image);
        for (major, minor) in [(5, 18), (6, 5)] {
            if let Ok(k) = KernelVersion::new(major, minor) {
                let _ = elf_object_exports(data, "fuzz.o", k);
            }
        }
    }
    if let Ok(archive) = Archive::parse(data, Path::new("/nonexistent/fuzz.a"), "fuzz.a") {
        for member in archive.members() {
            let Ok(member) = member else { break };
            let _ = member.read();
        }
    }
});

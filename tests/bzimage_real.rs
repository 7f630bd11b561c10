//! vmlinux extraction on a real distro kernel image against the kernel's
//! own `scripts/extract-vmlinux`: `MODVER_VMLINUZ=/boot/vmlinuz-R` and
//! `MODVER_EXTRACT_VMLINUX=LINUX/scripts/extract-vmlinux` (e.g. a Debian
//! `linux-image-*-amd64-unsigned` package unpacked with `dpkg-deb -x`).
//! Without them the test says so and checks nothing.

use std::process::Command;

#[test]
fn real_vmlinuz_matches_extract_vmlinux() {
    let (Ok(image), Ok(script)) = (
        std::env::var("MODVER_VMLINUZ"),
        std::env::var("MODVER_EXTRACT_VMLINUX"),
    ) else {
        eprintln!("skipped: set MODVER_VMLINUZ and MODVER_EXTRACT_VMLINUX");
        return;
    };
    let data = std::fs::read(&image).unwrap();
    let (ours, kind) = modver::bzimage::extract_vmlinux(&data, &image).unwrap();
    let theirs = Command::new("sh")
        .arg(&script)
        .arg(&image)
        .output()
        .unwrap();
    assert!(theirs.status.success(), "{script} failed");
    eprintln!("{image}: {kind:?}, {} bytes", ours.len());
    assert_eq!(ours.len(), theirs.stdout.len());
    assert!(
        ours == theirs.stdout,
        "extracted bytes differ from {script}"
    );
    // Distro images carry a stripped vmlinux: its exports come from the
    // section contents alone. With MODVER_SYMVERS (that kernel's
    // Module.symvers, from its linux-headers package) every vmlinux export
    // must be there with modpost's CRC and license.
    let exports = modver::ksymtab::read_ksymtab_file(std::path::Path::new(&image)).unwrap();
    assert!(!exports.is_empty(), "no exports read from {image}");
    eprintln!("{image}: {} exports", exports.len());
    let Ok(symvers) = std::env::var("MODVER_SYMVERS") else {
        eprintln!("CRCs not compared: set MODVER_SYMVERS");
        return;
    };
    let ours: Vec<(String, Option<u32>, bool)> = exports
        .iter()
        .map(|e| {
            (
                e.name.clone(),
                e.crc,
                e.license == modver::exports::License::GplOnly,
            )
        })
        .collect();
    let mut theirs: Vec<(String, Option<u32>, bool)> =
        modver::symvers::read(std::path::Path::new(&symvers))
            .unwrap()
            .into_iter()
            .filter(|e| e.module == "vmlinux")
            .map(|e| {
                let gpl = e.license() == modver::exports::License::GplOnly;
                (e.symbol, Some(e.crc), gpl)
            })
            .collect();
    theirs.sort();
    assert_eq!(ours.len(), theirs.len());
    assert!(ours == theirs, "exports differ from {symvers}");
}

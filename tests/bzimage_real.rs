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
    // Distro images carry a stripped vmlinux: providing CRCs from it is
    // refused with an error, never an empty provider.
    match modver::ksymtab::read_ksymtab_file(std::path::Path::new(&image)) {
        Ok(exports) => assert!(!exports.is_empty()),
        Err(e) => assert!(e.to_string().contains("stripped"), "{e}"),
    }
}

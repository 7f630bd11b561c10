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

/// The BTF of a real distro kernel against bpftool: the vmlinux BTF out of
/// `MODVER_VMLINUZ` and the split BTF of the first `MODVER_BTF_MODULES`
/// (default 40) modules under `MODVER_MODULES_DIR` (that kernel's
/// `/lib/modules/R`), printed as `bpftool btf dump file F format raw`.
#[test]
fn real_btf_reads_as_bpftool_reads_it() {
    let Ok(image) = std::env::var("MODVER_VMLINUZ") else {
        eprintln!("skipped: set MODVER_VMLINUZ");
        return;
    };
    let vmlinux = modver::bzimage::open_image(std::path::Path::new(&image)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let vmlinux_path = dir.path().join("vmlinux");
    std::fs::write(&vmlinux_path, &vmlinux.data).unwrap();
    let (blob, origin) = modver::btf::btf_blob(&vmlinux.data, &vmlinux.display).unwrap();
    let t = std::time::Instant::now();
    let base = modver::btf::parse(blob, &vmlinux.display, origin, None).unwrap();
    eprintln!(
        "{image}: {} BTF types ({} bytes) parsed in {:?}",
        base.types.len(),
        blob.len(),
        t.elapsed()
    );
    let bpftool = |args: &[&std::path::Path]| {
        let mut c = Command::new("bpftool");
        c.args(["btf", "dump", "file"]).arg(args[0]);
        if let Some(b) = args.get(1) {
            c.arg("-B").arg(b);
        }
        let out = c.args(["format", "raw"]).output().unwrap();
        assert!(out.status.success(), "bpftool on {}", args[0].display());
        String::from_utf8(out.stdout).unwrap()
    };
    let ours = modver::btf::render_raw(&base);
    let theirs = bpftool(&[&vmlinux_path]);
    assert_eq!(ours.len(), theirs.len());
    assert!(ours == theirs, "vmlinux BTF differs from bpftool's");
    let Ok(modules) = std::env::var("MODVER_MODULES_DIR") else {
        eprintln!("modules not compared: set MODVER_MODULES_DIR");
        return;
    };
    let n: usize = std::env::var("MODVER_BTF_MODULES").map_or(40, |v| v.parse().unwrap());
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(&modules)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().contains(".ko") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no modules under {modules}");
    for f in files.iter().take(n) {
        let m = modver::kmodule::ModuleFile::open(f).unwrap();
        let (blob, origin) = modver::btf::btf_blob(&m.data, &m.display).unwrap();
        let split = modver::btf::parse(blob, &m.display, origin, Some(&base)).unwrap();
        let plain = dir.path().join("m.ko");
        std::fs::write(&plain, &m.data).unwrap();
        assert!(
            modver::btf::render_raw(&split) == bpftool(&[&plain, &vmlinux_path]),
            "{}: split BTF differs from bpftool's",
            f.display()
        );
    }
    eprintln!(
        "{} modules' split BTF equal to bpftool's",
        n.min(files.len())
    );
}

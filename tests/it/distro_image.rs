//! A real distro kernel image: vmlinux extraction against the kernel's own
//! `scripts/extract-vmlinux`, its exports and CRCs against its
//! `Module.symvers`, its BTF and its modules' split BTF against bpftool.
//! By default the newest Debian 6.1 ABI (`scripts/fetch-debian-abi.sh`,
//! the same packages the check tests fetch) and extract-vmlinux from
//! Debian's linux-source-6.1; `MODVER_VMLINUZ`, `MODVER_SYMVERS`,
//! `MODVER_MODULES_DIR` and `MODVER_EXTRACT_VMLINUX` name others (e.g.
//! `/boot/vmlinuz-$(uname -r)`).

use crate::fixture::{debian_modules, debian_source, once_dir, repo};
use crate::util::tool;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The image, its Module.symvers and its module tree.
struct Abi {
    vmlinuz: String,
    symvers: String,
    modules: String,
}

fn debian_abi() -> &'static Abi {
    static ABI: std::sync::OnceLock<Abi> = std::sync::OnceLock::new();
    ABI.get_or_init(|| {
        let var = |v: &str| std::env::var(v).ok();
        if let Some(vmlinuz) = var("MODVER_VMLINUZ") {
            return Abi {
                vmlinuz,
                symvers: var("MODVER_SYMVERS").unwrap_or_default(),
                modules: var("MODVER_MODULES_DIR").unwrap_or_default(),
            };
        }
        // The release the check tests use: its packages are cached already.
        let rel = debian_modules("6.1")
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let root = once_dir(&format!("abi {rel}"), || {
            let out = tool("bash")
                .arg(repo().join("scripts/fetch-debian-abi.sh"))
                .arg(&rel)
                .ok()
                .stdout_str();
            PathBuf::from(out.trim_end().split_once('\t').unwrap().1)
        });
        let s = |f: &str| root.join(f).display().to_string();
        Abi {
            vmlinuz: s("vmlinuz"),
            symvers: s("Module.symvers"),
            modules: s("modules"),
        }
    })
}

fn extract_vmlinux_script() -> String {
    std::env::var("MODVER_EXTRACT_VMLINUX").unwrap_or_else(|_| {
        let root = debian_source("6.1");
        root.join("scripts/extract-vmlinux").display().to_string()
    })
}

#[test]
fn real_vmlinuz_matches_extract_vmlinux() {
    let image = debian_abi().vmlinuz.clone();
    let script = extract_vmlinux_script();
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
    let exports = modver::ksymtab::read_ksymtab_file(Path::new(&image)).unwrap();
    assert!(!exports.is_empty(), "no exports read from {image}");
    eprintln!("{image}: {} exports", exports.len());
    let symvers = debian_abi().symvers.clone();
    assert!(
        !symvers.is_empty(),
        "MODVER_VMLINUZ given without MODVER_SYMVERS"
    );
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
    let mut theirs: Vec<(String, Option<u32>, bool)> = modver::symvers::read(Path::new(&symvers))
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
    let image = debian_abi().vmlinuz.clone();
    let vmlinux = modver::bzimage::open_image(Path::new(&image)).unwrap();
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
    crate::util::require("bpftool", "kbuild");
    let bpftool = |args: &[&Path]| {
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
    let modules = debian_abi().modules.clone();
    assert!(
        !modules.is_empty(),
        "MODVER_VMLINUZ given without MODVER_MODULES_DIR"
    );
    let n: usize = std::env::var("MODVER_BTF_MODULES").map_or(40, |v| v.parse().unwrap());
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::from(&modules)];
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

/// A bzImage-shaped file around `payload` (what `scripts/extract-vmlinux`
/// and modver both find: the boot sector's `HdrS` setup header, protocol
/// 2.15, `setup_sects` 1, the payload 0x40 bytes into the protected-mode
/// code, as `arch/x86/boot/compressed/mkpiggy` lays it out).
fn bzimage_around(payload: &[u8]) -> Vec<u8> {
    let mut img = vec![0u8; 1024 + 0x40];
    img[0x1f1] = 1;
    img[0x202..0x206].copy_from_slice(b"HdrS");
    img[0x206..0x208].copy_from_slice(&0x020fu16.to_le_bytes());
    img[0x248..0x24c].copy_from_slice(&0x40u32.to_le_bytes());
    img[0x24c..0x250].copy_from_slice(&(payload.len() as u32).to_le_bytes());
    img.extend_from_slice(payload);
    img
}

/// Every payload compression of x86's `arch/x86/boot/compressed/Makefile`
/// made by the real tool with kbuild's own command line
/// (`scripts/Makefile.lib`: `cmd_gzip`, `cmd_bzip2_with_size`,
/// `cmd_lzma_with_size`, `cmd_xzkern_with_size`, `cmd_lz4_with_size`,
/// `cmd_zstd22_with_size`; `size_append` adds the 32-bit little-endian
/// size): modver's extraction equals the input and equals the kernel's
/// own `scripts/extract-vmlinux` on the same file. The lz4 input passes
/// 8 MiB, so that its legacy frame has more than one block.
#[test]
fn every_kbuild_payload_compression_matches_extract_vmlinux() {
    use modver::bzimage::PayloadCompression as P;
    let script = extract_vmlinux_script();
    let elf = std::fs::read(repo().join("testdata/rust/obj/rustc-dwarf4/kmod.o")).unwrap();
    // A real ELF header (extract-vmlinux checks it with readelf -h), then
    // text that compresses like code does, not like zeros.
    let vmlinux = |len: usize| {
        let mut v = elf.clone();
        let mut x = 0x2545_f491u32;
        while v.len() < len {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            v.extend_from_slice(format!("{:x} ", x % 4096).as_bytes());
        }
        v.truncate(len);
        v
    };
    let cases: &[(&str, P, usize)] = &[
        ("gzip -n -f -9", P::Gzip, 1 << 16),
        ("bzip2 -9; size_append", P::Bzip2, 1 << 16),
        ("lzma -9; size_append", P::Lzma, 1 << 16),
        (
            "xz --check=crc32 --x86 --lzma2=,dict=32MiB; size_append",
            P::Xz,
            1 << 16,
        ),
        ("lz4 -l -9 - -; size_append", P::Lz4, (9 << 20) + 12345),
        ("zstd -22 --ultra; size_append", P::Zstd, 1 << 16),
    ];
    for tool_name in ["gzip", "bzip2", "lzma", "xz", "lz4", "zstd"] {
        crate::util::require(tool_name, "kernel");
    }
    let dir = crate::fixture::Scratch::new();
    for &(cmd, kind, len) in cases {
        let input = vmlinux(len);
        let raw = dir.path().join("vmlinux.bin");
        std::fs::write(&raw, &input).unwrap();
        // size_append as scripts/Makefile.lib defines it (there the shell
        // gets one backslash before each octal escape, as here).
        let size_append = r#"size_append() { printf "$(printf '%08x\n' $(stat -c %s vmlinux.bin) | sed 's/\(..\)/\1 /g' | { read ch0 ch1 ch2 ch3; for ch in $ch3 $ch2 $ch1 $ch0; do printf '\\%03o' $((0x$ch)); done; })"; }"#;
        let script_text = format!("{size_append}; {{ cat vmlinux.bin | {cmd}; }} > payload");
        let out = Command::new("sh")
            .arg("-c")
            .arg(&script_text)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let payload = std::fs::read(dir.path().join("payload")).unwrap();
        let image = dir.path().join("bzImage");
        std::fs::write(&image, bzimage_around(&payload)).unwrap();
        let data = std::fs::read(&image).unwrap();
        let (ours, k) = modver::bzimage::extract_vmlinux(&data, "bzImage")
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
        assert_eq!(k, kind, "{cmd}");
        assert!(
            ours == input,
            "{cmd}: modver's extraction differs from the input"
        );
        let theirs = Command::new("sh")
            .arg(&script)
            .arg(&image)
            .output()
            .unwrap();
        assert!(
            theirs.status.success(),
            "{script} failed on the {cmd} image"
        );
        assert!(ours == theirs.stdout, "{cmd}: modver and {script} differ");
    }
}

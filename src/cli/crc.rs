//! `modver crc`: symbol version CRCs from symtypes files, printed as
//! genksyms prints them.

use super::{parse_kernel, print_out};
use clap::ValueEnum;
use modver::crc::{dump_line, export_crcs, CrcFormat};
use modver::kver::KernelVersion;
use modver::Error;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// `#SYMVER name 0x%08x` (genksyms 5.19+)
    Symver,
    /// `__crc_name = 0x%08x;` (genksyms up to 5.18)
    Lds,
    /// JSON array of {file, symbol, crc[, expanded]}
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Dialect {
    /// gendwarfksyms if the type strings use DWARF words, else genksyms
    Auto,
    /// genksyms -T output
    Genksyms,
    /// gendwarfksyms --symtypes output
    Dwarf,
}

/// Compute the CRC of every export in symtypes files (genksyms -T output)
/// exactly as genksyms does.
#[derive(clap::Args)]
pub struct Args {
    /// Kernel version whose genksyms output format to use (default: the
    /// kernel tree in the current directory; not needed with --format).
    #[arg(long, value_parser = parse_kernel)]
    kernel: Option<KernelVersion>,
    /// Output format (default: as genksyms of --kernel prints).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Also print the expanded definition each CRC is computed over, as
    /// `genksyms -D` does (`Export NAME == <...>` before each CRC line; a
    /// field "expanded" in JSON).
    #[arg(long)]
    expand: bool,
    /// Which tool wrote the symtypes files: genksyms (C declarations) or
    /// gendwarfksyms (DWARF type strings; CRCs as `calculate_version`).
    #[arg(long, value_enum, default_value = "auto")]
    dialect: Dialect,
    /// Only these exports (repeatable); a name not found is an error.
    #[arg(long = "symbol", value_name = "NAME")]
    symbols: Vec<String>,
    /// Symtypes files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(serde::Serialize)]
struct JsonCrc<'a> {
    file: &'a str,
    symbol: &'a str,
    crc: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expanded: Option<&'a str>,
}

pub fn run(a: Args) -> modver::Result<ExitCode> {
    let mut results = Vec::new();
    let mut any_dwarf = false;
    for f in &a.files {
        let data = std::fs::read(f).map_err(|e| Error::io(f, e))?;
        let path = f.display().to_string();
        let text = String::from_utf8_lossy(&data);
        let dwarf = match a.dialect {
            Dialect::Dwarf => true,
            Dialect::Genksyms => false,
            Dialect::Auto => modver::dwarfksyms::symtypes::is_dwarf_symtypes(&text),
        };
        if dwarf {
            any_dwarf = true;
            let crcs = modver::dwarfksyms::symtypes::export_crcs(&path, &text, a.expand)?;
            results.push((path, crcs, true));
        } else {
            let st = modver::symtypes::parse_bytes(&path, &data)?;
            let crcs = export_crcs(&st, a.expand)?;
            results.push((st.path, crcs, false));
        }
    }
    let format = match a.format {
        Some(f) => f,
        // gendwarfksyms (6.14+) always prints #SYMVER lines.
        None if any_dwarf => Format::Symver,
        None => match CrcFormat::for_kernel(KernelVersion::resolve(a.kernel)?) {
            CrcFormat::Symver => Format::Symver,
            CrcFormat::Lds => Format::Lds,
        },
    };
    let wanted = |n: &str| a.symbols.is_empty() || a.symbols.iter().any(|s| s == n);
    for s in &a.symbols {
        if !results
            .iter()
            .any(|(_, c, _)| c.iter().any(|c| &c.name == s))
        {
            return Err(Error::Usage(format!(
                "no export '{s}' in the symtypes files given"
            )));
        }
    }
    let mut out = String::new();
    match format {
        Format::Json => {
            let items: Vec<JsonCrc<'_>> = results
                .iter()
                .flat_map(|(file, crcs, _)| crcs.iter().map(move |c| (file, c)))
                .filter(|(_, c)| wanted(&c.name))
                .map(|(file, c)| JsonCrc {
                    file,
                    symbol: &c.name,
                    crc: format!("0x{:08x}", c.crc),
                    expanded: c.expanded.as_deref(),
                })
                .collect();
            out = serde_json::to_string_pretty(&items)
                .map_err(|e| Error::Usage(format!("JSON output: {e}")))?;
            out.push('\n');
        }
        Format::Symver | Format::Lds => {
            let cf = if format == Format::Symver {
                CrcFormat::Symver
            } else {
                CrcFormat::Lds
            };
            for (c, dwarf) in results
                .iter()
                .flat_map(|(_, c, d)| c.iter().map(move |c| (c, *d)))
                .filter(|(c, _)| wanted(&c.name))
            {
                if a.expand && dwarf {
                    // As gendwarfksyms --dump-versions prints it.
                    let e = c.expanded.as_deref().unwrap_or_default();
                    out.push_str(&format!("{} {e}\n", c.name));
                } else if a.expand {
                    out.push_str(&dump_line(c));
                }
                out.push_str(&cf.line(&c.name, c.crc));
            }
        }
    }
    print_out(&out)?;
    Ok(ExitCode::SUCCESS)
}

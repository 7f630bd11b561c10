//! BTF, the BPF Type Format (`include/uapi/linux/btf.h`,
//! `Documentation/bpf/btf.rst`): the type information every
//! `CONFIG_DEBUG_INFO_BTF` kernel carries in the `.BTF` section of
//! `vmlinux` (and exposes as `/sys/kernel/btf/vmlinux`), and split BTF in
//! every `.ko` (`CONFIG_DEBUG_INFO_BTF_MODULES`) whose type ids and string
//! offsets continue those of the vmlinux base.
//!
//! [`parse`] is a pure function over the bytes of one BTF blob, checked as
//! the kernel's `btf_parse()` checks it before use: header, string section
//! (NUL first and last), every type record and every type id it refers to
//! in range. Errors name the byte offset in the file. Both byte orders are
//! read (the magic tells which).
//!
//! modver reads BTF itself rather than through a crate: the `btf-rs`
//! crate resolves types by name into owned strings and its errors carry
//! no position, while explain needs id-indexed records of two BTFs at once
//! and the file offset of a bad record.

use crate::error::{Error, Position, Result};
use std::fmt::Write as _;

/// `BTF_MAGIC`.
pub const BTF_MAGIC: u16 = 0xeb9f;

/// A type id: 0 is `void`; in split BTF the ids continue the base's.
pub type TypeId = u32;

/// One member of a struct or union (`struct btf_member`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BtfMember<'a> {
    /// The member name (empty for an anonymous struct/union member).
    pub name: &'a str,
    /// Its type.
    pub type_id: TypeId,
    /// Offset from the start of the struct, in bits.
    pub bit_offset: u32,
    /// Bit-field width, 0 for an ordinary member.
    pub bitfield_size: u32,
}

/// One function parameter (`struct btf_param`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BtfParam<'a> {
    /// The parameter name (empty when unnamed).
    pub name: &'a str,
    /// Its type; 0 with an empty name for a trailing `...`.
    pub type_id: TypeId,
}

/// One variable of a data section (`struct btf_var_secinfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BtfVarSecinfo {
    /// The `BTF_KIND_VAR`.
    pub type_id: TypeId,
    /// Its offset in the section.
    pub offset: u32,
    /// Its size.
    pub size: u32,
}

/// The kind-specific part of a type record (`BTF_KIND_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BtfKind<'a> {
    /// Type id 0.
    Void,
    /// `BTF_KIND_INT`: size in bytes, `BTF_INT_ENCODING`, bit offset and
    /// number of bits.
    Int {
        size: u32,
        encoding: u8,
        offset: u8,
        bits: u8,
    },
    /// `BTF_KIND_PTR`.
    Ptr(TypeId),
    /// `BTF_KIND_ARRAY`.
    Array {
        elem: TypeId,
        index: TypeId,
        nelems: u32,
    },
    /// `BTF_KIND_STRUCT`.
    Struct {
        size: u32,
        members: Vec<BtfMember<'a>>,
    },
    /// `BTF_KIND_UNION`.
    Union {
        size: u32,
        members: Vec<BtfMember<'a>>,
    },
    /// `BTF_KIND_ENUM` and `BTF_KIND_ENUM64`: constants and values.
    Enum {
        size: u32,
        signed: bool,
        is_64: bool,
        values: Vec<(&'a str, i64)>,
    },
    /// `BTF_KIND_FWD`: a declared struct (`union: false`) or union.
    Fwd { union: bool },
    /// `BTF_KIND_TYPEDEF`.
    Typedef(TypeId),
    /// `BTF_KIND_VOLATILE`.
    Volatile(TypeId),
    /// `BTF_KIND_CONST`.
    Const(TypeId),
    /// `BTF_KIND_RESTRICT`.
    Restrict(TypeId),
    /// `BTF_KIND_FUNC`: its `FUNC_PROTO` and `BTF_FUNC_*` linkage.
    Func { proto: TypeId, linkage: u16 },
    /// `BTF_KIND_FUNC_PROTO`.
    FuncProto {
        ret: TypeId,
        params: Vec<BtfParam<'a>>,
    },
    /// `BTF_KIND_VAR`: type and `BTF_VAR_*` linkage.
    Var { type_id: TypeId, linkage: u32 },
    /// `BTF_KIND_DATASEC`.
    Datasec { size: u32, vars: Vec<BtfVarSecinfo> },
    /// `BTF_KIND_FLOAT`.
    Float { size: u32 },
    /// `BTF_KIND_DECL_TAG`: the tagged type and member index (-1: the
    /// type itself).
    DeclTag { type_id: TypeId, component: i32 },
    /// `BTF_KIND_TYPE_TAG`.
    TypeTag(TypeId),
}

/// One type record (`struct btf_type` and what follows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BtfType<'a> {
    /// The type's name (empty when anonymous).
    pub name: &'a str,
    /// What kind of type it is.
    pub kind: BtfKind<'a>,
}

/// One parsed BTF blob: base BTF, or split BTF over its base.
#[derive(Debug)]
pub struct Btf<'a> {
    /// The file, in errors.
    pub display: String,
    /// The base this split BTF extends (`btf__parse_split()`).
    pub base: Option<&'a Btf<'a>>,
    /// The id of `types[0]`: 1 for base BTF, the base's type count for
    /// split BTF.
    pub first_id: TypeId,
    /// The types, in id order.
    pub types: Vec<BtfType<'a>>,
    /// Where each type record starts in the file (for errors).
    pub offsets: Vec<u64>,
    /// This blob's string section.
    strings: &'a [u8],
    /// Bytes of string section the base and this blob hold together.
    pub strings_len: u32,
}

const VOID: BtfType<'static> = BtfType {
    name: "",
    kind: BtfKind::Void,
};

impl<'a> Btf<'a> {
    /// One more than the largest id (`btf__type_cnt()`).
    pub fn type_count(&self) -> TypeId {
        self.first_id + self.types.len() as TypeId
    }

    /// The type with id `id` (here or in the base); `void` for 0.
    pub fn get(&self, id: TypeId) -> Option<&BtfType<'a>> {
        if id == 0 {
            return Some(&VOID);
        }
        if id < self.first_id {
            return self.base?.get(id);
        }
        self.types.get((id - self.first_id) as usize)
    }

    /// Base BTF made of `types` (ids from 1) rather than read from a
    /// file: [`crate::btf_encoder`]'s output.
    pub fn from_types(display: String, types: Vec<BtfType<'a>>) -> Btf<'a> {
        Btf {
            display,
            base: None,
            first_id: 1,
            offsets: vec![0; types.len()],
            types,
            strings: &[],
            strings_len: 0,
        }
    }

    /// Every id of this blob (not the base's) with its type.
    pub fn iter(&self) -> impl Iterator<Item = (TypeId, &BtfType<'a>)> {
        (self.first_id..).zip(self.types.iter())
    }
}

struct Reader<'a, 'd> {
    data: &'a [u8],
    big_endian: bool,
    display: &'d str,
    origin: u64,
}

impl<'a> Reader<'a, '_> {
    fn err(&self, at: usize, msg: impl Into<String>) -> Error {
        Error::malformed(self.display, Position::Offset(self.origin + at as u64), msg)
    }

    fn u32(&self, at: usize, what: &str) -> Result<u32> {
        let b = at
            .checked_add(4)
            .and_then(|end| self.data.get(at..end))
            .ok_or_else(|| self.err(at, format!("truncated BTF: expected {what}")))?;
        let b: [u8; 4] = b.try_into().unwrap_or_default();
        Ok(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }
}

/// Whether `data` starts with the BTF magic (either byte order).
pub fn is_btf(data: &[u8]) -> bool {
    matches!(data, [0x9f, 0xeb, ..] | [0xeb, 0x9f, ..])
}

/// Parses one BTF blob (`btf__new()` / `btf__new_split()`). `display`
/// names the file and `origin` is where `data` starts in it (the `.BTF`
/// section's offset), so that errors give file offsets.
pub fn parse<'a>(
    data: &'a [u8],
    display: &str,
    origin: u64,
    base: Option<&'a Btf<'a>>,
) -> Result<Btf<'a>> {
    let big_endian = match data {
        [0x9f, 0xeb, ..] => false,
        [0xeb, 0x9f, ..] => true,
        _ => {
            return Err(Error::malformed(
                display,
                Position::Offset(origin),
                format!("not BTF (expected magic {BTF_MAGIC:#x})"),
            ))
        }
    };
    let r = Reader {
        data,
        big_endian,
        display,
        origin,
    };
    let version = data.get(2).copied().unwrap_or(0);
    if version != 1 {
        return Err(r.err(2, format!("BTF version {version} (expected 1)")));
    }
    let hdr_len = r.u32(4, "hdr_len")? as usize;
    if hdr_len < 24 {
        return Err(r.err(4, format!("BTF hdr_len {hdr_len} (expected >= 24)")));
    }
    let section = |at: usize, what: &str| -> Result<std::ops::Range<usize>> {
        let off = r.u32(at, what)? as usize;
        let len = r.u32(at + 4, what)? as usize;
        let start = hdr_len.saturating_add(off);
        let end = start.saturating_add(len);
        if end > data.len() {
            return Err(r.err(
                at,
                format!(
                    "BTF {what} section {start:#x}..{end:#x} lies past the end of the data ({:#x} bytes)",
                    data.len()
                ),
            ));
        }
        Ok(start..end)
    };
    let types_range = section(8, "type")?;
    let str_range = section(16, "string")?;
    let strings = &data[str_range.clone()];
    let base_strings = base.map_or(0, |b| b.strings_len);
    if base.is_none() && strings.first() != Some(&0) {
        return Err(r.err(
            str_range.start,
            "BTF string section does not start with an empty string (split BTF needs its base: the vmlinux BTF)",
        ));
    }
    if !strings.is_empty() && strings.last() != Some(&0) {
        return Err(r.err(
            str_range.end.saturating_sub(1),
            "BTF string section does not end with a NUL",
        ));
    }
    let name = |off: u32, at: usize| -> Result<&'a str> {
        string_at(base, strings, off).ok_or_else(|| {
            r.err(
                at,
                format!(
                    "name offset {off:#x} is not a UTF-8 string of the string section ({} bytes){}",
                    base_strings as usize + strings.len(),
                    if base.is_some() {
                        " (is this split BTF's base the vmlinux it was built against?)"
                    } else {
                        ""
                    }
                ),
            )
        })
    };
    let first_id = base.map_or(1, Btf::type_count);
    let mut types = Vec::new();
    let mut offsets = Vec::new();
    let mut at = types_range.start;
    while at < types_range.end {
        let rec = at;
        let name_off = r.u32(at, "btf_type.name_off")?;
        let info = r.u32(at + 4, "btf_type.info")?;
        let size_or_type = r.u32(at + 8, "btf_type.size")?;
        at += 12;
        let vlen = (info & 0xffff) as usize;
        let kflag = info >> 31 != 0;
        let kind_no = (info >> 24) & 0x1f;
        let id = first_id + types.len() as u32;
        // The bytes that follow `struct btf_type` for this kind.
        let extra = match kind_no {
            2 | 7..=12 | 16 | 18 => 0,
            1 | 14 | 17 => 4,
            3 => 12,
            4 | 5 | 15 | 19 => 12 * vlen,
            6 | 13 => 8 * vlen,
            k => return Err(r.err(rec, format!("type [{id}] has unknown BTF kind {k}"))),
        };
        let b = at;
        at += extra;
        if at > types_range.end {
            return Err(r.err(
                rec,
                format!("type [{id}] (kind {kind_no}, vlen {vlen}) runs past the end of the type section"),
            ));
        }
        let kind = match kind_no {
            1 => {
                let v = r.u32(b, "int encoding")?;
                BtfKind::Int {
                    size: size_or_type,
                    encoding: (v >> 24) as u8 & 0x0f,
                    offset: (v >> 16) as u8,
                    bits: v as u8,
                }
            }
            2 => BtfKind::Ptr(size_or_type),
            3 => BtfKind::Array {
                elem: r.u32(b, "btf_array.type")?,
                index: r.u32(b + 4, "btf_array.index_type")?,
                nelems: r.u32(b + 8, "btf_array.nelems")?,
            },
            4 | 5 => {
                let mut members = Vec::with_capacity(vlen);
                for m in (0..vlen).map(|i| b + i * 12) {
                    let off = r.u32(m + 8, "btf_member.offset")?;
                    members.push(BtfMember {
                        name: name(r.u32(m, "btf_member.name_off")?, m)?,
                        type_id: r.u32(m + 4, "btf_member.type")?,
                        bit_offset: if kflag { off & 0xff_ffff } else { off },
                        bitfield_size: if kflag { off >> 24 } else { 0 },
                    });
                }
                let size = size_or_type;
                if kind_no == 4 {
                    BtfKind::Struct { size, members }
                } else {
                    BtfKind::Union { size, members }
                }
            }
            6 | 19 => {
                let is_64 = kind_no == 19;
                let each = if is_64 { 12 } else { 8 };
                let mut values = Vec::with_capacity(vlen);
                for e in (0..vlen).map(|i| b + i * each) {
                    let lo = r.u32(e + 4, "enum value")?;
                    let v = if is_64 {
                        let hi = r.u32(e + 8, "enum64 val_hi32")?;
                        ((u64::from(hi) << 32) | u64::from(lo)) as i64
                    } else if kflag {
                        i64::from(lo as i32)
                    } else {
                        i64::from(lo)
                    };
                    values.push((name(r.u32(e, "enum name_off")?, e)?, v));
                }
                BtfKind::Enum {
                    size: size_or_type,
                    signed: kflag,
                    is_64,
                    values,
                }
            }
            7 => BtfKind::Fwd { union: kflag },
            8 => BtfKind::Typedef(size_or_type),
            9 => BtfKind::Volatile(size_or_type),
            10 => BtfKind::Const(size_or_type),
            11 => BtfKind::Restrict(size_or_type),
            12 => BtfKind::Func {
                proto: size_or_type,
                linkage: vlen as u16,
            },
            13 => {
                let mut params = Vec::with_capacity(vlen);
                for p in (0..vlen).map(|i| b + i * 8) {
                    params.push(BtfParam {
                        name: name(r.u32(p, "btf_param.name_off")?, p)?,
                        type_id: r.u32(p + 4, "btf_param.type")?,
                    });
                }
                BtfKind::FuncProto {
                    ret: size_or_type,
                    params,
                }
            }
            14 => BtfKind::Var {
                type_id: size_or_type,
                linkage: r.u32(b, "btf_var.linkage")?,
            },
            15 => BtfKind::Datasec {
                size: size_or_type,
                vars: (0..vlen)
                    .map(|i| b + i * 12)
                    .map(|v| {
                        Ok(BtfVarSecinfo {
                            type_id: r.u32(v, "btf_var_secinfo.type")?,
                            offset: r.u32(v + 4, "btf_var_secinfo.offset")?,
                            size: r.u32(v + 8, "btf_var_secinfo.size")?,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
            },
            16 => BtfKind::Float { size: size_or_type },
            17 => BtfKind::DeclTag {
                type_id: size_or_type,
                component: r.u32(b, "btf_decl_tag.component_idx")? as i32,
            },
            _ => BtfKind::TypeTag(size_or_type),
        };
        types.push(BtfType {
            name: name(name_off, rec)?,
            kind,
        });
        offsets.push(origin + rec as u64);
    }
    if at != types_range.end {
        return Err(r.err(at, "the last BTF type record runs past the type section"));
    }
    let btf = Btf {
        display: display.to_string(),
        base,
        first_id,
        types,
        offsets,
        strings,
        strings_len: base_strings + strings.len() as u32,
    };
    check_references(&btf)?;
    Ok(btf)
}

/// The string at offset `off` of the base's and then `strings`'s string
/// sections (split BTF's offsets continue the base's).
fn string_at<'a>(base: Option<&'a Btf<'a>>, strings: &'a [u8], off: u32) -> Option<&'a str> {
    let base_len = base.map_or(0, |b| b.strings_len);
    if off < base_len {
        let b = base?;
        return string_at(b.base, b.strings, off);
    }
    let s = strings.get((off - base_len) as usize..)?;
    std::str::from_utf8(&s[..s.iter().position(|&b| b == 0)?]).ok()
}

/// Every type id a record refers to.
pub fn references(kind: &BtfKind<'_>) -> Vec<TypeId> {
    match kind {
        BtfKind::Void | BtfKind::Int { .. } | BtfKind::Fwd { .. } | BtfKind::Float { .. } => {
            Vec::new()
        }
        BtfKind::Enum { .. } => Vec::new(),
        BtfKind::Ptr(t)
        | BtfKind::Typedef(t)
        | BtfKind::Volatile(t)
        | BtfKind::Const(t)
        | BtfKind::Restrict(t)
        | BtfKind::TypeTag(t) => vec![*t],
        BtfKind::Array { elem, index, .. } => vec![*elem, *index],
        BtfKind::Struct { members, .. } | BtfKind::Union { members, .. } => {
            members.iter().map(|m| m.type_id).collect()
        }
        BtfKind::Func { proto, .. } => vec![*proto],
        BtfKind::FuncProto { ret, params } => std::iter::once(*ret)
            .chain(params.iter().map(|p| p.type_id))
            .collect(),
        BtfKind::Var { type_id, .. } | BtfKind::DeclTag { type_id, .. } => vec![*type_id],
        BtfKind::Datasec { vars, .. } => vars.iter().map(|v| v.type_id).collect(),
    }
}

/// Every referenced id must exist: a split BTF read without (or with the
/// wrong) base refers past the ids it has.
fn check_references(btf: &Btf<'_>) -> Result<()> {
    let count = btf.type_count();
    for ((id, t), &at) in btf.iter().zip(&btf.offsets) {
        if let Some(bad) = references(&t.kind).into_iter().find(|&r| r >= count) {
            return Err(Error::malformed(
                &btf.display,
                Position::Offset(at),
                format!(
                    "type [{id}] refers to type id {bad}, but there are only {} types{}",
                    count - 1,
                    if btf.base.is_some() {
                        " (is this split BTF's base the vmlinux it was built against?)"
                    } else {
                        " (split BTF needs its base: the vmlinux BTF)"
                    }
                ),
            ));
        }
    }
    Ok(())
}

/// The BTF blob of a file: the file itself when it starts with the BTF
/// magic (`/sys/kernel/btf/*`, `pahole --btf_encode_detached`), else the
/// `.BTF` section of an ELF `vmlinux` or `.ko` (libbpf's `btf__parse()`),
/// with where it starts in the file.
pub fn btf_blob<'a>(data: &'a [u8], display: &str) -> Result<(&'a [u8], u64)> {
    if is_btf(data) {
        return Ok((data, 0));
    }
    let elf = crate::elf::ElfImage::parse(data, display)?;
    let Some(section) = elf.section(".BTF") else {
        return Err(Error::malformed(
            display,
            Position::File,
            "no .BTF section (a kernel built with CONFIG_DEBUG_INFO_BTF, or pahole -J, has one)",
        ));
    };
    Ok((elf.section_data(section)?, section.offset))
}

/// bpftool's name of a kind (`btf_kind_str[]`).
fn kind_str(kind: &BtfKind<'_>) -> &'static str {
    match kind {
        BtfKind::Void => "UNKNOWN",
        BtfKind::Int { .. } => "INT",
        BtfKind::Ptr(_) => "PTR",
        BtfKind::Array { .. } => "ARRAY",
        BtfKind::Struct { .. } => "STRUCT",
        BtfKind::Union { .. } => "UNION",
        BtfKind::Enum { is_64: false, .. } => "ENUM",
        BtfKind::Enum { is_64: true, .. } => "ENUM64",
        BtfKind::Fwd { .. } => "FWD",
        BtfKind::Typedef(_) => "TYPEDEF",
        BtfKind::Volatile(_) => "VOLATILE",
        BtfKind::Const(_) => "CONST",
        BtfKind::Restrict(_) => "RESTRICT",
        BtfKind::Func { .. } => "FUNC",
        BtfKind::FuncProto { .. } => "FUNC_PROTO",
        BtfKind::Var { .. } => "VAR",
        BtfKind::Datasec { .. } => "DATASEC",
        BtfKind::Float { .. } => "FLOAT",
        BtfKind::DeclTag { .. } => "DECL_TAG",
        BtfKind::TypeTag(_) => "TYPE_TAG",
    }
}

fn anon(name: &str) -> &str {
    if name.is_empty() {
        "(anon)"
    } else {
        name
    }
}

/// The types of this blob (not its base's) as `bpftool btf dump file F
/// format raw` prints them (bpftool's `dump_btf_raw()`), one line per
/// record and one tab-indented line per member, parameter or constant.
pub fn render_raw(btf: &Btf<'_>) -> String {
    let mut s = String::new();
    for (id, t) in btf.iter() {
        render_type(&mut s, btf, id, t);
    }
    s
}

fn render_type(s: &mut String, btf: &Btf<'_>, id: TypeId, t: &BtfType<'_>) {
    let _ = write!(s, "[{id}] {} '{}'", kind_str(&t.kind), anon(t.name));
    match &t.kind {
        BtfKind::Void => {}
        BtfKind::Int {
            size,
            encoding,
            offset,
            bits,
        } => {
            let enc = match encoding {
                0 => "(none)",
                1 => "SIGNED",
                2 => "CHAR",
                4 => "BOOL",
                _ => "UNKN",
            };
            let _ = write!(
                s,
                " size={size} bits_offset={offset} nr_bits={bits} encoding={enc}"
            );
        }
        BtfKind::Ptr(t)
        | BtfKind::Typedef(t)
        | BtfKind::Volatile(t)
        | BtfKind::Const(t)
        | BtfKind::Restrict(t)
        | BtfKind::TypeTag(t) => {
            let _ = write!(s, " type_id={t}");
        }
        BtfKind::Array {
            elem,
            index,
            nelems,
        } => {
            let _ = write!(s, " type_id={elem} index_type_id={index} nr_elems={nelems}");
        }
        BtfKind::Struct { size, members } | BtfKind::Union { size, members } => {
            let _ = write!(s, " size={size} vlen={}", members.len());
            for m in members {
                let _ = write!(
                    s,
                    "\n\t'{}' type_id={} bits_offset={}",
                    anon(m.name),
                    m.type_id,
                    m.bit_offset
                );
                if m.bitfield_size != 0 {
                    let _ = write!(s, " bitfield_size={}", m.bitfield_size);
                }
            }
        }
        BtfKind::Enum {
            size,
            signed,
            is_64,
            values,
        } => {
            let enc = if *signed { "SIGNED" } else { "UNSIGNED" };
            let _ = write!(s, " encoding={enc} size={size} vlen={}", values.len());
            for (name, v) in values {
                let name = anon(name);
                let _ = match (is_64, signed) {
                    (false, true) => write!(s, "\n\t'{name}' val={}", *v as i32),
                    (false, false) => write!(s, "\n\t'{name}' val={}", *v as u32),
                    (true, true) => write!(s, "\n\t'{name}' val={v}LL"),
                    (true, false) => write!(s, "\n\t'{name}' val={}ULL", *v as u64),
                };
            }
        }
        BtfKind::Fwd { union } => {
            let _ = write!(s, " fwd_kind={}", if *union { "union" } else { "struct" });
        }
        BtfKind::Func { proto, linkage } => {
            let l = ["static", "global", "extern"]
                .get(*linkage as usize)
                .unwrap_or(&"(unknown)");
            let _ = write!(s, " type_id={proto} linkage={l}");
        }
        BtfKind::FuncProto { ret, params } => {
            let _ = write!(s, " ret_type_id={ret} vlen={}", params.len());
            for p in params {
                let _ = write!(s, "\n\t'{}' type_id={}", anon(p.name), p.type_id);
            }
        }
        BtfKind::Var { type_id, linkage } => {
            let l = ["static", "global", "extern"]
                .get(*linkage as usize)
                .unwrap_or(&"(unknown)");
            let _ = write!(s, " type_id={type_id}, linkage={l}");
        }
        BtfKind::Datasec { size, vars } => {
            let _ = write!(s, " size={size} vlen={}", vars.len());
            for v in vars {
                let _ = write!(
                    s,
                    "\n\ttype_id={} offset={} size={}",
                    v.type_id, v.offset, v.size
                );
                if let Some(vt) = btf.get(v.type_id) {
                    let _ = write!(s, " ({} '{}')", kind_str(&vt.kind), anon(vt.name));
                }
            }
        }
        BtfKind::Float { size } => {
            let _ = write!(s, " size={size}");
        }
        BtfKind::DeclTag { type_id, component } => {
            let _ = write!(s, " type_id={type_id} component_idx={component}");
        }
    }
    s.push('\n');
}

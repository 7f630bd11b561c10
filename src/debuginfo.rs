//! Debugging information entries: the small DIE model that
//! [`crate::dwarfksyms`] (gendwarfksyms' type strings and versions) runs
//! over.
//!
//! gendwarfksyms reads DWARF with libdw and uses only a few things of each
//! DIE: its tag, its children in order, a handful of attributes (read with
//! `dwarf_attr` + `dwarf_formstring`, `dwarf_formudata`, `dwarf_formflag`
//! or `dwarf_formref_die`), and for `DW_AT_decl_file` the name the unit's
//! line table gives that file. [`DebugInfo`] holds exactly that, already
//! read with libdw's semantics, so that any reader can fill it:
//! [`crate::dwarf`] from the DWARF of an ELF object, and a reader of LLVM
//! debug-info metadata from what LLVM would emit as DWARF for that module.
//!
//! Attribute values are what the libdw call gendwarfksyms uses returns:
//!
//! * a constant ([`ConstAttr`]) is `dwarf_formudata`'s value: data1..data8
//!   and udata zero-extended, sdata sign-extended to 64 bits then taken as
//!   unsigned (an enumerator -1 is 18446744073709551615), implicit_const
//!   likewise; an attribute in any other form (exprloc, a reference, a
//!   block, a flag, a string) is absent;
//! * [`Die::declaration`] is `dwarf_formflag` of `DW_AT_declaration`
//!   (false when absent or not a flag form);
//! * [`Die::type_ref`] and [`Die::abstract_origin`] are the DIEs
//!   `dwarf_formref_die` returns for `DW_AT_type` / `DW_AT_abstract_origin`;
//! * names are `DW_AT_name` and `DW_AT_linkage_name` strings.
//!
//! Only the first occurrence of an attribute in a DIE counts, as with
//! `dwarf_attr`.

use std::num::NonZeroU32;

/// DWARF tag values (`DW_TAG_*`) that gendwarfksyms distinguishes.
pub mod tag {
    #![allow(missing_docs)]
    pub const ARRAY_TYPE: u16 = 0x01;
    pub const CLASS_TYPE: u16 = 0x02;
    pub const ENUMERATION_TYPE: u16 = 0x04;
    pub const FORMAL_PARAMETER: u16 = 0x05;
    pub const MEMBER: u16 = 0x0d;
    pub const POINTER_TYPE: u16 = 0x0f;
    pub const REFERENCE_TYPE: u16 = 0x10;
    pub const COMPILE_UNIT: u16 = 0x11;
    pub const STRUCTURE_TYPE: u16 = 0x13;
    pub const SUBROUTINE_TYPE: u16 = 0x15;
    pub const TYPEDEF: u16 = 0x16;
    pub const UNION_TYPE: u16 = 0x17;
    pub const UNSPECIFIED_PARAMETERS: u16 = 0x18;
    pub const VARIANT: u16 = 0x19;
    pub const INHERITANCE: u16 = 0x1c;
    pub const SUBRANGE_TYPE: u16 = 0x21;
    pub const BASE_TYPE: u16 = 0x24;
    pub const CONST_TYPE: u16 = 0x26;
    pub const ENUMERATOR: u16 = 0x28;
    pub const PACKED_TYPE: u16 = 0x2d;
    pub const SUBPROGRAM: u16 = 0x2e;
    pub const TEMPLATE_TYPE_PARAMETER: u16 = 0x2f;
    pub const VARIABLE: u16 = 0x34;
    pub const VOLATILE_TYPE: u16 = 0x35;
    pub const RESTRICT_TYPE: u16 = 0x37;
    pub const NAMESPACE: u16 = 0x39;
    pub const UNSPECIFIED_TYPE: u16 = 0x3b;
    pub const PARTIAL_UNIT: u16 = 0x3c;
    pub const SHARED_TYPE: u16 = 0x40;
    pub const RVALUE_REFERENCE_TYPE: u16 = 0x42;
    pub const ATOMIC_TYPE: u16 = 0x47;
    pub const IMMUTABLE_TYPE: u16 = 0x4b;
    pub const VARIANT_PART: u16 = 0x33;
}

/// The constant-valued attributes gendwarfksyms reads with
/// `dwarf_formudata`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ConstAttr {
    /// `DW_AT_byte_size`.
    ByteSize = 0,
    /// `DW_AT_bit_size`.
    BitSize,
    /// `DW_AT_data_bit_offset`.
    DataBitOffset,
    /// `DW_AT_data_member_location` (constant form only).
    DataMemberLocation,
    /// `DW_AT_alignment`.
    Alignment,
    /// `DW_AT_encoding`.
    Encoding,
    /// `DW_AT_accessibility`.
    Accessibility,
    /// `DW_AT_discr_value`.
    DiscrValue,
    /// `DW_AT_count`.
    Count,
    /// `DW_AT_upper_bound`.
    UpperBound,
    /// `DW_AT_const_value`.
    ConstValue,
    /// `DW_AT_decl_file` (an index into [`Unit::files`]).
    DeclFile,
}

/// The number of [`ConstAttr`] kinds.
pub const CONST_ATTRS: usize = 12;

/// An index into [`DebugInfo::dies`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DieId(pub u32);

/// An optional [`DieId`] in four bytes (`u32::MAX` for none: a model never
/// holds that many entries). Six of them in each [`Die`] took 48 bytes as
/// `Option<DieId>`; the DIE table is most of a model's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DieLink(u32);

impl DieLink {
    const NONE: DieLink = DieLink(u32::MAX);

    fn get(self) -> Option<DieId> {
        (self != Self::NONE).then_some(DieId(self.0))
    }
}

impl From<Option<DieId>> for DieLink {
    fn from(id: Option<DieId>) -> Self {
        id.map_or(Self::NONE, |d| DieLink(d.0))
    }
}

/// A string held by a [`DebugInfo`] (see [`DebugInfo::str`]).
///
/// Its start is kept plus one, as a `NonZeroU32`, so that an
/// `Option<StrId>` (a [`Die`]'s names) takes 8 bytes instead of 12.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrId {
    start1: NonZeroU32,
    len: u32,
}

/// One debugging information entry.
#[derive(Debug, Clone)]
pub struct Die {
    /// `DW_TAG_*` ([`tag`]).
    pub tag: u16,
    /// Where the entry is in its input: the `.debug_info` offset for DWARF,
    /// the record's position for metadata. Used in error messages and as
    /// the entry's identity in dumps; unique within one [`DebugInfo`].
    pub offset: u64,
    /// The unit ([`DebugInfo::units`]) the entry belongs to.
    pub unit: u32,
    /// `DW_AT_name`.
    pub name: Option<StrId>,
    /// `DW_AT_linkage_name` (rustc names exported symbols with it).
    pub linkage_name: Option<StrId>,
    /// `DW_AT_type`.
    type_ref: DieLink,
    /// `DW_AT_abstract_origin`.
    abstract_origin: DieLink,
    /// `DW_AT_specification` (gcc's nameless definition of a variable
    /// declared in a header points at that declaration); only the DWARF
    /// reader sets it, and only explain's encoder reads it.
    specification: DieLink,
    /// `DW_AT_declaration` with a true flag.
    pub declaration: bool,
    /// `DW_AT_external` with a true flag: a function or variable visible
    /// outside its unit (not `static`).
    pub external: bool,
    /// First child, in DWARF order.
    first_child: DieLink,
    /// Next sibling, in DWARF order.
    next_sibling: DieLink,
    /// The parent entry (`None` for a unit's root).
    parent: DieLink,
    /// How deep below its top-level ancestor the entry is (0 for that
    /// ancestor), saturating: only [`DebugInfo::max_depth`] reads it, to
    /// compare with limits far below `u16::MAX`.
    depth: u16,
    /// Which [`ConstAttr`]s are present (bit `attr as u8`).
    const_mask: u16,
    /// Their values, in [`ConstAttr`] order, from this index of
    /// [`DebugInfo`]'s constant pool.
    const_start: u32,
}

// The DIE table is most of a model's memory, and every page of it is a
// page fault.
const _: () = assert!(std::mem::size_of::<Die>() <= 64);

impl Die {
    /// `DW_AT_type`.
    pub fn type_ref(&self) -> Option<DieId> {
        self.type_ref.get()
    }

    /// `DW_AT_abstract_origin`.
    pub fn abstract_origin(&self) -> Option<DieId> {
        self.abstract_origin.get()
    }

    /// `DW_AT_specification` (gcc's nameless definition of a variable
    /// declared in a header points at that declaration); only the DWARF
    /// reader sets it, and only explain's encoder reads it.
    pub fn specification(&self) -> Option<DieId> {
        self.specification.get()
    }

    /// First child, in DWARF order.
    pub fn first_child(&self) -> Option<DieId> {
        self.first_child.get()
    }

    /// Next sibling, in DWARF order.
    pub fn next_sibling(&self) -> Option<DieId> {
        self.next_sibling.get()
    }

    /// The parent entry (`None` for a unit's root).
    pub fn parent(&self) -> Option<DieId> {
        self.parent.get()
    }
}

/// One compilation (or partial) unit.
#[derive(Debug, Clone, Default)]
pub struct Unit {
    /// The unit DIE (`DW_TAG_compile_unit`), whose children gendwarfksyms
    /// walks.
    pub root: Option<DieId>,
    /// File names as libdw's `dwarf_filesrc` returns them, indexed as
    /// `DW_AT_decl_file` values are: for DWARF 5 entry 0 is the first file
    /// of the line table; for DWARF 2-4 entry 0 is a placeholder and entry
    /// `i` the `i`-th `file_names` entry. Only whether a name ends in `.c`
    /// matters (definitions in `.c` files are private to the object).
    pub files: Vec<StrId>,
}

/// The attributes of a new entry, for [`DebugInfo::add_die`]. References
/// ([`Die::type_ref`], [`Die::abstract_origin`]) are set afterwards with
/// [`DebugInfo::set_type_ref`] / [`DebugInfo::set_abstract_origin`], once
/// the entry referred to exists.
#[derive(Debug, Clone, Default)]
pub struct DieAttrs<'s> {
    /// `DW_AT_name`.
    pub name: Option<&'s str>,
    /// `DW_AT_linkage_name`.
    pub linkage_name: Option<&'s str>,
    /// `DW_AT_declaration` flag.
    pub declaration: bool,
    /// `DW_AT_external` flag.
    pub external: bool,
    /// Which [`ConstAttr`]s are set (bit `attr as u8`): see
    /// [`Self::set_const`].
    const_mask: u16,
    /// Their `dwarf_formudata` values, by [`ConstAttr`].
    consts: [u64; CONST_ATTRS],
}

impl<'s> DieAttrs<'s> {
    /// Attributes with `DW_AT_name` only.
    pub fn named(name: &'s str) -> Self {
        DieAttrs::with_name(Some(name))
    }

    /// Attributes with at most `DW_AT_name`; the others are set on the
    /// result (the constants through [`Self::set_const`]).
    pub fn with_name(name: Option<&'s str>) -> Self {
        DieAttrs {
            name,
            ..Default::default()
        }
    }

    /// Sets a constant attribute (the first one set wins, as `dwarf_attr`
    /// finds the first occurrence).
    pub fn set_const(&mut self, attr: ConstAttr, value: u64) {
        if !self.has_const(attr) {
            self.const_mask |= 1 << attr as u8;
            self.consts[attr as usize] = value;
        }
    }

    /// Whether a constant attribute is set.
    pub fn has_const(&self, attr: ConstAttr) -> bool {
        self.const_mask & (1 << attr as u8) != 0
    }
}

/// The debugging information of one object (one libdwfl module): every
/// entry of every unit.
#[derive(Debug, Clone, Default)]
pub struct DebugInfo {
    /// All entries; a parent comes before its children.
    pub dies: Vec<Die>,
    /// The units, in input order.
    pub units: Vec<Unit>,
    strings: String,
    consts: Vec<u64>,
    /// The last child added to each entry (to append the next one).
    last_child: Vec<DieLink>,
    /// The largest [`Die`] depth.
    max_depth: u16,
}

impl DebugInfo {
    /// An empty model.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes room for `dies` more entries and `text` more bytes of
    /// names, so that a reader that knows about how many it will add
    /// does not copy the model as it grows (room never used costs
    /// address space only).
    pub fn reserve(&mut self, dies: usize, text: usize) {
        self.dies.reserve(dies);
        self.last_child.reserve(dies);
        self.strings.reserve(text);
    }

    /// Stores a string.
    pub fn intern(&mut self, s: &str) -> StrId {
        let start1 = (self.strings.len() as u32).wrapping_add(1);
        self.strings.push_str(s);
        StrId {
            start1: NonZeroU32::new(start1).unwrap_or(NonZeroU32::MAX),
            len: s.len() as u32,
        }
    }

    /// The text of a stored string.
    pub fn str(&self, s: StrId) -> &str {
        let start = s.start1.get() as usize - 1;
        self.strings
            .get(start..start.saturating_add(s.len as usize))
            .unwrap_or("")
    }

    /// Starts a new unit; entries added with `parent == None` afterwards
    /// become its root.
    pub fn add_unit(&mut self, files: Vec<StrId>) -> u32 {
        self.units.push(Unit { root: None, files });
        (self.units.len() - 1) as u32
    }

    /// Adds an entry as the last child of `parent`, or as the root of the
    /// current (last added) unit.
    pub fn add_die(
        &mut self,
        parent: Option<DieId>,
        tag: u16,
        offset: u64,
        attrs: &DieAttrs<'_>,
    ) -> DieId {
        let id = DieId(self.dies.len() as u32);
        let name = attrs.name.map(|s| self.intern(s));
        let linkage_name = attrs.linkage_name.map(|s| self.intern(s));
        let const_start = self.consts.len() as u32;
        let const_mask = attrs.const_mask;
        let mut bits = const_mask;
        while bits != 0 {
            self.consts
                .push(attrs.consts[bits.trailing_zeros() as usize]);
            bits &= bits - 1;
        }
        let unit = self.units.len().saturating_sub(1) as u32;
        let depth = parent
            .and_then(|p| self.dies.get(p.0 as usize))
            .map_or(0, |p| p.depth.saturating_add(1));
        self.max_depth = self.max_depth.max(depth);
        self.dies.push(Die {
            tag,
            offset,
            unit,
            name,
            linkage_name,
            type_ref: DieLink::NONE,
            abstract_origin: DieLink::NONE,
            specification: DieLink::NONE,
            declaration: attrs.declaration,
            external: attrs.external,
            first_child: DieLink::NONE,
            next_sibling: DieLink::NONE,
            parent: parent.into(),
            depth,
            const_mask,
            const_start,
        });
        self.last_child.push(DieLink::NONE);
        match parent {
            Some(p) => {
                match self.last_child.get(p.0 as usize).and_then(|l| l.get()) {
                    Some(prev) => self.dies[prev.0 as usize].next_sibling = Some(id).into(),
                    None => {
                        if let Some(d) = self.dies.get_mut(p.0 as usize) {
                            d.first_child = Some(id).into();
                        }
                    }
                }
                if let Some(l) = self.last_child.get_mut(p.0 as usize) {
                    *l = Some(id).into();
                }
            }
            None => {
                if let Some(u) = self.units.last_mut() {
                    u.root.get_or_insert(id);
                }
            }
        }
        id
    }

    /// Gives back the capacity its vectors grew beyond their contents (a
    /// reader calls it once all entries are in).
    pub fn shrink_to_fit(&mut self) {
        self.dies.shrink_to_fit();
        self.units.shrink_to_fit();
        self.strings.shrink_to_fit();
        self.consts.shrink_to_fit();
        self.last_child.shrink_to_fit();
    }

    /// Sets `DW_AT_type` of `die`.
    pub fn set_type_ref(&mut self, die: DieId, target: DieId) {
        if let Some(d) = self.dies.get_mut(die.0 as usize) {
            d.type_ref = Some(target).into();
        }
    }

    /// Sets `DW_AT_specification` of `die`.
    pub fn set_specification(&mut self, die: DieId, target: DieId) {
        if let Some(d) = self.dies.get_mut(die.0 as usize) {
            d.specification = Some(target).into();
        }
    }

    /// Sets `DW_AT_abstract_origin` of `die`.
    pub fn set_abstract_origin(&mut self, die: DieId, target: DieId) {
        if let Some(d) = self.dies.get_mut(die.0 as usize) {
            d.abstract_origin = Some(target).into();
        }
    }

    /// The entry `id` (ids come from [`Self::add_die`]; an unknown id is a
    /// bug in the caller, answered with the first entry).
    pub fn die(&self, id: DieId) -> &Die {
        &self.dies[(id.0 as usize).min(self.dies.len().saturating_sub(1))]
    }

    /// The `DW_AT_name` of `id`.
    pub fn name(&self, id: DieId) -> Option<&str> {
        self.die(id).name.map(|s| self.str(s))
    }

    /// The `DW_AT_linkage_name` of `id`.
    pub fn linkage_name(&self, id: DieId) -> Option<&str> {
        self.die(id).linkage_name.map(|s| self.str(s))
    }

    /// A constant attribute of `id`.
    pub fn const_attr(&self, id: DieId, attr: ConstAttr) -> Option<u64> {
        let d = self.die(id);
        let bit = 1u16 << (attr as u8);
        if d.const_mask & bit == 0 {
            return None;
        }
        let before = (d.const_mask & (bit - 1)).count_ones();
        self.consts.get((d.const_start + before) as usize).copied()
    }

    /// How deep the deepest entry is below its top-level ancestor (a
    /// unit's root is at depth 0, its children at 1).
    pub fn max_depth(&self) -> usize {
        self.max_depth as usize
    }

    /// The children of `id`, in order.
    pub fn children(&self, id: DieId) -> Children<'_> {
        Children {
            info: self,
            next: self.die(id).first_child(),
        }
    }
}

/// Iterator over the children of an entry.
pub struct Children<'a> {
    info: &'a DebugInfo,
    next: Option<DieId>,
}

impl Iterator for Children<'_> {
    type Item = DieId;
    fn next(&mut self) -> Option<DieId> {
        let id = self.next?;
        self.next = self.info.die(id).next_sibling();
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_and_attributes() {
        let mut d = DebugInfo::new();
        d.add_unit(Vec::new());
        let cu = d.add_die(None, tag::COMPILE_UNIT, 0, &DieAttrs::default());
        let mut a = DieAttrs::named("s");
        a.set_const(ConstAttr::ByteSize, 8);
        a.set_const(ConstAttr::Alignment, 4);
        a.set_const(ConstAttr::ByteSize, 9);
        let s = d.add_die(Some(cu), tag::STRUCTURE_TYPE, 10, &a);
        let m = d.add_die(Some(s), tag::MEMBER, 20, &DieAttrs::default());
        let t = d.add_die(Some(cu), tag::BASE_TYPE, 30, &DieAttrs::default());
        d.set_type_ref(m, t);
        assert_eq!(d.children(cu).collect::<Vec<_>>(), vec![s, t]);
        assert_eq!(d.children(s).collect::<Vec<_>>(), vec![m]);
        assert_eq!(d.name(s), Some("s"));
        assert_eq!(d.const_attr(s, ConstAttr::ByteSize), Some(8));
        assert_eq!(d.const_attr(s, ConstAttr::Alignment), Some(4));
        assert_eq!(d.const_attr(s, ConstAttr::Encoding), None);
        assert_eq!(d.die(m).type_ref(), Some(t));
        assert_eq!(d.units[0].root, Some(cu));
        assert_eq!(d.die(m).parent(), Some(s));
        assert_eq!(d.die(cu).parent(), None);
        assert_eq!(d.max_depth(), 2);
    }
}

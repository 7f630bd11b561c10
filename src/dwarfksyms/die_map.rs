//! gendwarfksyms' `die_map` (`die.c`): the type-string fragments built for
//! each DIE, per expansion state.
//!
//! An entry is created for a (DIE, wanted state) pair and starts
//! `Incomplete`; a lookup matches an entry only once its state equals the
//! state asked for. While a type is still being built (recursion through a
//! typedef or a pointer), a second lookup for it therefore misses and
//! builds a second entry; lookups afterwards find the newest complete one.
//! That is gendwarfksyms' behaviour, kept so the type strings are too.

use crate::debuginfo::DieId;

/// `enum die_state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DieState {
    /// `DIE_INCOMPLETE`: being built.
    Incomplete,
    /// `DIE_FQN`: only the fully qualified name is known.
    Fqn,
    /// `DIE_UNEXPANDED`: a struct/union/enum shown without its members.
    Unexpanded,
    /// `DIE_COMPLETE`.
    Complete,
    /// `DIE_SYMBOL`: an exported symbol's own entry.
    Symbol,
}

impl DieState {
    /// `die_state_name`.
    pub fn name(self) -> &'static str {
        match self {
            DieState::Incomplete => "DIE_INCOMPLETE",
            DieState::Fqn => "DIE_FQN",
            DieState::Unexpanded => "DIE_UNEXPANDED",
            DieState::Complete => "DIE_COMPLETE",
            DieState::Symbol => "DIE_SYMBOL",
        }
    }

    /// All states, in `enum die_state` order.
    pub const ALL: [DieState; 5] = [
        DieState::Incomplete,
        DieState::Fqn,
        DieState::Unexpanded,
        DieState::Complete,
        DieState::Symbol,
    ];
}

/// A string of [`DieMap::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRange {
    start: u32,
    end: u32,
}

impl TextRange {
    /// This range of `buf` (empty if it is not one).
    fn of(self, buf: &str) -> &str {
        buf.get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

/// `struct die_fragment`, as [`DieMap::fragments`] gives it (the map
/// stores it packed, see [`Packed`]).
#[derive(Debug, Clone, Copy)]
pub enum Fragment {
    /// `FRAGMENT_STRING` (consecutive strings of one entry are kept as
    /// one, except where a string begins with a type prefix: only piece
    /// boundaries before such strings mean anything to gendwarfksyms).
    Str(TextRange),
    /// `FRAGMENT_LINEBREAK` (indentation change).
    Linebreak(i32),
    /// `FRAGMENT_DIE`: another DIE's entry, looked up when expanding.
    Die(DieId),
}

/// A [`Fragment`] in 8 bytes instead of 12: a string's start and end, or
/// one of two markers no string starts at ([`TEXT_LIMIT`]) and the
/// fragment's 32-bit value. The fragment tables are the largest part of
/// the map, and each page of them is a page fault.
#[derive(Debug, Clone, Copy)]
struct Packed {
    start: u32,
    value: u32,
}

const LINEBREAK: u32 = u32::MAX;
const DIE: u32 = u32::MAX - 1;
/// Where the map's string tables end: strings end at or before it, so no
/// string starts at [`LINEBREAK`] or [`DIE`].
const TEXT_LIMIT: u32 = u32::MAX - 2;

impl Packed {
    fn new(f: Fragment) -> Self {
        let (start, value) = match f {
            Fragment::Str(r) => (r.start, r.end),
            Fragment::Linebreak(n) => (LINEBREAK, n as u32),
            Fragment::Die(d) => (DIE, d.0),
        };
        Packed { start, value }
    }

    fn get(self) -> Fragment {
        match self.start {
            LINEBREAK => Fragment::Linebreak(self.value as i32),
            DIE => Fragment::Die(DieId(self.value)),
            start => Fragment::Str(TextRange {
                start,
                end: self.value,
            }),
        }
    }
}

/// The fragments of one entry ([`DieMap::fragments`]).
#[derive(Debug, Clone, Copy)]
pub struct Fragments<'m>(&'m [Packed]);

impl Fragments<'_> {
    /// Fragment `i`.
    pub fn get(&self, i: usize) -> Option<Fragment> {
        self.0.get(i).map(|p| p.get())
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fragments in order.
    pub fn iter(&self) -> impl Iterator<Item = Fragment> + '_ {
        self.0.iter().map(|p| p.get())
    }
}

/// An [`Entry`]'s name before it has one: no string starts past
/// [`TEXT_LIMIT`].
const NO_FQN: TextRange = TextRange {
    start: u32::MAX,
    end: u32::MAX,
};
const _: () = assert!(NO_FQN.start > TEXT_LIMIT);

/// An index into [`DieMap::entries`].
pub type EntryId = usize;

/// `struct die`.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The current state.
    pub state: DieState,
    /// Already added to the type map (`expand_type`).
    pub mapped: bool,
    /// The fully qualified name in [`DieMap::fqn`]'s table;
    /// [`NO_FQN`] is C's NULL (not looked up yet). Not an `Option`, which
    /// would take 4 more bytes per entry.
    fqn: TextRange,
    /// `DW_TAG_*`, or -1 until known.
    pub tag: i32,
    /// The DIE.
    pub addr: DieId,
    /// The state the entry was created for (its key in the map).
    want: DieState,
    /// Its fragments in [`DieMap::fragments`]: (start, count), set when
    /// the entry is complete.
    frags: (u32, u32),
}

// Entries and fragments are most of a map's memory, and every page of it
// is a page fault.
const _: () = assert!(std::mem::size_of::<Entry>() <= 28);
const _: () = assert!(std::mem::size_of::<Packed>() == 8);

/// The map of one module.
///
/// An entry is built from its creation ([`DieMap::get`]) to
/// [`DieMap::set_state`], and the entries it refers to are built while it
/// is (gendwarfksyms' recursion): entries are built last-in, first-out. So
/// the fragments of the entries being built live on one stack, and an
/// entry's are moved, contiguous, into one table when it is complete,
/// instead of each entry owning a vector (an allocation per entry, and
/// most of the map's memory in their headers and spare capacity).
#[derive(Debug, Default)]
pub struct DieMap {
    /// Entries in creation order.
    pub entries: Vec<Entry>,
    /// The text of every [`Fragment::Str`].
    text: String,
    /// The text of every fully qualified name (apart from `text`, so that
    /// a name set between two strings of an entry does not part them).
    names: String,
    /// The fragments of the complete entries.
    fragments: Vec<Packed>,
    /// The fragments of the entries being built, innermost last.
    building: Vec<Packed>,
    /// The entries being built, innermost last, with where their
    /// fragments start in [`Self::building`].
    open: Vec<(EntryId, u32)>,
    /// A fragment was added to an entry other than the innermost one
    /// being built, or an entry other than it completed: never done by
    /// the builder, reported by it as an internal error.
    pub misplaced: bool,
    /// Per (DIE, state asked for): the newest entry that reached that
    /// state. An entry only ever goes from `Incomplete` to the state it was
    /// created for ([`Self::set_state`]), so this is what `__die_map_get`'s
    /// scan over the hash chain finds, without the scan (which was
    /// quadratic in the incomplete entries a recursive type leaves).
    ///
    /// One table per state, indexed by DIE, holding the entry + 1 (0 for
    /// none): a lookup is one load, where a hash map's was a hash and a
    /// probe; lookups are most of what expanding and replaying do. The
    /// tables grow to the highest DIE that completes an entry.
    done: [Vec<u32>; 5],
    /// `map_hits`, `map_misses` (for `-d`).
    pub hits: u32,
    /// See `hits`.
    pub misses: u32,
}

impl DieMap {
    /// An empty map with room for what a module of `dies` DIEs builds.
    /// Over the 359 exporting objects of a 7.1 tree, a module's map held
    /// per DIE read: 1.03 entries, 5.3 fragments and 34 bytes of text (the
    /// same within a fifth from 10 DIEs to 6000); growing there by
    /// doubling copied each table several times (4 % of the instructions
    /// on arch/x86/kernel/apic/vector.o). Room not used is never touched.
    pub fn for_dies(dies: usize) -> Self {
        let mut map = DieMap::default();
        map.entries.reserve(dies + dies / 4);
        map.fragments.reserve(dies * 6);
        map.text.reserve(dies * 40);
        map.names.reserve(dies * 4);
        map
    }

    /// `__die_map_get`: the newest entry for `addr` created for `state`
    /// whose state is now `state`.
    pub fn find(&self, addr: DieId, state: DieState) -> Option<EntryId> {
        let e = *self.done[state as usize].get(addr.0 as usize)?;
        (e != 0).then(|| e as EntryId - 1)
    }

    /// Sets the state of `entry`: `Incomplete` to the state it was created
    /// for (the only transition gendwarfksyms makes), which completes it.
    pub fn set_state(&mut self, entry: EntryId, state: DieState) {
        debug_assert_eq!(self.entries[entry].want, state);
        match self.open.last() {
            Some(&(e, start)) if e == entry => {
                self.open.pop();
                let at = self.fragments.len() as u32;
                self.fragments
                    .extend_from_slice(&self.building[start as usize..]);
                self.entries[entry].frags = (at, self.fragments.len() as u32 - at);
                self.building.truncate(start as usize);
            }
            _ => self.misplaced = true,
        }
        self.entries[entry].state = state;
        if state == self.entries[entry].want {
            let table = &mut self.done[state as usize];
            let at = self.entries[entry].addr.0 as usize;
            if table.len() <= at {
                table.resize(at + 1, 0);
            }
            // Entries are never more than u32::MAX - 1: each takes bytes.
            let id = u32::try_from(entry + 1).unwrap_or(u32::MAX);
            table[at] = table[at].max(id);
        }
    }

    /// `die_map_get`: [`Self::find`], or a new incomplete entry (the
    /// innermost one being built).
    pub fn get(&mut self, addr: DieId, state: DieState) -> EntryId {
        if let Some(e) = self.find(addr, state) {
            self.hits += 1;
            return e;
        }
        self.misses += 1;
        let id = self.entries.len();
        self.entries.push(Entry {
            state: DieState::Incomplete,
            mapped: false,
            fqn: NO_FQN,
            tag: -1,
            addr,
            want: state,
            frags: (0, 0),
        });
        self.open.push((id, self.building.len() as u32));
        id
    }

    /// The fragments of `entry` so far.
    pub fn fragments(&self, entry: EntryId) -> Fragments<'_> {
        let e = &self.entries[entry];
        if e.state == DieState::Incomplete {
            if let Some(&(_, start)) = self.open.iter().rev().find(|o| o.0 == entry) {
                return Fragments(self.building.get(start as usize..).unwrap_or_default());
            }
        }
        let (at, n) = e.frags;
        Fragments(
            self.fragments
                .get(at as usize..(at + n) as usize)
                .unwrap_or_default(),
        )
    }

    /// Whether `entry` is the innermost entry being built (the only one
    /// fragments may be added to).
    fn is_innermost(&mut self, entry: EntryId) -> bool {
        let ok = self.open.last().is_some_and(|o| o.0 == entry);
        self.misplaced |= !ok;
        ok
    }

    /// Appends a string fragment to `entry`; false if the map's text
    /// would pass 4 GiB (the string is not added).
    pub fn push_str(&mut self, entry: EntryId, s: &str) -> bool {
        if !fits(&self.text, s) {
            return false;
        }
        if !self.is_innermost(entry) {
            return true;
        }
        let Some(r) = append(&mut self.text, s) else {
            return false;
        };
        let own = self.open.last().map_or(0, |o| o.1 as usize);
        if self.building.len() > own {
            if let Some(last) = self.building.last_mut() {
                // A string fragment's value is its end.
                if last.start < DIE && last.value == r.start && !super::types::is_type_prefix(s) {
                    last.value = r.end;
                    return true;
                }
            }
        }
        self.building.push(Packed::new(Fragment::Str(r)));
        true
    }

    /// The fully qualified name of `entry` (`die->fqn`).
    pub fn fqn(&self, entry: EntryId) -> Option<&str> {
        Some(self.fqn_text(self.fqn_range(entry)?))
    }

    /// A fully qualified name of the table, e.g. one kept from
    /// [`Self::fqn_range`].
    pub fn fqn_text(&self, r: TextRange) -> &str {
        r.of(&self.names)
    }

    /// Where the fully qualified name of `entry` is in the table.
    pub fn fqn_range(&self, entry: EntryId) -> Option<TextRange> {
        let r = self.entries[entry].fqn;
        (r != NO_FQN).then_some(r)
    }

    /// Sets the fully qualified name of `entry` to `name`; false if the
    /// table would pass 4 GiB (the name is not set).
    pub fn set_fqn(&mut self, entry: EntryId, name: &str) -> bool {
        let Some(r) = append(&mut self.names, name) else {
            return false;
        };
        self.entries[entry].fqn = r;
        true
    }

    /// Gives `entry` the fully qualified name at `r` (of another entry).
    pub fn share_fqn(&mut self, entry: EntryId, r: TextRange) {
        self.entries[entry].fqn = r;
    }

    /// The text of a string fragment.
    pub fn text(&self, r: TextRange) -> &str {
        r.of(&self.text)
    }

    /// Appends a fragment to `entry` (nothing for `None`, as with a NULL
    /// `struct die *`).
    pub fn push(&mut self, entry: Option<EntryId>, f: Fragment) {
        if let Some(e) = entry {
            if self.is_innermost(e) {
                self.building.push(Packed::new(f));
            }
        }
    }

    /// Entries per state, for `die_map_free`'s statistics.
    pub fn stats(&self) -> [u32; 5] {
        let mut s = [0u32; 5];
        for e in &self.entries {
            s[e.state as usize] += 1;
        }
        s
    }
}

/// Whether `s` can be appended to `buf`: the map's string tables end at
/// [`TEXT_LIMIT`], just short of 4 GiB (ranges are 32-bit).
fn fits(buf: &str, s: &str) -> bool {
    buf.len()
        .checked_add(s.len())
        .is_some_and(|end| end <= TEXT_LIMIT as usize)
}

/// Appends `s` to `buf` and returns where it is; `None`, with nothing
/// appended, if it does not [`fits`].
fn append(buf: &mut String, s: &str) -> Option<TextRange> {
    if !fits(buf, s) {
        return None;
    }
    let start = buf.len() as u32;
    buf.push_str(s);
    Some(TextRange {
        start,
        end: buf.len() as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_entries_do_not_match() {
        let mut m = DieMap::default();
        let a = m.get(DieId(1), DieState::Complete);
        let b = m.get(DieId(1), DieState::Complete);
        assert_ne!(a, b);
        m.set_state(b, DieState::Complete);
        m.set_state(a, DieState::Complete);
        assert!(!m.misplaced);
        assert_eq!(m.find(DieId(1), DieState::Complete), Some(b));
        assert_eq!(m.get(DieId(1), DieState::Complete), b);
        assert_eq!((m.hits, m.misses), (1, 2));
        assert_eq!(m.find(DieId(1), DieState::Unexpanded), None);
    }

    #[test]
    fn packed_fragments_round_trip() {
        let frags = [
            Fragment::Str(TextRange { start: 0, end: 0 }),
            Fragment::Str(TextRange {
                start: TEXT_LIMIT,
                end: TEXT_LIMIT,
            }),
            Fragment::Linebreak(-3),
            Fragment::Linebreak(i32::MIN),
            Fragment::Linebreak(i32::MAX),
            Fragment::Die(DieId(0)),
            Fragment::Die(DieId(u32::MAX)),
        ];
        for f in frags {
            assert_eq!(format!("{:?}", Packed::new(f).get()), format!("{f:?}"));
        }
    }

    #[test]
    fn nested_entries_keep_their_own_fragments() {
        let mut m = DieMap::default();
        let outer = m.get(DieId(1), DieState::Complete);
        assert!(m.push_str(outer, "struct a {"));
        let inner = m.get(DieId(2), DieState::Complete);
        assert!(m.push_str(inner, "int"));
        // Adjacent strings of one entry are one fragment, but not across
        // entries.
        assert!(m.push_str(inner, " x"));
        m.set_state(inner, DieState::Complete);
        assert!(m.push_str(outer, " y"));
        m.push(Some(outer), Fragment::Die(DieId(2)));
        assert_eq!(m.fragments(outer).len(), 3, "still being built");
        m.set_state(outer, DieState::Complete);
        let text = |e| {
            m.fragments(e)
                .iter()
                .map(|f| match f {
                    Fragment::Str(r) => m.text(r).to_string(),
                    Fragment::Die(d) => format!("<{}>", d.0),
                    Fragment::Linebreak(n) => format!("<{n}>"),
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(text(inner), ["int x"]);
        assert_eq!(text(outer), ["struct a {", " y", "<2>"]);
        assert!(!m.misplaced);
        // A fragment for an entry that is not the innermost one being
        // built is refused and flagged.
        let a = m.get(DieId(3), DieState::Complete);
        let _b = m.get(DieId(4), DieState::Complete);
        m.push(Some(a), Fragment::Linebreak(1));
        assert!(m.misplaced);
        assert!(m.fragments(a).is_empty());
    }
}

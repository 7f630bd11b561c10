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
use rustc_hash::FxHashMap as HashMap;
use std::rc::Rc;

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

/// `struct die_fragment`.
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

/// An index into [`DieMap::entries`].
pub type EntryId = usize;

/// `struct die`.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The current state.
    pub state: DieState,
    /// Already added to the type map (`expand_type`).
    pub mapped: bool,
    /// The fully qualified name: `None` is C's NULL (not looked up yet).
    pub fqn: Option<Rc<str>>,
    /// `DW_TAG_*`, or -1 until known.
    pub tag: i32,
    /// The DIE.
    pub addr: DieId,
    /// The type string, in pieces.
    pub fragments: Vec<Fragment>,
}

/// The map of one module.
#[derive(Debug, Default)]
pub struct DieMap {
    /// Entries in creation order.
    pub entries: Vec<Entry>,
    /// The text of every [`Fragment::Str`].
    text: String,
    /// Per (DIE, state asked for): the newest entry that reached that
    /// state. An entry only ever goes from `Incomplete` to the state it was
    /// created for ([`Self::set_state`]), so this is what `__die_map_get`'s
    /// scan over the hash chain finds, without the scan (which was
    /// quadratic in the incomplete entries a recursive type leaves).
    done: HashMap<(DieId, DieState), EntryId>,
    /// Each entry's key state.
    key_state: Vec<DieState>,
    /// `map_hits`, `map_misses` (for `-d`).
    pub hits: u32,
    /// See `hits`.
    pub misses: u32,
}

impl DieMap {
    /// `__die_map_get`: the newest entry for `addr` created for `state`
    /// whose state is now `state`.
    pub fn find(&self, addr: DieId, state: DieState) -> Option<EntryId> {
        self.done.get(&(addr, state)).copied()
    }

    /// Sets the state of `entry`: `Incomplete` to the state it was created
    /// for (the only transition gendwarfksyms makes).
    pub fn set_state(&mut self, entry: EntryId, state: DieState) {
        debug_assert_eq!(self.key_state[entry], state);
        self.entries[entry].state = state;
        if state == self.key_state[entry] {
            let k = (self.entries[entry].addr, state);
            let newest = self.done.entry(k).or_insert(entry);
            *newest = (*newest).max(entry);
        }
    }

    /// `die_map_get`: [`Self::find`], or a new incomplete entry.
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
            fqn: None,
            tag: -1,
            addr,
            fragments: Vec::new(),
        });
        self.key_state.push(state);
        id
    }

    /// Appends a string fragment to `entry`; false if the map's text
    /// would pass 4 GiB (the string is not added).
    pub fn push_str(&mut self, entry: EntryId, s: &str) -> bool {
        let Ok(end) = u32::try_from(self.text.len() + s.len()) else {
            return false;
        };
        let start = self.text.len() as u32;
        self.text.push_str(s);
        let frags = &mut self.entries[entry].fragments;
        if let Some(Fragment::Str(r)) = frags.last_mut() {
            if r.end == start && !super::types::is_type_prefix(s) {
                r.end = end;
                return true;
            }
        }
        frags.push(Fragment::Str(TextRange { start, end }));
        true
    }

    /// The text of a string fragment.
    pub fn text(&self, r: TextRange) -> &str {
        self.text
            .get(r.start as usize..r.end as usize)
            .unwrap_or_default()
    }

    /// Appends a fragment to `entry` (nothing for `None`, as with a NULL
    /// `struct die *`).
    pub fn push(&mut self, entry: Option<EntryId>, f: Fragment) {
        if let Some(e) = entry {
            self.entries[e].fragments.push(f);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_entries_do_not_match() {
        let mut m = DieMap::default();
        let a = m.get(DieId(1), DieState::Complete);
        let b = m.get(DieId(1), DieState::Complete);
        assert_ne!(a, b);
        m.set_state(a, DieState::Complete);
        m.set_state(b, DieState::Complete);
        assert_eq!(m.find(DieId(1), DieState::Complete), Some(b));
        assert_eq!(m.get(DieId(1), DieState::Complete), b);
        assert_eq!((m.hits, m.misses), (1, 2));
        assert_eq!(m.find(DieId(1), DieState::Unexpanded), None);
    }
}

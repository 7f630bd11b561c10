//! kABI stability rules (`kabi.c`): the records of the
//! `.discard.gendwarfksyms.kabi_rules` section, used with `--stable`.
//!
//! The section is a sequence of NUL-terminated strings, four per rule:
//! version (`1`), type (`declonly`, `enumerator_ignore`, `enumerator_value`,
//! `byte_size`, `type_string`), target (a type's fully qualified name;
//! `fqn field` for enumerator rules; a `s#name`-style reference for
//! `type_string`) and value. A later rule with the same type and target
//! wins, as gendwarfksyms' hash chains find the newest first.

use super::Log;
use crate::error::{Error, Position, Result};
use rustc_hash::FxHashMap as HashMap;

/// `enum kabi_rule_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleType {
    /// Treat the struct/union/enum as a declaration.
    Declonly,
    /// Leave an enumerator out.
    EnumeratorIgnore,
    /// Version an enumerator with another value.
    EnumeratorValue,
    /// Version a type with another `byte_size`.
    ByteSize,
    /// Replace a type's whole type string.
    TypeString,
}

const RULE_TYPES: [(&str, RuleType); 5] = [
    ("declonly", RuleType::Declonly),
    ("enumerator_ignore", RuleType::EnumeratorIgnore),
    ("enumerator_value", RuleType::EnumeratorValue),
    ("byte_size", RuleType::ByteSize),
    ("type_string", RuleType::TypeString),
];

/// The smallest rule: "1\0" "x\0" "\0" "\0".
const MIN_ENTRY_SIZE: usize = 6;

/// The rules of one object.
#[derive(Debug, Default, Clone)]
pub struct Rules {
    rules: HashMap<(RuleType, String), String>,
}

fn err(display: &str, at: usize, msg: String) -> Error {
    Error::malformed(
        display,
        Position::Offset(at as u64),
        format!("{}: {msg}", crate::dwarf::KABI_RULES_SECTION),
    )
}

impl Rules {
    /// `kabi_read_rules`: parses the section contents (`None`: the object
    /// has no rules section). Offsets in errors are within the section.
    pub fn parse(data: Option<&[u8]>, display: &str, log: &mut Log) -> Result<Self> {
        let mut rules = Rules::default();
        let Some(data) = data else {
            log.debug("kabi_read_rules", "kABI rules not found");
            return Ok(rules);
        };
        if data.len() < MIN_ENTRY_SIZE {
            return Err(err(
                display,
                0,
                format!("kABI rule section too small: {} bytes", data.len()),
            ));
        }
        if data.last() != Some(&0) {
            return Err(err(
                display,
                data.len() - 1,
                "kABI rules are not null-terminated".into(),
            ));
        }
        let mut pos = 0usize;
        let field = |pos: &mut usize| -> Result<String> {
            if *pos >= data.len() {
                return Err(err(display, *pos, "unexpected end of kABI rules".into()));
            }
            let rest = &data[*pos..];
            let len = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            let s = String::from_utf8_lossy(&rest[..len]).into_owned();
            *pos += len + 1;
            Ok(s)
        };
        while data.len().saturating_sub(pos) > MIN_ENTRY_SIZE {
            let at = pos;
            let version = field(&mut pos)?;
            if version != "1" {
                return Err(err(
                    display,
                    at,
                    format!("unsupported kABI rule version: '{version}': expected '1'"),
                ));
            }
            let at = pos;
            let kind = field(&mut pos)?;
            let Some(&(_, ty)) = RULE_TYPES.iter().find(|(t, _)| *t == kind) else {
                return Err(err(
                    display,
                    at,
                    format!("unsupported kABI rule type: '{kind}'"),
                ));
            };
            let target = field(&mut pos)?;
            let value = field(&mut pos)?;
            log.debug(
                "kabi_read_rules",
                &format!("kABI rule: type: '{kind}', target: '{target}', value: '{value}'"),
            );
            rules.rules.insert((ty, target), value);
        }
        if pos < data.len() {
            log.warn(
                "kabi_read_rules",
                "unexpected data at the end of the kABI rules section",
            );
        }
        Ok(rules)
    }

    fn find(&self, ty: RuleType, target: Option<&str>) -> Option<&str> {
        let target = target.filter(|t| !t.is_empty())?;
        self.rules
            .get(&(ty, target.to_string()))
            .map(String::as_str)
    }

    fn find_enumerator(
        &self,
        ty: RuleType,
        fqn: Option<&str>,
        field: Option<&str>,
    ) -> Option<&str> {
        let fqn = fqn.filter(|t| !t.is_empty())?;
        let field = field.filter(|t| !t.is_empty())?;
        self.find(ty, Some(&format!("{fqn} {field}")))
    }

    /// `kabi_is_declonly`.
    pub fn is_declonly(&self, fqn: Option<&str>) -> bool {
        self.find(RuleType::Declonly, fqn).is_some()
    }

    /// `kabi_is_enumerator_ignored`.
    pub fn is_enumerator_ignored(&self, fqn: Option<&str>, field: Option<&str>) -> bool {
        self.find_enumerator(RuleType::EnumeratorIgnore, fqn, field)
            .is_some()
    }

    /// `kabi_get_enumerator_value`.
    pub fn enumerator_value(&self, fqn: Option<&str>, field: Option<&str>) -> Result<Option<u64>> {
        self.find_enumerator(RuleType::EnumeratorValue, fqn, field)
            .map(ulong_value)
            .transpose()
    }

    /// `kabi_get_byte_size`.
    pub fn byte_size(&self, fqn: Option<&str>) -> Result<Option<u64>> {
        self.find(RuleType::ByteSize, fqn)
            .map(ulong_value)
            .transpose()
    }

    /// `kabi_get_type_string`.
    pub fn type_string(&self, ty: &str) -> Option<&str> {
        self.find(RuleType::TypeString, Some(ty))
    }
}

/// `get_ulong_value`: `strtoul(value, &end, 10)` that must consume the
/// whole string (leading white space and a sign allowed, `-n` wrapping as
/// in C; an empty string is 0).
pub fn ulong_value(value: &str) -> Result<u64> {
    let invalid = || Error::Check(format!("kABI rules: invalid unsigned value '{value}'"));
    let b = value.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i] == b' ' || (9..=13).contains(&b[i])) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let digits_start = i;
    let mut v: u64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b[i] - b'0')))
            .ok_or_else(invalid)?;
        i += 1;
    }
    if i == digits_start {
        // No conversion: strtoul leaves the end at the start.
        return if b.is_empty() { Ok(0) } else { Err(invalid()) };
    }
    if i != b.len() {
        return Err(invalid());
    }
    Ok(if neg { v.wrapping_neg() } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_newest_wins() {
        let mut log = Log::default();
        let data = b"1\0declonly\0s\0\0\x31\0byte_size\0t\0\x34\0\x31\0byte_size\0t\x008\0";
        let r = Rules::parse(Some(data), "x.o", &mut log).unwrap();
        assert!(r.is_declonly(Some("s")));
        assert!(!r.is_declonly(Some("")));
        assert_eq!(r.byte_size(Some("t")).unwrap(), Some(8));
    }

    #[test]
    fn bad_rules() {
        let mut log = Log::default();
        assert!(Rules::parse(Some(b"1\0x\0"), "x", &mut log).is_err());
        assert!(Rules::parse(Some(b"2\0declonly\0s\0\0"), "x", &mut log).is_err());
        assert!(Rules::parse(Some(b"1\0nope\0\0s\0\0"), "x", &mut log).is_err());
        let e = Rules::parse(Some(b"1\0declonly\0s\0\0x"), "x", &mut log).unwrap_err();
        assert!(e.to_string().contains("not null-terminated"), "{e}");
    }

    #[test]
    fn strtoul() {
        assert_eq!(ulong_value("12").unwrap(), 12);
        assert_eq!(ulong_value("").unwrap(), 0);
        assert_eq!(ulong_value(" +7").unwrap(), 7);
        assert_eq!(ulong_value("-1").unwrap(), u64::MAX);
        assert!(ulong_value("1x").is_err());
        assert!(ulong_value(" ").is_err());
        assert!(ulong_value("99999999999999999999").is_err());
    }
}

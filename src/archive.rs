//! Archives: regular `!<arch>` and the thin `!<thin>` archives kbuild
//! links `built-in.a`, `lib.a` and composite modules from
//! (`scripts/Makefile.build`: `$(AR) cDPrST`), walked member by member for
//! every command.
//!
//! A regular member's bytes are borrowed from the archive; a thin member
//! is the file its name points to, relative to the archive's directory
//! (as `llvm-ar`/binutils resolve it), under a normalised path
//! (`./a/./b.o` and `a/b.o` are one file). What a caller derives from a
//! thin member can be kept in a [`MemberCache`], so that the same object
//! named by many nested archives is read once per call.

use crate::error::{Error, Position, Result};
use crate::input::{read_file, FileBytes};
use object::read::archive::{ArchiveFile, ArchiveMember};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where a member's contents are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberData<'a> {
    /// Inside the archive (a regular archive).
    Inline(&'a [u8]),
    /// In a file of its own (a thin archive): the normalised path.
    Thin(PathBuf),
}

/// One archive member.
#[derive(Debug, Clone)]
pub struct Member<'a> {
    /// The member name as stored (for thin archives a path relative to the
    /// archive's directory).
    pub name: String,
    /// `archive(name)`, how the member is named in errors.
    pub display: String,
    /// Offset of the member's header in the archive, for error positions.
    pub header_offset: u64,
    /// Its contents or where they are.
    pub data: MemberData<'a>,
}

impl<'a> Member<'a> {
    /// The member's bytes: borrowed from the archive, or read from disk
    /// for a thin member.
    pub fn read(&self) -> Result<Cow<'a, [u8]>> {
        match &self.data {
            MemberData::Inline(bytes) => Ok(Cow::Borrowed(bytes)),
            MemberData::Thin(p) => std::fs::read(p).map(Cow::Owned).map_err(|e| {
                Error::malformed(
                    &self.display,
                    Position::Offset(self.header_offset),
                    format!("thin archive member {} cannot be read: {e}", p.display()),
                )
            }),
        }
    }

    /// [`Member::read`] for a caller reading many members: a thin member
    /// is mapped, or read into `buf` (cleared first) when small
    /// ([`crate::input::read_file`]).
    pub fn read_with<'b>(&self, buf: &'b mut Vec<u8>) -> Result<FileBytes<'b>>
    where
        'a: 'b,
    {
        match &self.data {
            MemberData::Inline(bytes) => Ok(FileBytes::Read(bytes)),
            MemberData::Thin(p) => match read_file(p, buf) {
                Ok(b) => Ok(b),
                Err(e) => Err(Error::malformed(
                    &self.display,
                    Position::Offset(self.header_offset),
                    format!("thin archive member {} cannot be read: {e}", p.display()),
                )),
            },
        }
    }

    /// The file a thin member lives in; `None` for a regular member.
    pub fn disk_path(&self) -> Option<&Path> {
        match &self.data {
            MemberData::Thin(p) => Some(p),
            MemberData::Inline(_) => None,
        }
    }
}

/// A parsed archive, regular or thin.
pub struct Archive<'a> {
    data: &'a [u8],
    file: ArchiveFile<'a>,
    display: String,
    dir: PathBuf,
}

impl<'a> Archive<'a> {
    /// Parses the archive `data` read from `path` (thin members are
    /// resolved next to it, as `llvm::object::Archive::Child::getFullName`
    /// resolves them); `display` names it in errors.
    pub fn parse(data: &'a [u8], path: &Path, display: &str) -> Result<Self> {
        let file = ArchiveFile::parse(data)
            .map_err(|e| Error::malformed(display, Position::Offset(0), e.to_string()))?;
        Ok(Archive {
            data,
            file,
            display: display.to_string(),
            dir: path.parent().unwrap_or(Path::new("")).to_path_buf(),
        })
    }

    /// Whether this is a thin (`!<thin>`) archive.
    pub fn is_thin(&self) -> bool {
        self.file.is_thin()
    }

    /// The members in archive order (the symbol table and long-name
    /// members left out), as `llvm::object::Archive::children()` walks them
    /// for `llvm-nm`. A malformed member header ends the walk with an
    /// error at the offset where the header was expected.
    pub fn members(&self) -> impl Iterator<Item = Result<Member<'a>>> + '_ {
        let mut next_at = 8u64;
        let mut failed = false;
        self.file.members().map_while(move |m| {
            if failed {
                return None;
            }
            let r = m
                .map_err(|e| {
                    Error::malformed(&self.display, Position::Offset(next_at), e.to_string())
                })
                .and_then(|m| {
                    let (start, len) = m.file_range();
                    next_at = start + len;
                    self.member(&m, start)
                });
            failed = r.is_err();
            Some(r)
        })
    }

    fn member(&self, m: &ArchiveMember<'a>, start: u64) -> Result<Member<'a>> {
        let name = String::from_utf8_lossy(m.name()).into_owned();
        let display = format!("{}({name})", self.display);
        // Thin members have no data range of their own: errors point at
        // the header.
        let header_offset = m
            .header()
            .map(|h| (h as *const _ as usize).wrapping_sub(self.data.as_ptr() as usize) as u64)
            .unwrap_or(start);
        let data = if m.is_thin() {
            MemberData::Thin(self.dir.join(&name).components().collect())
        } else {
            let bytes = m
                .data(self.data)
                .map_err(|e| Error::malformed(&display, Position::Offset(start), e.to_string()))?;
            MemberData::Inline(bytes)
        };
        Ok(Member {
            name,
            display,
            header_offset,
            data,
        })
    }
}

/// What callers derived from thin-archive members, by normalised path,
/// shared between the threads of one call: kbuild's nested `built-in.a`
/// thin archives name the same objects many times.
#[derive(Debug)]
pub struct MemberCache<T>(Mutex<HashMap<PathBuf, T>>);

impl<T> Default for MemberCache<T> {
    fn default() -> Self {
        MemberCache(Mutex::new(HashMap::new()))
    }
}

impl<T: Clone> MemberCache<T> {
    /// What was kept for `member`, if it is a thin member seen before.
    pub fn get(&self, member: &Member<'_>) -> Option<T> {
        let p = member.disk_path()?;
        self.0.lock().ok()?.get(p).cloned()
    }

    /// Keeps `value` for `member` (thin members only).
    pub fn insert(&self, member: &Member<'_>, value: &T) {
        if let Some(p) = member.disk_path() {
            self.insert_file(p, value);
        }
    }

    /// What was kept for the file at `path` (normalised as thin members
    /// are: an object named on the command line and by a thin archive is
    /// one file).
    pub fn get_file(&self, path: &Path) -> Option<T> {
        let p: PathBuf = path.components().collect();
        self.0.lock().ok()?.get(&p).cloned()
    }

    /// Keeps `value` for the file at `path`.
    pub fn insert_file(&self, path: &Path, value: &T) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(path.components().collect(), value.clone());
        }
    }
}

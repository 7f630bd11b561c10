//! The symbol tables of an archive's object members, in archive order, as
//! `llvm-nm`'s `dumpArchiveMembers` lists them; members that are not
//! objects are skipped silently, as llvm-nm skips them. A thin member read
//! once in a call is taken from the call's cache after that.

use super::scan::{with_buf, FileScan, MEMBER_BUF};
use super::{FileSymbols, InputKind};
use crate::archive::Archive;
use crate::error::Result;
use std::path::Path;

impl FileScan<'_, '_> {
    /// Every object member of an archive, in order.
    pub(super) fn archive(
        &mut self,
        data: &[u8],
        display: &str,
        path: &Path,
    ) -> Result<FileSymbols> {
        let archive = Archive::parse(data, path, display)?;
        let mut tables = Vec::new();
        for member in archive.members() {
            let member = member?;
            if let Some(mut t) = self.scan.members.get(&member) {
                t.member = Some(member.name);
                tables.push(t);
                continue;
            }
            let waiting = self.pending.len();
            let name = Some(member.name.clone());
            let at = tables.len();
            let t = with_buf(&MEMBER_BUF, |buf| {
                let bytes = member.read_with(buf)?;
                self.object(&bytes, &member.display, name, member.disk_path(), at)
            })?;
            let Some(t) = t else {
                continue;
            };
            if self.pending.len() == waiting {
                self.scan.members.insert(&member, &t);
            }
            tables.push(t);
        }
        Ok(FileSymbols {
            path: display.to_string(),
            kind: if archive.is_thin() {
                InputKind::ThinArchive
            } else {
                InputKind::Archive
            },
            tables,
        })
    }
}

//! The AOF manifest (Redis 7.0's aofManifest): which base, history and incr files make up
//! the AOF, one line each, `file <name> seq <n> type <b|h|i>`.

use std::fs;
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Base,
    History,
    Incr,
}

impl FileType {
    fn letter(self) -> char {
        match self {
            FileType::Base => 'b',
            FileType::History => 'h',
            FileType::Incr => 'i',
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AofInfo {
    pub name: String,
    pub seq: u64,
    pub kind: FileType,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub base: Option<AofInfo>,
    pub incrs: Vec<AofInfo>,
    pub history: Vec<AofInfo>,
    pub base_seq: u64,
    pub incr_seq: u64,
}

/// Longest manifest line Redis reads (AOF_ANNOTATION_LINE_MAX_LEN).
const LINE_MAX: usize = 1024;

pub const BASE_SUFFIX: &str = ".base";
pub const INCR_SUFFIX: &str = ".incr";
pub const RDB_FORMAT_SUFFIX: &str = ".rdb";
pub const AOF_FORMAT_SUFFIX: &str = ".aof";
pub const MANIFEST_SUFFIX: &str = ".manifest";
pub const TEMP_PREFIX: &str = "temp-";

impl Manifest {
    pub fn is_empty(&self) -> bool {
        self.base.is_none() && self.incrs.is_empty()
    }

    /// Parse a manifest as aofLoadManifestFromFile does, with its error texts.
    pub fn parse(text: &[u8]) -> Result<Manifest, String> {
        let mut manifest = Manifest::default();
        let mut max_incr_seq = 0;
        let mut rest = text;
        while !rest.is_empty() {
            let (line, complete) = match rest.iter().position(|&b| b == b'\n') {
                Some(end) => {
                    let line = &rest[..end];
                    rest = &rest[end + 1..];
                    (line, true)
                }
                None => {
                    let line = rest;
                    rest = &[];
                    (line, false)
                }
            };
            if line.first() == Some(&b'#') {
                continue;
            }
            if !complete || line.len() + 1 >= LINE_MAX {
                return Err("The AOF manifest file contains too long line".into());
            }
            let line = String::from_utf8_lossy(line);
            let line = line.trim_matches([' ', '\t', '\r', '\n']);
            if line.is_empty() {
                return Err("Invalid AOF manifest file format".into());
            }
            let argv: Vec<String> = wire::request::split_args(line.as_bytes())
                .ok_or("Invalid AOF manifest file format")?
                .into_iter()
                .map(|arg| String::from_utf8_lossy(&arg).into_owned())
                .collect();
            if argv.len() < 6 || !argv.len().is_multiple_of(2) {
                return Err("Invalid AOF manifest file format".into());
            }
            let (mut name, mut seq, mut kind) = (None, 0u64, None);
            for pair in argv.chunks(2) {
                if pair[0].eq_ignore_ascii_case("file") {
                    if pair[1].contains('/') {
                        return Err("File can't be a path, just a filename".into());
                    }
                    name = Some(pair[1].clone());
                } else if pair[0].eq_ignore_ascii_case("seq") {
                    seq = atoll(&pair[1]);
                } else if pair[0].eq_ignore_ascii_case("type") {
                    kind = pair[1].chars().next();
                }
            }
            let (Some(name), true, Some(kind)) = (name, seq != 0, kind) else {
                return Err("Invalid AOF manifest file format".into());
            };
            match kind {
                'b' => {
                    if manifest.base.is_some() {
                        return Err("Found duplicate base file information".into());
                    }
                    manifest.base_seq = seq;
                    manifest.base = Some(AofInfo {
                        name,
                        seq,
                        kind: FileType::Base,
                    });
                }
                'h' => manifest.history.push(AofInfo {
                    name,
                    seq,
                    kind: FileType::History,
                }),
                'i' => {
                    if seq <= max_incr_seq {
                        return Err("Found a non-monotonic sequence number".into());
                    }
                    max_incr_seq = seq;
                    manifest.incr_seq = seq;
                    manifest.incrs.push(AofInfo {
                        name,
                        seq,
                        kind: FileType::Incr,
                    });
                }
                _ => return Err("Unknown AOF file type".into()),
            }
        }
        Ok(manifest)
    }

    /// The manifest's text as getAofManifestAsString writes it: base, history, incrs.
    pub fn format(&self) -> String {
        let mut out = String::new();
        for info in self.base.iter().chain(&self.history).chain(&self.incrs) {
            let name = if needs_repr(&info.name) {
                crate::config::repr(&info.name)
            } else {
                info.name.clone()
            };
            out.push_str(&format!(
                "file {name} seq {} type {}\n",
                info.seq,
                info.kind.letter()
            ));
        }
        out
    }

    /// A new base file name; the current base becomes history
    /// (getNewBaseFileNameAndMarkPreAsHistory).
    pub fn new_base(&mut self, filename: &str, rdb: bool) -> String {
        if let Some(mut old) = self.base.take() {
            old.kind = FileType::History;
            self.history.push(old);
        }
        self.base_seq += 1;
        let format = if rdb {
            RDB_FORMAT_SUFFIX
        } else {
            AOF_FORMAT_SUFFIX
        };
        let name = format!("{filename}.{}{BASE_SUFFIX}{format}", self.base_seq);
        self.base = Some(AofInfo {
            name: name.clone(),
            seq: self.base_seq,
            kind: FileType::Base,
        });
        name
    }

    /// A new incr file name, appended to the incr list (getNewIncrAofName).
    pub fn new_incr(&mut self, filename: &str) -> String {
        self.incr_seq += 1;
        let name = format!(
            "{filename}.{}{INCR_SUFFIX}{AOF_FORMAT_SUFFIX}",
            self.incr_seq
        );
        self.incrs.push(AofInfo {
            name: name.clone(),
            seq: self.incr_seq,
            kind: FileType::Incr,
        });
        name
    }

    /// The incr file to append to, made when there is none (getLastIncrAofName).
    pub fn last_incr(&mut self, filename: &str) -> String {
        match self.incrs.last() {
            Some(info) => info.name.clone(),
            None => self.new_incr(filename),
        }
    }

    /// After a rewrite: the incr files are covered by the new base, except the last when the
    /// AOF is on (opened when the rewrite started) (markRewrittenIncrAofAsHistory).
    pub fn mark_rewritten_incrs_as_history(&mut self, aof_on: bool) {
        let keep = if aof_on { self.incrs.pop() } else { None };
        for mut info in self.incrs.drain(..) {
            info.kind = FileType::History;
            self.history.push(info);
        }
        self.incrs.extend(keep);
    }

    /// Write the manifest into `dir` atomically: a temp file, fsync, rename, fsync of the
    /// directory (persistAofManifest / writeAofManifestFile).
    pub fn persist(&self, dir: &Path, filename: &str) -> std::io::Result<()> {
        let name = format!("{filename}{MANIFEST_SUFFIX}");
        crate::persist::write_file_atomically(
            &dir.join(&name),
            &format!("{TEMP_PREFIX}{name}"),
            |out| out.write_all(self.format().as_bytes()),
        )
    }

    /// Forget the history files, returning them for [`delete_files`].
    pub fn take_history(&mut self) -> Vec<AofInfo> {
        std::mem::take(&mut self.history)
    }
}

/// Delete history files (aofDelHistoryFiles; Redis does it in a background thread too).
pub fn delete_files(dir: &Path, files: Vec<AofInfo>) {
    for info in files {
        match fs::remove_file(dir.join(&info.name)) {
            Ok(()) => tracing::info!("Removing the history file {} in the background", info.name),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => tracing::warn!("Error removing the history file {}: {err}", info.name),
        }
    }
}

/// Redis's sdsneedsrepr: a name with spaces, quotes or control characters is quoted.
fn needs_repr(name: &str) -> bool {
    name.bytes().any(|b| {
        matches!(b, b'\\' | b'"' | b'\n' | b'\r' | b'\t' | 7 | 8)
            || !(0x20..=0x7e).contains(&b)
            || b == b' '
    })
}

/// C's atoll: optional sign, leading digits, anything after ignored.
fn atoll(text: &str) -> u64 {
    let text = text.trim_start();
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_is_redis_layout() {
        let mut m = Manifest::default();
        assert_eq!(
            m.new_base("appendonly.aof", true),
            "appendonly.aof.1.base.rdb"
        );
        assert_eq!(m.last_incr("appendonly.aof"), "appendonly.aof.1.incr.aof");
        assert_eq!(
            m.format(),
            "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        );
        assert_eq!(Manifest::parse(m.format().as_bytes()).unwrap(), m);
    }

    #[test]
    fn rewrite_moves_old_files_to_history() {
        let mut m = Manifest::default();
        m.new_base("a", false);
        m.new_incr("a");
        m.new_incr("a");
        m.new_base("a", true);
        m.mark_rewritten_incrs_as_history(true);
        assert_eq!(
            m.format(),
            "file a.2.base.rdb seq 2 type b\nfile a.1.base.aof seq 1 type h\nfile a.1.incr.aof seq 1 type h\nfile a.2.incr.aof seq 2 type i\n"
        );
    }

    #[test]
    fn names_with_spaces_are_quoted_and_read_back() {
        let mut m = Manifest::default();
        m.new_base("my file", false);
        let text = m.format();
        assert_eq!(text, "file \"my file.1.base.aof\" seq 1 type b\n");
        assert_eq!(Manifest::parse(text.as_bytes()).unwrap(), m);
    }

    #[test]
    fn bad_manifests_are_refused_with_redis_texts() {
        let cases: [(&[u8], &str); 5] = [
            (b"file a seq 1\n", "Invalid AOF manifest file format"),
            (b"file a seq 1 type x\n", "Unknown AOF file type"),
            (
                b"file a seq 2 type i\nfile b seq 1 type i\n",
                "Found a non-monotonic sequence number",
            ),
            (
                b"file a seq 1 type b\nfile b seq 2 type b\n",
                "Found duplicate base file information",
            ),
            (
                b"file a/b seq 1 type b\n",
                "File can't be a path, just a filename",
            ),
        ];
        for (text, error) in cases {
            assert_eq!(Manifest::parse(text).unwrap_err(), error);
        }
        assert!(Manifest::parse(b"# comment\n").unwrap().is_empty());
    }
}

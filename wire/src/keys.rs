//! Which arguments of a command line are keys, as Redis 7.0's getKeysFromCommandWithSpecs
//! finds them: the key specs first, unless they are unreliable (variable flags) or do not fit
//! the arguments; then the command's own getkeys callback. Used by COMMAND GETKEYS on the node
//! and, for routing, by the proxy.

use crate::command::{BeginSearch, Command, CommandId, FindKeys};

/// A key found in a command line: its position (the command name is position 0) and the
/// flags of the spec that found it (`RW`, `access`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRef {
    pub pos: usize,
    pub flags: &'static [&'static str],
}

/// The keys of `line` (name first) for `cmd`. Empty when the arguments name no key (or are
/// malformed: the command reports that itself).
pub fn keys_from_command<A: AsRef<[u8]>>(cmd: &Command, line: &[A]) -> Vec<KeyRef> {
    let variable_flags = cmd.key_specs.iter().any(|s| s.has_flag("variable_flags"));
    let has_specs = cmd.key_specs.iter().any(|s| !s.has_flag("not_key"));
    if has_specs
        && !variable_flags
        && let Some(keys) = keys_from_specs(cmd, line)
    {
        return keys;
    }
    match native_getkeys(cmd.id) {
        Some(native) => native.keys(line),
        None => Vec::new(),
    }
}

/// Whether the command has a getkeys callback (its keys are found even when specs fail).
pub fn has_native_getkeys(cmd: &Command) -> bool {
    native_getkeys(cmd.id).is_some()
}

/// getKeysUsingKeySpecs; None when a spec does not fit the arguments.
fn keys_from_specs<A: AsRef<[u8]>>(cmd: &Command, line: &[A]) -> Option<Vec<KeyRef>> {
    let argc = line.len() as i64;
    let mut keys = Vec::new();
    for spec in cmd.key_specs {
        if spec.has_flag("not_key") {
            continue;
        }
        let first = match spec.begin_search {
            BeginSearch::Index(index) => index as i64,
            BeginSearch::Keyword {
                keyword,
                start_from,
            } => match find_keyword(line, keyword, start_from as i64) {
                Some(pos) => pos + 1,
                None => continue,
            },
            BeginSearch::Unknown => return None,
        };
        let (first, last, step) = match spec.find_keys {
            FindKeys::Range {
                last_key,
                key_step,
                limit,
            } => {
                let last = if last_key >= 0 {
                    first + last_key as i64
                } else if limit == 0 {
                    argc + last_key as i64
                } else {
                    first + ((argc - first) / limit as i64 + last_key as i64)
                };
                (first, last, key_step as i64)
            }
            FindKeys::Keynum {
                keynum_idx,
                first_key,
                key_step,
            } => {
                let idx = first + keynum_idx as i64;
                if idx >= argc {
                    return None;
                }
                let numkeys =
                    crate::request::parse_i64(line[idx as usize].as_ref()).filter(|&n| n >= 0)?;
                let start = first + first_key as i64;
                (start, start + numkeys - 1, key_step as i64)
            }
            FindKeys::Unknown => return None,
        };
        if last >= argc || last < first || first >= argc || step <= 0 {
            return None;
        }
        let mut pos = first;
        while pos <= last {
            keys.push(KeyRef {
                pos: pos as usize,
                flags: spec.flags,
            });
            pos += step;
        }
        if spec.has_flag("incomplete") {
            return None;
        }
    }
    Some(keys)
}

fn find_keyword<A: AsRef<[u8]>>(line: &[A], keyword: &str, start_from: i64) -> Option<i64> {
    let argc = line.len() as i64;
    let (start, end) = if start_from >= 0 {
        (start_from, argc - 1)
    } else {
        (argc + start_from, 0)
    };
    let mut i = start;
    while i != end {
        if i >= argc || i < 1 {
            break;
        }
        if line[i as usize]
            .as_ref()
            .eq_ignore_ascii_case(keyword.as_bytes())
        {
            return Some(i);
        }
        i += if start <= end { 1 } else { -1 };
    }
    None
}

/// The getkeys callbacks Redis 7.0 has for the commands served here.
#[derive(Debug, Clone, Copy)]
enum NativeGetKeys {
    /// genericGetKeys(store key offset, key count offset, first key offset, step).
    Generic {
        store: usize,
        count: usize,
        first: usize,
        step: usize,
    },
    /// setGetKeys: the key's flags depend on the GET option.
    Set,
    /// bitfieldGetKeys: the key's flags depend on whether any operation writes.
    Bitfield,
}

fn native_getkeys(id: CommandId) -> Option<NativeGetKeys> {
    let generic = |store, count, first| NativeGetKeys::Generic {
        store,
        count,
        first,
        step: 1,
    };
    Some(match id {
        CommandId::Zunionstore | CommandId::Zinterstore | CommandId::Zdiffstore => generic(1, 2, 3),
        CommandId::Zunion
        | CommandId::Zinter
        | CommandId::Zdiff
        | CommandId::Zintercard
        | CommandId::Sintercard
        | CommandId::Lmpop
        | CommandId::Zmpop => generic(0, 1, 2),
        CommandId::Blmpop | CommandId::Bzmpop => generic(0, 2, 3),
        CommandId::Set => NativeGetKeys::Set,
        CommandId::Bitfield => NativeGetKeys::Bitfield,
        _ => return None,
    })
}

impl NativeGetKeys {
    fn keys<A: AsRef<[u8]>>(self, line: &[A]) -> Vec<KeyRef> {
        match self {
            NativeGetKeys::Generic {
                store,
                count,
                first,
                step,
            } => {
                let Some(count_arg) = line.get(count) else {
                    return Vec::new();
                };
                let num = c_atoi(count_arg.as_ref());
                let available = line.len().saturating_sub(first) / step;
                if num < 1 || num as u64 > available as u64 {
                    return Vec::new();
                }
                let mut keys: Vec<KeyRef> = (0..num as usize)
                    .map(|i| KeyRef {
                        pos: first + i * step,
                        flags: &[],
                    })
                    .collect();
                if store > 0 {
                    keys.push(KeyRef {
                        pos: store,
                        flags: &[],
                    });
                }
                keys
            }
            NativeGetKeys::Set => {
                let get = line
                    .iter()
                    .skip(3)
                    .any(|a| a.as_ref().eq_ignore_ascii_case(b"GET"));
                let flags: &'static [&'static str] = if get {
                    &["RW", "access", "update"]
                } else {
                    &["OW", "update"]
                };
                vec![KeyRef { pos: 1, flags }]
            }
            NativeGetKeys::Bitfield => {
                let flags: &'static [&'static str] = if bitfield_only_reads(line) {
                    &["RO", "access"]
                } else {
                    &["RW", "access", "update"]
                };
                vec![KeyRef { pos: 1, flags }]
            }
        }
    }
}

/// Redis's bitfieldGetKeys: whether a BITFIELD line (name first) only reads its key. Stops at
/// the first write or malformed argument, which both count as a write. Names end at a NUL byte
/// as C strings do.
pub fn bitfield_only_reads<A: AsRef<[u8]>>(line: &[A]) -> bool {
    let c_str = |arg: &[u8]| -> Vec<u8> { arg.iter().take_while(|&&b| b != 0).copied().collect() };
    let mut i = 2;
    while i < line.len() {
        let remaining = line.len() - i - 1;
        let name = c_str(line[i].as_ref());
        if name.eq_ignore_ascii_case(b"GET") && remaining >= 2 {
            i += 3;
        } else if name.eq_ignore_ascii_case(b"OVERFLOW") && remaining >= 1 {
            i += 2;
        } else {
            return false;
        }
    }
    true
}

/// C's atoi: optional spaces and sign, then digits up to the first non-digit; 0 if none.
fn c_atoi(bytes: &[u8]) -> i64 {
    let mut rest = bytes;
    while let [b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c, tail @ ..] = rest {
        rest = tail;
    }
    let negative = match rest {
        [b'-', tail @ ..] => {
            rest = tail;
            true
        }
        [b'+', tail @ ..] => {
            rest = tail;
            false
        }
        _ => false,
    };
    let mut value: i64 = 0;
    for &b in rest.iter().take_while(|b| b.is_ascii_digit()) {
        value = value.saturating_mul(10).saturating_add((b - b'0') as i64);
    }
    if negative { -value } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::lookup;

    fn positions(line: &str) -> Vec<usize> {
        let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        let cmd = crate::command::resolve(&args).expect("known command");
        keys_from_command(cmd, &args)
            .iter()
            .map(|k| k.pos)
            .collect()
    }

    #[test]
    fn specs_and_callbacks() {
        assert_eq!(positions("get k"), [1]);
        assert_eq!(positions("mset a 1 b 2"), [1, 3]);
        assert_eq!(positions("zunionstore d 2 a b"), [1, 3, 4]);
        assert_eq!(positions("blmpop 0 2 a b left"), [3, 4]);
        assert_eq!(positions("lmove a b left right"), [1, 2]);
        assert_eq!(positions("ping"), Vec::<usize>::new());
        // The count overruns the arguments: specs fail and so does the callback.
        assert_eq!(positions("zunion 5 a b"), Vec::<usize>::new());
        assert!(lookup(b"bitfield").is_some());
        assert!(bitfield_only_reads(&["bitfield", "k", "get", "u8", "0"]));
        assert!(!bitfield_only_reads(&[
            "bitfield", "k", "set", "u8", "0", "1"
        ]));
    }

    #[test]
    fn c_atoi_is_lenient() {
        assert_eq!(c_atoi(b"  12x"), 12);
        assert_eq!(c_atoi(b"-3"), -3);
        assert_eq!(c_atoi(b"x"), 0);
        assert_eq!(c_atoi(b"+4"), 4);
        assert_eq!(c_atoi(b"99999999999999999999999"), i64::MAX);
    }
}

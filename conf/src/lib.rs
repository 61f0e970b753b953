//! Redis 7.0's configuration directives, shared by the node and the sentinel.
//!
//! [`TABLE`] is Redis 7.0.15's `static_configs[]`: every directive's name, alias, flags, type,
//! bounds and default. [`Spec::parse`] validates arguments with Redis's rules and error texts
//! and gives a [`Value`]; [`Spec::show`] is what CONFIG GET prints and [`Spec::rewrite`] what
//! CONFIG REWRITE writes. [`load`] reads redis.conf text (comments, quoting, `include`,
//! deprecated directives, `save` lines adding up) into any [`Target`]. A component maps the
//! directives it has the behaviour of onto its own typed configuration and keeps the others in
//! a [`Store`]; [`unsupported`] names the values no Switchyard component offers, which are
//! refused rather than accepted and ignored.

#![forbid(unsafe_code)]

use std::collections::BTreeMap;

mod table;
pub use table::{DEPRECATED, TABLE};

/// Directive flags, as Redis's `*_CONFIG` flags.
pub struct Flag;

impl Flag {
    /// CONFIG SET refuses it ("can't set immutable config").
    pub const IMMUTABLE: u16 = 1;
    /// Its value is redacted from the slow log and MONITOR.
    pub const SENSITIVE: u16 = 2;
    /// Takes several arguments (CONFIG SET splits its value on spaces).
    pub const MULTI_ARG: u16 = 4;
    /// Not listed by CONFIG GET patterns, only by its exact name.
    pub const HIDDEN: u16 = 8;
    /// CONFIG SET needs `enable-protected-configs`.
    pub const PROTECTED: u16 = 16;
    /// CONFIG SET refuses it while a data set is loading.
    pub const DENY_LOADING: u16 = 32;
    /// A debugging or tuning knob.
    pub const DEBUG: u16 = 64;
}

/// How a numeric directive is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Num {
    Integer,
    /// A byte count, with units (`1k`, `1kb`, `1gb`).
    Memory,
    /// An octal number (`unixsocketperm`).
    Octal,
    /// A byte count or a percentage (`10%`, stored negative as Redis does).
    MemoryOrPercent,
}

/// Directives with their own syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Dir,
    Save,
    ClientOutputBufferLimit,
    OomScoreAdjValues,
    NotifyKeyspaceEvents,
    Bind,
    ReplicaOf,
    Percentiles,
}

/// A string directive's own validation (Redis's `is_valid_fn`).
pub type Check = fn(&str) -> Result<(), &'static str>;

pub enum Type {
    Bool {
        default: bool,
    },
    /// A string; with `empty_is_null` an empty value unsets it.
    Str {
        default: Option<&'static str>,
        empty_is_null: bool,
        check: Option<Check>,
    },
    /// One of `names` (several names may share a value); `multi`: a set of flags, given as
    /// several arguments.
    Enum {
        names: &'static [(&'static str, u32)],
        default: u32,
        multi: bool,
    },
    Int {
        min: i128,
        max: i128,
        default: i128,
        form: Num,
        unsigned: bool,
    },
    Special(Special),
}

/// One directive of Redis's table.
pub struct Spec {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: u16,
    pub ty: Type,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec").field("name", &self.name).finish()
    }
}

/// A directive's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Bool(bool),
    Int(i128),
    /// An enum's value (a bit set for flag enums).
    Enum(u32),
    /// `None`: unset.
    Str(Option<String>),
    /// A special directive's arguments in their canonical form.
    Args(Vec<String>),
}

/// What CONFIG REWRITE does with a directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rewrite {
    /// Drop every line of the directive from the file.
    Remove,
    /// These lines; `force` appends them even when the file had none.
    Lines { lines: Vec<String>, force: bool },
}

/// The directive called `name` or aliased so, case-insensitively.
pub fn lookup(name: &str) -> Option<&'static Spec> {
    TABLE.iter().find(|s| {
        s.name.eq_ignore_ascii_case(name) || s.alias.is_some_and(|a| a.eq_ignore_ascii_case(name))
    })
}

/// Every name CONFIG GET knows (aliases included, as Redis lists them), with its directive.
pub fn all_names() -> impl Iterator<Item = (&'static str, &'static Spec)> {
    TABLE
        .iter()
        .flat_map(|s| std::iter::once((s.name, s)).chain(s.alias.map(|a| (a, s))))
}

const DEFAULT_SAVE: [&str; 6] = ["3600", "1", "300", "100", "60", "10000"];
const DEFAULT_OBUF: [&str; 12] = [
    "normal",
    "0",
    "0",
    "0",
    "slave",
    "268435456",
    "67108864",
    "60",
    "pubsub",
    "33554432",
    "8388608",
    "60",
];

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl Spec {
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    pub fn mutable(&self) -> bool {
        !self.has(Flag::IMMUTABLE)
    }

    pub fn multi_arg(&self) -> bool {
        self.has(Flag::MULTI_ARG)
    }

    /// Redis's built-in default (`dir`: the current directory).
    pub fn default_value(&self) -> Value {
        match &self.ty {
            Type::Bool { default } => Value::Bool(*default),
            Type::Str { default, .. } => Value::Str(default.map(str::to_string)),
            Type::Enum { default, .. } => Value::Enum(*default),
            Type::Int { default, .. } => Value::Int(*default),
            Type::Special(kind) => Value::Args(match kind {
                Special::Dir => vec![
                    std::env::current_dir()
                        .map(|d| d.display().to_string())
                        .unwrap_or_default(),
                ],
                Special::Save => strings(&DEFAULT_SAVE),
                Special::ClientOutputBufferLimit => strings(&DEFAULT_OBUF),
                Special::OomScoreAdjValues => strings(&["0", "200", "800"]),
                Special::NotifyKeyspaceEvents => vec![String::new()],
                Special::Bind => strings(&["*", "-::*"]),
                Special::ReplicaOf => Vec::new(),
                Special::Percentiles => strings(&["50", "99", "99.9"]),
            }),
        }
    }

    /// Validate `args` (one unless the directive is multi-argument) as Redis does, giving the
    /// new value; `current` is the value now (`client-output-buffer-limit` changes only the
    /// classes given). Errors are Redis's texts.
    pub fn parse(&self, args: &[String], current: &Value) -> Result<Value, String> {
        if let Type::Special(kind) = &self.ty {
            return parse_special(*kind, args, current);
        }
        if let Type::Enum {
            names, multi: true, ..
        } = &self.ty
        {
            if args.is_empty() {
                return enum_value(names, "").map(Value::Enum);
            }
            let mut bits = 0;
            for arg in args {
                bits |= enum_value(names, arg)?;
            }
            // Redis's isValidShutdownOnSigFlags.
            if bits & 3 == 3 {
                return Err("shutdown options SAVE and NOSAVE can't be used simultaneously".into());
            }
            return Ok(Value::Enum(bits));
        }
        let [value] = args else {
            return Err("wrong number of arguments".into());
        };
        match &self.ty {
            Type::Bool { .. } => yes_no(value).map(Value::Bool),
            Type::Str {
                empty_is_null,
                check,
                ..
            } => {
                if let Some(check) = check {
                    check(value)?;
                }
                Ok(Value::Str(if value.is_empty() && *empty_is_null {
                    None
                } else {
                    Some(value.clone())
                }))
            }
            Type::Enum { names, .. } => enum_value(names, value).map(Value::Enum),
            Type::Int {
                min,
                max,
                form,
                unsigned,
                ..
            } => parse_number(value, *min, *max, *form, *unsigned).map(Value::Int),
            Type::Special(_) => unreachable!("handled above"),
        }
    }

    /// The value as CONFIG GET prints it.
    pub fn show(&self, value: &Value) -> String {
        match (&self.ty, value) {
            (_, Value::Bool(b)) => if *b { "yes" } else { "no" }.into(),
            (_, Value::Str(s)) => s.clone().unwrap_or_default(),
            (Type::Enum { names, multi, .. }, Value::Enum(v)) => enum_names(names, *v, *multi),
            (Type::Int { form, .. }, Value::Int(v)) => match form {
                Num::MemoryOrPercent if *v < 0 => format!("{}%", -v),
                Num::Octal => format!("{v:o}"),
                _ => v.to_string(),
            },
            (_, Value::Args(args)) => args.join(" "),
            (_, other) => format!("{other:?}"),
        }
    }

    /// What CONFIG REWRITE writes for this directive, as Redis's rewrite functions: `default`
    /// is the component's default (a line at its default is kept where the file has one, not
    /// added).
    pub fn rewrite(&self, value: &Value, default: &Value) -> Rewrite {
        let name = self.name;
        let changed = value != default;
        let line = |text: String| Rewrite::Lines {
            lines: vec![format!("{name} {text}")],
            force: changed,
        };
        match (&self.ty, value) {
            (Type::Special(kind), Value::Args(args)) => rewrite_special(name, *kind, args, default),
            (_, Value::Str(None)) => Rewrite::Remove,
            (_, Value::Str(Some(s))) => line(repr(s)),
            (Type::Int { form, .. }, Value::Int(v)) => line(match form {
                Num::MemoryOrPercent if *v < 0 => format!("{}%", -v),
                Num::Memory | Num::MemoryOrPercent => format_memory(*v as u64),
                Num::Octal => format!("{v:o}"),
                Num::Integer => v.to_string(),
            }),
            _ => line(self.show(value)),
        }
    }
}

fn yes_no(value: &str) -> Result<bool, String> {
    if value.eq_ignore_ascii_case("yes") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("no") {
        Ok(false)
    } else {
        Err("argument must be 'yes' or 'no'".into())
    }
}

fn enum_value(names: &[(&str, u32)], value: &str) -> Result<u32, String> {
    names
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(value))
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let all: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
            format!(
                "argument(s) must be one of the following: {}",
                all.join(", ")
            )
        })
}

fn enum_names(names: &[(&str, u32)], value: u32, multi: bool) -> String {
    if !multi || value == 0 {
        return names
            .iter()
            .find(|(_, v)| *v == value)
            .map(|(n, _)| n.to_string())
            .unwrap_or_else(|| "unknown".into());
    }
    let mut out: Vec<&str> = Vec::new();
    let mut seen = 0;
    for (n, v) in names {
        if *v != 0 && value & v == *v && seen & v != *v {
            seen |= v;
            out.push(n);
        }
    }
    out.join(" ")
}

/// Redis's `numericParseString` and `numericBoundaryCheck`.
fn parse_number(
    value: &str,
    min: i128,
    max: i128,
    form: Num,
    unsigned: bool,
) -> Result<i128, String> {
    let parsed: Option<i128> = match form {
        Num::Integer => wire::request::parse_i64(value.as_bytes()).map(i128::from),
        Num::Memory => parse_memory(value).ok().map(i128::from),
        Num::MemoryOrPercent => parse_memory(value)
            .ok()
            .map(|v| i128::from(v as i64))
            .or_else(|| {
                let digits = value.strip_suffix('%').filter(|d| !d.is_empty())?;
                let n = wire::request::parse_i64(digits.as_bytes()).filter(|n| *n >= 0)?;
                Some(-i128::from(n))
            }),
        Num::Octal => {
            let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
            if digits.is_empty() || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                None
            } else {
                i64::from_str_radix(value, 8).ok().map(i128::from)
            }
        }
    };
    let Some(v) = parsed else {
        return Err(match form {
            Num::MemoryOrPercent => "argument must be a memory or percent value",
            Num::Memory => "argument must be a memory value",
            Num::Octal => "argument couldn't be parsed as an octal number",
            Num::Integer => "argument couldn't be parsed into an integer",
        }
        .into());
    };
    if unsigned {
        // Unsigned C types see a negative number as a huge one.
        let u = if v < 0 { v + (1i128 << 64) } else { v };
        if u < min || u > max {
            return Err(if form == Num::Octal {
                format!("argument must be between {min:o} and {max:o} inclusive")
            } else {
                format!("argument must be between {min} and {max} inclusive")
            });
        }
        return Ok(u);
    }
    if form == Num::MemoryOrPercent && v < 0 {
        if v < min {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                -min
            ));
        }
    } else if v < min || v > max {
        return Err(format!(
            "argument must be between {min} and {max} inclusive"
        ));
    }
    Ok(v)
}

fn parse_special(kind: Special, args: &[String], current: &Value) -> Result<Value, String> {
    let one = || match args {
        [v] => Ok(v),
        _ => Err("wrong number of arguments".to_string()),
    };
    let empty = args.len() == 1 && args[0].is_empty();
    Ok(Value::Args(match kind {
        Special::Dir => {
            let path = std::fs::canonicalize(one()?).map_err(|e| os_error_text(&e))?;
            if !path.is_dir() {
                return Err("Not a directory".into());
            }
            vec![path.display().to_string()]
        }
        Special::Save => {
            let args = if empty { &[][..] } else { args };
            if !args.len().is_multiple_of(2) {
                return Err("Invalid save parameters".into());
            }
            let mut out = Vec::with_capacity(args.len());
            for (i, arg) in args.iter().enumerate() {
                let least = if i % 2 == 0 { 1 } else { 0 };
                let v = parse_c_long(arg)
                    .filter(|v| *v >= least)
                    .ok_or("Invalid save parameters")?;
                out.push(v.to_string());
            }
            out
        }
        Special::ClientOutputBufferLimit => {
            if !args.len().is_multiple_of(4) {
                return Err("Wrong number of arguments in buffer limit configuration.".into());
            }
            let mut out = match current {
                Value::Args(a) if a.len() == 12 => a.clone(),
                _ => strings(&DEFAULT_OBUF),
            };
            let mut updates = Vec::new();
            for chunk in args.chunks(4) {
                let slot = match chunk[0].to_ascii_lowercase().as_str() {
                    "normal" => 0,
                    "slave" | "replica" => 4,
                    "pubsub" => 8,
                    _ => {
                        return Err(
                            "Invalid client class specified in buffer limit configuration.".into(),
                        );
                    }
                };
                let bad =
                    || "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
                let hard = parse_memory(&chunk[1]).map_err(|_| bad())?;
                let soft = parse_memory(&chunk[2]).map_err(|_| bad())?;
                let seconds = parse_c_long(&chunk[3])
                    .filter(|v| *v >= 0)
                    .ok_or_else(bad)?;
                updates.push((slot, hard, soft, seconds));
            }
            for (slot, hard, soft, seconds) in updates {
                out[slot + 1] = hard.to_string();
                out[slot + 2] = soft.to_string();
                out[slot + 3] = seconds.to_string();
            }
            out
        }
        Special::OomScoreAdjValues => {
            if args.len() != 3 {
                return Err("wrong number of arguments".into());
            }
            let mut out = Vec::with_capacity(3);
            for arg in args {
                let v = parse_c_long(arg)
                    .filter(|v| (-2000..=2000).contains(v))
                    .ok_or(
                        "Invalid oom-score-adj-values, elements must be between -2000 and 2000.",
                    )?;
                out.push(v.to_string());
            }
            out
        }
        Special::NotifyKeyspaceEvents => vec![keyspace_events(one()?)?],
        Special::Bind => {
            if args.len() > 16 {
                return Err("Too many bind addresses specified.".into());
            }
            if empty { Vec::new() } else { args.to_vec() }
        }
        Special::ReplicaOf => {
            let [host, port] = args else {
                return Err("wrong number of arguments".into());
            };
            if host.eq_ignore_ascii_case("no") && port.eq_ignore_ascii_case("one") {
                Vec::new()
            } else {
                let port = parse_c_long(port)
                    .filter(|p| (0..=65535).contains(p))
                    .ok_or("Invalid master port")?;
                vec![host.clone(), port.to_string()]
            }
        }
        Special::Percentiles => {
            let args = if empty { &[][..] } else { args };
            let mut out = Vec::with_capacity(args.len());
            for arg in args {
                let p: f64 = arg
                    .parse()
                    .ok()
                    .filter(|p: &f64| !p.is_nan())
                    .ok_or("Invalid latency-tracking-info-percentiles parameters")?;
                if !(0.0..=100.0).contains(&p) {
                    return Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into());
                }
                out.push(trim_double(&format!("{p:.6}")));
            }
            out
        }
    }))
}

/// `%f` then Redis's `trimDoubleString`: no trailing zeros or point.
fn trim_double(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// Redis's `keyspaceEventsStringToFlags` then `keyspaceEventsFlagsToString`: the canonical
/// form of a `notify-keyspace-events` value.
fn keyspace_events(value: &str) -> Result<String, String> {
    // Class characters and their bits; `A` is every type class.
    const CLASSES: &[(u8, u32)] = &[
        (b'g', 1 << 2),
        (b'$', 1 << 3),
        (b'l', 1 << 4),
        (b's', 1 << 5),
        (b'h', 1 << 6),
        (b'z', 1 << 7),
        (b'x', 1 << 8),
        (b'e', 1 << 9),
        (b't', 1 << 10),
        (b'm', 1 << 12),
        (b'd', 1 << 11),
        (b'n', 1 << 13),
        (b'K', 1 << 0),
        (b'E', 1 << 1),
    ];
    const ALL: u32 = (1 << 2)
        | (1 << 3)
        | (1 << 4)
        | (1 << 5)
        | (1 << 6)
        | (1 << 7)
        | (1 << 8)
        | (1 << 9)
        | (1 << 10)
        | (1 << 11);
    let mut flags = 0;
    for c in value.bytes() {
        flags |= match c {
            b'A' => ALL,
            _ => CLASSES
                .iter()
                .find(|(ch, _)| *ch == c)
                .map(|(_, bit)| *bit)
                .ok_or("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")?,
        };
    }
    let mut out = String::new();
    if flags & ALL == ALL {
        out.push('A');
    } else {
        for (c, bit) in &CLASSES[..12] {
            if flags & bit != 0 {
                out.push(*c as char);
            }
        }
    }
    for (c, bit) in &CLASSES[12..] {
        if flags & bit != 0 {
            out.push(*c as char);
        }
    }
    Ok(out)
}

fn rewrite_special(name: &str, kind: Special, args: &[String], default: &Value) -> Rewrite {
    let changed = !matches!(default, Value::Args(d) if d == args);
    let one = |text: String, force: bool| Rewrite::Lines {
        lines: vec![format!("{name} {text}")],
        force,
    };
    match kind {
        Special::Dir => one(repr(args.first().map_or("", String::as_str)), true),
        Special::Save => {
            if args.is_empty() {
                one("\"\"".into(), true)
            } else {
                Rewrite::Lines {
                    lines: args
                        .chunks(2)
                        .map(|p| format!("{name} {} {}", p[0], p.get(1).map_or("", |s| s)))
                        .collect(),
                    force: true,
                }
            }
        }
        Special::ClientOutputBufferLimit => Rewrite::Lines {
            lines: args
                .chunks(4)
                .map(|c| {
                    let class = if c[0] == "slave" { "replica" } else { &c[0] };
                    let bytes = |s: &str| format_memory(s.parse().unwrap_or(0));
                    format!(
                        "{name} {class} {} {} {}",
                        bytes(&c[1]),
                        bytes(&c[2]),
                        c.get(3).map_or("0", |s| s)
                    )
                })
                .collect(),
            force: changed,
        },
        Special::OomScoreAdjValues => one(args.join(" "), changed),
        Special::NotifyKeyspaceEvents => {
            one(repr(args.first().map_or("", String::as_str)), changed)
        }
        Special::Bind if !changed => Rewrite::Remove,
        Special::Bind if args.is_empty() => one("\"\"".into(), true),
        Special::Bind => one(args.join(" "), true),
        Special::ReplicaOf if args.is_empty() => Rewrite::Remove,
        // As Redis writes it: the host unquoted.
        Special::ReplicaOf => one(args.join(" "), true),
        Special::Percentiles if args.is_empty() => one("\"\"".into(), true),
        Special::Percentiles => one(args.join(" "), true),
    }
}

// ---- values Switchyard does not offer --------------------------------------------------------

/// Directives whose non-default values ask for something no Switchyard component does; such a
/// value is refused (a clear error) rather than accepted and silently ignored.
pub static NOT_OFFERED: &[(&str, &str)] = &[
    (
        "notify-keyspace-events",
        "keyspace notifications are not implemented yet (only \"\" is accepted)",
    ),
    ("tls-port", "TLS is not supported"),
    ("tls-replication", "TLS is not supported"),
    ("tls-cluster", "TLS is not supported"),
    ("cluster-enabled", "Redis Cluster mode is not supported"),
    ("aclfile", "ACL users are not supported (use requirepass)"),
    ("unixsocket", "Unix socket listeners are not supported"),
    (
        "syslog-enabled",
        "logging to syslog is not supported (use logfile)",
    ),
    (
        "aof-timestamp-enabled",
        "the node writes no timestamp annotations",
    ),
];

/// The error for a value of `spec` that [`NOT_OFFERED`] lists, if this is one.
pub fn unsupported(spec: &Spec, value: &Value) -> Option<String> {
    let (_, why) = NOT_OFFERED.iter().find(|(n, _)| *n == spec.name)?;
    (*value != spec.default_value()).then(|| {
        format!(
            "{} '{}' is not supported: {why}",
            spec.name,
            spec.show(value)
        )
    })
}

/// Values of the directives a component keeps without acting on them (Redis's defaults until
/// set).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Store {
    values: BTreeMap<&'static str, Value>,
}

impl Store {
    pub fn get(&self, spec: &'static Spec) -> Value {
        self.values
            .get(spec.name)
            .cloned()
            .unwrap_or_else(|| spec.default_value())
    }

    pub fn set(&mut self, spec: &'static Spec, value: Value) {
        self.values.insert(spec.name, value);
    }
}

/// The error for a line outside [`TABLE`] that a component has no use for: Redis's own
/// directives no Switchyard component offers are refused with a reason (renamed commands,
/// ACL users and modules would otherwise be silently missing), anything else is Redis's
/// "Bad directive".
pub fn other_directive_error(line: &Line<'_>) -> String {
    let argc = line.args.len() + 1;
    match line.name.as_str() {
        "rename-command" if argc == 3 => {
            "rename-command is not supported: commands keep their names".into()
        }
        "user" if argc >= 2 => {
            "user is not supported: ACL users are not implemented (use requirepass)".into()
        }
        "loadmodule" if argc >= 2 => {
            "loadmodule is not supported: modules are not implemented".into()
        }
        "sentinel" if argc > 1 => "sentinel directive while not in sentinel mode".into(),
        name if name.contains('.') => {
            if argc != 2 {
                "Module config specified without value".into()
            } else {
                "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting".into()
            }
        }
        _ => "Bad directive or wrong number of arguments".into(),
    }
}

// ---- reading files ---------------------------------------------------------------------------

/// A fatal configuration error, worded as Redis prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fatal {
    /// `(line number, line)` when the error belongs to a line.
    pub at: Option<(usize, String)>,
    pub reason: String,
}

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n")?;
        if let Some((number, line)) = &self.at {
            write!(
                f,
                "Reading the configuration file, at line {number}\n>>> '{line}'\n"
            )?;
        }
        write!(f, "{}", self.reason)
    }
}

impl std::error::Error for Fatal {}

impl Fatal {
    pub fn line(number: usize, line: &str, reason: impl Into<String>) -> Self {
        Fatal {
            at: Some((number, line.to_string())),
            reason: reason.into(),
        }
    }
}

/// One directive line of a file.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    pub number: usize,
    /// The line, trimmed.
    pub text: &'a str,
    /// Its name (lowercase) and arguments.
    pub name: String,
    pub args: Vec<String>,
}

/// What [`load`] reads into.
pub trait Target {
    /// A directive's current value.
    fn value(&self, spec: &'static Spec) -> Value;
    /// Take a validated value (and refuse what the component cannot do).
    fn set(&mut self, spec: &'static Spec, value: Value) -> Result<(), String>;
    /// A line that is not one of [`TABLE`]'s directives (`sentinel`, `rename-command`, ...).
    fn other(&mut self, line: &Line<'_>) -> Result<(), String>;
}

/// The directive lines of a config text, split as Redis's `sdssplitargs` does.
pub fn lines(text: &str) -> impl Iterator<Item = Result<Line<'_>, Fatal>> {
    text.split('\n').enumerate().filter_map(|(i, raw)| {
        let text = raw.trim_matches([' ', '\t', '\r', '\n']);
        if text.is_empty() || text.starts_with('#') {
            return None;
        }
        let Some(args) = wire::request::split_args(text.as_bytes()) else {
            return Some(Err(Fatal::line(
                i + 1,
                text,
                "Unbalanced quotes in configuration line",
            )));
        };
        let mut args: Vec<String> = args
            .into_iter()
            .map(|a| String::from_utf8_lossy(&a).into_owned())
            .collect();
        if args.is_empty() {
            return None;
        }
        let name = args.remove(0).to_ascii_lowercase();
        Some(Ok(Line {
            number: i + 1,
            text,
            name,
            args,
        }))
    })
}

/// Read redis.conf text into `target`, as Redis's `loadServerConfigFromString`: every
/// directive of [`TABLE`] validated and set, the first `save` line replacing the built-in
/// rules and later ones adding to it, deprecated directives skipped, `include` read in place,
/// anything else handed to [`Target::other`].
pub fn load(text: &str, target: &mut impl Target) -> Result<(), Fatal> {
    let mut save_seen = false;
    for line in lines(text) {
        let line = line?;
        let fail = |reason: String| Fatal::line(line.number, line.text, reason);
        if let Some(spec) = lookup(&line.name) {
            if !spec.multi_arg() && line.args.len() != 1 {
                return Err(fail("wrong number of arguments".into()));
            }
            // A multi-argument directive given as one argument (`--save "900 1"`) is split.
            let split;
            let args = match &line.args[..] {
                [one] if spec.multi_arg() && !one.is_empty() && one.contains(' ') => {
                    split = wire::request::split_args(one.as_bytes())
                        .map(|a| {
                            a.into_iter()
                                .map(|v| String::from_utf8_lossy(&v).into_owned())
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_else(|| vec![one.clone()]);
                    &split[..]
                }
                args => args,
            };
            let current = target.value(spec);
            let mut value = spec.parse(args, &current).map_err(fail)?;
            if spec.name == "save" {
                if save_seen
                    && let (Value::Args(before), Value::Args(new)) = (current, &mut value)
                    && !new.is_empty()
                {
                    let mut all = before;
                    all.append(new);
                    *new = all;
                }
                save_seen = true;
            }
            target.set(spec, value).map_err(fail)?;
        } else if DEPRECATED
            .iter()
            .any(|(n, min, max)| *n == line.name && (*min..=*max).contains(&(line.args.len() + 1)))
        {
            continue;
        } else if line.name == "include" && line.args.len() == 1 {
            include(&line.args[0], target)?;
        } else {
            target.other(&line).map_err(fail)?;
        }
    }
    Ok(())
}

/// `include <path>`: a path with wildcards includes every match (none is fine).
fn include(pattern: &str, target: &mut impl Target) -> Result<(), Fatal> {
    let open_error = |path: &str, e: std::io::Error| Fatal {
        at: None,
        reason: format!(
            "Fatal error, can't open config file '{path}': {}",
            os_error_text(&e)
        ),
    };
    let paths: Vec<String> = if pattern.contains(['*', '?', '[']) {
        // As glob(3): no match includes nothing.
        glob::glob(pattern)
            .map(|paths| {
                paths
                    .filter_map(Result::ok)
                    .map(|p| p.display().to_string())
                    .collect()
            })
            .unwrap_or_default()
    } else {
        vec![pattern.to_string()]
    };
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| open_error(&path, e))?;
        load(&text, target)?;
    }
    Ok(())
}

/// redis-server's option string: `--name` starts a line, each value follows quoted.
pub fn args_to_text(args: &[String]) -> String {
    let mut text = String::new();
    for arg in args {
        if let Some(name) = arg.strip_prefix("--") {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(name);
            text.push(' ');
        } else {
            text.push_str(&repr(arg));
            text.push(' ');
        }
    }
    text
}

/// A quoted string as Redis's `sdscatrepr` writes it (and `sdssplitargs` reads it back).
pub fn repr(s: &str) -> String {
    wire::request::quote_arg(s.as_bytes())
}

/// `strtoll(s, &end, 10)` with `*end == '\0'`: an optional sign, then digits.
pub fn parse_c_long(s: &str) -> Option<i64> {
    let trimmed = s.trim_start();
    let digits = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    trimmed.parse().ok()
}

/// Memory amounts as Redis's `memtoull` reads them: digits then an optional unit, `1k` (1000),
/// `1kb` (1024), `m`, `mb`, `g`, `gb`, `b`, case-insensitive.
pub fn parse_memory(value: &str) -> Result<u64, String> {
    let err = || "argument must be a memory value".to_string();
    if value.starts_with('-') {
        return Err(err());
    }
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (digits, unit) = value.split_at(split);
    let mul: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return Err(err()),
    };
    if digits.len() >= 128 {
        return Err(err());
    }
    // strtoull reads no digits as 0, and an overflow as its largest value.
    let n: u64 = if digits.is_empty() {
        0
    } else {
        digits.parse().unwrap_or(u64::MAX)
    };
    Ok(n.wrapping_mul(mul))
}

/// Bytes as CONFIG REWRITE writes them: `gb`, `mb`, `kb` when exact.
pub fn format_memory(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    const GB: u64 = 1024 * 1024 * 1024;
    if bytes != 0 && bytes.is_multiple_of(GB) {
        format!("{}gb", bytes / GB)
    } else if bytes != 0 && bytes.is_multiple_of(MB) {
        format!("{}mb", bytes / MB)
    } else if bytes != 0 && bytes.is_multiple_of(KB) {
        format!("{}kb", bytes / KB)
    } else {
        bytes.to_string()
    }
}

/// An OS error as strerror() words it (without Rust's " (os error N)").
pub fn os_error_text(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests;

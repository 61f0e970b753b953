//! Redis 7.0.15's `static_configs[]` (src/config.c), in its order: every directive with its
//! alias, flags, type, bounds and default. Defaults are Redis's; a component whose own default
//! differs (the node's `bind`) says so where it maps the directive.

use crate::{Check, Flag, Num, Spec, Special, Type};

const INT_MAX: i128 = i32::MAX as i128;
const INT_MIN: i128 = i32::MIN as i128;
const UINT_MAX: i128 = u32::MAX as i128;
const LONG_MAX: i128 = i64::MAX as i128;
const LLONG_MAX: i128 = i64::MAX as i128;
const ULLONG_MAX: i128 = u64::MAX as i128;
const SSIZE_MAX: i128 = i64::MAX as i128;

const IMMUTABLE: u16 = Flag::IMMUTABLE;
const MODIFIABLE: u16 = 0;
const SENSITIVE: u16 = Flag::SENSITIVE;
const MULTI_ARG: u16 = Flag::MULTI_ARG;
const HIDDEN: u16 = Flag::HIDDEN;
const PROTECTED: u16 = Flag::PROTECTED;
const DENY_LOADING: u16 = Flag::DENY_LOADING;
const DEBUG: u16 = Flag::DEBUG;

const fn boolean(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u16,
    default: bool,
) -> Spec {
    Spec {
        name,
        alias,
        flags,
        ty: Type::Bool { default },
    }
}

const fn string(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u16,
    empty_is_null: bool,
    default: Option<&'static str>,
    check: Option<Check>,
) -> Spec {
    Spec {
        name,
        alias,
        flags,
        ty: Type::Str {
            default,
            empty_is_null,
            check,
        },
    }
}

const fn enumeration(
    name: &'static str,
    flags: u16,
    names: &'static [(&'static str, u32)],
    default: u32,
) -> Spec {
    Spec {
        name,
        alias: None,
        flags,
        ty: Type::Enum {
            names,
            default,
            multi: false,
        },
    }
}

/// A numeric directive. `unsigned`: Redis's unsigned C types (unsigned int, unsigned long
/// long, size_t), whose bound check sees a negative number as a huge one.
#[allow(clippy::too_many_arguments)]
const fn number(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u16,
    min: i128,
    max: i128,
    default: i128,
    form: Num,
    unsigned: bool,
) -> Spec {
    Spec {
        name,
        alias,
        flags,
        ty: Type::Int {
            min,
            max,
            default,
            form,
            unsigned,
        },
    }
}

const fn special(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u16,
    kind: Special,
) -> Spec {
    Spec {
        name,
        alias,
        flags,
        ty: Type::Special(kind),
    }
}

const SUPERVISED: &[(&str, u32)] = &[("upstart", 1), ("systemd", 2), ("auto", 3), ("no", 0)];
const SYSLOG_FACILITY: &[(&str, u32)] = &[
    ("user", 8),
    ("local0", 128),
    ("local1", 136),
    ("local2", 144),
    ("local3", 152),
    ("local4", 160),
    ("local5", 168),
    ("local6", 176),
    ("local7", 184),
];
const REPL_DISKLESS_LOAD: &[(&str, u32)] = &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];
pub(crate) const LOGLEVEL: &[(&str, u32)] =
    &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];
pub(crate) const MAXMEMORY_POLICY: &[(&str, u32)] = &[
    ("volatile-lru", 0),
    ("volatile-lfu", 1),
    ("volatile-random", 2),
    ("volatile-ttl", 3),
    ("allkeys-lru", 4),
    ("allkeys-lfu", 5),
    ("allkeys-random", 6),
    ("noeviction", 7),
];
const AOF_FSYNC: &[(&str, u32)] = &[("everysec", 0), ("always", 1), ("no", 2)];
const OOM_SCORE_ADJ: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
const ACL_PUBSUB_DEFAULT: &[(&str, u32)] = &[("allchannels", 1), ("resetchannels", 0)];
const SANITIZE_DUMP: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("clients", 2)];
const PROTECTED_ACTION: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("local", 2)];
const ENDPOINT_TYPE: &[(&str, u32)] = &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];
const TLS_AUTH_CLIENTS: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("optional", 2)];
const PROPAGATION_ERROR: &[(&str, u32)] = &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];
/// `shutdown-on-sigint` / `-sigterm` take several of these at once (a bit set).
const SHUTDOWN_ON_SIG: &[(&str, u32)] = &[
    ("default", 0),
    ("save", 1),
    ("nosave", 2),
    ("now", 4),
    ("force", 8),
];

const fn shutdown_flags(name: &'static str) -> Spec {
    Spec {
        name,
        alias: None,
        flags: MULTI_ARG,
        ty: Type::Enum {
            names: SHUTDOWN_ON_SIG,
            default: 0,
            multi: true,
        },
    }
}

fn is_valid_dbfilename(v: &str) -> Result<(), &'static str> {
    if v.contains('/') {
        return Err("dbfilename can't be a path, just a filename");
    }
    Ok(())
}

fn is_valid_aof_filename(v: &str) -> Result<(), &'static str> {
    if v.is_empty() {
        return Err("appendfilename can't be empty");
    }
    if v.contains('/') {
        return Err("appendfilename can't be a path, just a filename");
    }
    Ok(())
}

fn is_valid_aof_dirname(v: &str) -> Result<(), &'static str> {
    if v.is_empty() {
        return Err("appenddirname can't be empty");
    }
    if v.contains('/') {
        return Err("appenddirname can't be a path, just a dirname");
    }
    Ok(())
}

fn is_valid_hostname(v: &str) -> Result<(), &'static str> {
    if v.len() >= 256 {
        return Err("Hostnames must be less than 256 characters");
    }
    if !v
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
    {
        return Err("Hostnames may only contain alphanumeric characters, hyphens or dots");
    }
    Ok(())
}

/// Redis's `validateProcTitleTemplate`: every `{variable}` known and closed, and the expansion
/// (with an empty title) not blank. `{listen-addr}`, `{port}` and `{tls-port}` always expand to
/// something; the other variables may expand to nothing.
fn is_valid_proc_title(v: &str) -> Result<(), &'static str> {
    const BAD: &str = "template format is invalid or contains unknown variables";
    const VARIABLES: &[(&str, bool)] = &[
        ("title", false),
        ("listen-addr", true),
        ("server-mode", false),
        ("port", true),
        ("tls-port", true),
        ("unixsocket", false),
        ("config-file", false),
    ];
    let mut rest = v;
    let mut visible = false;
    loop {
        // A `}` outside a variable is plain text.
        match rest.find('{') {
            None => {
                visible |= !rest.trim_matches(' ').is_empty();
                break;
            }
            Some(at) => {
                visible |= !rest[..at].trim_matches(' ').is_empty();
                let after = &rest[at + 1..];
                let close = after.find('}').ok_or(BAD)?;
                let (_, shows) = VARIABLES
                    .iter()
                    .find(|(name, _)| *name == &after[..close])
                    .ok_or(BAD)?;
                visible |= shows;
                rest = &after[close + 1..];
            }
        }
    }
    if visible { Ok(()) } else { Err(BAD) }
}

/// Every directive of Redis 7.0.15, TLS ones included (Debian's build has TLS).
pub static TABLE: &[Spec] = &[
    // Bool configs.
    boolean("rdbchecksum", None, IMMUTABLE, true),
    boolean("daemonize", None, IMMUTABLE, false),
    boolean("io-threads-do-reads", None, DEBUG | IMMUTABLE, false),
    boolean("always-show-logo", None, IMMUTABLE, false),
    boolean("protected-mode", None, MODIFIABLE, true),
    boolean("rdbcompression", None, MODIFIABLE, true),
    boolean("rdb-del-sync-files", None, MODIFIABLE, false),
    boolean("activerehashing", None, MODIFIABLE, true),
    boolean("stop-writes-on-bgsave-error", None, MODIFIABLE, true),
    boolean("set-proc-title", None, IMMUTABLE, true),
    boolean("dynamic-hz", None, MODIFIABLE, true),
    boolean("lazyfree-lazy-eviction", None, DEBUG, false),
    boolean("lazyfree-lazy-expire", None, DEBUG, false),
    boolean("lazyfree-lazy-server-del", None, DEBUG, false),
    boolean("lazyfree-lazy-user-del", None, DEBUG, false),
    boolean("lazyfree-lazy-user-flush", None, DEBUG, false),
    boolean("repl-disable-tcp-nodelay", None, MODIFIABLE, false),
    boolean("repl-diskless-sync", None, DEBUG, true),
    boolean("aof-rewrite-incremental-fsync", None, MODIFIABLE, true),
    boolean("no-appendfsync-on-rewrite", None, MODIFIABLE, false),
    boolean("cluster-require-full-coverage", None, MODIFIABLE, true),
    boolean("rdb-save-incremental-fsync", None, MODIFIABLE, true),
    boolean("aof-load-truncated", None, MODIFIABLE, true),
    boolean("aof-use-rdb-preamble", None, MODIFIABLE, true),
    boolean("aof-timestamp-enabled", None, MODIFIABLE, false),
    boolean(
        "cluster-replica-no-failover",
        Some("cluster-slave-no-failover"),
        MODIFIABLE,
        false,
    ),
    boolean(
        "replica-lazy-flush",
        Some("slave-lazy-flush"),
        MODIFIABLE,
        false,
    ),
    boolean(
        "replica-serve-stale-data",
        Some("slave-serve-stale-data"),
        MODIFIABLE,
        true,
    ),
    boolean("replica-read-only", Some("slave-read-only"), DEBUG, true),
    boolean(
        "replica-ignore-maxmemory",
        Some("slave-ignore-maxmemory"),
        MODIFIABLE,
        true,
    ),
    boolean("jemalloc-bg-thread", None, MODIFIABLE, true),
    boolean("activedefrag", None, DEBUG, false),
    boolean("syslog-enabled", None, IMMUTABLE, false),
    boolean("cluster-enabled", None, IMMUTABLE, false),
    boolean("appendonly", None, DENY_LOADING, false),
    boolean("cluster-allow-reads-when-down", None, MODIFIABLE, false),
    boolean(
        "cluster-allow-pubsubshard-when-down",
        None,
        MODIFIABLE,
        true,
    ),
    boolean("crash-log-enabled", None, MODIFIABLE, true),
    boolean("crash-memcheck-enabled", None, MODIFIABLE, true),
    boolean("use-exit-on-panic", None, HIDDEN, false),
    boolean("disable-thp", None, IMMUTABLE, true),
    boolean("cluster-allow-replica-migration", None, MODIFIABLE, true),
    boolean("replica-announced", None, MODIFIABLE, true),
    boolean("latency-tracking", None, MODIFIABLE, true),
    boolean("aof-disable-auto-gc", None, MODIFIABLE, false),
    boolean("replica-ignore-disk-write-errors", None, MODIFIABLE, false),
    // String configs.
    string("aclfile", None, IMMUTABLE, false, Some(""), None),
    string("unixsocket", None, IMMUTABLE, true, None, None),
    string("pidfile", None, IMMUTABLE, true, None, None),
    string(
        "replica-announce-ip",
        Some("slave-announce-ip"),
        MODIFIABLE,
        true,
        None,
        None,
    ),
    string("masteruser", None, SENSITIVE, true, None, None),
    string("cluster-announce-ip", None, MODIFIABLE, true, None, None),
    string(
        "cluster-config-file",
        None,
        IMMUTABLE,
        false,
        Some("nodes.conf"),
        None,
    ),
    string(
        "cluster-announce-hostname",
        None,
        MODIFIABLE,
        true,
        None,
        Some(is_valid_hostname),
    ),
    string("syslog-ident", None, IMMUTABLE, false, Some("redis"), None),
    string(
        "dbfilename",
        None,
        PROTECTED,
        false,
        Some("dump.rdb"),
        Some(is_valid_dbfilename),
    ),
    string(
        "appendfilename",
        None,
        IMMUTABLE,
        false,
        Some("appendonly.aof"),
        Some(is_valid_aof_filename),
    ),
    string(
        "appenddirname",
        None,
        IMMUTABLE,
        false,
        Some("appendonlydir"),
        Some(is_valid_aof_dirname),
    ),
    string("server_cpulist", None, IMMUTABLE, true, None, None),
    string("bio_cpulist", None, IMMUTABLE, true, None, None),
    string("aof_rewrite_cpulist", None, IMMUTABLE, true, None, None),
    string("bgsave_cpulist", None, IMMUTABLE, true, None, None),
    string("ignore-warnings", None, MODIFIABLE, false, Some(""), None),
    string(
        "proc-title-template",
        None,
        MODIFIABLE,
        false,
        Some("{title} {listen-addr} {server-mode}"),
        Some(is_valid_proc_title),
    ),
    string("bind-source-addr", None, MODIFIABLE, true, None, None),
    string("logfile", None, IMMUTABLE, false, Some(""), None),
    // SDS configs.
    string("masterauth", None, SENSITIVE, true, None, None),
    string("requirepass", None, SENSITIVE, true, None, None),
    // Enum configs.
    enumeration("supervised", IMMUTABLE, SUPERVISED, 0),
    enumeration("syslog-facility", IMMUTABLE, SYSLOG_FACILITY, 128),
    enumeration(
        "repl-diskless-load",
        DEBUG | DENY_LOADING,
        REPL_DISKLESS_LOAD,
        0,
    ),
    enumeration("loglevel", MODIFIABLE, LOGLEVEL, 2),
    enumeration("maxmemory-policy", MODIFIABLE, MAXMEMORY_POLICY, 7),
    enumeration("appendfsync", MODIFIABLE, AOF_FSYNC, 0),
    enumeration("oom-score-adj", MODIFIABLE, OOM_SCORE_ADJ, 0),
    enumeration("acl-pubsub-default", MODIFIABLE, ACL_PUBSUB_DEFAULT, 0),
    enumeration("sanitize-dump-payload", DEBUG, SANITIZE_DUMP, 0),
    enumeration("enable-protected-configs", IMMUTABLE, PROTECTED_ACTION, 0),
    enumeration("enable-debug-command", IMMUTABLE, PROTECTED_ACTION, 0),
    enumeration("enable-module-command", IMMUTABLE, PROTECTED_ACTION, 0),
    enumeration(
        "cluster-preferred-endpoint-type",
        MODIFIABLE,
        ENDPOINT_TYPE,
        0,
    ),
    enumeration(
        "propagation-error-behavior",
        MODIFIABLE,
        PROPAGATION_ERROR,
        0,
    ),
    shutdown_flags("shutdown-on-sigint"),
    shutdown_flags("shutdown-on-sigterm"),
    // Integer configs.
    number(
        "databases",
        None,
        IMMUTABLE,
        1,
        INT_MAX,
        16,
        Num::Integer,
        false,
    ),
    number(
        "port",
        None,
        MODIFIABLE,
        0,
        65535,
        6379,
        Num::Integer,
        false,
    ),
    number(
        "io-threads",
        None,
        DEBUG | IMMUTABLE,
        1,
        128,
        1,
        Num::Integer,
        false,
    ),
    number(
        "auto-aof-rewrite-percentage",
        None,
        MODIFIABLE,
        0,
        INT_MAX,
        100,
        Num::Integer,
        false,
    ),
    number(
        "cluster-replica-validity-factor",
        Some("cluster-slave-validity-factor"),
        MODIFIABLE,
        0,
        INT_MAX,
        10,
        Num::Integer,
        false,
    ),
    number(
        "list-max-listpack-size",
        Some("list-max-ziplist-size"),
        MODIFIABLE,
        INT_MIN,
        INT_MAX,
        -2,
        Num::Integer,
        false,
    ),
    number(
        "tcp-keepalive",
        None,
        MODIFIABLE,
        0,
        INT_MAX,
        300,
        Num::Integer,
        false,
    ),
    number(
        "cluster-migration-barrier",
        None,
        MODIFIABLE,
        0,
        INT_MAX,
        1,
        Num::Integer,
        false,
    ),
    number(
        "active-defrag-cycle-min",
        None,
        MODIFIABLE,
        1,
        99,
        1,
        Num::Integer,
        false,
    ),
    number(
        "active-defrag-cycle-max",
        None,
        MODIFIABLE,
        1,
        99,
        25,
        Num::Integer,
        false,
    ),
    number(
        "active-defrag-threshold-lower",
        None,
        MODIFIABLE,
        0,
        1000,
        10,
        Num::Integer,
        false,
    ),
    number(
        "active-defrag-threshold-upper",
        None,
        MODIFIABLE,
        0,
        1000,
        100,
        Num::Integer,
        false,
    ),
    number(
        "lfu-log-factor",
        None,
        MODIFIABLE,
        0,
        INT_MAX,
        10,
        Num::Integer,
        false,
    ),
    number(
        "lfu-decay-time",
        None,
        MODIFIABLE,
        0,
        INT_MAX,
        1,
        Num::Integer,
        false,
    ),
    number(
        "replica-priority",
        Some("slave-priority"),
        MODIFIABLE,
        0,
        INT_MAX,
        100,
        Num::Integer,
        false,
    ),
    number(
        "repl-diskless-sync-delay",
        None,
        MODIFIABLE,
        0,
        INT_MAX,
        5,
        Num::Integer,
        false,
    ),
    number(
        "maxmemory-samples",
        None,
        MODIFIABLE,
        1,
        INT_MAX,
        5,
        Num::Integer,
        false,
    ),
    number(
        "maxmemory-eviction-tenacity",
        None,
        MODIFIABLE,
        0,
        100,
        10,
        Num::Integer,
        false,
    ),
    number(
        "timeout",
        None,
        MODIFIABLE,
        0,
        INT_MAX,
        0,
        Num::Integer,
        false,
    ),
    number(
        "replica-announce-port",
        Some("slave-announce-port"),
        MODIFIABLE,
        0,
        65535,
        0,
        Num::Integer,
        false,
    ),
    number(
        "tcp-backlog",
        None,
        IMMUTABLE,
        0,
        INT_MAX,
        511,
        Num::Integer,
        false,
    ),
    number(
        "cluster-port",
        None,
        IMMUTABLE,
        0,
        65535,
        0,
        Num::Integer,
        false,
    ),
    number(
        "cluster-announce-bus-port",
        None,
        MODIFIABLE,
        0,
        65535,
        0,
        Num::Integer,
        false,
    ),
    number(
        "cluster-announce-port",
        None,
        MODIFIABLE,
        0,
        65535,
        0,
        Num::Integer,
        false,
    ),
    number(
        "cluster-announce-tls-port",
        None,
        MODIFIABLE,
        0,
        65535,
        0,
        Num::Integer,
        false,
    ),
    number(
        "repl-timeout",
        None,
        MODIFIABLE,
        1,
        INT_MAX,
        60,
        Num::Integer,
        false,
    ),
    number(
        "repl-ping-replica-period",
        Some("repl-ping-slave-period"),
        MODIFIABLE,
        1,
        INT_MAX,
        10,
        Num::Integer,
        false,
    ),
    number(
        "list-compress-depth",
        None,
        DEBUG,
        0,
        INT_MAX,
        0,
        Num::Integer,
        false,
    ),
    number(
        "rdb-key-save-delay",
        None,
        HIDDEN,
        INT_MIN,
        INT_MAX,
        0,
        Num::Integer,
        false,
    ),
    number(
        "key-load-delay",
        None,
        HIDDEN,
        INT_MIN,
        INT_MAX,
        0,
        Num::Integer,
        false,
    ),
    number(
        "active-expire-effort",
        None,
        MODIFIABLE,
        1,
        10,
        1,
        Num::Integer,
        false,
    ),
    number("hz", None, MODIFIABLE, 0, INT_MAX, 10, Num::Integer, false),
    number(
        "min-replicas-to-write",
        Some("min-slaves-to-write"),
        MODIFIABLE,
        0,
        INT_MAX,
        0,
        Num::Integer,
        false,
    ),
    number(
        "min-replicas-max-lag",
        Some("min-slaves-max-lag"),
        MODIFIABLE,
        0,
        INT_MAX,
        10,
        Num::Integer,
        false,
    ),
    number(
        "watchdog-period",
        None,
        HIDDEN,
        0,
        INT_MAX,
        0,
        Num::Integer,
        false,
    ),
    number(
        "shutdown-timeout",
        None,
        MODIFIABLE,
        0,
        INT_MAX,
        10,
        Num::Integer,
        false,
    ),
    number(
        "repl-diskless-sync-max-replicas",
        None,
        MODIFIABLE,
        0,
        INT_MAX,
        0,
        Num::Integer,
        false,
    ),
    // Unsigned int configs.
    number(
        "maxclients",
        None,
        MODIFIABLE,
        1,
        UINT_MAX,
        10000,
        Num::Integer,
        true,
    ),
    number(
        "unixsocketperm",
        None,
        IMMUTABLE,
        0,
        0o777,
        0,
        Num::Octal,
        true,
    ),
    number(
        "socket-mark-id",
        None,
        IMMUTABLE,
        0,
        UINT_MAX,
        0,
        Num::Integer,
        true,
    ),
    // Unsigned long configs (bound-checked as signed, as Redis does).
    number(
        "active-defrag-max-scan-fields",
        None,
        MODIFIABLE,
        1,
        LONG_MAX,
        1000,
        Num::Integer,
        false,
    ),
    number(
        "slowlog-max-len",
        None,
        MODIFIABLE,
        0,
        LONG_MAX,
        128,
        Num::Integer,
        false,
    ),
    number(
        "acllog-max-len",
        None,
        MODIFIABLE,
        0,
        LONG_MAX,
        128,
        Num::Integer,
        false,
    ),
    // Long long configs.
    number(
        "busy-reply-threshold",
        Some("lua-time-limit"),
        MODIFIABLE,
        0,
        LONG_MAX,
        5000,
        Num::Integer,
        false,
    ),
    number(
        "cluster-node-timeout",
        None,
        MODIFIABLE,
        0,
        LLONG_MAX,
        15000,
        Num::Integer,
        false,
    ),
    number(
        "slowlog-log-slower-than",
        None,
        MODIFIABLE,
        -1,
        LLONG_MAX,
        10000,
        Num::Integer,
        false,
    ),
    number(
        "latency-monitor-threshold",
        None,
        MODIFIABLE,
        0,
        LLONG_MAX,
        0,
        Num::Integer,
        false,
    ),
    number(
        "proto-max-bulk-len",
        None,
        DEBUG,
        1024 * 1024,
        LONG_MAX,
        512 * 1024 * 1024,
        Num::Memory,
        false,
    ),
    number(
        "stream-node-max-entries",
        None,
        MODIFIABLE,
        0,
        LLONG_MAX,
        100,
        Num::Integer,
        false,
    ),
    number(
        "repl-backlog-size",
        None,
        MODIFIABLE,
        1,
        LLONG_MAX,
        1024 * 1024,
        Num::Memory,
        false,
    ),
    // Unsigned long long configs.
    number(
        "maxmemory",
        None,
        MODIFIABLE,
        0,
        ULLONG_MAX,
        0,
        Num::Memory,
        true,
    ),
    number(
        "cluster-link-sendbuf-limit",
        None,
        MODIFIABLE,
        0,
        ULLONG_MAX,
        0,
        Num::Memory,
        true,
    ),
    // Size_t configs.
    number(
        "hash-max-listpack-entries",
        Some("hash-max-ziplist-entries"),
        MODIFIABLE,
        0,
        LONG_MAX,
        512,
        Num::Integer,
        true,
    ),
    number(
        "set-max-intset-entries",
        None,
        MODIFIABLE,
        0,
        LONG_MAX,
        512,
        Num::Integer,
        true,
    ),
    number(
        "zset-max-listpack-entries",
        Some("zset-max-ziplist-entries"),
        MODIFIABLE,
        0,
        LONG_MAX,
        128,
        Num::Integer,
        true,
    ),
    number(
        "active-defrag-ignore-bytes",
        None,
        MODIFIABLE,
        1,
        LLONG_MAX,
        100 << 20,
        Num::Memory,
        true,
    ),
    number(
        "hash-max-listpack-value",
        Some("hash-max-ziplist-value"),
        MODIFIABLE,
        0,
        LONG_MAX,
        64,
        Num::Memory,
        true,
    ),
    number(
        "stream-node-max-bytes",
        None,
        MODIFIABLE,
        0,
        LONG_MAX,
        4096,
        Num::Memory,
        true,
    ),
    number(
        "zset-max-listpack-value",
        Some("zset-max-ziplist-value"),
        MODIFIABLE,
        0,
        LONG_MAX,
        64,
        Num::Memory,
        true,
    ),
    number(
        "hll-sparse-max-bytes",
        None,
        MODIFIABLE,
        0,
        LONG_MAX,
        3000,
        Num::Memory,
        true,
    ),
    number(
        "tracking-table-max-keys",
        None,
        MODIFIABLE,
        0,
        LONG_MAX,
        1_000_000,
        Num::Integer,
        true,
    ),
    number(
        "client-query-buffer-limit",
        None,
        DEBUG,
        1024 * 1024,
        LONG_MAX,
        1024 * 1024 * 1024,
        Num::Memory,
        true,
    ),
    number(
        "maxmemory-clients",
        None,
        MODIFIABLE,
        -100,
        SSIZE_MAX,
        0,
        Num::MemoryOrPercent,
        false,
    ),
    // Other configs.
    number(
        "repl-backlog-ttl",
        None,
        MODIFIABLE,
        0,
        LONG_MAX,
        3600,
        Num::Integer,
        false,
    ),
    number(
        "auto-aof-rewrite-min-size",
        None,
        MODIFIABLE,
        0,
        LLONG_MAX,
        64 * 1024 * 1024,
        Num::Memory,
        false,
    ),
    number(
        "loading-process-events-interval-bytes",
        None,
        HIDDEN,
        1024,
        INT_MAX,
        2 * 1024 * 1024,
        Num::Integer,
        false,
    ),
    // TLS.
    number(
        "tls-port",
        None,
        MODIFIABLE,
        0,
        65535,
        0,
        Num::Integer,
        false,
    ),
    number(
        "tls-session-cache-size",
        None,
        MODIFIABLE,
        0,
        INT_MAX,
        20 * 1024,
        Num::Integer,
        false,
    ),
    number(
        "tls-session-cache-timeout",
        None,
        MODIFIABLE,
        0,
        INT_MAX,
        300,
        Num::Integer,
        false,
    ),
    boolean("tls-cluster", None, MODIFIABLE, false),
    boolean("tls-replication", None, MODIFIABLE, false),
    enumeration("tls-auth-clients", MODIFIABLE, TLS_AUTH_CLIENTS, 1),
    boolean("tls-prefer-server-ciphers", None, MODIFIABLE, false),
    boolean("tls-session-caching", None, MODIFIABLE, true),
    string("tls-cert-file", None, MODIFIABLE, true, None, None),
    string("tls-key-file", None, MODIFIABLE, true, None, None),
    string("tls-key-file-pass", None, MODIFIABLE, true, None, None),
    string("tls-client-cert-file", None, MODIFIABLE, true, None, None),
    string("tls-client-key-file", None, MODIFIABLE, true, None, None),
    string(
        "tls-client-key-file-pass",
        None,
        MODIFIABLE,
        true,
        None,
        None,
    ),
    string("tls-dh-params-file", None, MODIFIABLE, true, None, None),
    string("tls-ca-cert-file", None, MODIFIABLE, true, None, None),
    string("tls-ca-cert-dir", None, MODIFIABLE, true, None, None),
    string("tls-protocols", None, MODIFIABLE, true, None, None),
    string("tls-ciphers", None, MODIFIABLE, true, None, None),
    string("tls-ciphersuites", None, MODIFIABLE, true, None, None),
    // Special configs.
    special("dir", None, PROTECTED | DENY_LOADING, Special::Dir),
    special("save", None, MULTI_ARG, Special::Save),
    special(
        "client-output-buffer-limit",
        None,
        MULTI_ARG,
        Special::ClientOutputBufferLimit,
    ),
    special(
        "oom-score-adj-values",
        None,
        MULTI_ARG,
        Special::OomScoreAdjValues,
    ),
    special(
        "notify-keyspace-events",
        None,
        MODIFIABLE,
        Special::NotifyKeyspaceEvents,
    ),
    special("bind", None, MULTI_ARG, Special::Bind),
    special(
        "replicaof",
        Some("slaveof"),
        IMMUTABLE | MULTI_ARG,
        Special::ReplicaOf,
    ),
    special(
        "latency-tracking-info-percentiles",
        None,
        MULTI_ARG,
        Special::Percentiles,
    ),
];

/// Directives Redis 7.0 still reads from files and ignores: name, least and most arguments
/// (the name included).
pub static DEPRECATED: &[(&str, usize, usize)] = &[
    ("list-max-ziplist-entries", 2, 2),
    ("list-max-ziplist-value", 2, 2),
    ("lua-replicate-commands", 2, 2),
];

//! Node configuration: redis.conf directives, from a file and from `--name value` flags.
//!
//! `Config` is plain typed data. Around it, [`DIRECTIVES`] is the registry that knows, for
//! every directive the node honours, its name and aliases, how to parse and format its value,
//! whether CONFIG SET may change it at runtime, and how CONFIG REWRITE writes it back. Parsing
//! rules, bounds and error texts are Redis 7.0's.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub port: u16,
    pub bind: Vec<String>,
    pub requirepass: Option<String>,
    pub maxclients: usize,
    /// Idle client timeout in seconds (0 = never).
    pub timeout: u64,
    pub databases: usize,
    pub proto_max_bulk_len: u64,
    /// Server cron frequency, already clamped to 1..=500 as Redis does.
    pub hz: u32,
    /// Bytes; 0 = no limit.
    pub maxmemory: u64,
    pub maxmemory_policy: MaxmemoryPolicy,
    pub maxmemory_samples: u32,
    pub lfu_log_factor: u32,
    pub lfu_decay_time: u32,
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
    pub list_max_listpack_size: i64,
    pub client_output_buffer_limit: ClientOutputBufferLimits,
    /// Microseconds; -1 disables the slow log, 0 logs everything.
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: usize,
    /// Milliseconds; 0 disables the latency monitor.
    pub latency_monitor_threshold: u64,
    pub loglevel: LogLevel,
    /// Empty: standard error.
    pub logfile: String,
    pub pidfile: Option<String>,
    pub protected_mode: bool,
    /// Seconds between TCP keepalive probes on client sockets (0 = off).
    pub tcp_keepalive: u32,
    pub tcp_backlog: u32,
    /// Threads serving client connections (parsing, replies, socket I/O); commands still run
    /// one at a time under the store lock. Redis's default, 1, is also what measured best on
    /// two cores with redis-benchmark on the other (see README, benchmark).
    pub io_threads: usize,
    pub enable_debug_command: ProtectedAction,
    /// Accepted for compatibility: values are always freed synchronously, which these
    /// directives only tune the speed of.
    pub lazyfree_lazy_user_del: bool,
    pub lazyfree_lazy_user_flush: bool,
    /// Accepted for compatibility: per-slot tables always rehash incrementally.
    pub activerehashing: bool,
    /// Path of the file the configuration was read from (CONFIG REWRITE writes it back).
    pub config_file: Option<PathBuf>,
    pub appendonly: bool,
    pub appendfsync: AppendFsync,
    /// Directory (a name under `dir`) of the multi-part AOF.
    pub appenddirname: String,
    /// Base name of the AOF files and manifest.
    pub appendfilename: String,
    pub auto_aof_rewrite_percentage: u32,
    pub auto_aof_rewrite_min_size: u64,
    pub aof_load_truncated: bool,
    pub aof_use_rdb_preamble: bool,
    pub no_appendfsync_on_rewrite: bool,
    /// `save <seconds> <changes>` rules: a BGSAVE starts when any of them is met.
    pub save: Vec<SaveRule>,
    /// Working directory for the RDB file and the AOF directory. Redis chdirs there; the node
    /// keeps the path instead (several nodes may share one process), absolute once set.
    pub dir: PathBuf,
    pub dbfilename: String,
    pub rdbcompression: bool,
    pub rdbchecksum: bool,
    pub stop_writes_on_bgsave_error: bool,
    /// Microseconds slept after each key a snapshot writes (Redis's testing knob; 0 = none).
    pub rdb_key_save_delay: i64,
    /// Bytes of the replication stream kept for partial resynchronisation.
    pub repl_backlog_size: u64,
    /// Seconds without a replica's acknowledgement before its link is dropped.
    pub repl_timeout: u32,
    /// Seconds between the master's PINGs to its replicas.
    pub repl_ping_replica_period: u32,
    /// Refuse writes (`-NOREPLICAS`) with fewer good replicas than this (0 = off) ...
    pub min_replicas_to_write: u32,
    /// ... where a good replica acknowledged within this many seconds (0 = off).
    pub min_replicas_max_lag: u32,
    /// The master to replicate (`replicaof host port`); REPLICAOF changes it at runtime.
    pub replicaof: Option<(String, u16)>,
    /// Credentials for the master (`AUTH [masteruser] masterauth`).
    pub masterauth: Option<String>,
    pub masteruser: Option<String>,
    /// A replica refuses clients' writes (`-READONLY`).
    pub replica_read_only: bool,
    /// A replica whose link is down still answers (`no`: `-MASTERDOWN`).
    pub replica_serve_stale_data: bool,
    /// Sentinel promotes the lowest priority first; 0 is never promoted.
    pub replica_priority: u32,
    /// What this replica tells its master to show as its address.
    pub replica_announce_ip: Option<String>,
    pub replica_announce_port: u16,
    /// Whether Sentinel lists this replica.
    pub replica_announced: bool,
    /// Full resyncs send the snapshot as it is made (`$EOF:` framing) rather than sized.
    pub repl_diskless_sync: bool,
    /// Seconds a diskless full resync waits for more replicas to share its snapshot.
    pub repl_diskless_sync_delay: u32,
    /// Start the snapshot at once when this many replicas wait (0 = only the delay counts).
    pub repl_diskless_sync_max_replicas: u32,
    /// Seconds a master without replicas keeps its backlog (0 = forever).
    pub repl_backlog_ttl: u64,
}

/// One `save` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveRule {
    pub seconds: u64,
    pub changes: u64,
}

/// `appendfsync`, in Redis's enum order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendFsync {
    Everysec,
    Always,
    No,
}

impl AppendFsync {
    pub const ALL: [AppendFsync; 3] = [AppendFsync::Everysec, AppendFsync::Always, AppendFsync::No];
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 6379,
            bind: vec!["127.0.0.1".into(), "-::1".into()],
            requirepass: None,
            maxclients: 10000,
            timeout: 0,
            databases: 16,
            proto_max_bulk_len: 512 * 1024 * 1024,
            hz: 10,
            maxmemory: 0,
            maxmemory_policy: MaxmemoryPolicy::NoEviction,
            maxmemory_samples: 5,
            lfu_log_factor: 10,
            lfu_decay_time: 1,
            // Redis's built-in default (redis.conf's sample file says 128).
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            list_max_listpack_size: -2,
            client_output_buffer_limit: ClientOutputBufferLimits::default(),
            slowlog_log_slower_than: 10000,
            slowlog_max_len: 128,
            latency_monitor_threshold: 0,
            loglevel: LogLevel::Notice,
            logfile: String::new(),
            pidfile: None,
            protected_mode: true,
            tcp_keepalive: 300,
            tcp_backlog: 511,
            io_threads: 1,
            enable_debug_command: ProtectedAction::No,
            lazyfree_lazy_user_del: false,
            lazyfree_lazy_user_flush: false,
            activerehashing: true,
            config_file: None,
            appendonly: false,
            appendfsync: AppendFsync::Everysec,
            appenddirname: "appendonlydir".into(),
            appendfilename: "appendonly.aof".into(),
            auto_aof_rewrite_percentage: 100,
            auto_aof_rewrite_min_size: 64 * 1024 * 1024,
            aof_load_truncated: true,
            aof_use_rdb_preamble: true,
            no_appendfsync_on_rewrite: false,
            // Redis 7.0's built-in rules.
            save: vec![
                SaveRule {
                    seconds: 3600,
                    changes: 1,
                },
                SaveRule {
                    seconds: 300,
                    changes: 100,
                },
                SaveRule {
                    seconds: 60,
                    changes: 10000,
                },
            ],
            // Redis reports (and rewrites) the absolute working directory.
            dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            dbfilename: "dump.rdb".into(),
            rdbcompression: true,
            rdbchecksum: true,
            stop_writes_on_bgsave_error: true,
            rdb_key_save_delay: 0,
            repl_backlog_size: 1024 * 1024,
            repl_timeout: 60,
            repl_ping_replica_period: 10,
            min_replicas_to_write: 0,
            min_replicas_max_lag: 10,
            replicaof: None,
            masterauth: None,
            masteruser: None,
            replica_read_only: true,
            replica_serve_stale_data: true,
            replica_priority: 100,
            replica_announce_ip: None,
            replica_announce_port: 0,
            replica_announced: true,
            repl_diskless_sync: true,
            repl_diskless_sync_delay: 5,
            repl_diskless_sync_max_replicas: 0,
            repl_backlog_ttl: 3600,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxmemoryPolicy {
    NoEviction,
    AllkeysLru,
    VolatileLru,
    AllkeysLfu,
    VolatileLfu,
    AllkeysRandom,
    VolatileRandom,
    VolatileTtl,
}

impl MaxmemoryPolicy {
    /// In Redis's enum order (its error text lists them so).
    pub const ALL: [MaxmemoryPolicy; 8] = [
        MaxmemoryPolicy::VolatileLru,
        MaxmemoryPolicy::VolatileLfu,
        MaxmemoryPolicy::VolatileRandom,
        MaxmemoryPolicy::VolatileTtl,
        MaxmemoryPolicy::AllkeysLru,
        MaxmemoryPolicy::AllkeysLfu,
        MaxmemoryPolicy::AllkeysRandom,
        MaxmemoryPolicy::NoEviction,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MaxmemoryPolicy::NoEviction => "noeviction",
            MaxmemoryPolicy::AllkeysLru => "allkeys-lru",
            MaxmemoryPolicy::VolatileLru => "volatile-lru",
            MaxmemoryPolicy::AllkeysLfu => "allkeys-lfu",
            MaxmemoryPolicy::VolatileLfu => "volatile-lfu",
            MaxmemoryPolicy::AllkeysRandom => "allkeys-random",
            MaxmemoryPolicy::VolatileRandom => "volatile-random",
            MaxmemoryPolicy::VolatileTtl => "volatile-ttl",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    pub fn is_lfu(self) -> bool {
        matches!(
            self,
            MaxmemoryPolicy::AllkeysLfu | MaxmemoryPolicy::VolatileLfu
        )
    }

    pub fn is_lru(self) -> bool {
        matches!(
            self,
            MaxmemoryPolicy::AllkeysLru | MaxmemoryPolicy::VolatileLru
        )
    }

    /// Only keys with an expiry are candidates.
    pub fn is_volatile(self) -> bool {
        matches!(
            self,
            MaxmemoryPolicy::VolatileLru
                | MaxmemoryPolicy::VolatileLfu
                | MaxmemoryPolicy::VolatileRandom
                | MaxmemoryPolicy::VolatileTtl
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Verbose,
    Notice,
    Warning,
}

impl LogLevel {
    pub const ALL: [LogLevel; 4] = [
        LogLevel::Debug,
        LogLevel::Verbose,
        LogLevel::Notice,
        LogLevel::Warning,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Verbose => "verbose",
            LogLevel::Notice => "notice",
            LogLevel::Warning => "warning",
        }
    }

    /// The `tracing` filter directive that shows what this Redis level shows.
    pub fn tracing_filter(self) -> &'static str {
        match self {
            LogLevel::Debug => "trace",
            LogLevel::Verbose => "debug",
            LogLevel::Notice => "info",
            LogLevel::Warning => "warn",
        }
    }
}

/// `enable-debug-command` and friends: `no`, `yes`, or `local` (loopback connections only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtectedAction {
    No,
    Yes,
    Local,
}

impl ProtectedAction {
    pub const ALL: [ProtectedAction; 3] = [
        ProtectedAction::No,
        ProtectedAction::Yes,
        ProtectedAction::Local,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ProtectedAction::No => "no",
            ProtectedAction::Yes => "yes",
            ProtectedAction::Local => "local",
        }
    }

    pub fn allows(self, local_client: bool) -> bool {
        match self {
            ProtectedAction::No => false,
            ProtectedAction::Yes => true,
            ProtectedAction::Local => local_client,
        }
    }
}

/// One class of `client-output-buffer-limit`: bytes, 0 = unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputBufferLimit {
    pub hard: u64,
    pub soft: u64,
    pub soft_seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOutputBufferLimits {
    pub normal: OutputBufferLimit,
    pub replica: OutputBufferLimit,
    pub pubsub: OutputBufferLimit,
}

impl Default for ClientOutputBufferLimits {
    fn default() -> Self {
        ClientOutputBufferLimits {
            normal: OutputBufferLimit {
                hard: 0,
                soft: 0,
                soft_seconds: 0,
            },
            replica: OutputBufferLimit {
                hard: 256 * 1024 * 1024,
                soft: 64 * 1024 * 1024,
                soft_seconds: 60,
            },
            pubsub: OutputBufferLimit {
                hard: 32 * 1024 * 1024,
                soft: 8 * 1024 * 1024,
                soft_seconds: 60,
            },
        }
    }
}

impl ClientOutputBufferLimits {
    fn classes(&self) -> [(&'static str, OutputBufferLimit); 3] {
        [
            ("normal", self.normal),
            ("slave", self.replica),
            ("pubsub", self.pubsub),
        ]
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct ConfigError(pub String);

// ---- the directive registry -----------------------------------------------------------------

/// How a directive's value is parsed, formatted and rewritten.
pub enum Kind {
    Bool {
        get: fn(&Config) -> bool,
        set: fn(&mut Config, bool),
    },
    /// An integer, optionally with memory units (`1gb`). `unsigned` types print their bounds
    /// and reject negatives as C's unsigned comparison does.
    Int {
        min: i64,
        max: u64,
        memory: bool,
        unsigned: bool,
        get: fn(&Config) -> i64,
        set: fn(&mut Config, i64),
    },
    Enum {
        names: &'static [&'static str],
        get: fn(&Config) -> usize,
        set: fn(&mut Config, usize),
    },
    /// A string; `None` means unset (an empty value unsets it).
    Str {
        get: fn(&Config) -> Option<String>,
        set: fn(&mut Config, Option<String>),
        default: Option<&'static str>,
    },
    /// Directives with their own syntax (several arguments).
    Special {
        set: fn(&mut Config, &[String]) -> Result<(), String>,
        get: fn(&Config) -> String,
        rewrite: fn(&Config) -> Rewrite,
    },
}

/// What CONFIG REWRITE does with a directive.
pub enum Rewrite {
    /// Drop every line of the directive from the file (it is at its default and has no line).
    Remove,
    /// These lines; `force` appends them even when the file had none.
    Lines { lines: Vec<String>, force: bool },
}

pub struct Directive {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// CONFIG SET may change it.
    pub mutable: bool,
    /// CONFIG SET splits its value on spaces into several arguments.
    pub multi_arg: bool,
    /// Its value is hidden from the slow log (as Redis redacts it).
    pub sensitive: bool,
    pub kind: Kind,
}

impl std::fmt::Debug for Directive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directive")
            .field("name", &self.name)
            .finish()
    }
}

macro_rules! bool_directive {
    ($name:literal, $field:ident) => {
        Directive {
            name: $name,
            aliases: &[],
            mutable: true,
            multi_arg: false,
            sensitive: false,
            kind: Kind::Bool {
                get: |c| c.$field,
                set: |c, v| c.$field = v,
            },
        }
    };
}

/// A yes/no directive with an old name kept as an alias (`slave-...`).
macro_rules! aliased_bool_directive {
    ($name:literal, $alias:literal, $field:ident) => {
        Directive {
            name: $name,
            aliases: &[$alias],
            mutable: true,
            multi_arg: false,
            sensitive: false,
            kind: Kind::Bool {
                get: |c| c.$field,
                set: |c, v| c.$field = v,
            },
        }
    };
}

/// A yes/no directive whose `yes` the node does not offer, for `$why`.
macro_rules! only_no_directive {
    ($name:literal, $why:literal) => {
        Directive {
            name: $name,
            aliases: &[],
            mutable: true,
            multi_arg: false,
            sensitive: false,
            kind: Kind::Special {
                set: |_, values| match values {
                    [v] if v.eq_ignore_ascii_case("no") => Ok(()),
                    [v] if v.eq_ignore_ascii_case("yes") => {
                        Err(format!("{} yes is not supported: {}", $name, $why))
                    }
                    [_] => Err("argument must be 'yes' or 'no'".into()),
                    _ => Err("wrong number of arguments".into()),
                },
                get: |_| "no".into(),
                rewrite: |_| Rewrite::Remove,
            },
        }
    };
}

macro_rules! int_directive {
    ($name:literal, $aliases:expr, $mutable:expr, $min:expr, $max:expr, $memory:expr, $unsigned:expr, $field:ident, $ty:ty) => {
        Directive {
            name: $name,
            aliases: $aliases,
            mutable: $mutable,
            multi_arg: false,
            sensitive: false,
            kind: Kind::Int {
                min: $min,
                max: $max,
                memory: $memory,
                unsigned: $unsigned,
                get: |c| c.$field as i64,
                set: |c, v| c.$field = v as $ty,
            },
        }
    };
}

const INT_MAX: u64 = i32::MAX as u64;
const LONG_MAX: u64 = i64::MAX as u64;

const POLICY_NAMES: &[&str] = &[
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
];
const LOGLEVEL_NAMES: &[&str] = &["debug", "verbose", "notice", "warning"];
const PROTECTED_NAMES: &[&str] = &["no", "yes", "local"];
const FSYNC_NAMES: &[&str] = &["everysec", "always", "no"];

/// Every directive the node honours. Persistence and replication directives come with those
/// features.
pub static DIRECTIVES: &[Directive] = &[
    // `port` and `bind` are set at start-up: the listeners belong to the caller of `serve`.
    int_directive!("port", &[], false, 0, 65535, false, false, port, u16),
    Directive {
        name: "bind",
        aliases: &[],
        mutable: false,
        multi_arg: true,
        sensitive: false,
        kind: Kind::Special {
            set: set_bind,
            get: |c| c.bind.join(" "),
            rewrite: rewrite_bind,
        },
    },
    Directive {
        name: "requirepass",
        aliases: &[],
        mutable: true,
        multi_arg: false,
        sensitive: true,
        kind: Kind::Str {
            get: |c| c.requirepass.clone(),
            set: |c, v| c.requirepass = v,
            default: None,
        },
    },
    int_directive!(
        "maxclients",
        &[],
        true,
        1,
        u32::MAX as u64,
        false,
        true,
        maxclients,
        usize
    ),
    int_directive!("timeout", &[], true, 0, INT_MAX, false, false, timeout, u64),
    int_directive!(
        "databases",
        &[],
        false,
        1,
        INT_MAX,
        false,
        false,
        databases,
        usize
    ),
    int_directive!(
        "proto-max-bulk-len",
        &[],
        true,
        1024 * 1024,
        LONG_MAX,
        true,
        false,
        proto_max_bulk_len,
        u64
    ),
    Directive {
        name: "hz",
        aliases: &[],
        mutable: true,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Int {
            min: 0,
            max: INT_MAX,
            memory: false,
            unsigned: false,
            get: |c| c.hz as i64,
            // Redis takes hz as a hint and clamps it.
            set: |c, v| c.hz = v.clamp(1, 500) as u32,
        },
    },
    int_directive!(
        "maxmemory",
        &[],
        true,
        0,
        u64::MAX,
        true,
        true,
        maxmemory,
        u64
    ),
    Directive {
        name: "maxmemory-policy",
        aliases: &[],
        mutable: true,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Enum {
            names: POLICY_NAMES,
            get: |c| {
                POLICY_NAMES
                    .iter()
                    .position(|n| *n == c.maxmemory_policy.name())
                    .unwrap_or(0)
            },
            set: |c, i| {
                if let Some(p) = MaxmemoryPolicy::parse(POLICY_NAMES[i]) {
                    c.maxmemory_policy = p;
                }
            },
        },
    },
    int_directive!(
        "maxmemory-samples",
        &[],
        true,
        1,
        INT_MAX,
        false,
        false,
        maxmemory_samples,
        u32
    ),
    int_directive!(
        "lfu-log-factor",
        &[],
        true,
        0,
        INT_MAX,
        false,
        false,
        lfu_log_factor,
        u32
    ),
    int_directive!(
        "lfu-decay-time",
        &[],
        true,
        0,
        INT_MAX,
        false,
        false,
        lfu_decay_time,
        u32
    ),
    int_directive!(
        "hash-max-listpack-entries",
        &["hash-max-ziplist-entries"],
        true,
        0,
        LONG_MAX,
        false,
        true,
        hash_max_listpack_entries,
        usize
    ),
    int_directive!(
        "hash-max-listpack-value",
        &["hash-max-ziplist-value"],
        true,
        0,
        LONG_MAX,
        true,
        true,
        hash_max_listpack_value,
        usize
    ),
    int_directive!(
        "set-max-intset-entries",
        &[],
        true,
        0,
        LONG_MAX,
        false,
        true,
        set_max_intset_entries,
        usize
    ),
    int_directive!(
        "zset-max-listpack-entries",
        &["zset-max-ziplist-entries"],
        true,
        0,
        LONG_MAX,
        false,
        true,
        zset_max_listpack_entries,
        usize
    ),
    int_directive!(
        "zset-max-listpack-value",
        &["zset-max-ziplist-value"],
        true,
        0,
        LONG_MAX,
        true,
        true,
        zset_max_listpack_value,
        usize
    ),
    int_directive!(
        "list-max-listpack-size",
        &["list-max-ziplist-size"],
        true,
        i32::MIN as i64,
        INT_MAX,
        false,
        false,
        list_max_listpack_size,
        i64
    ),
    Directive {
        name: "client-output-buffer-limit",
        aliases: &[],
        mutable: true,
        multi_arg: true,
        sensitive: false,
        kind: Kind::Special {
            set: set_output_buffer_limits,
            get: get_output_buffer_limits,
            rewrite: rewrite_output_buffer_limits,
        },
    },
    int_directive!(
        "slowlog-log-slower-than",
        &[],
        true,
        -1,
        i64::MAX as u64,
        false,
        false,
        slowlog_log_slower_than,
        i64
    ),
    int_directive!(
        "slowlog-max-len",
        &[],
        true,
        0,
        LONG_MAX,
        false,
        true,
        slowlog_max_len,
        usize
    ),
    int_directive!(
        "latency-monitor-threshold",
        &[],
        true,
        0,
        i64::MAX as u64,
        false,
        false,
        latency_monitor_threshold,
        u64
    ),
    Directive {
        name: "loglevel",
        aliases: &[],
        mutable: true,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Enum {
            names: LOGLEVEL_NAMES,
            get: |c| c.loglevel as usize,
            set: |c, i| c.loglevel = LogLevel::ALL[i],
        },
    },
    Directive {
        name: "logfile",
        aliases: &[],
        mutable: false,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Str {
            get: |c| Some(c.logfile.clone()),
            set: |c, v| c.logfile = v.unwrap_or_default(),
            default: Some(""),
        },
    },
    Directive {
        name: "pidfile",
        aliases: &[],
        mutable: false,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Str {
            get: |c| c.pidfile.clone(),
            set: |c, v| c.pidfile = v,
            default: None,
        },
    },
    Directive {
        name: "daemonize",
        aliases: &[],
        mutable: false,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Special {
            set: set_daemonize,
            get: |_| "no".into(),
            rewrite: |_| Rewrite::Lines {
                lines: vec!["daemonize no".into()],
                force: false,
            },
        },
    },
    Directive {
        name: "save",
        aliases: &[],
        mutable: true,
        multi_arg: true,
        sensitive: false,
        kind: Kind::Special {
            set: set_save,
            get: |c| {
                c.save
                    .iter()
                    .map(|r| format!("{} {}", r.seconds, r.changes))
                    .collect::<Vec<_>>()
                    .join(" ")
            },
            rewrite: rewrite_save,
        },
    },
    Directive {
        name: "dir",
        aliases: &[],
        mutable: true,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Special {
            set: set_dir,
            get: |c| c.dir.display().to_string(),
            rewrite: |c| Rewrite::Lines {
                lines: vec![format!("dir {}", repr(&c.dir.display().to_string()))],
                force: true,
            },
        },
    },
    Directive {
        name: "dbfilename",
        aliases: &[],
        mutable: true,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Special {
            set: set_dbfilename,
            get: |c| c.dbfilename.clone(),
            rewrite: |c| Rewrite::Lines {
                lines: vec![format!("dbfilename {}", repr(&c.dbfilename))],
                force: false,
            },
        },
    },
    bool_directive!("rdbcompression", rdbcompression),
    bool_directive!("rdbchecksum", rdbchecksum),
    bool_directive!("stop-writes-on-bgsave-error", stop_writes_on_bgsave_error),
    int_directive!(
        "repl-backlog-size",
        &[],
        true,
        1,
        LONG_MAX,
        true,
        false,
        repl_backlog_size,
        u64
    ),
    int_directive!(
        "repl-timeout",
        &[],
        true,
        1,
        INT_MAX,
        false,
        false,
        repl_timeout,
        u32
    ),
    int_directive!(
        "repl-ping-replica-period",
        &["repl-ping-slave-period"],
        true,
        1,
        INT_MAX,
        false,
        false,
        repl_ping_replica_period,
        u32
    ),
    int_directive!(
        "min-replicas-to-write",
        &["min-slaves-to-write"],
        true,
        0,
        INT_MAX,
        false,
        false,
        min_replicas_to_write,
        u32
    ),
    int_directive!(
        "min-replicas-max-lag",
        &["min-slaves-max-lag"],
        true,
        0,
        INT_MAX,
        false,
        false,
        min_replicas_max_lag,
        u32
    ),
    Directive {
        name: "replicaof",
        aliases: &["slaveof"],
        mutable: false,
        multi_arg: true,
        sensitive: false,
        kind: Kind::Special {
            set: set_replicaof,
            get: |c| {
                c.replicaof
                    .as_ref()
                    .map(|(host, port)| format!("{host} {port}"))
                    .unwrap_or_default()
            },
            rewrite: |c| match &c.replicaof {
                None => Rewrite::Remove,
                Some((host, port)) => Rewrite::Lines {
                    // As Redis writes it: the host unquoted.
                    lines: vec![format!("replicaof {host} {port}")],
                    force: true,
                },
            },
        },
    },
    Directive {
        name: "masterauth",
        aliases: &[],
        mutable: true,
        multi_arg: false,
        sensitive: true,
        kind: Kind::Str {
            get: |c| c.masterauth.clone(),
            set: |c, v| c.masterauth = v,
            default: None,
        },
    },
    Directive {
        name: "masteruser",
        aliases: &[],
        mutable: true,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Str {
            get: |c| c.masteruser.clone(),
            set: |c, v| c.masteruser = v,
            default: None,
        },
    },
    Directive {
        name: "replica-announce-ip",
        aliases: &["slave-announce-ip"],
        mutable: true,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Str {
            get: |c| c.replica_announce_ip.clone(),
            set: |c, v| c.replica_announce_ip = v,
            default: None,
        },
    },
    aliased_bool_directive!("replica-read-only", "slave-read-only", replica_read_only),
    aliased_bool_directive!(
        "replica-serve-stale-data",
        "slave-serve-stale-data",
        replica_serve_stale_data
    ),
    aliased_bool_directive!("replica-announced", "slave-announced", replica_announced),
    int_directive!(
        "replica-priority",
        &["slave-priority"],
        true,
        0,
        INT_MAX,
        false,
        false,
        replica_priority,
        u32
    ),
    int_directive!(
        "replica-announce-port",
        &["slave-announce-port"],
        true,
        0,
        65535,
        false,
        false,
        replica_announce_port,
        u16
    ),
    bool_directive!("repl-diskless-sync", repl_diskless_sync),
    int_directive!(
        "repl-diskless-sync-delay",
        &[],
        true,
        0,
        INT_MAX,
        false,
        false,
        repl_diskless_sync_delay,
        u32
    ),
    int_directive!(
        "repl-diskless-sync-max-replicas",
        &[],
        true,
        0,
        INT_MAX,
        false,
        false,
        repl_diskless_sync_max_replicas,
        u32
    ),
    int_directive!(
        "repl-backlog-ttl",
        &[],
        true,
        0,
        LONG_MAX,
        false,
        false,
        repl_backlog_ttl,
        u64
    ),
    int_directive!(
        "rdb-key-save-delay",
        &[],
        true,
        i32::MIN as i64,
        INT_MAX,
        false,
        false,
        rdb_key_save_delay,
        i64
    ),
    bool_directive!("appendonly", appendonly),
    Directive {
        name: "appendfsync",
        aliases: &[],
        mutable: true,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Enum {
            names: FSYNC_NAMES,
            get: |c| c.appendfsync as usize,
            set: |c, i| c.appendfsync = AppendFsync::ALL[i],
        },
    },
    Directive {
        name: "appenddirname",
        aliases: &[],
        mutable: false,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Special {
            set: |c, values| {
                c.appenddirname =
                    aof_name(values, "appenddirname can't be a path, just a dirname")?;
                Ok(())
            },
            get: |c| c.appenddirname.clone(),
            rewrite: |c| {
                rewrite_unless_default(c.appenddirname.as_str(), "appenddirname", "appendonlydir")
            },
        },
    },
    Directive {
        name: "appendfilename",
        aliases: &[],
        mutable: false,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Special {
            set: |c, values| {
                c.appendfilename =
                    aof_name(values, "appendfilename can't be a path, just a filename")?;
                Ok(())
            },
            get: |c| c.appendfilename.clone(),
            rewrite: |c| {
                rewrite_unless_default(
                    c.appendfilename.as_str(),
                    "appendfilename",
                    "appendonly.aof",
                )
            },
        },
    },
    int_directive!(
        "auto-aof-rewrite-percentage",
        &[],
        true,
        0,
        INT_MAX,
        false,
        false,
        auto_aof_rewrite_percentage,
        u32
    ),
    int_directive!(
        "auto-aof-rewrite-min-size",
        &[],
        true,
        0,
        LONG_MAX,
        true,
        false,
        auto_aof_rewrite_min_size,
        u64
    ),
    bool_directive!("aof-load-truncated", aof_load_truncated),
    bool_directive!("aof-use-rdb-preamble", aof_use_rdb_preamble),
    bool_directive!("no-appendfsync-on-rewrite", no_appendfsync_on_rewrite),
    // Timestamp annotations are not written (loading skips them).
    only_no_directive!(
        "aof-timestamp-enabled",
        "the node writes no timestamp annotations"
    ),
    bool_directive!("protected-mode", protected_mode),
    int_directive!(
        "tcp-keepalive",
        &[],
        true,
        0,
        INT_MAX,
        false,
        false,
        tcp_keepalive,
        u32
    ),
    int_directive!(
        "io-threads",
        &[],
        false,
        1,
        128,
        false,
        false,
        io_threads,
        usize
    ),
    int_directive!(
        "tcp-backlog",
        &[],
        false,
        0,
        INT_MAX,
        false,
        false,
        tcp_backlog,
        u32
    ),
    Directive {
        name: "enable-debug-command",
        aliases: &[],
        mutable: false,
        multi_arg: false,
        sensitive: false,
        kind: Kind::Enum {
            names: PROTECTED_NAMES,
            get: |c| c.enable_debug_command as usize,
            set: |c, i| c.enable_debug_command = ProtectedAction::ALL[i],
        },
    },
    // Evicted, expired and overwritten values are freed inline: these accept only `no`.
    only_no_directive!(
        "lazyfree-lazy-eviction",
        "the node frees these values inline"
    ),
    only_no_directive!("lazyfree-lazy-expire", "the node frees these values inline"),
    only_no_directive!(
        "lazyfree-lazy-server-del",
        "the node frees these values inline"
    ),
    bool_directive!("lazyfree-lazy-user-del", lazyfree_lazy_user_del),
    bool_directive!("lazyfree-lazy-user-flush", lazyfree_lazy_user_flush),
    bool_directive!("activerehashing", activerehashing),
];

/// Directives Redis 7.0 still accepts in files and ignores.
const DEPRECATED: &[&str] = &[
    "list-max-ziplist-entries",
    "list-max-ziplist-value",
    "lua-replicate-commands",
];

/// The directive called `name` (or one of its aliases), case-insensitively.
pub fn lookup(name: &str) -> Option<&'static Directive> {
    DIRECTIVES.iter().find(|d| {
        d.name.eq_ignore_ascii_case(name) || d.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// Every name CONFIG GET knows, with its directive (aliases included, as Redis lists them).
pub fn all_names() -> impl Iterator<Item = (&'static str, &'static Directive)> {
    DIRECTIVES
        .iter()
        .flat_map(|d| std::iter::once((d.name, d)).chain(d.aliases.iter().map(move |a| (*a, d))))
}

impl Directive {
    /// Set from arguments (one unless `multi_arg`). Errors are Redis's texts.
    pub fn set(&self, config: &mut Config, values: &[String]) -> Result<(), String> {
        match &self.kind {
            Kind::Special { set, .. } => set(config, values),
            _ => {
                let [value] = values else {
                    return Err("wrong number of arguments".into());
                };
                self.set_one(config, value)
            }
        }
    }

    fn set_one(&self, config: &mut Config, value: &str) -> Result<(), String> {
        match &self.kind {
            Kind::Bool { set, .. } => {
                let v = if value.eq_ignore_ascii_case("yes") {
                    true
                } else if value.eq_ignore_ascii_case("no") {
                    false
                } else {
                    return Err("argument must be 'yes' or 'no'".into());
                };
                set(config, v);
            }
            Kind::Int {
                min,
                max,
                memory,
                unsigned,
                set,
                ..
            } => {
                let v = parse_numeric(value, *memory)?;
                check_bounds(v, *min, *max, *unsigned)?;
                set(config, v as i64);
            }
            Kind::Enum { names, set, .. } => {
                let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(value)) else {
                    return Err(format!(
                        "argument(s) must be one of the following: {}",
                        names.join(", ")
                    ));
                };
                set(config, i);
            }
            Kind::Str { set, .. } => {
                set(config, (!value.is_empty()).then(|| value.to_string()));
            }
            Kind::Special { set, .. } => set(config, &[value.to_string()])?,
        }
        Ok(())
    }

    /// The value as CONFIG GET shows it.
    pub fn get(&self, config: &Config) -> String {
        match &self.kind {
            Kind::Bool { get, .. } => if get(config) { "yes" } else { "no" }.into(),
            Kind::Int {
                get,
                memory,
                unsigned,
                ..
            } => {
                let v = get(config);
                if *memory || *unsigned {
                    (v as u64).to_string()
                } else {
                    v.to_string()
                }
            }
            Kind::Enum { names, get, .. } => names.get(get(config)).copied().unwrap_or("").into(),
            Kind::Str { get, .. } => get(config).unwrap_or_default(),
            Kind::Special { get, .. } => get(config),
        }
    }

    /// What CONFIG REWRITE writes for this directive.
    fn rewrite(&self, config: &Config) -> Rewrite {
        let default = Config::default();
        match &self.kind {
            Kind::Bool { get, .. } => Rewrite::Lines {
                lines: vec![format!(
                    "{} {}",
                    self.name,
                    if get(config) { "yes" } else { "no" }
                )],
                force: get(config) != get(&default),
            },
            Kind::Int { get, memory, .. } => {
                let v = get(config);
                let text = if *memory {
                    format_memory(v as u64)
                } else {
                    v.to_string()
                };
                Rewrite::Lines {
                    lines: vec![format!("{} {text}", self.name)],
                    force: v != get(&default),
                }
            }
            Kind::Enum { names, get, .. } => Rewrite::Lines {
                lines: vec![format!(
                    "{} {}",
                    self.name,
                    names.get(get(config)).copied().unwrap_or("")
                )],
                force: get(config) != get(&default),
            },
            Kind::Str { get, default, .. } => match get(config) {
                None => Rewrite::Remove,
                Some(v) => Rewrite::Lines {
                    force: *default != Some(v.as_str()),
                    lines: vec![format!("{} {}", self.name, repr(&v))],
                },
            },
            Kind::Special { rewrite, .. } => rewrite(config),
        }
    }
}

/// A number as Redis's numeric configs read it: memory units first when allowed, else a
/// strict integer.
fn parse_numeric(value: &str, memory: bool) -> Result<i128, String> {
    if memory {
        return parse_memory(value)
            .map(|v| v as i128)
            .map_err(|_| "argument must be a memory value".to_string());
    }
    wire::request::parse_i64(value.as_bytes())
        .map(|v| v as i128)
        .ok_or_else(|| "argument couldn't be parsed into an integer".to_string())
}

fn check_bounds(v: i128, min: i64, max: u64, unsigned: bool) -> Result<(), String> {
    // Unsigned C types see a negative number as a huge one.
    let v = if unsigned && v < 0 {
        v + (1i128 << 64)
    } else {
        v
    };
    if v < min as i128 || v > max as i128 {
        return Err(format!(
            "argument must be between {min} and {max} inclusive"
        ));
    }
    Ok(())
}

/// `replicaof <host> <port>` (or `no one`), as Redis's config file reads it.
fn set_replicaof(config: &mut Config, values: &[String]) -> Result<(), String> {
    let [host, port] = values else {
        return Err("wrong number of arguments".into());
    };
    if host.eq_ignore_ascii_case("no") && port.eq_ignore_ascii_case("one") {
        config.replicaof = None;
        return Ok(());
    }
    let port = port
        .parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or("Invalid master port")?;
    config.replicaof = Some((host.clone(), port));
    Ok(())
}

fn set_bind(config: &mut Config, values: &[String]) -> Result<(), String> {
    if values.len() > 16 {
        return Err("Too many bind addresses specified.".into());
    }
    config.bind = if values.len() == 1 && values[0].is_empty() {
        Vec::new()
    } else {
        values.to_vec()
    };
    Ok(())
}

fn rewrite_bind(config: &Config) -> Rewrite {
    if config.bind == Config::default().bind {
        return Rewrite::Remove;
    }
    let addresses = if config.bind.is_empty() {
        "\"\"".to_string()
    } else {
        config.bind.join(" ")
    };
    Rewrite::Lines {
        lines: vec![format!("bind {addresses}")],
        force: true,
    }
}

fn set_daemonize(_config: &mut Config, values: &[String]) -> Result<(), String> {
    match values {
        [v] if v.eq_ignore_ascii_case("no") => Ok(()),
        [v] if v.eq_ignore_ascii_case("yes") => {
            Err("daemonize yes is not supported: run the node under a supervisor".into())
        }
        [_] => Err("argument must be 'yes' or 'no'".into()),
        _ => Err("wrong number of arguments".into()),
    }
}

/// `save <seconds> <changes> [...]` or `save ""` (Redis 7.0's setConfigSaveOption). Replaces
/// the rules; [`Config::apply_text`] makes later `save` lines of one file add to the first.
fn set_save(config: &mut Config, values: &[String]) -> Result<(), String> {
    let values = match values {
        [v] if v.is_empty() => &[][..],
        _ => values,
    };
    if values.len() % 2 == 1 {
        return Err("Invalid save parameters".into());
    }
    let mut rules = Vec::with_capacity(values.len() / 2);
    for pair in values.chunks(2) {
        let seconds = pair[0].parse::<i64>().ok().filter(|&v| v >= 1);
        let changes = pair[1].parse::<i64>().ok().filter(|&v| v >= 0);
        let (Some(seconds), Some(changes)) = (seconds, changes) else {
            return Err("Invalid save parameters".into());
        };
        rules.push(SaveRule {
            seconds: seconds as u64,
            changes: changes as u64,
        });
    }
    config.save = rules;
    Ok(())
}

/// Redis writes one line per rule, or `save ""` so the built-in rules are not used.
fn rewrite_save(config: &Config) -> Rewrite {
    let lines = if config.save.is_empty() {
        vec!["save \"\"".to_string()]
    } else {
        config
            .save
            .iter()
            .map(|r| format!("save {} {}", r.seconds, r.changes))
            .collect()
    };
    Rewrite::Lines { lines, force: true }
}

/// Redis chdirs to `dir` and fails if it cannot; the node checks the directory exists and
/// keeps its absolute path.
fn set_dir(config: &mut Config, values: &[String]) -> Result<(), String> {
    let [value] = values else {
        return Err("wrong number of arguments".into());
    };
    let path = std::fs::canonicalize(value).map_err(|e| os_error_text(&e))?;
    if !path.is_dir() {
        return Err("Not a directory".into());
    }
    config.dir = path;
    Ok(())
}

fn set_dbfilename(config: &mut Config, values: &[String]) -> Result<(), String> {
    let [value] = values else {
        return Err("wrong number of arguments".into());
    };
    if value.contains('/') {
        return Err("dbfilename can't be a path, just a filename".into());
    }
    config.dbfilename = value.clone();
    Ok(())
}

/// An OS error as strerror() words it (without Rust's " (os error N)").
fn os_error_text(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// An AOF file or directory name: one path component, as Redis's pathIsBaseName requires.
fn aof_name(values: &[String], not_a_name: &str) -> Result<String, String> {
    match values {
        [v] if v.contains('/') || v.contains('\\') => Err(not_a_name.into()),
        [v] => Ok(v.clone()),
        _ => Err("wrong number of arguments".into()),
    }
}

fn rewrite_unless_default(value: &str, name: &str, default: &str) -> Rewrite {
    if value == default {
        Rewrite::Remove
    } else {
        Rewrite::Lines {
            lines: vec![format!("{name} {}", repr(value))],
            force: true,
        }
    }
}

/// `client-output-buffer-limit <class> <hard> <soft> <soft seconds> [<class> ...]`: all
/// classes are checked before any is changed.
fn set_output_buffer_limits(config: &mut Config, values: &[String]) -> Result<(), String> {
    if !values.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut limits = config.client_output_buffer_limit;
    for chunk in values.chunks(4) {
        let class = chunk[0].to_ascii_lowercase();
        if !matches!(class.as_str(), "normal" | "replica" | "slave" | "pubsub") {
            return Err("Invalid client class specified in buffer limit configuration.".into());
        }
        let bad = || "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
        let hard = parse_memory(&chunk[1]).map_err(|_| bad())?;
        let soft = parse_memory(&chunk[2]).map_err(|_| bad())?;
        let soft_seconds = parse_c_long(&chunk[3])
            .filter(|v| *v >= 0)
            .ok_or_else(bad)? as u64;
        let limit = OutputBufferLimit {
            hard,
            soft,
            soft_seconds,
        };
        match class.as_str() {
            "normal" => limits.normal = limit,
            "pubsub" => limits.pubsub = limit,
            _ => limits.replica = limit,
        }
    }
    config.client_output_buffer_limit = limits;
    Ok(())
}

fn get_output_buffer_limits(config: &Config) -> String {
    config
        .client_output_buffer_limit
        .classes()
        .iter()
        .map(|(name, l)| format!("{name} {} {} {}", l.hard, l.soft, l.soft_seconds))
        .collect::<Vec<_>>()
        .join(" ")
}

fn rewrite_output_buffer_limits(config: &Config) -> Rewrite {
    let defaults = ClientOutputBufferLimits::default().classes();
    let mut force = false;
    let lines = config
        .client_output_buffer_limit
        .classes()
        .iter()
        .zip(defaults.iter())
        .map(|((name, l), (_, d))| {
            force |= l != d;
            let name = if *name == "slave" { "replica" } else { name };
            format!(
                "client-output-buffer-limit {name} {} {} {}",
                format_memory(l.hard),
                format_memory(l.soft),
                l.soft_seconds
            )
        })
        .collect();
    Rewrite::Lines { lines, force }
}

/// `strtoll(s, &end, 10)` with `*end == '\0'`: an optional sign, then digits.
fn parse_c_long(s: &str) -> Option<i64> {
    let trimmed = s.trim_start();
    let digits = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    trimmed.parse().ok()
}

// ---- loading --------------------------------------------------------------------------------

impl Config {
    /// Read a redis.conf-format file, then apply `overrides` (`--name value ...` flags). As
    /// redis-server does, the flags are appended to the file's text, so a bad flag is reported
    /// with a line number after the file's lines.
    pub fn from_file_and_args(
        path: Option<&Path>,
        overrides: &[String],
    ) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        let mut text = String::new();
        if let Some(path) = path {
            text = std::fs::read_to_string(path).map_err(|e| {
                ConfigError(format!(
                    "Fatal error, can't open config file '{}': {e}",
                    path.display()
                ))
            })?;
            let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            config.config_file = Some(absolute);
        }
        let options = args_to_text(overrides);
        if !options.is_empty() {
            text.push('\n');
            text.push_str(&options);
        }
        config.apply_text(&text)?;
        Ok(config)
    }

    /// Apply redis.conf text. An unknown or malformed directive is an error naming its line.
    pub fn apply_text(&mut self, text: &str) -> Result<(), ConfigError> {
        // The first `save` line of a file replaces the built-in rules; later ones add to it.
        let mut save_seen = false;
        for (number, line) in text.split('\n').enumerate() {
            let trimmed = line.trim_matches([' ', '\t', '\r', '\n']);
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let Some(args) = wire::request::split_args(trimmed.as_bytes()) else {
                return Err(bad_line(
                    number + 1,
                    trimmed,
                    "Unbalanced quotes in configuration line",
                ));
            };
            let args: Vec<String> = args
                .into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect();
            let Some((name, values)) = args.split_first() else {
                continue;
            };
            let name = name.to_ascii_lowercase();
            // Redis 7.0 splits the single argument of a multi-argument directive on spaces
            // (`--save "900 1"`).
            let split;
            let values = match (lookup(&name), values) {
                (Some(d), [one]) if d.multi_arg && !one.is_empty() => {
                    split = wire::request::split_args(one.as_bytes())
                        .map(|a| {
                            a.into_iter()
                                .map(|v| String::from_utf8_lossy(&v).into_owned())
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_else(|| vec![one.clone()]);
                    &split[..]
                }
                _ => values,
            };
            let result = if name == "save" && save_seen && values != [""] {
                let mut rules = self.save.clone();
                set_save(self, values).map(|()| {
                    rules.append(&mut self.save);
                    self.save = rules;
                })
            } else if let Some(directive) = lookup(&name) {
                save_seen |= name == "save";
                if !directive.multi_arg && values.len() != 1 {
                    Err("wrong number of arguments".to_string())
                } else {
                    directive.set(self, values)
                }
            } else if DEPRECATED.contains(&name.as_str()) && values.len() == 1 {
                Ok(())
            } else if name == "include" && values.len() == 1 {
                self.include(&values[0])
            } else {
                Err("Bad directive or wrong number of arguments".to_string())
            };
            result.map_err(|e| bad_line(number + 1, trimmed, &e))?;
        }
        Ok(())
    }

    fn include(&mut self, path: &str) -> Result<(), String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("Fatal error, can't open config file '{path}': {e}"))?;
        self.apply_text(&text).map_err(|e| e.0)
    }

    /// Apply `--name value [value...]` flags as redis-server does: each flag starts a directive
    /// line made of the values that follow it.
    pub fn apply_args(&mut self, args: &[String]) -> Result<(), ConfigError> {
        self.apply_text(&args_to_text(args))
    }

    /// Set one directive by name, as a config file line would.
    pub fn set(&mut self, name: &str, values: &[String]) -> Result<(), String> {
        let directive =
            lookup(name).ok_or("Bad directive or wrong number of arguments".to_string())?;
        directive.set(self, values)
    }

    /// The value of a directive as CONFIG GET shows it.
    pub fn get(&self, name: &str) -> Option<String> {
        lookup(name).map(|d| d.get(self))
    }

    /// Whether a client is allowed to run DEBUG.
    pub fn debug_allowed(&self, local_client: bool) -> bool {
        self.enable_debug_command.allows(local_client)
    }
}

/// redis-server's option string: `--name` starts a line, each value follows quoted.
fn args_to_text(args: &[String]) -> String {
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

fn bad_line(number: usize, line: &str, reason: &str) -> ConfigError {
    ConfigError(format!(
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {number}\n>>> '{line}'\n{reason}"
    ))
}

/// A quoted string as Redis's `sdscatrepr` writes it (and `sdssplitargs` reads it back).
pub fn repr(s: &str) -> String {
    wire::request::quote_arg(s.as_bytes())
}

pub fn parse_num(value: &str, min: i64, max: i64) -> Result<i64, String> {
    let n = wire::request::parse_i64(value.as_bytes())
        .ok_or_else(|| "argument couldn't be parsed into an integer".to_string())?;
    if n < min || n > max {
        return Err(format!(
            "argument must be between {min} and {max} inclusive"
        ));
    }
    Ok(n)
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
    // strtoull reads no digits as 0.
    let n: u64 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| err())?
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

// ---- CONFIG REWRITE -------------------------------------------------------------------------

const REWRITE_SIGNATURE: &str = "# Generated by CONFIG REWRITE";

/// The new text of a config file, from its old text and the current configuration, as Redis's
/// `rewriteConfig`: comments and lines we do not know keep their place (unknown ones become
/// `# ??? ` comments), each directive reuses its old lines in order, lines left over are
/// blanked, directives not at their default and absent from the file are appended after a
/// signature comment, and runs of blank lines collapse to one.
pub fn rewrite_text(old: &str, config: &Config) -> String {
    let mut lines: Vec<String> = Vec::new();
    // Directive name -> its line numbers in the old file, in order.
    let mut positions: Vec<(&'static str, Vec<usize>)> = Vec::new();
    let mut needs_signature = true;
    let mut old_lines: Vec<&str> = old.split('\n').collect();
    // A trailing newline does not start another line.
    if old_lines.last() == Some(&"") {
        old_lines.pop();
    }
    for raw in old_lines {
        let line = raw.trim_matches(['\r', '\n', '\t', ' ']);
        if line.is_empty() || line.starts_with('#') {
            if line == REWRITE_SIGNATURE {
                needs_signature = false;
            }
            lines.push(line.to_string());
            continue;
        }
        let directive = wire::request::split_args(line.as_bytes())
            .and_then(|args| args.into_iter().next())
            .and_then(|name| lookup(&String::from_utf8_lossy(&name)));
        match directive {
            Some(d) => {
                match positions.iter_mut().find(|(n, _)| *n == d.name) {
                    Some((_, list)) => list.push(lines.len()),
                    None => positions.push((d.name, vec![lines.len()])),
                }
                lines.push(line.to_string());
            }
            None => lines.push(format!("# ??? {line}")),
        }
    }
    for directive in DIRECTIVES {
        let mut reuse = positions
            .iter_mut()
            .find(|(n, _)| *n == directive.name)
            .map(|(_, list)| std::mem::take(list))
            .unwrap_or_default()
            .into_iter();
        if let Rewrite::Lines { lines: new, force } = directive.rewrite(config) {
            for new_line in new {
                if let Some(at) = reuse.next() {
                    lines[at] = new_line;
                } else if force {
                    if needs_signature {
                        lines.push(REWRITE_SIGNATURE.to_string());
                        needs_signature = false;
                    }
                    lines.push(new_line);
                }
            }
        }
        for orphan in reuse {
            lines[orphan] = String::new();
        }
    }
    let mut out = String::new();
    let mut was_empty = false;
    for line in lines {
        if line.is_empty() {
            if was_empty {
                continue;
            }
            was_empty = true;
        } else {
            was_empty = false;
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Rewrite `path` with the current configuration, atomically (temporary file, fsync, rename).
pub fn rewrite_file(path: &Path, config: &Config) -> std::io::Result<()> {
    use std::io::Write;
    let old = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let content = rewrite_text(&old, config);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "redis.conf".into());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(content.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_and_flags() {
        let mut c = Config::default();
        c.apply_text("# comment\nport 7000\nrequirepass \"a b\"\n")
            .unwrap();
        assert_eq!(c.port, 7000);
        assert_eq!(c.requirepass.as_deref(), Some("a b"));
        c.apply_args(&[
            "--port".into(),
            "7001".into(),
            "--bind".into(),
            "127.0.0.1".into(),
            "::1".into(),
        ])
        .unwrap();
        assert_eq!(c.port, 7001);
        assert_eq!(c.bind, vec!["127.0.0.1", "::1"]);
        assert_eq!(parse_memory("1kb"), Ok(1024));
        assert_eq!(parse_memory("2m"), Ok(2_000_000));
        assert_eq!(parse_memory("3GB"), Ok(3 << 30));
        assert!(parse_memory("-1").is_err());
        assert!(parse_memory("1x").is_err());
    }

    #[test]
    fn save_rules_as_redis_reads_them() {
        let mut c = Config::default();
        assert_eq!(c.get("save").unwrap(), "3600 1 300 100 60 10000");
        c.apply_text("save 900 1\nsave 300 10\n").unwrap();
        assert_eq!(c.get("save").unwrap(), "900 1 300 10");
        c.apply_text("save 60 5\n").unwrap();
        assert_eq!(c.get("save").unwrap(), "60 5");
        c.apply_text("save 60 5\nsave \"\"\n").unwrap();
        assert!(c.save.is_empty());
        c.set("save", &["10".into(), "2".into(), "20".into(), "3".into()])
            .unwrap();
        assert_eq!(c.get("save").unwrap(), "10 2 20 3");
        for bad in [&["1"][..], &["0", "1"], &["1", "-1"], &["x", "1"]] {
            let bad: Vec<String> = bad.iter().map(|s| s.to_string()).collect();
            assert_eq!(c.set("save", &bad).unwrap_err(), "Invalid save parameters");
        }
        assert_eq!(
            c.set("dbfilename", &["a/b.rdb".into()]).unwrap_err(),
            "dbfilename can't be a path, just a filename"
        );
        assert_eq!(
            c.set("dir", &["/nonexistent/dir".into()]).unwrap_err(),
            "No such file or directory"
        );
    }

    #[test]
    fn errors_name_the_line() {
        let mut c = Config::default();
        let err = c.apply_text("port 1\n\n# x\nnosuch 1\n").unwrap_err();
        assert_eq!(
            err.0,
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 4\n>>> 'nosuch 1'\nBad directive or wrong number of arguments"
        );
        let err = c.apply_text("maxmemory 1zb").unwrap_err();
        assert!(
            err.0
                .ends_with("at line 1\n>>> 'maxmemory 1zb'\nargument must be a memory value")
        );
        let err = c.apply_text("port 70000").unwrap_err();
        assert!(
            err.0
                .ends_with("argument must be between 0 and 65535 inclusive"),
            "{}",
            err.0
        );
        let err = c.apply_text("port 1 2").unwrap_err();
        assert!(err.0.ends_with("wrong number of arguments"), "{}", err.0);
        let err = c.apply_text("requirepass \"abc").unwrap_err();
        assert!(
            err.0.ends_with("Unbalanced quotes in configuration line"),
            "{}",
            err.0
        );
        let err = c.apply_text("activerehashing maybe").unwrap_err();
        assert!(err.0.ends_with("argument must be 'yes' or 'no'"));
        let err = c.apply_text("maxmemory-policy lru").unwrap_err();
        assert!(err.0.ends_with("argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"));
        let err = c.apply_text("daemonize yes").unwrap_err();
        assert!(err.0.contains("not supported"));
        // Deprecated directives are ignored, aliases work.
        c.apply_text("list-max-ziplist-entries 5\nhash-max-ziplist-entries 7\nHZ 1000")
            .unwrap();
        assert_eq!(c.hash_max_listpack_entries, 7);
        assert_eq!(c.hz, 500);
    }

    #[test]
    fn flags_continue_the_file_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.conf");
        std::fs::write(&path, "port 7000\nmaxclients 10\n").unwrap();
        let c = Config::from_file_and_args(Some(&path), &["--port".into(), "7001".into()]).unwrap();
        assert_eq!((c.port, c.maxclients), (7001, 10));
        assert!(c.config_file.is_some());
        let err =
            Config::from_file_and_args(Some(&path), &["--nosuch".into(), "1".into()]).unwrap_err();
        assert!(err.0.contains("at line 4\n>>> 'nosuch \"1\"'"), "{}", err.0);
    }

    #[test]
    fn get_formats() {
        let c = Config::default();
        assert_eq!(
            c.get("client-output-buffer-limit").unwrap(),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
        assert_eq!(c.get("maxmemory-policy").unwrap(), "noeviction");
        assert_eq!(c.get("hash-max-ziplist-entries").unwrap(), "512");
        assert_eq!(c.get("requirepass").unwrap(), "");
        assert_eq!(c.get("slowlog-log-slower-than").unwrap(), "10000");
        assert_eq!(c.get("activerehashing").unwrap(), "yes");
        let mut c = c;
        c.apply_text("maxmemory 1gb\nclient-output-buffer-limit pubsub 1mb 2mb 3")
            .unwrap();
        assert_eq!(c.get("maxmemory").unwrap(), "1073741824");
        assert!(
            c.get("client-output-buffer-limit")
                .unwrap()
                .ends_with("pubsub 1048576 2097152 3")
        );
        assert!(
            c.apply_text("client-output-buffer-limit foo 1 2 3")
                .is_err()
        );
        assert!(
            c.apply_text("client-output-buffer-limit normal 1 2")
                .is_err()
        );
    }

    #[test]
    fn rewrite_keeps_layout() {
        let old = "# my config\nport 7000\nunknown-thing 5\n\n\nmaxmemory 1mb\nmaxmemory 2mb\nslave-lazy-flush no\n";
        let mut c = Config::default();
        c.apply_text("port 7000\nmaxmemory 3mb\nmaxclients 50\ntimeout 0")
            .unwrap();
        c.dir = PathBuf::from("/data");
        let new = rewrite_text(old, &c);
        // Redis 7.0 always writes the save rules and the working directory.
        assert_eq!(
            new,
            "# my config\nport 7000\n# ??? unknown-thing 5\n\nmaxmemory 3mb\n\n# ??? slave-lazy-flush no\n# Generated by CONFIG REWRITE\nmaxclients 50\nsave 3600 1\nsave 300 100\nsave 60 10000\ndir \"/data\"\n"
        );
        // Idempotent.
        assert_eq!(rewrite_text(&new, &c), new);
        // Strings are quoted, unset ones removed.
        c.requirepass = Some("p w".into());
        assert!(rewrite_text("", &c).contains("requirepass \"p w\"\n"));
        c.requirepass = None;
        assert!(!rewrite_text("requirepass x\n", &c).contains("requirepass"));
        assert_eq!(format_memory(1536), "1536");
        assert_eq!(format_memory(3 << 20), "3mb");
    }
}

//! Node configuration: redis.conf directives, from a file and from `--name value` flags.
//!
//! `Config` is plain typed data. Every directive's definition and validation (name, aliases,
//! type, bounds, default, whether CONFIG SET may change it, Redis's error texts, the CONFIG GET
//! and REWRITE forms) is Redis 7.0's table in the `conf` crate, shared with the sentinel;
//! [`BINDINGS`] maps the directives the node has the behaviour of onto `Config`'s fields, and
//! the others are kept in [`Config::other`]: accepted, shown, rewritten, without effect.

use std::path::{Path, PathBuf};

use conf::{Rewrite, Spec, Value};

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
    /// Detach from the terminal at start-up (the binary forks before any thread starts).
    pub daemonize: bool,
    /// Tell a supervisor when the node is ready (`systemd`: READY=1 on NOTIFY_SOCKET).
    pub supervised: Supervised,
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
    /// Redis's directives the node accepts, validates and shows without acting on them.
    pub other: conf::Store,
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
            daemonize: false,
            supervised: Supervised::No,
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
            other: conf::Store::default(),
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

/// `supervised`, in Redis's enum order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Supervised {
    No,
    Upstart,
    Systemd,
    Auto,
}

impl Supervised {
    /// Indexed by Redis's enum value (`no` 0, `upstart` 1, `systemd` 2, `auto` 3).
    pub const ALL: [Supervised; 4] = [
        Supervised::No,
        Supervised::Upstart,
        Supervised::Systemd,
        Supervised::Auto,
    ];
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

// ---- the directives ---------------------------------------------------------------------------

/// How the node maps one directive of Redis's table ([`conf::TABLE`]) onto [`Config`]. The
/// directive's definition and validation are the table's; a directive without a binding is
/// kept in [`Config::other`]: accepted, validated and shown, with no effect (README lists
/// them).
pub struct Binding {
    pub name: &'static str,
    get: fn(&Config) -> Value,
    set: fn(&mut Config, Value),
}

macro_rules! bool_binding {
    ($name:literal, $field:ident) => {
        Binding {
            name: $name,
            get: |c| Value::Bool(c.$field),
            set: |c, v| {
                if let Value::Bool(b) = v {
                    c.$field = b;
                }
            },
        }
    };
}

macro_rules! int_binding {
    ($name:literal, $field:ident, $ty:ty) => {
        Binding {
            name: $name,
            get: |c| Value::Int(c.$field as i128),
            set: |c, v| {
                if let Value::Int(n) = v {
                    c.$field = n as $ty;
                }
            },
        }
    };
}

macro_rules! enum_binding {
    ($name:literal, $field:ident, $ty:ident) => {
        Binding {
            name: $name,
            get: |c| Value::Enum($ty::ALL.iter().position(|x| *x == c.$field).unwrap_or(0) as u32),
            set: |c, v| {
                if let Value::Enum(i) = v
                    && let Some(x) = $ty::ALL.get(i as usize)
                {
                    c.$field = *x;
                }
            },
        }
    };
}

/// An optional string (`None`: unset).
macro_rules! option_binding {
    ($name:literal, $field:ident) => {
        Binding {
            name: $name,
            get: |c| Value::Str(c.$field.clone()),
            set: |c, v| {
                if let Value::Str(s) = v {
                    c.$field = s;
                }
            },
        }
    };
}

/// A string that is never unset.
macro_rules! string_binding {
    ($name:literal, $field:ident) => {
        Binding {
            name: $name,
            get: |c| Value::Str(Some(c.$field.clone())),
            set: |c, v| {
                if let Value::Str(s) = v {
                    c.$field = s.unwrap_or_default();
                }
            },
        }
    };
}

/// Every directive the node has the behaviour of.
pub static BINDINGS: &[Binding] = &[
    int_binding!("port", port, u16),
    Binding {
        name: "bind",
        get: |c| Value::Args(c.bind.clone()),
        set: |c, v| {
            if let Value::Args(a) = v {
                c.bind = a;
            }
        },
    },
    option_binding!("requirepass", requirepass),
    int_binding!("maxclients", maxclients, usize),
    int_binding!("timeout", timeout, u64),
    int_binding!("databases", databases, usize),
    int_binding!("proto-max-bulk-len", proto_max_bulk_len, u64),
    Binding {
        name: "hz",
        get: |c| Value::Int(c.hz as i128),
        // Redis takes hz as a hint and clamps it.
        set: |c, v| {
            if let Value::Int(n) = v {
                c.hz = n.clamp(1, 500) as u32;
            }
        },
    },
    int_binding!("maxmemory", maxmemory, u64),
    enum_binding!("maxmemory-policy", maxmemory_policy, MaxmemoryPolicy),
    int_binding!("maxmemory-samples", maxmemory_samples, u32),
    int_binding!("lfu-log-factor", lfu_log_factor, u32),
    int_binding!("lfu-decay-time", lfu_decay_time, u32),
    int_binding!(
        "hash-max-listpack-entries",
        hash_max_listpack_entries,
        usize
    ),
    int_binding!("hash-max-listpack-value", hash_max_listpack_value, usize),
    int_binding!("set-max-intset-entries", set_max_intset_entries, usize),
    int_binding!(
        "zset-max-listpack-entries",
        zset_max_listpack_entries,
        usize
    ),
    int_binding!("zset-max-listpack-value", zset_max_listpack_value, usize),
    int_binding!("list-max-listpack-size", list_max_listpack_size, i64),
    Binding {
        name: "client-output-buffer-limit",
        get: |c| Value::Args(c.client_output_buffer_limit.to_args()),
        set: |c, v| {
            if let Value::Args(a) = v {
                c.client_output_buffer_limit = ClientOutputBufferLimits::from_args(&a);
            }
        },
    },
    int_binding!("slowlog-log-slower-than", slowlog_log_slower_than, i64),
    int_binding!("slowlog-max-len", slowlog_max_len, usize),
    int_binding!("latency-monitor-threshold", latency_monitor_threshold, u64),
    enum_binding!("loglevel", loglevel, LogLevel),
    string_binding!("logfile", logfile),
    option_binding!("pidfile", pidfile),
    bool_binding!("daemonize", daemonize),
    enum_binding!("supervised", supervised, Supervised),
    Binding {
        name: "save",
        get: |c| {
            Value::Args(
                c.save
                    .iter()
                    .flat_map(|r| [r.seconds.to_string(), r.changes.to_string()])
                    .collect(),
            )
        },
        set: |c, v| {
            if let Value::Args(a) = v {
                c.save = a
                    .chunks(2)
                    .map(|p| SaveRule {
                        seconds: p[0].parse().unwrap_or(1),
                        changes: p.get(1).and_then(|s| s.parse().ok()).unwrap_or(0),
                    })
                    .collect();
            }
        },
    },
    Binding {
        name: "dir",
        get: |c| Value::Args(vec![c.dir.display().to_string()]),
        set: |c, v| {
            if let Value::Args(a) = v
                && let Some(dir) = a.into_iter().next()
            {
                c.dir = PathBuf::from(dir);
            }
        },
    },
    string_binding!("dbfilename", dbfilename),
    bool_binding!("rdbcompression", rdbcompression),
    bool_binding!("rdbchecksum", rdbchecksum),
    bool_binding!("stop-writes-on-bgsave-error", stop_writes_on_bgsave_error),
    Binding {
        name: "repl-backlog-size",
        get: |c| Value::Int(c.repl_backlog_size as i128),
        // Redis's smallest backlog (CONFIG_REPL_BACKLOG_MIN_SIZE).
        set: |c, v| {
            if let Value::Int(n) = v {
                c.repl_backlog_size = (n as u64).max(16 * 1024);
            }
        },
    },
    int_binding!("repl-timeout", repl_timeout, u32),
    int_binding!("repl-ping-replica-period", repl_ping_replica_period, u32),
    int_binding!("min-replicas-to-write", min_replicas_to_write, u32),
    int_binding!("min-replicas-max-lag", min_replicas_max_lag, u32),
    Binding {
        name: "replicaof",
        get: |c| {
            Value::Args(
                c.replicaof
                    .as_ref()
                    .map(|(host, port)| vec![host.clone(), port.to_string()])
                    .unwrap_or_default(),
            )
        },
        set: |c, v| {
            if let Value::Args(a) = v {
                c.replicaof = match &a[..] {
                    [host, port] => Some((host.clone(), port.parse().unwrap_or(0))),
                    _ => None,
                };
            }
        },
    },
    option_binding!("masterauth", masterauth),
    option_binding!("masteruser", masteruser),
    option_binding!("replica-announce-ip", replica_announce_ip),
    bool_binding!("replica-read-only", replica_read_only),
    bool_binding!("replica-serve-stale-data", replica_serve_stale_data),
    bool_binding!("replica-announced", replica_announced),
    int_binding!("replica-priority", replica_priority, u32),
    int_binding!("replica-announce-port", replica_announce_port, u16),
    bool_binding!("repl-diskless-sync", repl_diskless_sync),
    int_binding!("repl-diskless-sync-delay", repl_diskless_sync_delay, u32),
    int_binding!(
        "repl-diskless-sync-max-replicas",
        repl_diskless_sync_max_replicas,
        u32
    ),
    int_binding!("repl-backlog-ttl", repl_backlog_ttl, u64),
    int_binding!("rdb-key-save-delay", rdb_key_save_delay, i64),
    bool_binding!("appendonly", appendonly),
    enum_binding!("appendfsync", appendfsync, AppendFsync),
    string_binding!("appenddirname", appenddirname),
    string_binding!("appendfilename", appendfilename),
    int_binding!(
        "auto-aof-rewrite-percentage",
        auto_aof_rewrite_percentage,
        u32
    ),
    int_binding!("auto-aof-rewrite-min-size", auto_aof_rewrite_min_size, u64),
    bool_binding!("aof-load-truncated", aof_load_truncated),
    bool_binding!("aof-use-rdb-preamble", aof_use_rdb_preamble),
    bool_binding!("no-appendfsync-on-rewrite", no_appendfsync_on_rewrite),
    bool_binding!("protected-mode", protected_mode),
    int_binding!("tcp-keepalive", tcp_keepalive, u32),
    int_binding!("io-threads", io_threads, usize),
    int_binding!("tcp-backlog", tcp_backlog, u32),
    enum_binding!(
        "enable-debug-command",
        enable_debug_command,
        ProtectedAction
    ),
    bool_binding!("lazyfree-lazy-user-del", lazyfree_lazy_user_del),
    bool_binding!("lazyfree-lazy-user-flush", lazyfree_lazy_user_flush),
    bool_binding!("activerehashing", activerehashing),
];

/// Directives Redis may change at runtime that the node sets only at start-up: the listeners
/// belong to the caller of `serve`.
const START_ONLY: &[&str] = &["port", "bind"];

/// A directive as the node sees it: Redis's definition, and where the node keeps its value.
#[derive(Clone, Copy)]
pub struct Directive {
    pub spec: &'static Spec,
    pub name: &'static str,
    /// CONFIG SET may change it.
    pub mutable: bool,
    /// CONFIG SET splits its value on spaces into several arguments.
    pub multi_arg: bool,
    /// Its value is hidden from the slow log (as Redis redacts it).
    pub sensitive: bool,
    binding: Option<&'static Binding>,
}

impl std::fmt::Debug for Directive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directive")
            .field("name", &self.name)
            .finish()
    }
}

impl Directive {
    fn of(spec: &'static Spec) -> Directive {
        Directive {
            spec,
            name: spec.name,
            mutable: spec.mutable() && !START_ONLY.contains(&spec.name),
            multi_arg: spec.multi_arg(),
            sensitive: spec.has(conf::Flag::SENSITIVE),
            binding: BINDINGS.iter().find(|b| b.name == spec.name),
        }
    }

    /// Whether the node acts on it (the others are only kept and shown).
    pub fn applied(&self) -> bool {
        self.binding.is_some()
    }

    pub fn value(&self, config: &Config) -> Value {
        match self.binding {
            Some(b) => (b.get)(config),
            None => config.other.get(self.spec),
        }
    }

    /// Take a validated value; refuses what no Switchyard component offers.
    fn assign(&self, config: &mut Config, value: Value) -> Result<(), String> {
        if let Some(err) = conf::unsupported(self.spec, &value) {
            return Err(err);
        }
        match self.binding {
            Some(b) => (b.set)(config, value),
            None => config.other.set(self.spec, value),
        }
        Ok(())
    }

    /// Set from arguments (one unless `multi_arg`), with Redis's validation and error texts.
    pub fn set(&self, config: &mut Config, values: &[String]) -> Result<(), String> {
        if !self.multi_arg && values.len() != 1 {
            return Err("wrong number of arguments".into());
        }
        let value = self.spec.parse(values, &self.value(config))?;
        self.assign(config, value)
    }

    /// The value as CONFIG GET shows it.
    pub fn get(&self, config: &Config) -> String {
        self.spec.show(&self.value(config))
    }

    /// What CONFIG REWRITE writes for this directive.
    fn rewrite(&self, config: &Config) -> Rewrite {
        self.spec
            .rewrite(&self.value(config), &self.value(&Config::default()))
    }
}

/// The directive called `name` (or one of its aliases), case-insensitively.
pub fn lookup(name: &str) -> Option<Directive> {
    conf::lookup(name).map(Directive::of)
}

/// Every name CONFIG GET patterns list (aliases included, hidden directives not), with its
/// directive.
pub fn all_names() -> impl Iterator<Item = (&'static str, Directive)> {
    conf::all_names()
        .filter(|(_, spec)| !spec.has(conf::Flag::HIDDEN))
        .map(|(name, spec)| (name, Directive::of(spec)))
}

impl ClientOutputBufferLimits {
    /// As CONFIG GET shows them: `normal h s secs slave h s secs pubsub h s secs`.
    fn to_args(self) -> Vec<String> {
        self.classes()
            .iter()
            .flat_map(|(name, l)| {
                [
                    name.to_string(),
                    l.hard.to_string(),
                    l.soft.to_string(),
                    l.soft_seconds.to_string(),
                ]
            })
            .collect()
    }

    fn from_args(args: &[String]) -> Self {
        let mut limits = ClientOutputBufferLimits::default();
        for chunk in args.chunks(4) {
            let n = |i: usize| chunk.get(i).and_then(|s| s.parse().ok()).unwrap_or(0);
            let limit = OutputBufferLimit {
                hard: n(1),
                soft: n(2),
                soft_seconds: n(3),
            };
            match chunk[0].as_str() {
                "normal" => limits.normal = limit,
                "pubsub" => limits.pubsub = limit,
                _ => limits.replica = limit,
            }
        }
        limits
    }
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
                    "Fatal error, can't open config file '{}': {}",
                    path.display(),
                    conf::os_error_text(&e)
                ))
            })?;
            let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            config.config_file = Some(absolute);
        }
        let options = conf::args_to_text(overrides);
        if !options.is_empty() {
            text.push('\n');
            text.push_str(&options);
        }
        config.apply_text(&text)?;
        Ok(config)
    }

    /// Apply redis.conf text. An unknown or malformed directive is an error naming its line.
    pub fn apply_text(&mut self, text: &str) -> Result<(), ConfigError> {
        conf::load(text, self).map_err(|e| ConfigError(e.to_string()))
    }

    /// Apply `--name value [value...]` flags as redis-server does: each flag starts a directive
    /// line made of the values that follow it.
    pub fn apply_args(&mut self, args: &[String]) -> Result<(), ConfigError> {
        self.apply_text(&conf::args_to_text(args))
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

impl conf::Target for Config {
    fn value(&self, spec: &'static Spec) -> Value {
        Directive::of(spec).value(self)
    }

    fn set(&mut self, spec: &'static Spec, value: Value) -> Result<(), String> {
        Directive::of(spec).assign(self, value)
    }

    /// `sentinel`, `rename-command`, ... : refused (see [`conf::other_directive_error`]).
    fn other(&mut self, line: &conf::Line<'_>) -> Result<(), String> {
        Err(conf::other_directive_error(line))
    }
}

/// A quoted string as Redis's `sdscatrepr` writes it (and `sdssplitargs` reads it back).
pub fn repr(s: &str) -> String {
    conf::repr(s)
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
        let name = wire::request::split_args(line.as_bytes())
            .and_then(|args| args.into_iter().next())
            .map(|name| String::from_utf8_lossy(&name).into_owned());
        // `include` lines stay as they are, as Redis keeps them.
        if name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case("include"))
        {
            lines.push(line.to_string());
            continue;
        }
        match name.as_deref().and_then(lookup) {
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
    for directive in conf::TABLE.iter().map(Directive::of) {
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
    use conf::{format_memory, parse_memory};

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
        // Directives without behaviour here are validated, kept and shown.
        c.apply_text("always-show-logo yes\nlist-compress-depth 2\noom-score-adj-values 0 200 800")
            .unwrap();
        assert_eq!(c.get("always-show-logo").unwrap(), "yes");
        assert_eq!(c.get("list-compress-depth").unwrap(), "2");
        let err = c.apply_text("list-compress-depth -1").unwrap_err();
        assert!(
            err.0
                .ends_with("argument must be between 0 and 2147483647 inclusive")
        );
        // Keyspace notifications are not implemented: only the empty value is taken.
        c.apply_text("notify-keyspace-events \"\"").unwrap();
        let err = c.apply_text("notify-keyspace-events KEA").unwrap_err();
        assert!(
            err.0
                .contains("keyspace notifications are not implemented yet")
        );
        let err = c.apply_text("notify-keyspace-events Kq").unwrap_err();
        assert!(
            err.0
                .ends_with("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
        );
        for refused in [
            "rename-command FLUSHALL \"\"",
            "user bob on",
            "loadmodule /x.so",
            "tls-port 6380",
        ] {
            let err = c.apply_text(refused).unwrap_err();
            assert!(err.0.contains("not supported"), "{refused}: {}", err.0);
        }
        c.apply_text("daemonize yes\nsupervised systemd").unwrap();
        assert!(c.daemonize);
        assert_eq!(c.supervised, Supervised::Systemd);
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
        let old = "# my config\nport 7000\nunknown-thing 5\n\n\nmaxmemory 1mb\nmaxmemory 2mb\nslave-lazy-flush no\ninclude /x.conf\n";
        let mut c = Config::default();
        c.apply_text("port 7000\nmaxmemory 3mb\nmaxclients 50\ntimeout 0")
            .unwrap();
        c.dir = PathBuf::from("/data");
        let new = rewrite_text(old, &c);
        // Redis 7.0 always writes the save rules, the working directory and the latency
        // percentiles; an alias's line is rewritten under the directive's name.
        assert_eq!(
            new,
            "# my config\nport 7000\n# ??? unknown-thing 5\n\nmaxmemory 3mb\n\nreplica-lazy-flush no\ninclude /x.conf\n# Generated by CONFIG REWRITE\nmaxclients 50\ndir \"/data\"\nsave 3600 1\nsave 300 100\nsave 60 10000\nlatency-tracking-info-percentiles 50 99 99.9\n"
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

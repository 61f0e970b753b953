//! The proxy's configuration: a TOML file, read and validated once into plain data. Every
//! setting and its default is documented in `examples/proxy.toml`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file this was read from (SIGHUP reads it again).
    pub path: Option<PathBuf>,
    /// Client connections accepted across all listeners; one more gets
    /// `-ERR max number of clients reached`.
    pub max_clients: usize,
    /// Reply bytes queued for one client beyond which it is disconnected (a slow subscriber
    /// cannot grow the proxy's memory). 0 means no limit.
    pub client_output_buffer_limit: usize,
    /// Where the Prometheus endpoint listens, if anywhere.
    pub metrics_address: Option<SocketAddr>,
    /// Tokio worker threads (0: one per core).
    pub threads: usize,
    pub listeners: Vec<ListenerConfig>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListenerConfig {
    pub address: SocketAddr,
    /// Names the master group in logs, INFO and metrics.
    pub name: String,
    pub topology: TopologySource,
    pub read_policy: ReadPolicy,
    /// `latency` policy: replicas whose moving-average latency is within this much of the
    /// fastest share the reads.
    pub latency_tolerance: Duration,
    /// Per-replica weights (address -> weight; unlisted replicas weigh 1, 0 takes a replica
    /// out of rotation).
    pub weights: Vec<(SocketAddr, u32)>,
    /// Password clients must give (AUTH or HELLO AUTH) before anything else.
    pub requirepass: Option<String>,
    pub backend: BackendConfig,
    pub consistency: Consistency,
    /// Replicas further behind than this are not read from.
    pub max_replica_lag: LagBound,
    /// How often replication offsets are polled (when a lag bound or read-your-writes needs
    /// them).
    pub offset_interval: Duration,
    /// How long a request that finds no usable master waits for one (zero: not at all).
    pub failover_hold: Duration,
    /// Request bytes held at once for the listener, at most.
    pub failover_hold_max_bytes: usize,
}

impl ListenerConfig {
    /// Whether routing needs the replicas' replication offsets.
    pub fn tracks_offsets(&self) -> bool {
        self.consistency == Consistency::ReadYourWrites || self.max_replica_lag.is_set()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consistency {
    Eventual,
    ReadYourWrites,
}

/// `[listener.max-replica-lag]`: either bound, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LagBound {
    /// Bytes of replication offset behind the master's.
    pub bytes: Option<u64>,
    /// The replica must hold everything the master had this long ago.
    pub time: Option<Duration>,
}

impl LagBound {
    pub fn is_set(&self) -> bool {
        self.bytes.is_some() || self.time.is_some()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BackendConfig {
    pub username: Option<String>,
    pub password: Option<String>,
    pub connect_timeout: Duration,
    /// Bounds each forwarded command (blocking commands are exempt).
    pub command_timeout: Duration,
    /// Shared pipelined connections per backend, protocol and database.
    pub pool_size: usize,
    /// Connections per backend that can be leased at once (transactions, blocking commands,
    /// subscriptions); a session waits for one beyond this.
    pub max_leased: usize,
    /// Idle leasable connections kept open per backend, protocol and database.
    pub max_idle_leased: usize,
    /// Health probes (PING and ROLE) of every backend, and the base of the reconnect backoff.
    pub health_interval: Duration,
    /// Databases clients may SELECT (0 to databases - 1), as the backends' `databases`.
    pub databases: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TopologySource {
    Static {
        master: SocketAddr,
        replicas: Vec<SocketAddr>,
    },
    Sentinel {
        addresses: Vec<SocketAddr>,
        master_name: String,
        username: Option<String>,
        password: Option<String>,
        /// Polling backstop next to the event subscription.
        poll_interval: Duration,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadPolicy {
    Master,
    Replica,
    ReplicaPreferred,
    Latency,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("can't read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default = "default_max_clients")]
    max_clients: usize,
    #[serde(default = "default_output_limit")]
    client_output_buffer_limit: usize,
    metrics_address: Option<String>,
    #[serde(default)]
    threads: usize,
    #[serde(default, rename = "listener")]
    listeners: Vec<RawListener>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawListener {
    address: String,
    name: Option<String>,
    #[serde(default = "default_policy")]
    read_policy: String,
    #[serde(default = "default_tolerance")]
    latency_tolerance_ms: f64,
    #[serde(default)]
    weights: std::collections::BTreeMap<String, u32>,
    requirepass: Option<String>,
    #[serde(rename = "static")]
    static_source: Option<RawStatic>,
    sentinel: Option<RawSentinel>,
    #[serde(default)]
    backend: RawBackend,
    #[serde(default = "default_consistency")]
    consistency: String,
    #[serde(default)]
    max_replica_lag: RawLag,
    #[serde(default = "default_offset_ms")]
    offset_interval_ms: u64,
    #[serde(default)]
    failover_hold_ms: u64,
    #[serde(default = "default_hold_bytes")]
    failover_hold_max_bytes: usize,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLag {
    bytes: Option<u64>,
    ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawStatic {
    master: String,
    #[serde(default)]
    replicas: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSentinel {
    addresses: Vec<String>,
    master_name: String,
    username: Option<String>,
    password: Option<String>,
    #[serde(default = "default_poll_ms")]
    poll_interval_ms: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBackend {
    username: Option<String>,
    password: Option<String>,
    #[serde(default = "default_connect_ms")]
    connect_timeout_ms: u64,
    #[serde(default = "default_command_ms")]
    command_timeout_ms: u64,
    #[serde(default = "default_pool_size")]
    pool_size: usize,
    #[serde(default = "default_max_leased")]
    max_leased: usize,
    #[serde(default = "default_max_idle_leased")]
    max_idle_leased: usize,
    #[serde(default = "default_health_ms")]
    health_interval_ms: u64,
    #[serde(default = "default_databases")]
    databases: u32,
}

impl Default for RawBackend {
    fn default() -> Self {
        Self {
            username: None,
            password: None,
            connect_timeout_ms: default_connect_ms(),
            command_timeout_ms: default_command_ms(),
            pool_size: default_pool_size(),
            max_leased: default_max_leased(),
            max_idle_leased: default_max_idle_leased(),
            health_interval_ms: default_health_ms(),
            databases: default_databases(),
        }
    }
}

fn default_max_clients() -> usize {
    10_000
}
fn default_output_limit() -> usize {
    32 * 1024 * 1024
}
fn default_policy() -> String {
    "replica-preferred".into()
}
fn default_tolerance() -> f64 {
    1.0
}
fn default_poll_ms() -> u64 {
    1000
}
fn default_consistency() -> String {
    "eventual".into()
}
fn default_offset_ms() -> u64 {
    50
}
fn default_hold_bytes() -> usize {
    16 * 1024 * 1024
}
fn default_connect_ms() -> u64 {
    1000
}
fn default_command_ms() -> u64 {
    5000
}
fn default_pool_size() -> usize {
    2
}
fn default_max_leased() -> usize {
    64
}
fn default_max_idle_leased() -> usize {
    16
}
fn default_health_ms() -> u64 {
    500
}
fn default_databases() -> u32 {
    16
}

impl Config {
    pub fn from_file(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let mut config = Config::from_toml(&text).map_err(|message| ConfigError::Invalid {
            path: shown,
            message,
        })?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parse and validate a TOML text; the error names the setting at fault.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        if raw.listeners.is_empty() {
            return Err("at least one [[listener]] is required".into());
        }
        let metrics_address = raw
            .metrics_address
            .as_deref()
            .map(|a| parse_addr("metrics-address", a))
            .transpose()?;
        let mut listeners = Vec::new();
        for (index, raw) in raw.listeners.into_iter().enumerate() {
            listeners.push(listener(index, raw)?);
        }
        let mut seen = std::collections::HashSet::new();
        for l in &listeners {
            if !seen.insert(l.address) {
                return Err(format!("listener address {} appears twice", l.address));
            }
        }
        Ok(Config {
            path: None,
            max_clients: raw.max_clients.max(1),
            client_output_buffer_limit: raw.client_output_buffer_limit,
            metrics_address,
            threads: raw.threads,
            listeners,
        })
    }
}

fn listener(index: usize, raw: RawListener) -> Result<ListenerConfig, String> {
    let at = |what: &str| format!("listener {index}: {what}");
    let address = parse_addr(&at("address"), &raw.address)?;
    let topology = match (raw.static_source, raw.sentinel) {
        (Some(s), None) => TopologySource::Static {
            master: parse_addr(&at("static.master"), &s.master)?,
            replicas: s
                .replicas
                .iter()
                .map(|r| parse_addr(&at("static.replicas"), r))
                .collect::<Result<_, _>>()?,
        },
        (None, Some(s)) => {
            if s.addresses.is_empty() {
                return Err(at("sentinel.addresses is empty"));
            }
            TopologySource::Sentinel {
                addresses: s
                    .addresses
                    .iter()
                    .map(|r| parse_addr(&at("sentinel.addresses"), r))
                    .collect::<Result<_, _>>()?,
                master_name: s.master_name,
                username: s.username,
                password: s.password,
                poll_interval: Duration::from_millis(s.poll_interval_ms.max(10)),
            }
        }
        (Some(_), Some(_)) => return Err(at("give [static] or [sentinel], not both")),
        (None, None) => return Err(at("a topology source ([static] or [sentinel]) is required")),
    };
    let read_policy = match raw.read_policy.as_str() {
        "master" => ReadPolicy::Master,
        "replica" => ReadPolicy::Replica,
        "replica-preferred" => ReadPolicy::ReplicaPreferred,
        "latency" => ReadPolicy::Latency,
        other => {
            return Err(at(&format!(
                "read-policy '{other}' (expected master, replica, replica-preferred or latency)"
            )));
        }
    };
    if !(raw.latency_tolerance_ms.is_finite() && raw.latency_tolerance_ms >= 0.0) {
        return Err(at("latency-tolerance-ms must be a non-negative number"));
    }
    let weights = raw
        .weights
        .iter()
        .map(|(a, w)| Ok((parse_addr(&at("weights"), a)?, *w)))
        .collect::<Result<_, String>>()?;
    let consistency = match raw.consistency.as_str() {
        "eventual" => Consistency::Eventual,
        "read-your-writes" => Consistency::ReadYourWrites,
        other => {
            return Err(at(&format!(
                "consistency '{other}' (expected eventual or read-your-writes)"
            )));
        }
    };
    let b = raw.backend;
    if b.pool_size == 0 || b.max_leased == 0 {
        return Err(at(
            "backend.pool-size and backend.max-leased must be at least 1",
        ));
    }
    Ok(ListenerConfig {
        address,
        name: raw.name.unwrap_or_else(|| format!("group{index}")),
        topology,
        read_policy,
        latency_tolerance: Duration::from_secs_f64(raw.latency_tolerance_ms / 1000.0),
        weights,
        requirepass: raw.requirepass.filter(|p| !p.is_empty()),
        backend: BackendConfig {
            username: b.username,
            password: b.password,
            connect_timeout: Duration::from_millis(b.connect_timeout_ms.max(1)),
            command_timeout: Duration::from_millis(b.command_timeout_ms.max(1)),
            pool_size: b.pool_size,
            max_leased: b.max_leased,
            max_idle_leased: b.max_idle_leased,
            health_interval: Duration::from_millis(b.health_interval_ms.max(10)),
            databases: b.databases.max(1),
        },
        consistency,
        max_replica_lag: LagBound {
            bytes: raw.max_replica_lag.bytes,
            time: raw.max_replica_lag.ms.map(Duration::from_millis),
        },
        offset_interval: Duration::from_millis(raw.offset_interval_ms.max(5)),
        failover_hold: Duration::from_millis(raw.failover_hold_ms),
        failover_hold_max_bytes: raw.failover_hold_max_bytes,
    })
}

fn parse_addr(what: &str, text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    text.to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| format!("{what}: '{text}' is not a host:port address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_static_source() {
        let config = Config::from_toml(
            r#"
            [[listener]]
            address = "127.0.0.1:7000"
            [listener.static]
            master = "127.0.0.1:6379"
            replicas = ["127.0.0.1:6380"]
            "#,
        )
        .unwrap();
        let l = &config.listeners[0];
        assert_eq!(l.read_policy, ReadPolicy::ReplicaPreferred);
        assert_eq!(l.name, "group0");
        assert_eq!(l.backend.pool_size, 2);
        assert!(
            matches!(l.topology, TopologySource::Static { ref replicas, .. } if replicas.len() == 1)
        );
    }

    #[test]
    fn the_example_config_parses_and_states_the_defaults() {
        let example = Config::from_toml(include_str!("../../examples/proxy.toml")).unwrap();
        let minimal = Config::from_toml(
            "[[listener]]\naddress = \"127.0.0.1:6380\"\nname = \"main\"\n[listener.static]\nmaster = \"127.0.0.1:6379\"\nreplicas = [\"127.0.0.1:6381\"]\n",
        )
        .unwrap();
        assert_eq!(example, minimal, "the example's values are the defaults");
    }

    #[test]
    fn errors_name_the_setting() {
        let err = Config::from_toml(
            "[[listener]]\naddress = \"127.0.0.1:7000\"\nread-policy = \"nearest\"\n[listener.static]\nmaster = \"127.0.0.1:1\"\n",
        )
        .unwrap_err();
        assert!(err.contains("read-policy 'nearest'"), "{err}");
        let err = Config::from_toml("[[listener]]\naddress = \"127.0.0.1:7000\"\n").unwrap_err();
        assert!(err.contains("topology source"), "{err}");
        let err = Config::from_toml("bogus = 1\n").unwrap_err();
        assert!(err.contains("bogus"), "{err}");
    }
}

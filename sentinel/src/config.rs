//! sentinel.conf: parsing with Redis's directive names, and the atomic rewrite of the file with
//! what the sentinel discovered and decided (temp file, fsync, rename), as Redis Sentinel does.

use std::io::Write;
use std::path::{Path, PathBuf};

pub const DEFAULT_PORT: u16 = 26379;
pub const DEFAULT_DOWN_AFTER_MS: u64 = 30_000;
pub const DEFAULT_FAILOVER_TIMEOUT_MS: u64 = 180_000;
pub const DEFAULT_PARALLEL_SYNCS: u32 = 1;

/// A configuration error, worded as Redis words it (the line, then the reason).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {line}\n>>> '{text}'\n{reason}"
    )]
    Line {
        line: usize,
        text: String,
        reason: String,
    },
    /// An error that belongs to no line (an `include` that cannot be read).
    #[error("{0}")]
    Load(conf::Fatal),
    #[error("Sentinel needs config file on disk to save state. Exiting...")]
    NoFile,
    #[error("Fatal error, can't open config file '{path}': {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterConfig {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub quorum: u32,
    pub down_after_ms: u64,
    pub failover_timeout_ms: u64,
    pub parallel_syncs: u32,
    pub auth_pass: Option<String>,
    pub auth_user: Option<String>,
    /// After the master restarts (a new run id), it counts as down until it has answered PONG
    /// or this long has passed; 0 turns this off.
    pub master_reboot_down_after_ms: u64,
    pub config_epoch: u64,
    pub leader_epoch: u64,
    pub known_replicas: Vec<(String, u16)>,
    /// (ip, port, runid)
    pub known_sentinels: Vec<(String, u16, String)>,
}

impl MasterConfig {
    pub fn new(name: &str, host: &str, port: u16, quorum: u32) -> Self {
        Self {
            name: name.to_string(),
            host: host.to_string(),
            port,
            quorum,
            down_after_ms: DEFAULT_DOWN_AFTER_MS,
            failover_timeout_ms: DEFAULT_FAILOVER_TIMEOUT_MS,
            parallel_syncs: DEFAULT_PARALLEL_SYNCS,
            auth_pass: None,
            auth_user: None,
            master_reboot_down_after_ms: 0,
            config_epoch: 0,
            leader_epoch: 0,
            known_replicas: Vec::new(),
            known_sentinels: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file state is saved to (absolute).
    pub path: PathBuf,
    pub port: u16,
    /// Empty: 127.0.0.1 (the binary's default); the caller binds.
    pub bind: Vec<String>,
    pub dir: Option<PathBuf>,
    pub requirepass: Option<String>,
    pub myid: Option<String>,
    pub current_epoch: u64,
    pub announce_ip: Option<String>,
    pub announce_port: u16,
    /// Credentials toward other sentinels; without them `requirepass` is used, as Redis does.
    pub sentinel_user: Option<String>,
    pub sentinel_pass: Option<String>,
    pub masters: Vec<MasterConfig>,
    /// `sentinel deny-scripts-reconfig`: SENTINEL SET may not change script paths. The
    /// sentinel runs no scripts; kept and written back.
    pub deny_scripts_reconfig: bool,
    /// `sentinel resolve-hostnames` / `announce-hostnames`, kept and written back.
    pub resolve_hostnames: bool,
    pub announce_hostnames: bool,
    /// The redis.conf directives a sentinel.conf may hold beyond port, bind, dir and
    /// requirepass: daemonize, pidfile, logfile, loglevel, supervised are applied by the
    /// binary, the others only kept, shown and written back (as Redis Sentinel does with
    /// most of them).
    pub other: conf::Store,
    /// The file's shape: comments and blank lines as they were, and where each directive
    /// stood, so a rewrite puts the new lines in the old places (as Redis's rewrite does).
    pub(crate) layout: Vec<LayoutLine>,
}

impl Config {
    /// Read a sentinel.conf. The file must exist: Sentinel saves its state there.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        Self::from_file_and_args(path, &[])
    }

    /// Read a sentinel.conf, then `--name value ...` arguments read as lines appended to it
    /// (redis-sentinel's convention).
    pub fn from_file_and_args(path: &Path, args: &[String]) -> Result<Config, ConfigError> {
        let path = std::path::absolute(path).map_err(|_| ConfigError::NoFile)?;
        let text = std::fs::read_to_string(&path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => ConfigError::NoFile,
            _ => ConfigError::Read {
                path: path.display().to_string(),
                source,
            },
        })?;
        let mut text = text;
        if !args.is_empty() {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&args_as_lines(args));
        }
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: PathBuf) -> Result<Config, ConfigError> {
        let mut other = conf::Store::default();
        // Sentinel's own default: protected mode off (it must be reachable).
        other.set(spec("protected-mode"), conf::Value::Bool(false));
        let mut config = Config {
            path,
            port: DEFAULT_PORT,
            bind: Vec::new(),
            dir: None,
            requirepass: None,
            myid: None,
            current_epoch: 0,
            announce_ip: None,
            announce_port: 0,
            sentinel_user: None,
            sentinel_pass: None,
            masters: Vec::new(),
            deny_scripts_reconfig: true,
            resolve_hostnames: false,
            announce_hostnames: false,
            other,
            layout: layout(text),
        };
        let mut loader = Loader {
            config: &mut config,
            queued: Vec::new(),
        };
        conf::load(text, &mut loader).map_err(fatal)?;
        // As Redis's loadSentinelConfigFromQueue: `monitor` lines first, then the others,
        // each in file order, so a master's options may come before its `monitor` line.
        let queued = std::mem::take(&mut loader.queued);
        let (monitors, rest): (Vec<_>, Vec<_>) = queued
            .into_iter()
            .partition(|(_, _, argv)| argv[0].eq_ignore_ascii_case("monitor"));
        for (number, line, argv) in monitors.into_iter().chain(rest) {
            config
                .apply_sentinel(&argv)
                .map_err(|reason| ConfigError::Line {
                    line: number,
                    text: line,
                    reason,
                })?;
        }
        Ok(config)
    }

    /// A redis.conf directive's value as CONFIG GET would show it.
    pub fn get(&self, name: &str) -> Option<String> {
        let spec = conf::lookup(name)?;
        Some(spec.show(&self.value(spec)))
    }

    fn value(&self, spec: &'static conf::Spec) -> conf::Value {
        use conf::Value;
        match spec.name {
            "port" => Value::Int(self.port.into()),
            "bind" => Value::Args(self.bind.clone()),
            "dir" => match &self.dir {
                Some(dir) => Value::Args(vec![dir.display().to_string()]),
                None => spec.default_value(),
            },
            "requirepass" => Value::Str(self.requirepass.clone()),
            _ => self.other.get(spec),
        }
    }

    /// `sentinel <option> ...`, Redis's `sentinelHandleConfiguration`.
    fn apply_sentinel(&mut self, argv: &[String]) -> Result<(), String> {
        const UNRECOGNIZED: &str = "Unrecognized sentinel configuration statement.";
        let option = argv[0].to_ascii_lowercase();
        let argc = argv.len();
        let number = |text: &str| text.parse::<u64>().map_err(|_| UNRECOGNIZED.to_string());
        match (option.as_str(), argc) {
            ("monitor", 5) => {
                let quorum = argv[4]
                    .parse::<i64>()
                    .map_err(|_| "Quorum must be 1 or greater.".to_string())?;
                if quorum <= 0 {
                    return Err("Quorum must be 1 or greater.".to_string());
                }
                let port = parse_port(&argv[3]).ok_or("Invalid port number")?;
                if self.masters.iter().any(|m| m.name == argv[1]) {
                    return Err("Duplicated master name.".to_string());
                }
                self.masters
                    .push(MasterConfig::new(&argv[1], &argv[2], port, quorum as u32));
            }
            ("down-after-milliseconds", 3) => {
                let ms = argv[2].parse::<i64>().ok().filter(|ms| *ms > 0);
                let ms = ms.ok_or("negative or zero time parameter.")?;
                self.master_mut(&argv[1])?.down_after_ms = ms as u64;
            }
            ("failover-timeout", 3) => {
                let ms = argv[2].parse::<i64>().ok().filter(|ms| *ms > 0);
                let ms = ms.ok_or("negative or zero time parameter.")?;
                self.master_mut(&argv[1])?.failover_timeout_ms = ms as u64;
            }
            ("parallel-syncs", 3) => {
                let n = argv[2]
                    .parse::<u32>()
                    .map_err(|_| UNRECOGNIZED.to_string())?;
                self.master_mut(&argv[1])?.parallel_syncs = n;
            }
            ("auth-pass", 3) => self.master_mut(&argv[1])?.auth_pass = Some(argv[2].clone()),
            ("master-reboot-down-after-period", 3) => {
                let ms = argv[2]
                    .parse::<u64>()
                    .map_err(|_| UNRECOGNIZED.to_string())?;
                self.master_mut(&argv[1])?.master_reboot_down_after_ms = ms;
            }
            ("auth-user", 3) => self.master_mut(&argv[1])?.auth_user = Some(argv[2].clone()),
            ("current-epoch", 2) => self.current_epoch = number(&argv[1])?,
            ("myid", 2) => {
                if argv[1].len() != crate::RUN_ID_SIZE {
                    return Err("Malformed Sentinel id in myid option.".to_string());
                }
                self.myid = Some(argv[1].clone());
            }
            ("config-epoch", 3) => {
                let epoch = number(&argv[2])?;
                self.master_mut(&argv[1])?.config_epoch = epoch;
            }
            ("leader-epoch", 3) => {
                let epoch = number(&argv[2])?;
                self.master_mut(&argv[1])?.leader_epoch = epoch;
            }
            ("known-slave" | "known-replica", 4) => {
                let port = parse_port(&argv[3]).ok_or(UNRECOGNIZED)?;
                let host = argv[2].clone();
                let master = self.master_mut(&argv[1])?;
                if !master
                    .known_replicas
                    .iter()
                    .any(|r| r.0 == host && r.1 == port)
                {
                    master.known_replicas.push((host, port));
                }
            }
            ("known-sentinel", 4 | 5) => {
                // The runid is optional in old files; only entries with one are kept.
                if argc == 5 {
                    let port = parse_port(&argv[3]).ok_or(UNRECOGNIZED)?;
                    let entry = (argv[2].clone(), port, argv[4].clone());
                    let master = self.master_mut(&argv[1])?;
                    master.known_sentinels.retain(|s| s.2 != entry.2);
                    master.known_sentinels.push(entry);
                }
            }
            ("announce-ip", 2) => {
                self.announce_ip = (!argv[1].is_empty()).then(|| argv[1].clone());
            }
            ("announce-port", 2) => {
                self.announce_port = parse_port(&argv[1])
                    .or((argv[1] == "0").then_some(0))
                    .ok_or(UNRECOGNIZED)?;
            }
            ("sentinel-user", 2) => {
                self.sentinel_user = (!argv[1].is_empty()).then(|| argv[1].clone());
            }
            ("sentinel-pass", 2) => {
                self.sentinel_pass = (!argv[1].is_empty()).then(|| argv[1].clone());
            }
            ("deny-scripts-reconfig", 2) => {
                self.deny_scripts_reconfig = yes_no(&argv[1])?;
            }
            ("resolve-hostnames", 2) => self.resolve_hostnames = yes_no(&argv[1])?,
            ("announce-hostnames", 2) => self.announce_hostnames = yes_no(&argv[1])?,
            // Scripts are not run by this sentinel: a path would be a promise it cannot keep.
            ("notification-script" | "client-reconfig-script", 3) => {
                return Err(format!(
                    "sentinel {option} is not supported: the sentinel runs no scripts"
                ));
            }
            ("rename-command", 4) => {
                return Err(
                    "sentinel rename-command is not supported: commands keep their names".into(),
                );
            }
            _ => return Err(UNRECOGNIZED.to_string()),
        }
        Ok(())
    }

    fn master_mut(&mut self, name: &str) -> Result<&mut MasterConfig, String> {
        self.masters
            .iter_mut()
            .find(|m| m.name == name)
            .ok_or_else(|| "No such master with specified name.".to_string())
    }

    /// The file's text with the current state: kept lines first, then the global directives,
    /// then the generated sentinel block (Redis writes its own block after a marker line).
    pub fn render(&self) -> String {
        let mut generated: Vec<(&str, String, bool)> = Vec::new();
        let mut push = |line: String| {
            let name = if line.starts_with("sentinel ") {
                "sentinel"
            } else {
                line.split(' ').next().unwrap_or("")
            };
            let name = match name {
                "port" => "port",
                "bind" => "bind",
                "dir" => "dir",
                "requirepass" => "requirepass",
                _ => "sentinel",
            };
            generated.push((name, line, true));
        };
        push(format!("port {}", self.port));
        if !self.bind.is_empty() {
            push(format!("bind {}", self.bind.join(" ")));
        }
        if let Some(dir) = &self.dir {
            push(format!("dir {}", quote(&dir.display().to_string())));
        }
        if let Some(pass) = &self.requirepass {
            push(format!("requirepass {}", quote(pass)));
        }
        if let Some(id) = &self.myid {
            push(format!("sentinel myid {id}"));
        }
        for m in &self.masters {
            push(format!(
                "sentinel monitor {} {} {} {}",
                quote(&m.name),
                m.host,
                m.port,
                m.quorum
            ));
            let name = quote(&m.name);
            if m.down_after_ms != DEFAULT_DOWN_AFTER_MS {
                push(format!(
                    "sentinel down-after-milliseconds {name} {}",
                    m.down_after_ms
                ));
            }
            if m.failover_timeout_ms != DEFAULT_FAILOVER_TIMEOUT_MS {
                push(format!(
                    "sentinel failover-timeout {name} {}",
                    m.failover_timeout_ms
                ));
            }
            if m.parallel_syncs != DEFAULT_PARALLEL_SYNCS {
                push(format!(
                    "sentinel parallel-syncs {name} {}",
                    m.parallel_syncs
                ));
            }
            if let Some(pass) = &m.auth_pass {
                push(format!("sentinel auth-pass {name} {}", quote(pass)));
            }
            if let Some(user) = &m.auth_user {
                push(format!("sentinel auth-user {name} {}", quote(user)));
            }
            if m.master_reboot_down_after_ms != 0 {
                push(format!(
                    "sentinel master-reboot-down-after-period {name} {}",
                    m.master_reboot_down_after_ms
                ));
            }
            push(format!("sentinel config-epoch {name} {}", m.config_epoch));
            push(format!("sentinel leader-epoch {name} {}", m.leader_epoch));
            for (host, port) in &m.known_replicas {
                push(format!("sentinel known-replica {name} {host} {port}"));
            }
            for (host, port, runid) in &m.known_sentinels {
                push(format!(
                    "sentinel known-sentinel {name} {host} {port} {runid}"
                ));
            }
        }
        push(format!("sentinel current-epoch {}", self.current_epoch));
        if let Some(ip) = &self.announce_ip {
            push(format!("sentinel announce-ip {}", quote(ip)));
        }
        if self.announce_port != 0 {
            push(format!("sentinel announce-port {}", self.announce_port));
        }
        if let Some(user) = &self.sentinel_user {
            push(format!("sentinel sentinel-user {}", quote(user)));
        }
        if let Some(pass) = &self.sentinel_pass {
            push(format!("sentinel sentinel-pass {}", quote(pass)));
        }
        if !self.deny_scripts_reconfig {
            push("sentinel deny-scripts-reconfig no".into());
        }
        if self.resolve_hostnames {
            push("sentinel resolve-hostnames yes".into());
        }
        if self.announce_hostnames {
            push("sentinel announce-hostnames yes".into());
        }
        // The other redis.conf directives: their lines keep their places; one at its
        // default is not added.
        let defaults = Config::parse("", PathBuf::new())
            .map(|c| c.other)
            .unwrap_or_default();
        for spec in conf::TABLE {
            if matches!(spec.name, "port" | "bind" | "dir" | "requirepass") {
                continue;
            }
            let value = self.other.get(spec);
            let default = defaults.get(spec);
            if let conf::Rewrite::Lines { lines, force } = spec.rewrite(&value, &default) {
                for line in lines {
                    generated.push((spec.name, line, force && value != default));
                }
            }
        }
        self.place(generated)
    }

    /// Each generated line takes the place of an old line of the same directive, in order;
    /// old lines left over go away, new lines left over follow a marker at the end.
    fn place(&self, generated: Vec<(&str, String, bool)>) -> String {
        let mut pending: std::collections::VecDeque<(&str, String, bool)> = generated.into();
        let mut out = String::new();
        for line in &self.layout {
            match line {
                LayoutLine::Text(text) => {
                    out.push_str(text);
                    out.push('\n');
                }
                LayoutLine::Directive(name) => {
                    if let Some(pos) = pending.iter().position(|(n, _, _)| n == name)
                        && let Some((_, text, _)) = pending.remove(pos)
                    {
                        out.push_str(&text);
                        out.push('\n');
                    }
                }
            }
        }
        let marked = self
            .layout
            .iter()
            .any(|l| matches!(l, LayoutLine::Text(t) if t.trim() == GENERATED_MARK));
        pending.retain(|(_, _, force)| *force);
        if !pending.is_empty() && !marked {
            out.push_str(GENERATED_MARK);
            out.push('\n');
            for (_, text, _) in pending {
                out.push_str(&text);
                out.push('\n');
            }
        }
        out
    }

    /// Write `render()` to the file atomically: a temp file in the same directory, fsync,
    /// rename over the original, fsync of the directory.
    pub fn rewrite(&self) -> std::io::Result<()> {
        write_atomically(&self.path, self.render().as_bytes())
    }
}

const GENERATED_MARK: &str = "# Generated by CONFIG REWRITE";

/// A directive of Redis's table, by its name.
fn spec(name: &str) -> &'static conf::Spec {
    conf::lookup(name).expect("a directive of Redis's table")
}

fn fatal(err: conf::Fatal) -> ConfigError {
    match err.at {
        Some((line, text)) => ConfigError::Line {
            line,
            text,
            reason: err.reason,
        },
        None => ConfigError::Load(err),
    }
}

fn yes_no(text: &str) -> Result<bool, String> {
    if text.eq_ignore_ascii_case("yes") {
        Ok(true)
    } else if text.eq_ignore_ascii_case("no") {
        Ok(false)
    } else {
        Err("Please specify yes or no for the option.".into())
    }
}

/// Each line of the file: comments and blank lines as they are, directives by their name
/// (an alias by the directive's name).
fn layout(text: &str) -> Vec<LayoutLine> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    lines
        .into_iter()
        .map(|raw| {
            let line = raw.trim_end_matches('\r');
            let trimmed = line.trim();
            let name = (!trimmed.starts_with('#'))
                .then(|| wire::request::split_args(trimmed.as_bytes()))
                .flatten()
                .and_then(|args| args.into_iter().next())
                .map(|n| String::from_utf8_lossy(&n).to_ascii_lowercase());
            match name {
                Some(name) => {
                    LayoutLine::Directive(conf::lookup(&name).map_or(name, |s| s.name.to_string()))
                }
                None => LayoutLine::Text(line.to_string()),
            }
        })
        .collect()
}

/// Reads a sentinel.conf: redis.conf directives at once, `sentinel` lines queued for the two
/// passes.
struct Loader<'a> {
    config: &'a mut Config,
    /// (line number, line, arguments after `sentinel`)
    queued: Vec<(usize, String, Vec<String>)>,
}

impl conf::Target for Loader<'_> {
    fn value(&self, spec: &'static conf::Spec) -> conf::Value {
        self.config.value(spec)
    }

    fn set(&mut self, spec: &'static conf::Spec, value: conf::Value) -> Result<(), String> {
        use conf::Value;
        if let Some(err) = conf::unsupported(spec, &value) {
            return Err(err);
        }
        let c = &mut *self.config;
        match (spec.name, value) {
            ("port", Value::Int(port)) => c.port = port as u16,
            ("bind", Value::Args(addresses)) => c.bind = addresses,
            ("dir", Value::Args(dir)) => c.dir = dir.into_iter().next().map(PathBuf::from),
            ("requirepass", Value::Str(pass)) => c.requirepass = pass,
            ("protected-mode", Value::Bool(true)) => {
                return Err("protected-mode yes is not supported by the sentinel: bind it to trusted addresses or set requirepass".into());
            }
            (_, value) => c.other.set(spec, value),
        }
        Ok(())
    }

    fn other(&mut self, line: &conf::Line<'_>) -> Result<(), String> {
        match (line.name.as_str(), line.args.is_empty()) {
            // A bare `sentinel` line only says this is sentinel mode.
            ("sentinel", true) => Ok(()),
            ("sentinel", false) => {
                self.queued
                    .push((line.number, line.text.to_string(), line.args.clone()));
                Ok(())
            }
            _ => Err(conf::other_directive_error(line)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LayoutLine {
    Text(String),
    /// A directive line, by its lowercase name.
    Directive(String),
}

fn parse_port(text: &str) -> Option<u16> {
    text.parse::<u16>().ok().filter(|p| *p > 0)
}

/// `--port 26380 --sentinel monitor m 127.0.0.1 6379 2` → one line per `--name`.
fn args_as_lines(args: &[String]) -> String {
    let mut lines: Vec<Vec<String>> = Vec::new();
    for arg in args {
        match (arg.strip_prefix("--"), lines.last_mut()) {
            (Some(name), _) => lines.push(vec![name.to_string()]),
            (None, Some(line)) => line.push(quote(arg)),
            (None, None) => lines.push(vec![quote(arg)]),
        }
    }
    lines.iter().map(|words| words.join(" ") + "\n").collect()
}

/// A word as a config line needs it: quoted (with Redis's escapes) when it is empty or holds
/// spaces, quotes or control bytes.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\');
    if plain {
        return word.to_string();
    }
    wire::request::quote_arg(word.as_bytes())
}

/// Through a named temp file in the same directory, so a crash leaves the old file or the new
/// one, never a mix; the directory is synced so the rename itself is durable.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".sentinel-conf-")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, PathBuf::from("/tmp/sentinel-test.conf"))
    }

    #[test]
    fn reads_redis_directives() {
        let config = parse(
            "# comment\nport 26380\nsentinel monitor mym 127.0.0.1 6379 2\n\
             sentinel down-after-milliseconds mym 1000\nsentinel failover-timeout mym 5000\n\
             sentinel parallel-syncs mym 2\nsentinel auth-pass mym secret\n\
             sentinel known-replica mym 127.0.0.1 6380\n\
             sentinel known-sentinel mym 127.0.0.1 26381 0123456789012345678901234567890123456789\n\
             sentinel current-epoch 4\nsentinel config-epoch mym 3\nsentinel leader-epoch mym 4\n\
             sentinel master-reboot-down-after-period mym 7000\n",
        )
        .unwrap();
        assert_eq!(config.port, 26380);
        assert_eq!(config.current_epoch, 4);
        let m = &config.masters[0];
        assert_eq!((m.name.as_str(), m.port, m.quorum), ("mym", 6379, 2));
        assert_eq!(
            (m.down_after_ms, m.failover_timeout_ms, m.parallel_syncs),
            (1000, 5000, 2)
        );
        assert_eq!(m.auth_pass.as_deref(), Some("secret"));
        assert_eq!((m.config_epoch, m.leader_epoch), (3, 4));
        assert_eq!(m.known_replicas, vec![("127.0.0.1".to_string(), 6380)]);
        assert_eq!(m.known_sentinels.len(), 1);
        assert_eq!(m.master_reboot_down_after_ms, 7000);
        assert!(
            config
                .render()
                .contains("sentinel master-reboot-down-after-period mym 7000\n")
        );
    }

    #[test]
    fn rejects_bad_lines_as_redis_does() {
        let err = parse("sentinel down-after-milliseconds nope 1000\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("No such master with specified name.")
        );
        assert!(err.to_string().contains("at line 1"));
        let err = parse("sentinel monitor m 127.0.0.1 6379 0\n").unwrap_err();
        assert!(err.to_string().contains("Quorum must be 1 or greater."));
        let err = parse("sentinel frobnicate x\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("Unrecognized sentinel configuration statement.")
        );
        let err = parse("nosuch 1\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("Bad directive or wrong number of arguments")
        );
        let err = parse("sentinel myid abc\n").unwrap_err();
        assert!(err.to_string().contains("Malformed Sentinel id"));
    }

    #[test]
    fn render_round_trips() {
        let mut config = parse(
            "# keep me\nsentinel monitor \"my m\" 127.0.0.1 6379 2\nsentinel auth-pass \"my m\" \"a b\"\n",
        )
        .unwrap();
        config.myid = Some("a".repeat(40));
        config.masters[0]
            .known_replicas
            .push(("127.0.0.1".into(), 7000));
        let text = config.render();
        assert!(text.starts_with("# keep me\n"));
        let again = parse(&text).unwrap();
        assert_eq!(again.masters, config.masters);
        assert_eq!(again.myid, config.myid);
        assert_eq!(again.render(), text);
    }

    #[test]
    fn rewrite_keeps_lines_in_place() {
        let config = parse(
            "# the port\nport 1\n\n# the master\nsentinel monitor m 127.0.0.1 6379 2\n# end\n",
        )
        .unwrap();
        let text = config.render();
        assert!(
            text.starts_with("# the port\nport 1\n\n# the master\nsentinel monitor m 127.0.0.1 6379 2\n# end\n# Generated by CONFIG REWRITE\n"),
            "{text}"
        );
        assert_eq!(parse(&text).unwrap().render(), text);
    }

    #[test]
    fn args_are_lines() {
        let args: Vec<String> = ["--port", "5", "--sentinel", "monitor", "m", "h", "1", "2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(args_as_lines(&args), "port 5\nsentinel monitor m h 1 2\n");
    }

    #[test]
    fn rewrite_is_atomic_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.conf");
        std::fs::write(&path, "sentinel monitor m 127.0.0.1 6379 1\n").unwrap();
        let mut config = Config::from_file(&path).unwrap();
        config.current_epoch = 7;
        config.rewrite().unwrap();
        let again = Config::from_file(&path).unwrap();
        assert_eq!(again.current_epoch, 7);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn options_before_monitor_and_redis_conf_directives() {
        let text = "protected-mode no\nport 26380\ndaemonize yes\npidfile /tmp/s.pid\n\
                    logfile \"\"\nloglevel verbose\nacllog-max-len 64\n\
                    sentinel down-after-milliseconds m 5000\nSENTINEL resolve-hostnames yes\n\
                    sentinel deny-scripts-reconfig yes\nsentinel monitor m 127.0.0.1 6379 2\n\
                    sentinel master-reboot-down-after-period m 0\n";
        let config = parse(text).unwrap();
        assert_eq!(config.port, 26380);
        assert_eq!(config.masters[0].down_after_ms, 5000);
        assert!(config.resolve_hostnames && config.deny_scripts_reconfig);
        assert_eq!(config.get("daemonize").as_deref(), Some("yes"));
        assert_eq!(config.get("pidfile").as_deref(), Some("/tmp/s.pid"));
        assert_eq!(config.get("loglevel").as_deref(), Some("verbose"));
        assert_eq!(config.get("acllog-max-len").as_deref(), Some("64"));
        assert_eq!(config.get("protected-mode").as_deref(), Some("no"));
        // The rewrite keeps every directive in its place.
        let text = config.render();
        for line in [
            "daemonize yes\n",
            "pidfile \"/tmp/s.pid\"\n",
            "loglevel verbose\n",
            "acllog-max-len 64\n",
            "protected-mode no\n",
            "sentinel resolve-hostnames yes\n",
            "sentinel down-after-milliseconds m 5000\n",
        ] {
            assert!(text.contains(line), "{line:?} missing from\n{text}");
        }
        assert!(!text.contains("save "), "{text}");
        assert_eq!(parse(&text).unwrap().render(), text);
        // Errors keep the line they came from, whichever pass applies it.
        let err = parse("port 1\nsentinel down-after-milliseconds nope 10\n").unwrap_err();
        assert!(err.to_string().contains("at line 2\n>>> 'sentinel down-after-milliseconds nope 10'\nNo such master with specified name."), "{err}");
        let err = parse("loglevel loud\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("argument(s) must be one of the following")
        );
        let err = parse("protected-mode yes\n").unwrap_err();
        assert!(err.to_string().contains("not supported"));
        let err = parse(
            "sentinel notification-script m /bin/true\nsentinel monitor m 127.0.0.1 6379 1\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("runs no scripts"));
    }
}

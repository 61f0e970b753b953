//! Node configuration: redis.conf directives, from a file and from `--name value` flags.

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
    /// Microseconds; negative disables the slow log, 0 logs everything.
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: usize,
    /// Milliseconds; 0 disables the latency monitor.
    pub latency_monitor_threshold: u64,
    /// Path of the file the configuration was read from (CONFIG REWRITE writes it back).
    pub config_file: Option<PathBuf>,
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
            hash_max_listpack_entries: 128,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            list_max_listpack_size: -2,
            client_output_buffer_limit: ClientOutputBufferLimits::default(),
            slowlog_log_slower_than: 10000,
            slowlog_max_len: 128,
            latency_monitor_threshold: 0,
            config_file: None,
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
    pub const ALL: [MaxmemoryPolicy; 8] = [
        MaxmemoryPolicy::NoEviction,
        MaxmemoryPolicy::AllkeysLru,
        MaxmemoryPolicy::VolatileLru,
        MaxmemoryPolicy::AllkeysLfu,
        MaxmemoryPolicy::VolatileLfu,
        MaxmemoryPolicy::AllkeysRandom,
        MaxmemoryPolicy::VolatileRandom,
        MaxmemoryPolicy::VolatileTtl,
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

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Read a redis.conf-format file, then apply `overrides` (`--name value ...` flags).
    pub fn from_file_and_args(
        path: Option<&Path>,
        overrides: &[String],
    ) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        if let Some(path) = path {
            let text = std::fs::read_to_string(path).map_err(|e| {
                ConfigError(format!(
                    "Fatal error, can't open config file '{}': {e}",
                    path.display()
                ))
            })?;
            config.config_file = Some(path.to_path_buf());
            config.apply_text(&text)?;
        }
        config.apply_args(overrides)?;
        Ok(config)
    }

    /// Apply redis.conf text. An unknown or malformed directive is an error naming its line.
    pub fn apply_text(&mut self, text: &str) -> Result<(), ConfigError> {
        for (number, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let Some(args) = wire::request::split_args(trimmed.as_bytes()) else {
                return Err(bad_line(
                    number + 1,
                    line,
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
            self.set(&name.to_ascii_lowercase(), values)
                .map_err(|e| bad_line(number + 1, line, &e))?;
        }
        Ok(())
    }

    /// Apply `--name value [value...]` flags as redis-server does: each flag starts a directive
    /// line made of the values that follow it.
    pub fn apply_args(&mut self, args: &[String]) -> Result<(), ConfigError> {
        let mut text = String::new();
        for arg in args {
            if let Some(name) = arg.strip_prefix("--") {
                text.push('\n');
                text.push_str(name);
            } else {
                text.push(' ');
                text.push_str(&quote(arg));
            }
        }
        self.apply_text(&text)
    }

    /// Set one directive. Errors are Redis's texts.
    pub fn set(&mut self, name: &str, values: &[String]) -> Result<(), String> {
        let one = || -> Result<&str, String> {
            match values {
                [v] => Ok(v.as_str()),
                _ => Err("wrong number of arguments".into()),
            }
        };
        match name {
            "port" => self.port = parse_num(one()?, 0, 65535)? as u16,
            "bind" => self.bind = values.to_vec(),
            "requirepass" => {
                let v = one()?;
                self.requirepass = (!v.is_empty()).then(|| v.to_string());
            }
            "maxclients" => self.maxclients = parse_num(one()?, 1, u32::MAX as i64)? as usize,
            "timeout" => self.timeout = parse_num(one()?, 0, i32::MAX as i64)? as u64,
            "databases" => self.databases = parse_num(one()?, 1, i32::MAX as i64)? as usize,
            "proto-max-bulk-len" => self.proto_max_bulk_len = parse_memory(one()?)?,
            "hz" => self.hz = parse_num(one()?, 1, 500)? as u32,
            "maxmemory" => self.maxmemory = parse_memory(one()?)?,
            "maxmemory-policy" => {
                self.maxmemory_policy =
                    MaxmemoryPolicy::parse(one()?).ok_or("argument(s) must be one of the following: volatile-lru, allkeys-lru, volatile-lfu, allkeys-lfu, volatile-random, allkeys-random, volatile-ttl, noeviction")?
            }
            "maxmemory-samples" => self.maxmemory_samples = parse_num(one()?, 1, i32::MAX as i64)? as u32,
            "lfu-log-factor" => self.lfu_log_factor = parse_num(one()?, 0, i32::MAX as i64)? as u32,
            "lfu-decay-time" => self.lfu_decay_time = parse_num(one()?, 0, i32::MAX as i64)? as u32,
            "hash-max-listpack-entries" | "hash-max-ziplist-entries" => {
                self.hash_max_listpack_entries = parse_num(one()?, 0, i64::MAX)? as usize
            }
            "hash-max-listpack-value" | "hash-max-ziplist-value" => {
                self.hash_max_listpack_value = parse_memory(one()?)? as usize
            }
            "set-max-intset-entries" => self.set_max_intset_entries = parse_num(one()?, 0, i64::MAX)? as usize,
            "zset-max-listpack-entries" | "zset-max-ziplist-entries" => {
                self.zset_max_listpack_entries = parse_num(one()?, 0, i64::MAX)? as usize
            }
            "zset-max-listpack-value" | "zset-max-ziplist-value" => {
                self.zset_max_listpack_value = parse_memory(one()?)? as usize
            }
            "list-max-listpack-size" | "list-max-ziplist-size" => {
                self.list_max_listpack_size = parse_num(one()?, i32::MIN as i64, i32::MAX as i64)?
            }
            "client-output-buffer-limit" => self.set_output_buffer_limits(values)?,
            "slowlog-log-slower-than" => {
                self.slowlog_log_slower_than = parse_num(one()?, i64::MIN, i64::MAX)?
            }
            "slowlog-max-len" => self.slowlog_max_len = parse_num(one()?, 0, i64::MAX)? as usize,
            "latency-monitor-threshold" => {
                self.latency_monitor_threshold = parse_num(one()?, 0, i64::MAX)? as u64
            }
            _ => return Err("Bad directive or wrong number of arguments".into()),
        }
        Ok(())
    }
}

impl Config {
    /// `client-output-buffer-limit <class> <hard> <soft> <soft seconds> [<class> ...]`.
    fn set_output_buffer_limits(&mut self, values: &[String]) -> Result<(), String> {
        if values.is_empty() || values.len() % 4 != 0 {
            return Err("Wrong number of arguments in buffer limit configuration.".into());
        }
        let mut limits = self.client_output_buffer_limit;
        for chunk in values.chunks(4) {
            let limit = OutputBufferLimit {
                hard: parse_memory(&chunk[1])?,
                soft: parse_memory(&chunk[2])?,
                soft_seconds: parse_num(&chunk[3], 0, i64::MAX)? as u64,
            };
            match chunk[0].to_ascii_lowercase().as_str() {
                "normal" => limits.normal = limit,
                "replica" | "slave" => limits.replica = limit,
                "pubsub" => limits.pubsub = limit,
                _ => {
                    return Err(
                        "Invalid client class specified in buffer limit configuration.".into(),
                    );
                }
            }
        }
        self.client_output_buffer_limit = limits;
        Ok(())
    }
}

fn bad_line(number: usize, line: &str, reason: &str) -> ConfigError {
    ConfigError(format!(
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {number}\n>>> '{}'\n{reason}",
        line.trim()
    ))
}

fn quote(arg: &str) -> String {
    if !arg.is_empty()
        && !arg.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '\\')
    {
        return arg.to_string();
    }
    let mut out = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn parse_num(value: &str, min: i64, max: i64) -> Result<i64, String> {
    let n: i64 = value
        .parse()
        .map_err(|_| "argument couldn't be parsed into an integer".to_string())?;
    if n < min || n > max {
        return Err(format!(
            "argument must be between {min} and {max} inclusive"
        ));
    }
    Ok(n)
}

/// Memory amounts as redis.conf accepts them: `1gb`, `100mb`, `1k` (1000), `1kb` (1024) ...
pub fn parse_memory(value: &str) -> Result<u64, String> {
    let lower = value.to_ascii_lowercase();
    let split = lower
        .find(|c: char| !c.is_ascii_digit() && c != '-')
        .unwrap_or(lower.len());
    let (digits, unit) = lower.split_at(split);
    let mul: u64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return Err("argument must be a memory value".into()),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| "argument must be a memory value".to_string())?;
    n.checked_mul(mul)
        .ok_or_else(|| "argument must be a memory value".into())
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
        let err = c.apply_text("port 1\nnosuch 1\n").unwrap_err();
        assert!(err.0.contains("at line 2"), "{}", err.0);
        assert_eq!(parse_memory("1kb"), Ok(1024));
        assert_eq!(parse_memory("2m"), Ok(2_000_000));
    }
}

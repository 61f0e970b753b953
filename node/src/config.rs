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
            config_file: None,
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
            _ => return Err("Bad directive or wrong number of arguments".into()),
        }
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

use super::*;

/// `CONFIG GET *` of a stock redis-server 7.0.15 (port, unixsocket and save at their
/// built-in defaults; dir left out): every visible name, aliases included, and its default.
const REDIS_7_0_15: &[(&str, &str)] = &[
    ("acl-pubsub-default", "resetchannels"),
    ("aclfile", ""),
    ("acllog-max-len", "128"),
    ("active-defrag-cycle-max", "25"),
    ("active-defrag-cycle-min", "1"),
    ("active-defrag-ignore-bytes", "104857600"),
    ("active-defrag-max-scan-fields", "1000"),
    ("active-defrag-threshold-lower", "10"),
    ("active-defrag-threshold-upper", "100"),
    ("active-expire-effort", "1"),
    ("activedefrag", "no"),
    ("activerehashing", "yes"),
    ("always-show-logo", "no"),
    ("aof-disable-auto-gc", "no"),
    ("aof-load-truncated", "yes"),
    ("aof-rewrite-incremental-fsync", "yes"),
    ("aof-timestamp-enabled", "no"),
    ("aof-use-rdb-preamble", "yes"),
    ("aof_rewrite_cpulist", ""),
    ("appenddirname", "appendonlydir"),
    ("appendfilename", "appendonly.aof"),
    ("appendfsync", "everysec"),
    ("appendonly", "no"),
    ("auto-aof-rewrite-min-size", "67108864"),
    ("auto-aof-rewrite-percentage", "100"),
    ("bgsave_cpulist", ""),
    ("bind", "* -::*"),
    ("bind-source-addr", ""),
    ("bio_cpulist", ""),
    ("busy-reply-threshold", "5000"),
    (
        "client-output-buffer-limit",
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    ),
    ("client-query-buffer-limit", "1073741824"),
    ("cluster-allow-pubsubshard-when-down", "yes"),
    ("cluster-allow-reads-when-down", "no"),
    ("cluster-allow-replica-migration", "yes"),
    ("cluster-announce-bus-port", "0"),
    ("cluster-announce-hostname", ""),
    ("cluster-announce-ip", ""),
    ("cluster-announce-port", "0"),
    ("cluster-announce-tls-port", "0"),
    ("cluster-config-file", "nodes.conf"),
    ("cluster-enabled", "no"),
    ("cluster-link-sendbuf-limit", "0"),
    ("cluster-migration-barrier", "1"),
    ("cluster-node-timeout", "15000"),
    ("cluster-port", "0"),
    ("cluster-preferred-endpoint-type", "ip"),
    ("cluster-replica-no-failover", "no"),
    ("cluster-replica-validity-factor", "10"),
    ("cluster-require-full-coverage", "yes"),
    ("cluster-slave-no-failover", "no"),
    ("cluster-slave-validity-factor", "10"),
    ("crash-log-enabled", "yes"),
    ("crash-memcheck-enabled", "yes"),
    ("daemonize", "no"),
    ("databases", "16"),
    ("dbfilename", "dump.rdb"),
    ("disable-thp", "yes"),
    ("dynamic-hz", "yes"),
    ("enable-debug-command", "no"),
    ("enable-module-command", "no"),
    ("enable-protected-configs", "no"),
    ("hash-max-listpack-entries", "512"),
    ("hash-max-listpack-value", "64"),
    ("hash-max-ziplist-entries", "512"),
    ("hash-max-ziplist-value", "64"),
    ("hll-sparse-max-bytes", "3000"),
    ("hz", "10"),
    ("ignore-warnings", ""),
    ("io-threads", "1"),
    ("io-threads-do-reads", "no"),
    ("jemalloc-bg-thread", "yes"),
    ("latency-monitor-threshold", "0"),
    ("latency-tracking", "yes"),
    ("latency-tracking-info-percentiles", "50 99 99.9"),
    ("lazyfree-lazy-eviction", "no"),
    ("lazyfree-lazy-expire", "no"),
    ("lazyfree-lazy-server-del", "no"),
    ("lazyfree-lazy-user-del", "no"),
    ("lazyfree-lazy-user-flush", "no"),
    ("lfu-decay-time", "1"),
    ("lfu-log-factor", "10"),
    ("list-compress-depth", "0"),
    ("list-max-listpack-size", "-2"),
    ("list-max-ziplist-size", "-2"),
    ("logfile", ""),
    ("loglevel", "notice"),
    ("lua-time-limit", "5000"),
    ("masterauth", ""),
    ("masteruser", ""),
    ("maxclients", "10000"),
    ("maxmemory", "0"),
    ("maxmemory-clients", "0"),
    ("maxmemory-eviction-tenacity", "10"),
    ("maxmemory-policy", "noeviction"),
    ("maxmemory-samples", "5"),
    ("min-replicas-max-lag", "10"),
    ("min-replicas-to-write", "0"),
    ("min-slaves-max-lag", "10"),
    ("min-slaves-to-write", "0"),
    ("no-appendfsync-on-rewrite", "no"),
    ("notify-keyspace-events", ""),
    ("oom-score-adj", "no"),
    ("oom-score-adj-values", "0 200 800"),
    ("pidfile", ""),
    ("port", "6379"),
    ("proc-title-template", "{title} {listen-addr} {server-mode}"),
    ("propagation-error-behavior", "ignore"),
    ("protected-mode", "yes"),
    ("proto-max-bulk-len", "536870912"),
    ("rdb-del-sync-files", "no"),
    ("rdb-save-incremental-fsync", "yes"),
    ("rdbchecksum", "yes"),
    ("rdbcompression", "yes"),
    ("repl-backlog-size", "1048576"),
    ("repl-backlog-ttl", "3600"),
    ("repl-disable-tcp-nodelay", "no"),
    ("repl-diskless-load", "disabled"),
    ("repl-diskless-sync", "yes"),
    ("repl-diskless-sync-delay", "5"),
    ("repl-diskless-sync-max-replicas", "0"),
    ("repl-ping-replica-period", "10"),
    ("repl-ping-slave-period", "10"),
    ("repl-timeout", "60"),
    ("replica-announce-ip", ""),
    ("replica-announce-port", "0"),
    ("replica-announced", "yes"),
    ("replica-ignore-disk-write-errors", "no"),
    ("replica-ignore-maxmemory", "yes"),
    ("replica-lazy-flush", "no"),
    ("replica-priority", "100"),
    ("replica-read-only", "yes"),
    ("replica-serve-stale-data", "yes"),
    ("replicaof", ""),
    ("requirepass", ""),
    ("sanitize-dump-payload", "no"),
    ("save", "3600 1 300 100 60 10000"),
    ("server_cpulist", ""),
    ("set-max-intset-entries", "512"),
    ("set-proc-title", "yes"),
    ("shutdown-on-sigint", "default"),
    ("shutdown-on-sigterm", "default"),
    ("shutdown-timeout", "10"),
    ("slave-announce-ip", ""),
    ("slave-announce-port", "0"),
    ("slave-ignore-maxmemory", "yes"),
    ("slave-lazy-flush", "no"),
    ("slave-priority", "100"),
    ("slave-read-only", "yes"),
    ("slave-serve-stale-data", "yes"),
    ("slaveof", ""),
    ("slowlog-log-slower-than", "10000"),
    ("slowlog-max-len", "128"),
    ("socket-mark-id", "0"),
    ("stop-writes-on-bgsave-error", "yes"),
    ("stream-node-max-bytes", "4096"),
    ("stream-node-max-entries", "100"),
    ("supervised", "no"),
    ("syslog-enabled", "no"),
    ("syslog-facility", "local0"),
    ("syslog-ident", "redis"),
    ("tcp-backlog", "511"),
    ("tcp-keepalive", "300"),
    ("timeout", "0"),
    ("tls-auth-clients", "yes"),
    ("tls-ca-cert-dir", ""),
    ("tls-ca-cert-file", ""),
    ("tls-cert-file", ""),
    ("tls-ciphers", ""),
    ("tls-ciphersuites", ""),
    ("tls-client-cert-file", ""),
    ("tls-client-key-file", ""),
    ("tls-client-key-file-pass", ""),
    ("tls-cluster", "no"),
    ("tls-dh-params-file", ""),
    ("tls-key-file", ""),
    ("tls-key-file-pass", ""),
    ("tls-port", "0"),
    ("tls-prefer-server-ciphers", "no"),
    ("tls-protocols", ""),
    ("tls-replication", "no"),
    ("tls-session-cache-size", "20480"),
    ("tls-session-cache-timeout", "300"),
    ("tls-session-caching", "yes"),
    ("tracking-table-max-keys", "1000000"),
    ("unixsocket", ""),
    ("unixsocketperm", "0"),
    ("zset-max-listpack-entries", "128"),
    ("zset-max-listpack-value", "64"),
    ("zset-max-ziplist-entries", "128"),
    ("zset-max-ziplist-value", "64"),
];

fn args(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn parse(name: &str, items: &[&str]) -> Result<Value, String> {
    let spec = lookup(name).unwrap();
    spec.parse(&args(items), &spec.default_value())
}

#[test]
fn the_table_is_redis_7_0_15s() {
    let ours: Vec<(&str, String)> = {
        let mut v: Vec<_> = all_names()
            .filter(|(_, s)| !s.has(Flag::HIDDEN) && s.name != "dir")
            .map(|(n, s)| (n, s.show(&s.default_value())))
            .collect();
        v.sort();
        v
    };
    let theirs: Vec<(&str, String)> = REDIS_7_0_15
        .iter()
        .map(|(n, v)| (*n, v.to_string()))
        .collect();
    assert_eq!(ours, theirs);
    for hidden in [
        "use-exit-on-panic",
        "key-load-delay",
        "watchdog-period",
        "rdb-key-save-delay",
    ] {
        assert!(lookup(hidden).unwrap().has(Flag::HIDDEN));
    }
}

#[test]
fn validation_and_error_texts_are_redis_s() {
    assert_eq!(parse("daemonize", &["YES"]), Ok(Value::Bool(true)));
    assert_eq!(
        parse("daemonize", &["maybe"]),
        Err("argument must be 'yes' or 'no'".into())
    );
    assert_eq!(
        parse("port", &["65536"]),
        Err("argument must be between 0 and 65535 inclusive".into())
    );
    assert_eq!(
        parse("port", &["x"]),
        Err("argument couldn't be parsed into an integer".into())
    );
    assert_eq!(
        parse("maxmemory", &["-1"]),
        Err("argument must be a memory value".into())
    );
    assert_eq!(parse("maxmemory", &["1gb"]), Ok(Value::Int(1 << 30)));
    assert_eq!(
        parse("maxclients", &["-1"]),
        Err("argument must be between 1 and 4294967295 inclusive".into())
    );
    assert_eq!(
        parse("loglevel", &["loud"]),
        Err("argument(s) must be one of the following: debug, verbose, notice, warning".into())
    );
    assert_eq!(parse("repl-diskless-load", &["SWAPDB"]), Ok(Value::Enum(2)));
    assert_eq!(parse("oom-score-adj", &["relative"]), Ok(Value::Enum(1)));
    let spec = lookup("oom-score-adj").unwrap();
    assert_eq!(spec.show(&Value::Enum(1)), "yes");
    assert_eq!(parse("unixsocketperm", &["777"]), Ok(Value::Int(0o777)));
    assert_eq!(
        parse("unixsocketperm", &["1000"]),
        Err("argument must be between 0 and 777 inclusive".into())
    );
    assert_eq!(
        parse("unixsocketperm", &["9"]),
        Err("argument couldn't be parsed as an octal number".into())
    );
    let clients = lookup("maxmemory-clients").unwrap();
    let v = clients
        .parse(&args(&["10%"]), &clients.default_value())
        .unwrap();
    assert_eq!(clients.show(&v), "10%");
    assert_eq!(
        parse("maxmemory-clients", &["101%"]),
        Err("percentage argument must be less or equal to 100".into())
    );
    assert_eq!(
        parse("maxmemory-clients", &["10x"]),
        Err("argument must be a memory or percent value".into())
    );
    assert_eq!(
        parse("proc-title-template", &["{foo}"]),
        Err("template format is invalid or contains unknown variables".into())
    );
    assert!(parse("proc-title-template", &["{title} {port}"]).is_ok());
    assert!(parse("proc-title-template", &["bogus"]).is_ok());
    assert!(parse("proc-title-template", &["a}"]).is_ok());
    for bad in ["{title}", "", "  {server-mode} ", "{title", "{unixsocket}"] {
        assert!(parse("proc-title-template", &[bad]).is_err(), "{bad:?}");
    }
    // memtoull: an overflow reads as the largest value, then the bounds decide.
    assert_eq!(
        parse("hll-sparse-max-bytes", &["99999999999999999999"]),
        Err("argument must be between 0 and 9223372036854775807 inclusive".into())
    );
    let clients = lookup("maxmemory-clients").unwrap();
    let v = clients
        .parse(&args(&["99999999999999999999"]), &clients.default_value())
        .unwrap();
    assert_eq!(clients.show(&v), "1%");
    assert_eq!(
        parse("dbfilename", &["a/b"]),
        Err("dbfilename can't be a path, just a filename".into())
    );
    assert_eq!(parse("pidfile", &[""]), Ok(Value::Str(None)));
    assert_eq!(parse("logfile", &[""]), Ok(Value::Str(Some(String::new()))));
}

#[test]
fn special_directives() {
    let sig = lookup("shutdown-on-sigint").unwrap();
    let v = sig
        .parse(&args(&["default", "save", "now"]), &Value::Enum(0))
        .unwrap();
    assert_eq!(sig.show(&v), "save now");
    assert!(sig.parse(&[], &Value::Enum(0)).is_err());
    assert_eq!(
        sig.parse(&args(&["save", "nosave"]), &Value::Enum(0)),
        Err("shutdown options SAVE and NOSAVE can't be used simultaneously".into())
    );
    assert_eq!(
        parse("notify-keyspace-events", &["KEA"]),
        Ok(Value::Args(args(&["AKE"])))
    );
    assert_eq!(
        parse("notify-keyspace-events", &["xK"]),
        Ok(Value::Args(args(&["xK"])))
    );
    assert_eq!(
        parse("notify-keyspace-events", &["Kq"]),
        Err("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into())
    );
    assert_eq!(
        parse("oom-score-adj-values", &["1", "2"]),
        Err("wrong number of arguments".into())
    );
    assert_eq!(
        parse("oom-score-adj-values", &["1", "2", "3000"]),
        Err("Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into())
    );
    let obuf = lookup("client-output-buffer-limit").unwrap();
    let v = obuf
        .parse(&args(&["replica", "1mb", "0", "0"]), &obuf.default_value())
        .unwrap();
    assert_eq!(
        obuf.show(&v),
        "normal 0 0 0 slave 1048576 0 0 pubsub 33554432 8388608 60"
    );
    assert_eq!(
        parse("save", &["60"]),
        Err("Invalid save parameters".into())
    );
    assert_eq!(
        parse("latency-tracking-info-percentiles", &["50", "99.90"]),
        Ok(Value::Args(args(&["50", "99.9"])))
    );
    assert_eq!(
        parse("latency-tracking-info-percentiles", &["101"]),
        Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into())
    );
    assert_eq!(
        parse("replicaof", &["h", "x"]),
        Err("Invalid master port".into())
    );
    assert_eq!(parse("replicaof", &["no", "one"]), Ok(Value::Args(vec![])));
}

#[test]
fn rewrite_forms() {
    let spec = lookup("maxmemory").unwrap();
    assert_eq!(
        spec.rewrite(&Value::Int(2 << 30), &spec.default_value()),
        Rewrite::Lines {
            lines: vec!["maxmemory 2gb".into()],
            force: true
        }
    );
    let spec = lookup("unixsocketperm").unwrap();
    assert_eq!(
        spec.rewrite(&Value::Int(0o700), &spec.default_value()),
        Rewrite::Lines {
            lines: vec!["unixsocketperm 700".into()],
            force: true
        }
    );
    let spec = lookup("pidfile").unwrap();
    assert_eq!(
        spec.rewrite(&Value::Str(None), &spec.default_value()),
        Rewrite::Remove
    );
    let spec = lookup("save").unwrap();
    assert_eq!(
        spec.rewrite(&Value::Args(vec![]), &spec.default_value()),
        Rewrite::Lines {
            lines: vec!["save \"\"".into()],
            force: true
        }
    );
    let spec = lookup("notify-keyspace-events").unwrap();
    assert_eq!(
        spec.rewrite(&spec.default_value(), &spec.default_value()),
        Rewrite::Lines {
            lines: vec!["notify-keyspace-events \"\"".into()],
            force: false
        }
    );
}

#[derive(Default)]
struct Collect {
    store: Store,
    others: Vec<(usize, String, Vec<String>)>,
}

impl Target for Collect {
    fn value(&self, spec: &'static Spec) -> Value {
        self.store.get(spec)
    }
    fn set(&mut self, spec: &'static Spec, value: Value) -> Result<(), String> {
        if let Some(err) = unsupported(spec, &value) {
            return Err(err);
        }
        self.store.set(spec, value);
        Ok(())
    }
    fn other(&mut self, line: &Line<'_>) -> Result<(), String> {
        if line.name != "sentinel" {
            return Err("Bad directive or wrong number of arguments".into());
        }
        self.others
            .push((line.number, line.name.clone(), line.args.clone()));
        Ok(())
    }
}

#[test]
fn load_reads_files_as_redis_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.conf"), "hz 20\n").unwrap();
    std::fs::write(dir.path().join("b.conf"), "dynamic-hz no\n").unwrap();
    let text = format!(
        "# comment\n\nsave 900 1\nsave 60 100\nlist-max-ziplist-entries 5\ninclude {}/*.conf\n\
         include {}/none-*.conf\nsentinel monitor m 127.0.0.1 6379 2\n  Always-Show-Logo yes  \n",
        dir.path().display(),
        dir.path().display()
    );
    let mut c = Collect::default();
    load(&text, &mut c).unwrap();
    let get = |name| {
        let spec = lookup(name).unwrap();
        spec.show(&c.store.get(spec))
    };
    assert_eq!(get("save"), "900 1 60 100");
    assert_eq!(get("hz"), "20");
    assert_eq!(get("dynamic-hz"), "no");
    assert_eq!(get("always-show-logo"), "yes");
    assert_eq!(
        c.others,
        vec![(
            8,
            "sentinel".into(),
            args(&["monitor", "m", "127.0.0.1", "6379", "2"])
        )]
    );

    let err = load("port 1\nnosuch 1\n", &mut Collect::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'nosuch 1'\nBad directive or wrong number of arguments"
    );
    let err = load("port 1 2\n", &mut Collect::default()).unwrap_err();
    assert_eq!(err.reason, "wrong number of arguments");
    let err = load("bind \"a\n", &mut Collect::default()).unwrap_err();
    assert_eq!(err.reason, "Unbalanced quotes in configuration line");
    let err = load("notify-keyspace-events KEA\n", &mut Collect::default()).unwrap_err();
    assert!(
        err.reason
            .contains("keyspace notifications are not implemented yet"),
        "{err}"
    );
    load(
        "notify-keyspace-events \"\"\ntls-port 0\n",
        &mut Collect::default(),
    )
    .unwrap();
    let err = load("include /nonexistent/x.conf\n", &mut Collect::default()).unwrap_err();
    assert!(
        err.reason
            .starts_with("Fatal error, can't open config file '/nonexistent/x.conf'")
    );
}

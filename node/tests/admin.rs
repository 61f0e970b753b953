//! Server administration through real clients: CONFIG, INFO, maxmemory and eviction, OBJECT,
//! SLOWLOG, LATENCY, DEBUG, SHUTDOWN, TIME.

mod common;

use std::time::Duration;

use redis::Value;

/// Eviction tests measure the whole process's memory: they run alone (write lock) while the
/// other tests share the read lock.
static MEMORY: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

async fn run(
    con: &mut redis::aio::MultiplexedConnection,
    args: &[&str],
) -> redis::RedisResult<Value> {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query_async(con).await
}

async fn ok(con: &mut redis::aio::MultiplexedConnection, args: &[&str]) -> Value {
    run(con, args)
        .await
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

async fn err(con: &mut redis::aio::MultiplexedConnection, args: &[&str]) -> String {
    match run(con, args).await {
        Ok(v) => panic!("{args:?} should fail, got {v:?}"),
        Err(e) => {
            // The crate splits "CODE detail"; put the full line back together.
            let code = e.code().unwrap_or("");
            let detail = e.detail().unwrap_or("");
            format!("{code} {detail}")
        }
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        Value::SimpleString(s) => s.clone(),
        Value::VerbatimString { text, .. } => text.clone(),
        Value::Okay => "OK".into(),
        other => panic!("not text: {other:?}"),
    }
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        other => panic!("not an integer: {other:?}"),
    }
}

/// Name/value pairs of a CONFIG GET reply (flat array in RESP2, map in RESP3).
fn pairs(v: &Value) -> Vec<(String, String)> {
    match v {
        Value::Array(items) => items
            .chunks(2)
            .map(|p| (text(&p[0]), text(&p[1])))
            .collect(),
        Value::Map(items) => items.iter().map(|(k, v)| (text(k), text(v))).collect(),
        other => panic!("not a map: {other:?}"),
    }
}

fn field(info: &str, name: &str) -> Option<String> {
    info.split("\r\n")
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .map(str::to_string)
}

async fn info(con: &mut redis::aio::MultiplexedConnection, section: &str) -> String {
    text(&ok(con, &["INFO", section]).await)
}

#[tokio::test]
async fn config_get_and_set() {
    let _shared = MEMORY.read().await;
    let ts = common::start("maxmemory-samples 7").await;
    for resp3 in [false, true] {
        let mut con = ts.conn(resp3).await;
        let got = pairs(
            &ok(
                &mut con,
                &["CONFIG", "GET", "maxmemory-samples", "hz", "nosuch"],
            )
            .await,
        );
        assert_eq!(
            got,
            vec![
                ("maxmemory-samples".into(), "7".into()),
                ("hz".into(), "10".into())
            ]
        );
        // Patterns are case-insensitive globs; aliases are listed too.
        let got = pairs(&ok(&mut con, &["CONFIG", "GET", "HASH-MAX-*-ENTRIES"]).await);
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["hash-max-listpack-entries", "hash-max-ziplist-entries"]
        );
        // redis-benchmark's start-up queries: the node's real state (the test servers start
        // without save rules).
        assert_eq!(
            pairs(&ok(&mut con, &["CONFIG", "GET", "save"]).await),
            [("save".to_string(), String::new())]
        );
        assert_eq!(
            pairs(&ok(&mut con, &["CONFIG", "GET", "appendonly"]).await),
            [("appendonly".to_string(), "no".to_string())]
        );
        ok(&mut con, &["CONFIG", "SET", "save", "900 1 300 10"]).await;
        assert_eq!(
            pairs(&ok(&mut con, &["CONFIG", "GET", "save"]).await),
            [("save".to_string(), "900 1 300 10".to_string())]
        );
        ok(&mut con, &["CONFIG", "SET", "save", ""]).await;
        // Lazy freeing: user DEL and FLUSH follow their directives; the node offers no lazy
        // freeing of evicted, expired or overwritten values and says so.
        ok(
            &mut con,
            &["CONFIG", "SET", "lazyfree-lazy-user-del", "yes"],
        )
        .await;
        ok(
            &mut con,
            &["CONFIG", "SET", "lazyfree-lazy-user-flush", "yes"],
        )
        .await;
        ok(&mut con, &["SET", "lazy", "v"]).await;
        assert_eq!(ok(&mut con, &["DEL", "lazy"]).await, redis::Value::Int(1));
        ok(&mut con, &["FLUSHALL"]).await;
        // Lazy freeing of expired values only changes which thread frees them: the node frees
        // them inline and keeps the setting, as a directive without effect here.
        ok(&mut con, &["CONFIG", "SET", "lazyfree-lazy-expire", "yes"]).await;
        assert_eq!(
            pairs(&ok(&mut con, &["CONFIG", "GET", "lazyfree-lazy-expire"]).await),
            [("lazyfree-lazy-expire".to_string(), "yes".to_string())]
        );
        // Keyspace notifications are not implemented: only "" is taken.
        let refused = run(
            &mut con,
            &["CONFIG", "SET", "notify-keyspace-events", "KEA"],
        )
        .await;
        assert!(
            format!("{refused:?}").contains("keyspace notifications are not implemented yet"),
            "{refused:?}"
        );
        let all = pairs(&ok(&mut con, &["CONFIG", "GET", "*"]).await);
        assert!(
            all.iter()
                .any(|(n, v)| n == "maxmemory-policy" && v == "noeviction")
        );
        assert!(all.iter().any(|(n, v)| n == "client-output-buffer-limit"
            && v == "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"));
    }
    let mut con = ts.conn(false).await;
    assert_eq!(
        ok(
            &mut con,
            &[
                "CONFIG",
                "SET",
                "maxmemory",
                "10mb",
                "maxmemory-policy",
                "ALLKEYS-LRU"
            ]
        )
        .await,
        Value::Okay
    );
    let got = pairs(
        &ok(
            &mut con,
            &["CONFIG", "GET", "maxmemory", "maxmemory-policy"],
        )
        .await,
    );
    assert_eq!(got[0].1, "10485760");
    assert_eq!(got[1].1, "allkeys-lru");
    // Atomic: the bad second pair leaves the first unchanged.
    assert_eq!(
        err(
            &mut con,
            &["CONFIG", "SET", "maxmemory", "1mb", "hz", "abc"]
        )
        .await,
        "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"
    );
    assert_eq!(
        pairs(&ok(&mut con, &["CONFIG", "GET", "maxmemory"]).await)[0].1,
        "10485760"
    );
    assert_eq!(
        err(&mut con, &["CONFIG", "SET", "timeout", "1", "nosuch", "2"]).await,
        "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"
    );
    assert_eq!(
        err(&mut con, &["CONFIG", "SET", "maxmemory", "foo"]).await,
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"
    );
    assert_eq!(
        err(&mut con, &["CONFIG", "SET", "databases", "4"]).await,
        "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"
    );
    assert_eq!(
        err(
            &mut con,
            &["CONFIG", "SET", "maxmemory", "1", "maxmemory", "2"]
        )
        .await,
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter"
    );
    assert_eq!(
        err(&mut con, &["CONFIG", "SET", "maxmemory", "1", "hz"]).await,
        "ERR syntax error"
    );
    assert_eq!(
        err(
            &mut con,
            &["CONFIG", "SET", "slowlog-log-slower-than", "-5"]
        )
        .await,
        "ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument must be between -1 and 9223372036854775807 inclusive"
    );
    assert_eq!(
        err(&mut con, &["CONFIG", "SET", "loglevel", "loud"]).await,
        "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"
    );
    assert_eq!(
        err(&mut con, &["CONFIG", "SET", "activerehashing", "maybe"]).await,
        "ERR CONFIG SET failed (possibly related to argument 'activerehashing') - argument must be 'yes' or 'no'"
    );
    // hz is clamped; multi-argument directives take one space-separated value.
    ok(
        &mut con,
        &[
            "CONFIG",
            "SET",
            "hz",
            "1000",
            "client-output-buffer-limit",
            "pubsub 1mb 2mb 3",
        ],
    )
    .await;
    let got = pairs(
        &ok(
            &mut con,
            &["CONFIG", "GET", "hz", "client-output-buffer-limit"],
        )
        .await,
    );
    assert_eq!(got[0].1, "500");
    assert!(
        got[1].1.ends_with("pubsub 1048576 2097152 3"),
        "{}",
        got[1].1
    );
    assert_eq!(ts.server.store.lock().config.maxmemory, 10 << 20);
    ok(&mut con, &["CONFIG", "SET", "maxmemory", "0"]).await;

    let help = ok(&mut con, &["CONFIG", "HELP"]).await;
    let Value::Array(lines) = help else { panic!() };
    assert_eq!(
        text(&lines[0]),
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    );
    assert_eq!(text(lines.last().unwrap()), "    Prints this help.");
}

#[tokio::test]
async fn config_get_raw_shapes() {
    let _shared = MEMORY.read().await;
    let ts = common::start("").await;
    let resp2 = ts
        .raw(
            b"*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$9\r\nmaxmemory\r\n",
            30,
        )
        .await;
    assert_eq!(resp2, b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
    let hello = b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n";
    let get = b"*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$9\r\nmaxmemory\r\n";
    let expected = b"%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n";
    let mut input = hello.to_vec();
    input.extend_from_slice(get);
    let out = ts.raw_until(&input, expected).await;
    assert!(out.ends_with(expected), "{}", String::from_utf8_lossy(&out));
}

#[tokio::test]
async fn config_rewrite_keeps_the_file() {
    let _shared = MEMORY.read().await;
    let ts = common::start("").await;
    let mut con = ts.conn(false).await;
    assert_eq!(
        err(&mut con, &["CONFIG", "REWRITE"]).await,
        "ERR The server is running without a config file"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node.conf");
    std::fs::write(
        &path,
        "# Node settings\nport 7000\n\n# memory\nmaxmemory 1mb\nmaxmemory-policy noeviction\n",
    )
    .unwrap();
    {
        let mut store = ts.server.store.lock();
        store.config.port = 7000;
        store.config.maxmemory = 1 << 20;
        store.config.config_file = Some(path.clone());
    }
    ok(
        &mut con,
        &[
            "CONFIG",
            "SET",
            "maxmemory",
            "2mb",
            "maxmemory-policy",
            "allkeys-lru",
            "timeout",
            "30",
        ],
    )
    .await;
    ok(&mut con, &["CONFIG", "SET", "maxmemory", "0"]).await;
    ok(&mut con, &["CONFIG", "SET", "maxmemory", "3mb"]).await;
    assert_eq!(ok(&mut con, &["CONFIG", "REWRITE"]).await, Value::Okay);
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        written,
        format!(
            "# Node settings\nport 7000\n\n# memory\nmaxmemory 3mb\nmaxmemory-policy allkeys-lru\n# Generated by CONFIG REWRITE\ntimeout 30\ndir \"{}\"\nsave \"\"\nlatency-tracking-info-percentiles 50 99 99.9\n",
            ts.dir.path().display()
        )
    );
    // The rewritten file loads back to the same settings.
    let reloaded = node::Config::from_file_and_args(Some(&path), &[]).unwrap();
    assert_eq!(reloaded.maxmemory, 3 << 20);
    assert_eq!(reloaded.timeout, 30);
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn info_sections() {
    let _shared = MEMORY.read().await;
    let ts = common::start("").await;
    let mut con = ts.conn(false).await;
    let all = info(&mut con, "everything").await;
    let headers: Vec<&str> = all.split("\r\n").filter(|l| l.starts_with('#')).collect();
    assert_eq!(
        headers,
        [
            "# Server",
            "# Clients",
            "# Memory",
            "# Persistence",
            "# Stats",
            "# Replication",
            "# CPU",
            "# Modules",
            "# Commandstats",
            "# Errorstats",
            "# Cluster",
            "# Keyspace"
        ]
    );
    assert_eq!(field(&all, "redis_version").as_deref(), Some("7.0.15"));
    assert_eq!(field(&all, "role").as_deref(), Some("master"));
    assert_eq!(field(&all, "connected_slaves").as_deref(), Some("0"));
    assert_eq!(field(&all, "tcp_port"), Some(ts.addr.port().to_string()));
    assert_eq!(
        field(&all, "process_id"),
        Some(std::process::id().to_string())
    );
    let replid = field(&all, "master_replid").unwrap();
    assert_eq!(replid.len(), 40);
    assert!(replid.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(field(&all, "master_replid2"), Some("0".repeat(40)));
    assert_eq!(field(&all, "second_repl_offset").as_deref(), Some("-1"));
    assert_eq!(field(&all, "run_id").map(|r| r.len()), Some(40));
    assert_eq!(field(&all, "loading").as_deref(), Some("0"));
    assert_eq!(
        field(&all, "maxmemory_policy").as_deref(),
        Some("noeviction")
    );
    assert_eq!(field(&all, "cluster_enabled").as_deref(), Some("0"));
    let used: u64 = field(&all, "used_memory").unwrap().parse().unwrap();
    assert!(used > 0);
    let rss: u64 = field(&all, "used_memory_rss").unwrap().parse().unwrap();
    assert!(rss > 0);
    assert!(
        field(&all, "used_memory_human")
            .unwrap()
            .ends_with(['B', 'K', 'M', 'G'])
    );
    assert!(
        field(&all, "mem_allocator")
            .unwrap()
            .starts_with("jemalloc-")
    );
    assert!(field(&all, "used_cpu_user").unwrap().contains('.'));
    // No empty database is listed.
    assert!(!all.contains("db0:"));
    assert!(all.ends_with("# Keyspace\r\n"));

    ok(&mut con, &["SET", "k", "v"]).await;
    ok(&mut con, &["GET", "k"]).await;
    ok(&mut con, &["GET", "missing"]).await;
    let _ = run(&mut con, &["NOSUCHCOMMAND"]).await;
    let keyspace = info(&mut con, "keyspace").await;
    assert_eq!(keyspace, "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n");
    let two = info(&mut con, "STATS").await;
    assert!(two.starts_with("# Stats\r\n"));
    assert_eq!(field(&two, "keyspace_hits").as_deref(), Some("1"));
    assert_eq!(field(&two, "keyspace_misses").as_deref(), Some("1"));
    let stats = text(&ok(&mut con, &["INFO", "commandstats", "errorstats"]).await);
    assert!(stats.contains("cmdstat_set:calls=1,usec="), "{stats}");
    assert!(stats.contains(",rejected_calls=0,failed_calls=0\r\n"));
    assert!(stats.contains("errorstat_ERR:count=1\r\n"), "{stats}");
    assert_eq!(text(&ok(&mut con, &["INFO", "nosuch"]).await), "");
    // Default sections leave out commandstats.
    let default = text(&ok(&mut con, &["INFO"]).await);
    assert!(default.contains("# Errorstats") && !default.contains("# Commandstats"));

    ok(&mut con, &["CONFIG", "RESETSTAT"]).await;
    let stats = info(&mut con, "commandstats").await;
    assert!(!stats.contains("cmdstat_set"), "{stats}");
    assert!(
        stats.contains("cmdstat_config|resetstat:calls=1"),
        "{stats}"
    );

    // RESP3: verbatim text.
    let mut con3 = ts.conn(true).await;
    match ok(&mut con3, &["INFO", "server"]).await {
        Value::VerbatimString { text, .. } => assert!(text.starts_with("# Server\r\n")),
        other => panic!("{other:?}"),
    }
    let raw = ts
        .raw_until(
            b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n*2\r\n$4\r\nINFO\r\n$7\r\ncluster\r\n",
            b"cluster_enabled:0\r\n\r\n",
        )
        .await;
    assert!(
        raw.ends_with(b"=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
}

async fn used_memory(con: &mut redis::aio::MultiplexedConnection) -> u64 {
    field(&info(con, "memory").await, "used_memory")
        .unwrap()
        .parse()
        .unwrap()
}

const VALUE_SIZE: usize = 2048;

/// Fill with `count` keys of 2 KB, `with_ttl` giving them an expiry, ignoring OOM errors.
async fn fill(
    ts: &common::TestServer,
    con: &mut redis::aio::MultiplexedConnection,
    prefix: &str,
    count: usize,
    with_ttl: bool,
) -> usize {
    let value = "x".repeat(VALUE_SIZE);
    let mut oom = 0;
    for i in 0..count {
        let key = format!("{prefix}:{i}");
        match run(con, &["SET", &key, &value]).await {
            Ok(_) => {
                if with_ttl {
                    let far = node::server::unix_ms() + 3_600_000 + i as u64;
                    ts.server.store.lock().dbs[0].set_expire(key.as_bytes(), Some(far));
                }
            }
            Err(e) => {
                assert_eq!(e.code(), Some("OOM"), "{e}");
                oom += 1;
            }
        }
    }
    oom
}

#[tokio::test]
async fn eviction_allkeys_policies_stay_bounded() {
    let _alone = MEMORY.write().await;
    for policy in ["allkeys-lru", "allkeys-lfu", "allkeys-random"] {
        let ts = common::start(&format!("maxmemory-policy {policy}")).await;
        let mut con = ts.conn(false).await;
        // The budget leaves room for what the keys cost besides themselves (tables that do
        // not shrink at once), which a busy machine lets grow further before the cron runs.
        let limit = used_memory(&mut con).await + (4 << 20);
        ok(
            &mut con,
            &["CONFIG", "SET", "maxmemory", &limit.to_string()],
        )
        .await;
        // 8 MB of data into a 4 MB budget.
        let oom = fill(&ts, &mut con, "k", 4000, false).await;
        assert_eq!(oom, 0, "{policy}");
        let used = used_memory(&mut con).await;
        assert!(
            used <= limit + (1 << 20),
            "{policy}: used {used} limit {limit}"
        );
        let stats = info(&mut con, "stats").await;
        let evicted: u64 = field(&stats, "evicted_keys").unwrap().parse().unwrap();
        let keys = ts.server.store.lock().dbs[0].len() as u64;
        assert!(
            evicted > 0 && keys < 4000,
            "{policy}: {evicted} evicted, {keys} left"
        );
        assert_eq!(keys + evicted, 4000, "{policy}");
        // Reads still work once full.
        assert_eq!(
            ok(&mut con, &["GET", "k:3999"]).await,
            Value::BulkString("x".repeat(VALUE_SIZE).into_bytes())
        );
    }
}

#[tokio::test]
async fn eviction_volatile_policies_only_take_keys_with_ttl() {
    let _alone = MEMORY.write().await;
    for policy in [
        "volatile-lru",
        "volatile-lfu",
        "volatile-random",
        "volatile-ttl",
    ] {
        let ts = common::start(&format!("maxmemory-policy {policy}")).await;
        let mut con = ts.conn(false).await;
        // 1 MB of keys without expiry, then a budget 3 MB above that (for 4 MB of keys
        // with one, and room for what they cost besides themselves).
        assert_eq!(fill(&ts, &mut con, "keep", 500, false).await, 0);
        let limit = used_memory(&mut con).await + (3 << 20);
        ok(
            &mut con,
            &["CONFIG", "SET", "maxmemory", &limit.to_string()],
        )
        .await;
        let oom = fill(&ts, &mut con, "ttl", 2000, true).await;
        assert_eq!(oom, 0, "{policy}");
        let (persistent, volatile) = {
            let store = ts.server.store.lock();
            let db = &store.dbs[0];
            (db.len() - db.expires_len(), db.expires_len())
        };
        assert_eq!(persistent, 500, "{policy}: keys without TTL must stay");
        assert!(volatile < 2000, "{policy}");
        let used = used_memory(&mut con).await;
        assert!(
            used <= limit + (1 << 20),
            "{policy}: used {used} limit {limit}"
        );
        if policy == "volatile-ttl" {
            // The keys expiring soonest went first: victims are chosen from samples (as
            // Redis does), so the evicted keys lean towards the low indices rather than
            // being exactly the first ones.
            let store = ts.server.store.lock();
            let (mut gone, mut kept) = (Vec::new(), Vec::new());
            for i in 0..2000u64 {
                let key = format!("ttl:{i}");
                if store.dbs[0].peek_any(key.as_bytes()).is_none() {
                    gone.push(i);
                } else {
                    kept.push(i);
                }
            }
            let mean = |v: &[u64]| v.iter().sum::<u64>() as f64 / v.len().max(1) as f64;
            assert!(!gone.is_empty() && !kept.is_empty(), "{policy}");
            assert!(
                mean(&gone) < mean(&kept),
                "{policy}: evicted keys' mean index {} not below the kept ones' {}",
                mean(&gone),
                mean(&kept)
            );
            assert!(store.dbs[0].peek_any(b"ttl:1999").is_some());
        }
        // Nothing evictable left: writes get OOM, reads work.
        ok(&mut con, &["CONFIG", "SET", "maxmemory", "1"]).await;
        let e = run(&mut con, &["SET", "one", "more"]).await.unwrap_err();
        assert_eq!(e.code(), Some("OOM"));
        assert_eq!(ts.server.store.lock().dbs[0].expires_len(), 0);
        assert!(matches!(
            ok(&mut con, &["GET", "keep:1"]).await,
            Value::BulkString(_)
        ));
    }
}

#[tokio::test]
async fn noeviction_refuses_writes() {
    let _alone = MEMORY.write().await;
    let ts = common::start("").await;
    let mut con = ts.conn(false).await;
    ok(&mut con, &["SET", "k", "v"]).await;
    ok(&mut con, &["CONFIG", "SET", "maxmemory", "1"]).await;
    assert_eq!(
        err(&mut con, &["SET", "k2", "v"]).await,
        "OOM command not allowed when used memory > 'maxmemory'."
    );
    assert_eq!(
        ok(&mut con, &["GET", "k"]).await,
        Value::BulkString(b"v".to_vec())
    );
    // Inside MULTI every command is refused at queue time, which dooms EXEC.
    let raw = ts
        .raw_until(
            b"*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nEXEC\r\n",
            b"previous errors.\r\n",
        )
        .await;
    assert_eq!(
        String::from_utf8_lossy(&raw),
        "+OK\r\n-OOM command not allowed when used memory > 'maxmemory'.\r\n-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    let stats = info(&mut con, "commandstats").await;
    assert!(
        stats.contains("cmdstat_set:calls=1,") && stats.contains("rejected_calls=1,"),
        "{stats}"
    );
    ok(&mut con, &["CONFIG", "SET", "maxmemory", "0"]).await;
    ok(&mut con, &["SET", "k2", "v"]).await;
}

#[tokio::test]
async fn object_subcommands() {
    let _shared = MEMORY.read().await;
    let ts = common::start("").await;
    for resp3 in [false, true] {
        let mut con = ts.conn(resp3).await;
        ok(&mut con, &["SET", "s", "hello"]).await;
        ok(&mut con, &["SET", "n", "123"]).await;
        ok(&mut con, &["SET", "big", &"x".repeat(50)]).await;
        assert_eq!(
            text(&ok(&mut con, &["OBJECT", "ENCODING", "s"]).await),
            "embstr"
        );
        assert_eq!(
            text(&ok(&mut con, &["OBJECT", "encoding", "n"]).await),
            "int"
        );
        assert_eq!(
            text(&ok(&mut con, &["OBJECT", "ENCODING", "big"]).await),
            "raw"
        );
        assert_eq!(
            ok(&mut con, &["OBJECT", "ENCODING", "nokey"]).await,
            Value::Nil
        );
        assert_eq!(
            int(&ok(&mut con, &["OBJECT", "REFCOUNT", "n"]).await),
            2147483647
        );
        assert_eq!(int(&ok(&mut con, &["OBJECT", "REFCOUNT", "s"]).await), 1);
        assert_eq!(int(&ok(&mut con, &["OBJECT", "IDLETIME", "s"]).await), 0);
        assert_eq!(
            err(&mut con, &["OBJECT", "FREQ", "s"]).await,
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
        );
        assert_eq!(ok(&mut con, &["OBJECT", "FREQ", "nokey"]).await, Value::Nil);
        assert_eq!(
            err(&mut con, &["OBJECT", "ENCODING"]).await,
            "ERR wrong number of arguments for 'object|encoding' command"
        );
        assert_eq!(
            err(&mut con, &["OBJECT", "foo", "bar"]).await,
            "ERR unknown subcommand 'foo'. Try OBJECT HELP."
        );
        let Value::Array(help) = ok(&mut con, &["OBJECT", "HELP"]).await else {
            panic!()
        };
        assert_eq!(text(&help[1]), "ENCODING <key>");
    }
    let mut con = ts.conn(false).await;
    ok(
        &mut con,
        &[
            "CONFIG",
            "SET",
            "maxmemory-policy",
            "allkeys-lfu",
            "lfu-log-factor",
            "0",
        ],
    )
    .await;
    ok(&mut con, &["SET", "hot", "v"]).await;
    assert_eq!(int(&ok(&mut con, &["OBJECT", "FREQ", "hot"]).await), 5);
    for _ in 0..3 {
        ok(&mut con, &["GET", "hot"]).await;
    }
    assert_eq!(int(&ok(&mut con, &["OBJECT", "FREQ", "hot"]).await), 8);
    assert_eq!(
        err(&mut con, &["OBJECT", "IDLETIME", "hot"]).await,
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
    );
}

#[tokio::test]
async fn slowlog_records_commands() {
    let _shared = MEMORY.read().await;
    let ts = common::start("slowlog-log-slower-than 0\nslowlog-max-len 3").await;
    let mut con = ts.conn(false).await;
    ok(&mut con, &["HELLO", "2", "SETNAME", "tester"]).await;
    ok(&mut con, &["SLOWLOG", "RESET"]).await;
    let long = "v".repeat(200);
    ok(&mut con, &["SET", "k", &long]).await;
    let Value::Array(entries) = ok(&mut con, &["SLOWLOG", "GET", "1"]).await else {
        panic!()
    };
    assert_eq!(entries.len(), 1);
    let Value::Array(entry) = &entries[0] else {
        panic!()
    };
    assert_eq!(entry.len(), 6);
    let id = int(&entry[0]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((int(&entry[1]) - now).abs() <= 2);
    assert!(int(&entry[2]) >= 0);
    let Value::Array(args) = &entry[3] else {
        panic!()
    };
    let args: Vec<String> = args.iter().map(text).collect();
    assert_eq!(args[..2], ["SET".to_string(), "k".to_string()]);
    assert_eq!(args[2], format!("{}... (72 more bytes)", "v".repeat(128)));
    let peer = text(&entry[4]);
    assert!(peer.starts_with("127.0.0.1:"), "{peer}");
    assert_eq!(text(&entry[5]), "tester");

    // Many arguments are summarised in the last slot.
    let mut many = vec!["CONFIG", "GET"];
    many.extend(std::iter::repeat_n("nosuch", 40));
    ok(&mut con, &many).await;
    let Value::Array(entries) = ok(&mut con, &["SLOWLOG", "GET"]).await else {
        panic!()
    };
    // Trimmed to slowlog-max-len, newest first: CONFIG GET, SLOWLOG GET 1, SET (a command
    // is logged once it has run, so this SLOWLOG GET is not there yet).
    assert_eq!(entries.len(), 3);
    let Value::Array(entry) = &entries[0] else {
        panic!()
    };
    let Value::Array(args) = &entry[3] else {
        panic!()
    };
    assert_eq!(args.len(), 32);
    assert_eq!(text(&args[31]), "... (11 more arguments)");
    assert!(int(&entry[0]) > id);
    // Secrets are not logged.
    ok(&mut con, &["CONFIG", "SET", "requirepass", "", "hz", "10"]).await;
    let Value::Array(entries) = ok(&mut con, &["SLOWLOG", "GET", "1"]).await else {
        panic!()
    };
    let Value::Array(entry) = &entries[0] else {
        panic!()
    };
    let Value::Array(args) = &entry[3] else {
        panic!()
    };
    assert_eq!(text(&args[3]), "(redacted)");
    assert_eq!(text(&args[5]), "10");

    assert_eq!(int(&ok(&mut con, &["SLOWLOG", "LEN"]).await), 3);
    assert_eq!(
        err(&mut con, &["SLOWLOG", "GET", "-2"]).await,
        "ERR count should be greater than or equal to -1"
    );
    assert_eq!(
        err(&mut con, &["SLOWLOG", "GET", "x"]).await,
        "ERR count should be greater than or equal to -1"
    );
    let Value::Array(all) = ok(&mut con, &["SLOWLOG", "GET", "-1"]).await else {
        panic!()
    };
    assert_eq!(all.len(), 3);
    ok(
        &mut con,
        &["CONFIG", "SET", "slowlog-log-slower-than", "-1"],
    )
    .await;
    ok(&mut con, &["SLOWLOG", "RESET"]).await;
    assert_eq!(int(&ok(&mut con, &["SLOWLOG", "LEN"]).await), 0);
    let mut con3 = ts.conn(true).await;
    let Value::Array(help) = ok(&mut con3, &["SLOWLOG", "HELP"]).await else {
        panic!()
    };
    assert_eq!(text(&help[1]), "GET [<count>]");
}

#[tokio::test]
async fn debug_latency_and_time() {
    let _shared = MEMORY.read().await;
    let closed = common::start("").await;
    let mut con = closed.conn(false).await;
    assert_eq!(
        err(&mut con, &["DEBUG", "SLEEP", "0"]).await,
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
    );

    let ts = common::start("enable-debug-command local\nlatency-monitor-threshold 10").await;
    for resp3 in [false, true] {
        let mut con = ts.conn(resp3).await;
        assert_eq!(ok(&mut con, &["DEBUG", "SLEEP", "0"]).await, Value::Okay);
        ok(&mut con, &["SET", "foo", "bar"]).await;
        let line = text(&ok(&mut con, &["DEBUG", "OBJECT", "foo"]).await);
        assert!(line.starts_with("Value at:0x"), "{line}");
        assert!(
            line.contains(" refcount:1 encoding:embstr serializedlength:4 lru:"),
            "{line}"
        );
        assert!(line.ends_with(" lru_seconds_idle:0"), "{line}");
        assert_eq!(
            err(&mut con, &["DEBUG", "OBJECT", "nokey"]).await,
            "ERR no such key"
        );
        assert_eq!(
            err(&mut con, &["DEBUG", "NOSUCH"]).await,
            "ERR unknown subcommand or wrong number of arguments for 'NOSUCH'. Try DEBUG HELP."
        );
        assert_eq!(
            err(&mut con, &["DEBUG"]).await,
            "ERR wrong number of arguments for 'debug' command"
        );
    }
    let mut con = ts.conn(false).await;
    ok(&mut con, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]).await;
    assert!(!ts.server.store.lock().active_expire.enabled);
    ok(&mut con, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]).await;
    assert!(ts.server.store.lock().active_expire.enabled);

    // DEBUG SLEEP freezes the whole server: another client waits.
    let mut other = ts.conn(false).await;
    let started = std::time::Instant::now();
    let sleeper = tokio::spawn(async move { ok(&mut con, &["DEBUG", "SLEEP", "0.2"]).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    ok(&mut other, &["PING"]).await;
    assert!(started.elapsed() >= Duration::from_millis(190));
    sleeper.await.unwrap();
    let Value::Array(latest) = ok(&mut other, &["LATENCY", "LATEST"]).await else {
        panic!()
    };
    assert_eq!(latest.len(), 1);
    let Value::Array(event) = &latest[0] else {
        panic!()
    };
    assert_eq!(text(&event[0]), "command");
    assert!(int(&event[2]) >= 190 && int(&event[3]) >= int(&event[2]));
    assert_eq!(
        int(&ok(&mut other, &["LATENCY", "RESET", "nosuch"]).await),
        0
    );
    assert_eq!(int(&ok(&mut other, &["LATENCY", "RESET"]).await), 1);
    assert_eq!(
        ok(&mut other, &["LATENCY", "LATEST"]).await,
        Value::Array(vec![])
    );

    let Value::Array(time) = ok(&mut other, &["TIME"]).await else {
        panic!()
    };
    let secs: u64 = text(&time[0]).parse().unwrap();
    let micros: u64 = text(&time[1]).parse().unwrap();
    assert!(secs.abs_diff(node::server::unix_ms() / 1000) <= 2);
    assert!(micros < 1_000_000);
}

#[tokio::test]
async fn shutdown_variants() {
    let _shared = MEMORY.read().await;
    let ts = common::start("").await;
    let mut con = ts.conn(false).await;
    assert_eq!(
        err(&mut con, &["SHUTDOWN", "ABORT"]).await,
        "ERR No shutdown in progress."
    );
    assert_eq!(
        err(&mut con, &["SHUTDOWN", "NOSAVE", "SAVE"]).await,
        "ERR syntax error"
    );
    assert_eq!(
        err(&mut con, &["SHUTDOWN", "ABORT", "NOW"]).await,
        "ERR syntax error"
    );
    assert_eq!(
        err(&mut con, &["SHUTDOWN", "bogus"]).await,
        "ERR syntax error"
    );
    // A save that fails (its directory is gone) keeps the server up, with Redis's answer.
    let doomed = tempfile::tempdir().unwrap();
    ok(
        &mut con,
        &["CONFIG", "SET", "dir", doomed.path().to_str().unwrap()],
    )
    .await;
    drop(doomed);
    assert_eq!(
        err(&mut con, &["SHUTDOWN", "SAVE"]).await,
        "ERR Errors trying to SHUTDOWN. Check logs."
    );
    assert!(!ts.server.shutdown.is_cancelled());
    // The client sees the connection close without a reply, as with Redis.
    let out = ts.raw(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n", 1).await;
    assert!(out.is_empty(), "{}", String::from_utf8_lossy(&out));
    assert!(ts.server.shutdown.is_cancelled());
}

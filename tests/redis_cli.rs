//! The real `redis-cli` against the real `switchyard node` binary: a representative script per
//! command family with Redis 7.0's exact output, pub/sub, MULTI/EXEC from stdin, and `--pipe`
//! mass insertion.

mod support;

use std::fmt::Write as _;
use std::time::Duration;

use support::{Cli, LineReader, Server, check_script};

fn start() -> Option<(Server, Cli)> {
    let server = Server::under_test();
    let cli = Cli::new(server.port)?;
    Some((server, cli))
}

#[test]
fn strings() {
    let Some((_server, cli)) = start() else {
        return;
    };
    check_script(
        &cli,
        "strings",
        &[
            ("SET s hello", "OK"),
            ("GET s", "hello"),
            ("APPEND s \" world\"", "11"),
            ("STRLEN s", "11"),
            ("GETRANGE s 0 4", "hello"),
            ("GETRANGE s -5 -1", "world"),
            ("SETRANGE s 6 there", "11"),
            ("GET s", "hello there"),
            ("SETRANGE pad 3 x", "4"),
            ("GET pad", "\u{0}\u{0}\u{0}x"),
            ("OBJECT ENCODING s", "raw"),
            ("SET n 10", "OK"),
            ("OBJECT ENCODING n", "int"),
            ("INCR n", "11"),
            ("INCRBY n 5", "16"),
            ("DECR n", "15"),
            ("DECRBY n 20", "-5"),
            ("INCRBYFLOAT n 1.5", "-3.5"),
            ("INCRBYFLOAT n 0.1", "-3.4"),
            ("INCRBYFLOAT n 3.4", "0"),
            ("SET f 3.0e3", "OK"),
            ("INCRBYFLOAT f 1", "3001"),
            ("INCR s", "ERR value is not an integer or out of range"),
            ("SET max 9223372036854775807", "OK"),
            ("INCR max", "ERR increment or decrement would overflow"),
            ("INCRBYFLOAT s 1", "ERR value is not a valid float"),
            ("MSET a 1 b 2 c 3", "OK"),
            ("MGET a b nokey c", "1\n2\n\n3"),
            ("MSET a", "ERR wrong number of arguments for 'mset' command"),
            ("SETNX a x", "0"),
            ("SETNX fresh x", "1"),
            ("MSETNX a 1 d 4", "0"),
            ("GET d", ""),
            ("GETSET a 100", "1"),
            ("GETDEL a", "100"),
            ("GET a", ""),
            ("SET e v EX 100", "OK"),
            ("TTL e", "100"),
            ("SET e v2 KEEPTTL GET", "v"),
            ("TTL e", "100"),
            ("GETEX e PERSIST", "v2"),
            ("TTL e", "-1"),
            ("SET e y NX", ""),
            ("SET e y XX GET", "v2"),
            ("SET e y EX 0", "ERR invalid expire time in 'set' command"),
            ("SET e y NX XX", "ERR syntax error"),
            ("SETEX sx 10 v", "OK"),
            ("TTL sx", "10"),
            ("PSETEX px 100000 v", "OK"),
            ("TTL px", "100"),
            ("SET k1 ohmytext", "OK"),
            ("SET k2 mynewtext", "OK"),
            ("LCS k1 k2", "mytext"),
            ("LCS k1 k2 LEN", "6"),
            ("SUBSTR k1 0 1", "oh"),
            ("SETBIT bits 7 1", "0"),
            ("GETBIT bits 7", "1"),
            ("GET bits", "\u{1}"),
            ("BITCOUNT k1", "35"),
            ("BITPOS bits 1", "7"),
            ("BITOP NOT inv bits", "1"),
            (
                "BITFIELD bf SET u8 0 255 GET u8 0 INCRBY u8 0 10",
                "0\n255\n9",
            ),
        ],
    );
}

#[test]
fn lists() {
    let Some((_server, cli)) = start() else {
        return;
    };
    check_script(
        &cli,
        "lists",
        &[
            ("RPUSH l a b c", "3"),
            ("LPUSH l z", "4"),
            ("LRANGE l 0 -1", "z\na\nb\nc"),
            ("LLEN l", "4"),
            ("LINDEX l 1", "a"),
            ("LINDEX l 99", ""),
            ("LSET l 1 A", "OK"),
            ("LSET l 99 A", "ERR index out of range"),
            ("LINSERT l BEFORE b x", "5"),
            ("LINSERT l AFTER nope y", "-1"),
            ("LPOS l b", "3"),
            ("LREM l 1 x", "1"),
            ("LPOP l", "z"),
            ("RPOP l 2", "c\nb"),
            ("LRANGE l 0 -1", "A"),
            ("RPUSH l b c d e", "5"),
            ("LTRIM l 1 -2", "OK"),
            ("LRANGE l 0 -1", "b\nc\nd"),
            ("RPOPLPUSH l l2", "d"),
            ("LMOVE l l2 LEFT RIGHT", "b"),
            ("LRANGE l2 0 -1", "d\nb"),
            ("LPUSHX nolist a", "0"),
            ("RPUSHX l2 z", "3"),
            ("LMPOP 2 nolist l2 LEFT COUNT 2", "l2\nd\nb"),
            ("OBJECT ENCODING l2", "quicklist"),
            ("BLPOP l2 0.1", "l2\nz"),
            ("EXISTS l2", "0"),
            ("BLPOP l2 0.1", ""),
            ("BRPOP nolist l 0.1", "l\nc"),
            ("BLMOVE nolist l LEFT LEFT 0.05", ""),
            ("BLPOP l -1", "ERR timeout is negative"),
            ("SET str x", "OK"),
            (
                "LPUSH str a",
                "WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
        ],
    );
}

#[test]
fn hashes() {
    let Some((_server, cli)) = start() else {
        return;
    };
    check_script(
        &cli,
        "hashes",
        &[
            ("HSET h f1 v1 f2 v2", "2"),
            ("HSET h f1 v1b", "0"),
            ("HGET h f1", "v1b"),
            ("HGET h nofield", ""),
            ("HMGET h f1 nofield f2", "v1b\n\nv2"),
            ("HMSET h f3 v3", "OK"),
            ("HSETNX h f3 x", "0"),
            ("HINCRBY h n 5", "5"),
            ("HINCRBY h f1 1", "ERR hash value is not an integer"),
            ("HINCRBYFLOAT h fl 2.5", "2.5"),
            ("HEXISTS h f2", "1"),
            ("HSTRLEN h f3", "2"),
            ("HLEN h", "5"),
            ("HDEL h f2 nofield", "1"),
            ("~ HKEYS h", "f1\nf3\nn\nfl"),
            ("~ HVALS h", "v1b\nv3\n5\n2.5"),
            ("~ HGETALL h", "f1\nv1b\nf3\nv3\nn\n5\nfl\n2.5"),
            ("OBJECT ENCODING h", "listpack"),
            (
                "HSET h f",
                "ERR wrong number of arguments for 'hset' command",
            ),
            ("HRANDFIELD nohash", ""),
            ("HRANDFIELD h 0", ""),
            ("HDEL h f1 f3 n fl", "4"),
            ("EXISTS h", "0"),
        ],
    );
}

#[test]
fn sets() {
    let Some((_server, cli)) = start() else {
        return;
    };
    check_script(
        &cli,
        "sets",
        &[
            ("SADD s a b c", "3"),
            ("SADD s a", "0"),
            ("SISMEMBER s a", "1"),
            ("SMISMEMBER s a x", "1\n0"),
            ("SCARD s", "3"),
            ("~ SMEMBERS s", "a\nb\nc"),
            ("OBJECT ENCODING s", "hashtable"),
            ("SADD ints 3 1 2", "3"),
            ("SMEMBERS ints", "1\n2\n3"),
            ("OBJECT ENCODING ints", "intset"),
            ("SADD t b c d", "3"),
            ("~ SINTER s t", "b\nc"),
            ("~ SUNION s t", "a\nb\nc\nd"),
            ("SDIFF s t", "a"),
            ("SINTERCARD 2 s t", "2"),
            ("SINTERSTORE dst s t", "2"),
            ("SUNIONSTORE dst s t", "4"),
            ("SDIFFSTORE dst s t", "1"),
            ("SMOVE s t a", "1"),
            ("SREM s b nothere", "1"),
            ("SPOP s", "c"),
            ("EXISTS s", "0"),
            ("SRANDMEMBER nokey", ""),
            ("SPOP ints 5", "1\n2\n3"),
            (
                "SADD str",
                "ERR wrong number of arguments for 'sadd' command",
            ),
        ],
    );
}

#[test]
fn sorted_sets() {
    let Some((_server, cli)) = start() else {
        return;
    };
    check_script(
        &cli,
        "sorted sets",
        &[
            ("ZADD z 1 a 2 b 3 c", "3"),
            ("ZSCORE z b", "2"),
            ("ZINCRBY z 1.5 a", "2.5"),
            ("ZRANGE z 0 -1 WITHSCORES", "b\n2\na\n2.5\nc\n3"),
            ("ZRANGE z 0 -1 REV", "c\na\nb"),
            ("ZRANGEBYSCORE z (2 +inf", "a\nc"),
            ("ZRANGE z (2 3 BYSCORE LIMIT 1 1", "c"),
            ("ZREVRANGEBYSCORE z 3 0 LIMIT 0 2", "c\na"),
            ("ZRANK z c", "2"),
            ("ZREVRANK z c", "0"),
            ("ZCOUNT z 2 2.5", "2"),
            ("ZCARD z", "3"),
            ("ZMSCORE z a nothere", "2.5\n"),
            ("ZADD z XX CH 10 a 5 d", "1"),
            ("ZADD z INCR 1 a", "11"),
            (
                "ZADD z NX GT 1 a",
                "ERR GT, LT, and/or NX options at the same time are not compatible",
            ),
            ("ZADD z 1 a x", "ERR syntax error"),
            ("ZADD z nan a", "ERR value is not a valid float"),
            ("ZREM z a nothere", "1"),
            ("ZPOPMIN z", "b\n2"),
            ("ZPOPMAX z 5", "c\n3"),
            ("EXISTS z", "0"),
            ("ZADD lex 0 a 0 b 0 c 0 d", "4"),
            ("ZRANGEBYLEX lex [b (d", "b\nc"),
            ("ZLEXCOUNT lex - +", "4"),
            ("ZREMRANGEBYLEX lex - [a", "1"),
            ("ZADD w 1 b 2 x", "2"),
            ("ZUNIONSTORE u 2 lex w WEIGHTS 1 10", "4"),
            ("ZRANGE u 0 -1 WITHSCORES", "c\n0\nd\n0\nb\n10\nx\n20"),
            ("ZINTER 2 lex w WITHSCORES", "b\n1"),
            ("ZDIFF 2 lex w", "c\nd"),
            ("ZRANGESTORE r u 1 2", "2"),
            ("ZRANGE r 0 -1", "d\nb"),
            ("OBJECT ENCODING u", "listpack"),
            ("ZADD inf +inf top -inf bottom", "2"),
            ("ZRANGE inf 0 -1 WITHSCORES", "bottom\n-inf\ntop\ninf"),
            ("BZPOPMIN nozset 0.05", ""),
            ("BZPOPMAX inf 0.05", "inf\ntop\ninf"),
            ("ZRANDMEMBER nozset", ""),
        ],
    );
}

#[test]
fn keys_and_expiry() {
    let Some((_server, cli)) = start() else {
        return;
    };
    check_script(
        &cli,
        "keys",
        &[
            ("SET k v", "OK"),
            ("EXISTS k nokey k", "2"),
            ("TYPE k", "string"),
            ("TYPE nokey", "none"),
            ("EXPIRE k 100", "1"),
            ("TTL k", "100"),
            ("EXPIRE k 50 GT", "0"),
            ("EXPIRE k 50 LT", "1"),
            ("PERSIST k", "1"),
            ("TTL k", "-1"),
            ("TTL nokey", "-2"),
            ("PTTL k", "-1"),
            ("PEXPIREAT k 4102444800000", "1"),
            ("PEXPIRETIME k", "4102444800000"),
            ("EXPIRETIME k", "4102444800"),
            ("RENAME k k2", "OK"),
            ("EXPIRETIME k2", "4102444800"),
            ("RENAME nokey x", "ERR no such key"),
            ("SET other 1", "OK"),
            ("RENAMENX k2 other", "0"),
            ("COPY k2 k3", "1"),
            ("COPY k2 k3", "0"),
            ("GET k3", "v"),
            ("~ KEYS *", "k2\nk3\nother"),
            ("~ KEYS k*", "k2\nk3"),
            ("DBSIZE", "3"),
            ("DEL k2 k3 nokey", "2"),
            ("UNLINK other", "1"),
            ("DBSIZE", "0"),
            ("RANDOMKEY", ""),
            ("SET only 1", "OK"),
            ("RANDOMKEY", "only"),
            ("TOUCH only nokey", "1"),
            ("SCAN 0", "0\nonly"),
            ("SCAN 0 MATCH x*", "0\n"),
            ("OBJECT ENCODING nokey", ""),
            ("SET gone v PX 1", "OK"),
            ("EXPIRE only -1", "1"),
            ("EXISTS only", "0"),
            ("EXISTS gone", "0"),
            (
                "EXPIRE k abc",
                "ERR value is not an integer or out of range",
            ),
            ("MOVE nokey 1", "0"),
            ("SET m 1", "OK"),
            ("MOVE m 1", "1"),
            ("SWAPDB 0 1", "OK"),
            ("GET m", "1"),
            ("FLUSHDB", "OK"),
            ("SWAPDB 0 1", "OK"),
            ("DBSIZE", "0"),
            ("FLUSHALL", "OK"),
        ],
    );
}

#[test]
fn hyperloglog() {
    let Some((_server, cli)) = start() else {
        return;
    };
    check_script(
        &cli,
        "hyperloglog",
        &[
            ("PFADD hll a b c d", "1"),
            ("PFADD hll a", "0"),
            ("PFCOUNT hll", "4"),
            ("PFADD hll2 c d e", "1"),
            ("PFCOUNT hll hll2", "5"),
            ("PFMERGE merged hll hll2", "OK"),
            ("PFCOUNT merged", "5"),
            ("TYPE merged", "string"),
            ("SET plain x", "OK"),
            (
                "PFCOUNT plain",
                "WRONGTYPE Key is not a valid HyperLogLog string value.",
            ),
        ],
    );
}

#[test]
fn server_and_connection() {
    let Some((server, cli)) = start() else { return };
    check_script(
        &cli,
        "server and connection",
        &[
            ("PING", "PONG"),
            ("PING hi", "hi"),
            ("ECHO \"two words\"", "two words"),
            ("SELECT 15", "OK"),
            ("SELECT 16", "ERR DB index is out of range"),
            ("DBSIZE", "0"),
            (
                "CONFIG GET maxmemory-policy",
                "maxmemory-policy\nnoeviction",
            ),
            ("CONFIG SET maxmemory-policy allkeys-lru", "OK"),
            (
                "CONFIG GET maxmemory-policy",
                "maxmemory-policy\nallkeys-lru",
            ),
            ("CONFIG GET save", "save\n"),
            ("CONFIG GET appendonly", "appendonly\nno"),
            ("CONFIG GET databases", "databases\n16"),
            ("COMMAND GETKEYS SET k v", "k"),
            ("COMMAND GETKEYS MSET a 1 b 2", "a\nb"),
            ("CLIENT GETNAME", ""),
            (
                "CLIENT SETNAME \"has space\"",
                "ERR Client names cannot contain spaces, newlines or special characters.",
            ),
            (
                "AUTH x",
                "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
            ),
            ("HELLO 4", "NOPROTO unsupported protocol version"),
        ],
    );
    let info = cli.line("INFO");
    for needle in [
        "# Server",
        "redis_version:",
        "tcp_port:",
        "# Clients",
        "connected_clients:",
        "# Memory",
        "used_memory:",
        "# Stats",
        "total_commands_processed:",
        "# Keyspace",
    ] {
        assert!(info.contains(needle), "INFO lacks {needle:?}:\n{info}");
    }
    assert!(
        info.contains(&format!("tcp_port:{}", server.port)),
        "INFO tcp_port:\n{info}"
    );
    cli.line("SET a 1");
    let keyspace = cli.line("INFO keyspace");
    assert!(
        keyspace.contains("db0:keys=1,expires=0,avg_ttl=0"),
        "INFO keyspace:\n{keyspace}"
    );
    let time = cli.line("TIME");
    let parts: Vec<&str> = time.lines().collect();
    assert!(
        parts.len() == 2 && parts.iter().all(|p| p.parse::<u64>().is_ok()),
        "TIME: {time:?}"
    );
    let clients = cli.stdin(&[], "CLIENT SETNAME probe\nCLIENT GETNAME\nCLIENT LIST\n");
    assert!(
        clients.starts_with("OK\nprobe\nid=") && clients.contains(" name=probe "),
        "CLIENT: {clients:?}"
    );
}

#[test]
fn publish_reaches_a_redis_cli_subscriber() {
    let Some((_server, cli)) = start() else {
        return;
    };
    let mut subscriber = LineReader::spawn(cli.command().args(["SUBSCRIBE", "news", "sport"]));
    subscriber.expect_lines(
        &["subscribe", "news", "1", "subscribe", "sport", "2"],
        Duration::from_secs(10),
    );
    let mut pattern = LineReader::spawn(cli.command().args(["PSUBSCRIBE", "n*"]));
    pattern.expect_lines(&["psubscribe", "n*", "1"], Duration::from_secs(10));
    assert_eq!(
        cli.line("PUBSUB NUMSUB news sport none"),
        "news\n1\nsport\n1\nnone\n0"
    );
    assert_eq!(cli.line("PUBSUB NUMPAT"), "1");
    let mut channels: Vec<String> = cli
        .line("PUBSUB CHANNELS")
        .lines()
        .map(String::from)
        .collect();
    channels.sort();
    assert_eq!(channels, ["news", "sport"]);
    assert_eq!(cli.line("PUBLISH news hello"), "2");
    subscriber.expect_lines(&["message", "news", "hello"], Duration::from_secs(10));
    pattern.expect_lines(
        &["pmessage", "n*", "news", "hello"],
        Duration::from_secs(10),
    );
    assert_eq!(cli.line("PUBLISH sport \"goal scored\""), "1");
    subscriber.expect_lines(
        &["message", "sport", "goal scored"],
        Duration::from_secs(10),
    );
    assert_eq!(cli.line("PUBLISH nobody x"), "1");
    assert_eq!(cli.line("PUBLISH zzz x"), "0");
    drop(subscriber);
    drop(pattern);
    // The subscribers are gone once their connections are.
    assert!(support::wait_until(Duration::from_secs(5), || cli
        .line("PUBLISH news again")
        == "0"));
}

#[test]
fn blocking_pop_is_served_by_a_push_from_another_client() {
    let Some((_server, cli)) = start() else {
        return;
    };
    let mut blocked = LineReader::spawn(cli.command().args(["BLPOP", "jobs", "10"]));
    assert!(
        support::wait_until(Duration::from_secs(10), || {
            cli.line("INFO clients").contains("blocked_clients:1")
        }),
        "the BLPOP client never showed up as blocked"
    );
    assert_eq!(cli.line("RPUSH jobs first second"), "2");
    blocked.expect_lines(&["jobs", "first"], Duration::from_secs(10));
    assert_eq!(cli.line("LRANGE jobs 0 -1"), "second");
}

#[test]
fn multi_exec_from_stdin() {
    let Some((_server, cli)) = start() else {
        return;
    };
    let cases = [
        (
            "MULTI\nSET a 1\nINCR a\nGET a\nEXEC\n",
            "OK\nQUEUED\nQUEUED\nQUEUED\nOK\n2\n2",
        ),
        (
            // A runtime error fails only its own slot.
            "MULTI\nSET s x\nINCR s\nSET t y\nEXEC\nGET t\n",
            "OK\nQUEUED\nQUEUED\nQUEUED\nOK\nERR value is not an integer or out of range\n\nOK\ny",
        ),
        (
            // A queue-time error aborts the whole transaction.
            "MULTI\nSET q 1\nGET\nEXEC\nGET q\n",
            "OK\nQUEUED\nERR wrong number of arguments for 'get' command\n\nEXECABORT Transaction discarded because of previous errors.\n\n",
        ),
        (
            "MULTI\nSET d 1\nDISCARD\nGET d\nEXEC\n",
            "OK\nQUEUED\nOK\n\nERR EXEC without MULTI\n",
        ),
        (
            // A WATCHed key touched (here by the same client) makes EXEC return a null array.
            "WATCH w\nSET w changed\nMULTI\nSET w mine\nEXEC\nGET w\n",
            "OK\nOK\nOK\nQUEUED\n\nchanged",
        ),
        (
            "WATCH w\nUNWATCH\nSET w changed\nMULTI\nSET w mine\nEXEC\n",
            "OK\nOK\nOK\nOK\nQUEUED\nOK",
        ),
        (
            "MULTI\nMULTI\nDISCARD\n",
            "OK\nERR MULTI calls can not be nested\n\nOK",
        ),
        (
            "MULTI\nLPUSH l a b\nLRANGE l 0 -1\nEXEC\n",
            "OK\nQUEUED\nQUEUED\n2\nb\na",
        ),
    ];
    let mut failures = String::new();
    for (input, expected) in cases {
        let got = cli.stdin(&[], input);
        if got != expected {
            let _ = write!(
                failures,
                "\n  input {input:?}\n    expected {expected:?}\n    got      {got:?}"
            );
        }
    }
    assert!(
        failures.is_empty(),
        "MULTI/EXEC via redis-cli stdin:{failures}"
    );
}

#[test]
fn pipe_mass_insertion_of_100k_keys() {
    let Some((_server, cli)) = start() else {
        return;
    };
    let mut input = Vec::with_capacity(4 << 20);
    for n in 0..100_000 {
        let key = format!("key:{n}");
        let value = format!("value:{n}");
        input.extend(support::resp::encode(&[
            b"SET",
            key.as_bytes(),
            value.as_bytes(),
        ]));
    }
    let output = support::run_with_timeout(
        cli.command().arg("--pipe"),
        Some(input),
        Duration::from_secs(120),
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && text.contains("errors: 0, replies: 100000"),
        "redis-cli --pipe ({}):\n{text}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(cli.line("GET key:99999"), "value:99999");
    assert_eq!(cli.line("DBSIZE"), "100000");
}

//! The same command list against a real `redis-server` (started here) and against the node,
//! through `redis-cli --no-raw` (its typed, terminal-style output: `(integer) 1`, `(nil)`,
//! `(double) 1.5` in RESP3...), compared reply by reply, in RESP2 and again in RESP3.
//!
//! Only deterministic commands are listed. A line starting with `~ ` is compared as a multiset
//! of elements, for replies whose order Redis leaves undefined (SMEMBERS of a hashtable set...);
//! ` ;; ` joins several command lines into one step.

mod support;

use std::time::Duration;

use support::{Cli, Server, run_with_timeout};

const COMMANDS: &str = r#"
# connection
PING
PING hello
ECHO "with space"
SELECT 1
SET db1key x
SELECT 0
EXISTS db1key
HELLO 4
AUTH nopass
CLIENT SETNAME conformance
CLIENT GETNAME
CLIENT SETNAME "bad name"
CLIENT NOSUCH
# strings
SET s hello
GET s
SET s hello NX
SET s world XX GET
SET s v EX 0
SET s v PX -1
SET s v EX 10 PX 10
SET s v KEEPTTL EX 10
SET s v NX XX
SET big 9223372036854775807
INCR big
DECRBY big -1
DECRBY big 9223372036854775808
INCRBY s 1
SET n 10
INCR n
INCRBY n -3
INCRBYFLOAT n 0.5
INCRBYFLOAT n 1e308
INCRBYFLOAT n inf
SET fl 10.50
INCRBYFLOAT fl 0.1
INCRBYFLOAT fl -5.0e3
SET e 1.0e10
INCRBYFLOAT e 1
APPEND s " and more"
STRLEN s
STRLEN nokey
GETRANGE s 0 -1
GETRANGE s 100 200
GETRANGE s -3 -100
SETRANGE s 2 XY
SETRANGE s -1 x
SETRANGE empty 0 ""
EXISTS empty
GET s
MSET a 1 b 2 c 3
MGET a b c nokey
MSETNX a 1 zz 2
MSETNX y 1 zz 2
GETSET a 10
GETDEL a
GETDEL a
GETEX b
GETEX b PX 100000 EX 1
GETEX nokey EX 10
SETNX b 1
OBJECT ENCODING b
OBJECT ENCODING s
SET short abc
OBJECT ENCODING short
SET long "0123456789012345678901234567890123456789012345"
OBJECT ENCODING long
OBJECT ENCODING nokey
SET int 12345
OBJECT ENCODING int
APPEND int 6
OBJECT ENCODING int
LCS s long
LCS s long IDX MINMATCHLEN 2 WITHMATCHLEN
SETBIT bits 100 1
SETBIT bits 100 0
SETBIT bits 2 1
GETBIT bits 2
BITCOUNT bits
BITCOUNT s 0 -1 BIT
BITPOS bits 1
BITPOS bits 0 0 -1 BIT
BITOP AND dest bits s
BITOP NOT dest bits s
BITFIELD bf SET i8 0 100 INCRBY i8 0 100 GET u4 0
BITFIELD bf OVERFLOW SAT INCRBY i8 0 100
BITFIELD_RO bf GET i8 0
# keys
TYPE s
TYPE nokey
EXISTS s nokey s
EXPIRE s 100
TTL s
EXPIRE s 100 NX
EXPIRE s 200 GT
TTL s
EXPIRE s 100 XX LT
EXPIRE s 100 NX XX
PERSIST s
PERSIST s
TTL s
PTTL nokey
EXPIREAT s 4102444800
EXPIRETIME s
PEXPIRETIME s
EXPIRETIME nokey
PERSIST s
EXPIRETIME s
EXPIRE s 9223372036854775807
PEXPIRE s 9223372036854775807
RENAME s s2
RENAME s s2
RENAME s2 s2
RENAMENX s2 b
COPY s2 s3
COPY s2 s3
COPY s2 s3 REPLACE
COPY s2 s4 DB 1
DEL s3 nokey
UNLINK s2 s4 nokey
TOUCH a b c
~ KEYS *
~ KEYS ?
KEYS nomatch*
SCAN 0 MATCH nomatch* COUNT 1000
SCAN 0 TYPE hash COUNT 1000
SCAN x
DBSIZE
MOVE c 1
MOVE c 1
MOVE nokey 1
MOVE c 0
SELECT 1
GET c
FLUSHDB
SELECT 0
# lists
RPUSH l a b c d e
LPUSH l z
LRANGE l 0 -1
LRANGE l -2 100
LRANGE l 5 1
LLEN l
LINDEX l -1
LINDEX l 100
LSET l 0 Z
LSET l 100 x
LSET nolist 0 x
LINSERT l BEFORE c X
LINSERT l AFTER nope Y
LINSERT nolist AFTER a b
LINSERT l MIDDLE a b
LPOS l c
LPOS l c RANK -1
LPOS l c COUNT 0
LPOS l nope
LPOS l c RANK 0
LREM l 0 X
LPOP l
LPOP l 2
LPOP l 0
LPOP nolist
LPOP nolist 2
RPOP l 1
LRANGE l 0 -1
RPUSH l2 1 2 3 4 5 6
LTRIM l2 1 -2
LRANGE l2 0 -1
LTRIM l2 10 20
EXISTS l2
RPOPLPUSH l l3
LMOVE l l3 LEFT RIGHT
LMOVE nolist l3 LEFT RIGHT
LRANGE l3 0 -1
LMPOP 2 nolist l3 RIGHT COUNT 10
LMPOP 1 nolist LEFT
LMPOP 0 l LEFT
LPUSHX nolist a
RPUSHX l b
OBJECT ENCODING l
BLPOP l 0.01
BRPOP nolist 0.01
BLMPOP 0.01 1 l LEFT COUNT 5
BLPOP l -1
BLPOP l abc
LPUSH s a
# hashes
HSET h f1 v1 f2 v2 f3 3
HSET h f1 new
HGET h f1
HGET h nofield
HGET nohash f
HMGET h f1 nofield f3
HMGET nohash a b
HSETNX h f1 x
HSETNX h f4 x
HINCRBY h f3 10
HINCRBY h f1 1
HINCRBY h f3 9223372036854775807
HINCRBYFLOAT h f3 0.5
HINCRBYFLOAT h f5 1.0e3
HEXISTS h f1
HEXISTS h nofield
HSTRLEN h f1
HLEN h
HLEN nohash
HDEL h f4 nofield
HKEYS h
HVALS h
HGETALL h
HGETALL nohash
OBJECT ENCODING h
HSET h long "012345678901234567890123456789012345678901234567890123456789012345"
OBJECT ENCODING h
HSCAN nohash 0
HRANDFIELD nohash
HRANDFIELD nohash 5
HRANDFIELD h 0
HSET h
HSET h a
# sets
SADD set1 a b c
SADD set1 a d
SCARD set1
SISMEMBER set1 a
SISMEMBER set1 z
SMISMEMBER set1 a z b
~ SMEMBERS set1
SMEMBERS noset
OBJECT ENCODING set1
SADD ints 5 3 1 -2
SMEMBERS ints
OBJECT ENCODING ints
SADD ints 9223372036854775807
OBJECT ENCODING ints
SADD ints x
OBJECT ENCODING ints
SADD t c d e
~ SINTER set1 t
SINTER set1 noset
~ SUNION set1 t
~ SDIFF set1 t
SINTERCARD 2 set1 t
SINTERCARD 2 set1 t LIMIT 1
SINTERCARD 0 set1
SINTERSTORE dst set1 t
SINTERSTORE dst set1 noset
EXISTS dst
SUNIONSTORE dst set1 t
SDIFFSTORE dst set1 t
SMOVE set1 t a
SMOVE set1 t a
SMOVE noset t a
SREM set1 b nothere
SREM set1 c d
EXISTS set1
SPOP noset
SPOP noset 3
SRANDMEMBER noset
SRANDMEMBER noset 3
SADD single only
SPOP single 5
SADD single only
SRANDMEMBER single
SRANDMEMBER single -3
SSCAN noset 0
SADD h x
# sorted sets
ZADD z 1 a 2 b 3 c
ZADD z 2.5 a
ZADD z CH 1 a 5 d
ZADD z NX 100 a 6 e
ZADD z XX 7 f 1 a
ZADD z GT 0 a
ZADD z LT CH 0 a
ZADD z INCR 2 a
ZADD z INCR 1 a 2 b
ZADD z NX XX 1 a
ZADD z GT LT 1 a
ZADD z abc a
ZADD z 1
ZADD z XX INCR 1 nonexistent
ZSCORE z a
ZSCORE z nope
ZMSCORE z a nope b
ZINCRBY z 0.1 b
ZINCRBY z abc b
ZCARD z
ZCOUNT z -inf +inf
ZCOUNT z (1 3
ZCOUNT z abc 3
ZRANK z a
ZREVRANK z a
ZRANK z nope
ZRANGE z 0 -1
ZRANGE z 0 -1 WITHSCORES
ZRANGE z 0 -1 REV WITHSCORES
ZRANGE z (1 +inf BYSCORE
ZRANGE z +inf (1 BYSCORE REV LIMIT 0 2
ZRANGE z 0 -1 LIMIT 0 1
ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 1 2
ZREVRANGEBYSCORE z +inf -inf
ZREVRANGE z 0 1 WITHSCORES
ZRANGEBYSCORE z 1 abc
ZREM z d e nope
ZREMRANGEBYSCORE z 5 10
ZREMRANGEBYRANK z 0 0
ZRANGE z 0 -1 WITHSCORES
ZADD lex 0 a 0 b 0 c 0 d 0 e
ZRANGEBYLEX lex - +
ZRANGEBYLEX lex [b (e LIMIT 1 1
ZREVRANGEBYLEX lex + [c
ZRANGE lex [b [d BYLEX
ZLEXCOUNT lex (a [c
ZRANGEBYLEX lex b c
ZREMRANGEBYLEX lex [d +
ZADD w 1 a 2 b 3 x
ZUNIONSTORE u 2 lex w
ZRANGE u 0 -1 WITHSCORES
ZUNIONSTORE u 2 lex w WEIGHTS 2 3 AGGREGATE MAX
ZRANGE u 0 -1 WITHSCORES
ZINTERSTORE i 2 lex w AGGREGATE MIN
ZRANGE i 0 -1 WITHSCORES
ZUNION 2 lex w WITHSCORES
ZINTER 2 lex w WITHSCORES
ZINTERCARD 2 lex w
ZDIFF 2 w lex WITHSCORES
ZDIFFSTORE d 2 w lex
ZRANGESTORE rs w 0 1
ZRANGE rs 0 -1 WITHSCORES
ZUNIONSTORE u 0 lex
ZUNIONSTORE u 2 lex
ZPOPMIN w
ZPOPMAX w 10
ZPOPMIN w
EXISTS w
ZMPOP 2 nozset u MIN COUNT 2
BZPOPMIN nozset 0.01
BZMPOP 0.01 1 u MAX
OBJECT ENCODING u
ZADD inf +inf top -inf bottom 0 zero
ZRANGE inf 0 -1 WITHSCORES
ZINCRBY inf -inf top
ZADD prec 0.1 a 1.5e300 b -0 c 3.0000000000000004 d
ZRANGE prec 0 -1 WITHSCORES
ZSCORE prec c
ZRANDMEMBER nozset
ZRANDMEMBER nozset 3
ZSCAN nozset 0
# hyperloglog
PFADD hll a b c d e f g
PFADD hll a
PFCOUNT hll
PFADD hll2 x y z a
PFCOUNT hll hll2
PFMERGE m hll hll2
PFCOUNT m
PFADD empty
PFCOUNT nohll
PFCOUNT s
PFCOUNT h
PFCOUNT long
PFADD long x
# server and introspection
DBSIZE
CONFIG GET maxmemory
CONFIG GET maxmemory-policy
CONFIG GET hash-max-listpack-entries
CONFIG GET hash-max-ziplist-entries
CONFIG GET databases
CONFIG GET appendonly
CONFIG GET save
CONFIG GET nosuchparam
CONFIG SET maxmemory-policy nosuch
CONFIG SET nosuchparam 1
CONFIG SET hz 20
CONFIG GET hz
CONFIG SET maxmemory 1gb
CONFIG GET maxmemory
CONFIG SET maxmemory 0
COMMAND INFO get
COMMAND INFO set nosuch
COMMAND INFO zadd
COMMAND DOCS get
COMMAND GETKEYS get a
COMMAND GETKEYS mset a 1 b 2
COMMAND GETKEYS zunionstore d 2 a b
COMMAND GETKEYS ping
COMMAND GETKEYS nosuch
~ COMMAND LIST FILTERBY PATTERN zrange*
OBJECT FREQ s
OBJECT HELP x
PUBLISH chan msg
PUBSUB CHANNELS
PUBSUB NUMSUB a b
PUBSUB NUMPAT
# Sharded pub/sub (SPUBLISH, SSUBSCRIBE, PUBSUB SHARDCHANNELS) comes with cluster mode.
SELECT 100
SELECT abc
SWAPDB 0 100
# LASTSAVE, SAVE, BGSAVE come with persistence.
FLUSHDB ASYNC
DBSIZE
FLUSHALL SYNC
# transactions (a step with ` ;; ` sends several lines before its marker: inside MULTI the
# marker would be queued instead of echoed)
MULTI ;; SET tx 1 ;; INCR tx ;; EXEC
MULTI ;; INCR tx ;; NOSUCHCMD ;; EXEC
EXEC
DISCARD
MULTI ;; SET tx a ;; INCR tx ;; SET tx2 b ;; EXEC
GET tx2
WATCH tx ;; SET tx 5 ;; MULTI ;; INCR tx ;; EXEC
WATCH tx ;; UNWATCH ;; SET tx 6 ;; MULTI ;; INCR tx ;; EXEC
MULTI ;; WATCH tx ;; DISCARD
MULTI ;; MULTI ;; DISCARD
"#;

/// Lines to send: the listed commands, each followed by an `ECHO` marker that splits the
/// output into one block per command.
fn script() -> (Vec<&'static str>, String) {
    let commands: Vec<&'static str> = COMMANDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut input = String::new();
    for (index, command) in commands.iter().enumerate() {
        let command = command.strip_prefix("~ ").unwrap_or(command);
        for line in command.split(" ;; ") {
            input.push_str(line);
            input.push('\n');
        }
        input.push_str(&format!("ECHO __step_{index}__\n"));
    }
    (commands, input)
}

/// Split redis-cli's output at the markers: one block of text per command.
fn blocks(output: &str, count: usize) -> Vec<String> {
    let mut blocks = Vec::with_capacity(count);
    let mut current = String::new();
    for line in output.lines() {
        if line.starts_with("\"__step_") && line.ends_with("__\"") {
            blocks.push(std::mem::take(&mut current));
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

/// An element of a reply without its `1) ` / `1~ ` / `1# ` position prefix.
fn element(line: &str) -> String {
    let mut rest = line.trim_start();
    loop {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let after = &rest[digits..];
        match after.as_bytes() {
            [b')' | b'~' | b'#', b' ', ..] if digits > 0 => rest = after[2..].trim_start(),
            _ => return rest.to_string(),
        }
    }
}

fn same(unordered: bool, redis: &str, node: &str) -> bool {
    if !unordered {
        return redis == node;
    }
    let sorted = |text: &str| {
        let mut items: Vec<String> = text.lines().map(element).collect();
        items.sort();
        items
    };
    sorted(redis) == sorted(node)
}

fn compare(protocol_flags: &[&str]) {
    let Some(redis) = Server::redis(&[]) else {
        return;
    };
    let node = Server::under_test();
    let (commands, input) = script();
    let run = |port: u16| -> Option<String> {
        let cli = Cli::new(port)?;
        let output = run_with_timeout(
            cli.command().arg("--no-raw").args(protocol_flags),
            Some(input.clone().into_bytes()),
            Duration::from_secs(60),
        );
        Some(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let Some(expected) = run(redis.port) else {
        return;
    };
    let Some(got) = run(node.port) else { return };
    let expected = blocks(&expected, commands.len());
    let got = blocks(&got, commands.len());
    assert_eq!(
        expected.len(),
        commands.len(),
        "real Redis answered an unexpected number of commands"
    );
    let mut differences = Vec::new();
    for (index, command) in commands.iter().enumerate() {
        let unordered = command.starts_with("~ ");
        let redis_reply = expected[index].as_str();
        let node_reply = got.get(index).map(String::as_str).unwrap_or("<no reply>\n");
        if !same(unordered, redis_reply, node_reply) {
            differences.push(format!(
                "  {command}\n    redis: {redis_reply:?}\n    node:  {node_reply:?}"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} commands differ from real Redis (redis-cli --no-raw {protocol_flags:?}):\n{}",
        differences.len(),
        commands.len(),
        differences.join("\n")
    );
}

#[test]
fn same_replies_as_real_redis_in_resp2() {
    compare(&[]);
}

#[test]
fn same_replies_as_real_redis_in_resp3() {
    compare(&["-3"]);
}

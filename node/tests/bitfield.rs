//! BITFIELD and BITFIELD_RO against a node started in-process: through the `redis` crate in
//! RESP2 and RESP3, byte for byte where the exact reply matters, and against a real Redis 7.0
//! with random commands.

mod common;
#[path = "common/raw_resp.rs"]
mod raw_resp;

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use raw_resp::{Raw, RealRedis, show, words};
use redis::Value;

const TYPE_ERR: &str = "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n";
const OFFSET_ERR: &str = "-ERR bit offset is not an integer or out of range\r\n";

fn replies(items: &[Option<i64>]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|item| item.map_or(Value::Nil, Value::Int))
            .collect(),
    )
}

async fn query(con: &mut redis::aio::MultiplexedConnection, line: &str) -> Value {
    let mut cmd = redis::cmd(line.split(' ').next().unwrap_or_default());
    for word in line.split(' ').skip(1) {
        cmd.arg(word);
    }
    cmd.query_async(con)
        .await
        .unwrap_or_else(|err| panic!("{line}: {err}"))
}

#[tokio::test]
async fn get_set_incrby_in_both_protocols() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut con = server.conn(resp3).await;
        let k = if resp3 { "k3" } else { "k2" };
        let cases: &[(String, &[Option<i64>])] = &[
            // SET answers the old value, INCRBY the new one; WRAP is the default.
            (
                format!("BITFIELD {k} SET i8 0 100 GET i8 0 INCRBY i8 0 100"),
                &[Some(0), Some(100), Some(-56)],
            ),
            (
                format!("BITFIELD {k} OVERFLOW SAT INCRBY i8 0 -200 INCRBY u4 8 20"),
                &[Some(-128), Some(15)],
            ),
            // The mode applies to the operations after it, until the next OVERFLOW.
            (
                format!(
                    "BITFIELD {k} INCRBY u4 8 1 OVERFLOW FAIL INCRBY u4 8 1 INCRBY u4 8 -1 \
                     OVERFLOW WRAP INCRBY u4 8 1"
                ),
                &[Some(0), Some(1), Some(0), Some(1)],
            ),
            // `#n` is the n-th field of the type's width.
            (
                format!("BITFIELD {k} SET u8 #2 65 GET u8 16 GET u4 #4 GET u4 #5"),
                &[Some(0), Some(65), Some(4), Some(1)],
            ),
            (
                format!("BITFIELD {k} SET i64 #1 -1 GET u63 64 GET i64 64 INCRBY i64 64 1"),
                &[Some(0), Some(i64::MAX), Some(-1), Some(0)],
            ),
            // 64-bit signed limits, where Redis's range checks differ from narrower types.
            (
                format!(
                    "BITFIELD {k} SET i64 64 5 OVERFLOW SAT INCRBY i64 64 9223372036854775807 \
                     INCRBY i64 64 -9223372036854775808 INCRBY i64 64 -2 OVERFLOW FAIL \
                     INCRBY i64 64 -9223372036854775807 INCRBY i64 64 9223372036854775807 \
                     OVERFLOW WRAP INCRBY i64 64 9223372036854775807 SET i64 64 0"
                ),
                &[
                    Some(0),
                    Some(i64::MAX),
                    Some(-1),
                    Some(-3),
                    None,
                    Some(i64::MAX - 3),
                    Some(-5),
                    Some(-5),
                ],
            ),
            (format!("BITFIELD {k}"), &[]),
            (
                format!("BITFIELD_RO {k} GET u8 16 OVERFLOW SAT GET i1 0"),
                &[Some(65), Some(-1)],
            ),
            // An unsigned SET takes its value as 64 bits: -1 is out of range, SAT gives max.
            (
                format!("BITFIELD {k} OVERFLOW SAT SET u8 24 -1 SET i8 24 200"),
                &[Some(0), Some(-1)],
            ),
            (
                format!("BITFIELD {k} OVERFLOW FAIL SET u8 24 256 SET i3 24 -5 GET u8 24"),
                &[None, None, Some(127)],
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(query(&mut con, line).await, replies(expected), "{line}");
        }
        let stored: Vec<u8> = redis::cmd("GET")
            .arg(k)
            .query_async(&mut con)
            .await
            .unwrap();
        let mut expected = vec![0x80, 0x10, b'A', 0x7f];
        expected.resize(16, 0);
        assert_eq!(stored, expected);
    }
}

#[tokio::test]
async fn errors_are_exact() {
    let server = common::start("").await;
    let mut raw = Raw::connect(server.addr).await;
    assert_eq!(raw.cmd("RPUSH list a").await, b":1\r\n");
    assert_eq!(raw.cmd("SET s abc").await, b"+OK\r\n");
    let cases: &[(&str, &str)] = &[
        ("BITFIELD k GET u64 0", TYPE_ERR),
        ("BITFIELD k GET i65 0", TYPE_ERR),
        ("BITFIELD k GET i0 0", TYPE_ERR),
        ("BITFIELD k GET I8 0", TYPE_ERR),
        ("BITFIELD k GET u08 0", TYPE_ERR),
        ("BITFIELD k GET x8 0", TYPE_ERR),
        ("BITFIELD k GET u8 -1", OFFSET_ERR),
        ("BITFIELD k GET u8 #-1", OFFSET_ERR),
        ("BITFIELD k GET u8 #", OFFSET_ERR),
        ("BITFIELD k GET u8 +1", OFFSET_ERR),
        ("BITFIELD k GET u8 4294967296", OFFSET_ERR),
        ("BITFIELD k GET u8 #536870912", OFFSET_ERR),
        ("BITFIELD k GET i8 #1152921504606846976", OFFSET_ERR),
        ("BITFIELD k GET u8", "-ERR syntax error\r\n"),
        ("BITFIELD k SET u8 0", "-ERR syntax error\r\n"),
        ("BITFIELD k OVERFLOW", "-ERR syntax error\r\n"),
        ("BITFIELD k FOO u8 0", "-ERR syntax error\r\n"),
        (
            "BITFIELD k SET u8 0 1 OVERFLOW FAIL OVERFLOW",
            "-ERR syntax error\r\n",
        ),
        (
            "BITFIELD k OVERFLOW BOGUS GET u8 0",
            "-ERR Invalid OVERFLOW type specified\r\n",
        ),
        (
            "BITFIELD k SET u8 0 1.5",
            "-ERR value is not an integer or out of range\r\n",
        ),
        (
            "BITFIELD k INCRBY u8 0 9223372036854775808",
            "-ERR value is not an integer or out of range\r\n",
        ),
        // The first bad argument decides; the key is looked at only after parsing.
        ("BITFIELD list GET x8 0 GET u8 -1", TYPE_ERR),
        (
            "BITFIELD list GET u8 0",
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        ),
        (
            "BITFIELD list SET u8 0 1",
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        ),
        (
            "BITFIELD_RO s SET u8 0 1",
            "-ERR BITFIELD_RO only supports the GET subcommand\r\n",
        ),
        (
            "BITFIELD_RO list INCRBY u8 0 1",
            "-ERR BITFIELD_RO only supports the GET subcommand\r\n",
        ),
        (
            "BITFIELD_RO s SET u8 0 x",
            "-ERR value is not an integer or out of range\r\n",
        ),
        (
            "BITFIELD_RO list GET u8 0",
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        ),
        (
            "BITFIELD",
            "-ERR wrong number of arguments for 'bitfield' command\r\n",
        ),
        (
            "BITFIELD_RO",
            "-ERR wrong number of arguments for 'bitfield_ro' command\r\n",
        ),
        // A product of `#` that wraps to 0 is accepted, as in Redis.
        ("BITFIELD k GET i16 #1152921504606846976", "*1\r\n:0\r\n"),
        ("BITFIELD k GET u8 4294967295", "*1\r\n:0\r\n"),
        (
            "BITFIELD list",
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        ),
        ("BITFIELD s", "*0\r\n"),
    ];
    for (line, expected) in cases {
        assert_eq!(show(&raw.cmd(line).await), *expected, "{line}");
    }
    // Names, modes and widths are compared as C strings: a NUL ends them.
    let nul_cases: &[(&[&[u8]], &str)] = &[
        (
            &[b"BITFIELD", b"s", b"get\0x", b"u8", b"0"],
            "*1\r\n:97\r\n",
        ),
        (
            &[b"BITFIELD", b"s", b"GET", b"u8\0x", b"0"],
            "*1\r\n:97\r\n",
        ),
        (
            &[
                b"BITFIELD",
                b"s",
                b"OVERFLOW",
                b"sat\0",
                b"GET",
                b"u8",
                b"0",
            ],
            "*1\r\n:97\r\n",
        ),
        (&[b"BITFIELD", b"s", b"GET", b"u8", b"0\0"], OFFSET_ERR),
        (&[b"BITFIELD", b"s", b"GET", b"", b"0"], TYPE_ERR),
    ];
    for (args, expected) in nul_cases {
        assert_eq!(show(&raw.cmd_args(args).await), *expected, "{args:?}");
    }
    assert_eq!(raw.cmd("EXISTS k").await, b":0\r\n");
}

#[tokio::test]
async fn fail_overflow_is_a_null_in_each_protocol() {
    let server = common::start("").await;
    let line =
        |k: &str| format!("BITFIELD {k} OVERFLOW FAIL INCRBY u8 0 300 GET u8 0 INCRBY i8 0 -128");
    let mut resp2 = Raw::connect(server.addr).await;
    assert_eq!(
        show(&resp2.cmd(&line("k2")).await),
        "*3\r\n$-1\r\n:0\r\n:-128\r\n"
    );
    let mut resp3 = Raw::connect(server.addr).await;
    resp3.cmd("HELLO 3").await;
    assert_eq!(
        show(&resp3.cmd(&line("k3")).await),
        "*3\r\n_\r\n:0\r\n:-128\r\n"
    );
    // Again on the same keys: now the signed INCRBY overflows too.
    assert_eq!(
        show(&resp3.cmd(&line("k2")).await),
        "*3\r\n_\r\n:128\r\n_\r\n"
    );
}

#[tokio::test]
async fn get_only_never_creates_and_writes_grow() {
    let server = common::start("").await;
    let mut raw = Raw::connect(server.addr).await;
    assert_eq!(
        raw.cmd("BITFIELD missing GET u8 0 GET i64 1000 OVERFLOW FAIL")
            .await,
        b"*2\r\n:0\r\n:0\r\n"
    );
    assert_eq!(
        raw.cmd("BITFIELD_RO missing GET u8 0").await,
        b"*1\r\n:0\r\n"
    );
    assert_eq!(raw.cmd("EXISTS missing").await, b":0\r\n");
    // The string is created up to the last written bit, even when FAIL stops the write.
    assert_eq!(
        raw.cmd("BITFIELD f OVERFLOW FAIL INCRBY u2 100 5 GET u8 1000")
            .await,
        b"*2\r\n$-1\r\n:0\r\n"
    );
    assert_eq!(raw.cmd("STRLEN f").await, b":13\r\n");
    assert_eq!(raw.cmd("BITFIELD f SET u8 #20 1").await, b"*1\r\n:0\r\n");
    assert_eq!(raw.cmd("STRLEN f").await, b":21\r\n");
    // GETs past the end read zeros and grow nothing.
    assert_eq!(raw.cmd("BITFIELD f GET u8 #100").await, b"*1\r\n:0\r\n");
    assert_eq!(raw.cmd("STRLEN f").await, b":21\r\n");
    // An integer-encoded string is read as its text and modified as a raw string.
    assert_eq!(raw.cmd("SET n 123").await, b"+OK\r\n");
    assert_eq!(
        raw.cmd("BITFIELD n GET u8 0 SET u8 0 50").await,
        b"*2\r\n:49\r\n:49\r\n"
    );
    assert_eq!(raw.cmd("GET n").await, b"$3\r\n223\r\n");
    assert_eq!(raw.cmd("OBJECT ENCODING n").await, b"$3\r\nraw\r\n");
    // A write keeps the key's TTL.
    assert_eq!(raw.cmd("SET t abc EX 100").await, b"+OK\r\n");
    assert_eq!(raw.cmd("BITFIELD t SET u8 #5 1").await, b"*1\r\n:0\r\n");
    assert_eq!(raw.cmd("TTL t").await, b":100\r\n");
}

fn dirty(info: &[u8]) -> u64 {
    show(info)
        .lines()
        .find_map(|line| line.strip_prefix("rdb_changes_since_last_save:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("rdb_changes_since_last_save")
}

#[tokio::test]
async fn only_real_changes_signal_watch_and_dirty() {
    let server = common::start("").await;
    let mut a = Raw::connect(server.addr).await;
    let mut b = Raw::connect(server.addr).await;
    let base = dirty(&a.cmd("INFO persistence").await);
    // Creating counts every write; then only fields whose value changes do; FAIL never does.
    let steps: &[(&str, u64)] = &[
        (
            "BITFIELD d SET u8 0 1 SET u8 8 1 OVERFLOW FAIL INCRBY u8 0 1000",
            2,
        ),
        ("BITFIELD d SET u8 0 1 GET u8 0", 0),
        ("BITFIELD d OVERFLOW SAT INCRBY u8 8 1000 INCRBY u8 8 1", 1),
        ("BITFIELD d SET u8 0 1 SET u8 16 0", 2),
        ("BITFIELD d GET u8 0", 0),
    ];
    let mut total = base;
    for (line, expected) in steps {
        b.cmd(line).await;
        total += expected;
        assert_eq!(dirty(&a.cmd("INFO persistence").await), total, "{line}");
    }
    // WATCH: a write that changes nothing (a FAIL creating the key included) does not abort.
    let watch_cases: &[(&str, &str, bool)] = &[
        ("w1", "BITFIELD w1 OVERFLOW FAIL INCRBY u8 0 1000", false),
        ("w2", "BITFIELD w2 SET u8 0 0", true),
        ("d", "BITFIELD d SET u8 0 1", false),
        ("d", "BITFIELD d GET u8 0", false),
        ("d", "BITFIELD d INCRBY u8 0 1", true),
    ];
    for (key, line, aborts) in watch_cases {
        assert_eq!(a.cmd(&format!("WATCH {key}")).await, b"+OK\r\n");
        b.cmd(line).await;
        assert_eq!(a.cmd("MULTI").await, b"+OK\r\n");
        assert_eq!(a.cmd("PING").await, b"+QUEUED\r\n");
        let expected: &[u8] = if *aborts {
            b"*-1\r\n"
        } else {
            b"*1\r\n+PONG\r\n"
        };
        assert_eq!(a.cmd("EXEC").await, expected, "{line}");
    }
    assert_eq!(a.cmd("EXISTS w1").await, b":1\r\n");
}

#[tokio::test]
async fn offsets_are_limited_by_proto_max_bulk_len() {
    let server = common::start("proto-max-bulk-len 1mb").await;
    let mut raw = Raw::connect(server.addr).await;
    assert_eq!(raw.cmd("BITFIELD p GET u8 8388607").await, b"*1\r\n:0\r\n");
    assert_eq!(
        show(&raw.cmd("BITFIELD p GET u8 8388608").await),
        OFFSET_ERR
    );
    assert_eq!(raw.cmd("BITFIELD p GET u8 #1048575").await, b"*1\r\n:0\r\n");
    assert_eq!(
        show(&raw.cmd("BITFIELD p GET u8 #1048576").await),
        OFFSET_ERR
    );
    // The limit is on the offset; the field may reach a few bits past it.
    assert_eq!(
        raw.cmd("BITFIELD p SET u8 8388607 1").await,
        b"*1\r\n:0\r\n"
    );
    assert_eq!(raw.cmd("STRLEN p").await, b":1048577\r\n");
    assert_eq!(
        raw.cmd("CONFIG SET proto-max-bulk-len 2mb").await,
        b"+OK\r\n"
    );
    // Bits 8388607..=8388614 hold 1, so the byte-aligned field after them reads 2.
    assert_eq!(raw.cmd("BITFIELD p GET u8 8388608").await, b"*1\r\n:2\r\n");
}

// ---- random comparison with a real Redis ----------------------------------------------------

const KEYS: &[&str] = &["bf:a", "bf:b", "bf:c"];
const ODD_KEYS: &[&str] = &["bf:list", "bf:int", "bf:gone"];

fn random_case(rng: &mut StdRng, word: &str) -> String {
    word.chars()
        .map(|c| {
            if rng.random_bool(0.3) {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect()
}

/// A width, mostly valid, with the common sizes and the extremes favoured.
fn random_type(rng: &mut StdRng) -> (bool, u32) {
    let signed = rng.random_bool(0.5);
    let max = if signed { 64 } else { 63 };
    let bits = if rng.random_bool(0.4) {
        *[1, 2, 7, 8, 9, 16, 31, 32, 33, max]
            .choose(rng)
            .unwrap_or(&8)
    } else {
        rng.random_range(1..=max)
    };
    (signed, bits)
}

fn random_offset(rng: &mut StdRng) -> String {
    match rng.random_range(0..10) {
        0..=5 => rng.random_range(0..200u32).to_string(),
        6 | 7 => format!("#{}", rng.random_range(0..12u32)),
        8 => rng.random_range(0..4000u32).to_string(),
        _ => rng.random_range(0..8u32).to_string(),
    }
}

fn random_value(rng: &mut StdRng, bits: u32) -> i64 {
    match rng.random_range(0..6) {
        0 => rng.random_range(-300..=300),
        1 => {
            let edges = [
                1i128 << (bits - 1),
                -(1i128 << (bits - 1)),
                1i128 << bits,
                (1i128 << bits) - 1,
            ];
            let edge = edges.choose(rng).copied().unwrap_or(0) + rng.random_range(-2..=2);
            edge.clamp(i64::MIN.into(), i64::MAX.into()) as i64
        }
        2 => rng.random(),
        3 => *[i64::MIN, i64::MAX, -1, 0, 1].choose(rng).unwrap_or(&0),
        4 => rng.random_range(-(1 << 20)..(1 << 20)),
        _ => rng.random::<i64>() >> rng.random_range(0..64),
    }
}

/// One BITFIELD or BITFIELD_RO call; about one in twelve carries a mistake somewhere.
fn random_command(rng: &mut StdRng) -> Vec<String> {
    let read_only = rng.random_bool(0.1);
    let key = if rng.random_bool(0.1) {
        ODD_KEYS.choose(rng)
    } else {
        KEYS.choose(rng)
    };
    let mut args = vec![
        random_case(rng, if read_only { "BITFIELD_RO" } else { "BITFIELD" }),
        key.copied().unwrap_or("bf:a").to_owned(),
    ];
    let ops = if rng.random_bool(0.05) {
        0
    } else {
        rng.random_range(1..=4)
    };
    for _ in 0..ops {
        if rng.random_bool(0.2) {
            args.push(random_case(rng, "OVERFLOW"));
            let mode = ["WRAP", "SAT", "FAIL"].choose(rng).unwrap_or(&"WRAP");
            args.push(random_case(rng, mode));
        }
        // BITFIELD_RO mostly reads, so that most of its calls succeed.
        let write_weight = if read_only { 0.1 } else { 0.65 };
        let op = if rng.random_bool(write_weight) {
            *["SET", "INCRBY"].choose(rng).unwrap_or(&"SET")
        } else {
            "GET"
        };
        let (signed, bits) = random_type(rng);
        args.push(random_case(rng, op));
        args.push(format!("{}{bits}", if signed { 'i' } else { 'u' }));
        args.push(random_offset(rng));
        if op != "GET" {
            args.push(random_value(rng, bits).to_string());
        }
    }
    if args.len() > 2 && rng.random_bool(1.0 / 12.0) {
        let at = rng.random_range(2..args.len());
        let broken = [
            "u64",
            "i65",
            "i0",
            "I8",
            "x8",
            "",
            "-1",
            "#-1",
            "#",
            "1.5",
            "abc",
            "#536870912",
            "4294967296",
            "BOGUS",
            "9223372036854775808",
            "#1152921504606846976",
            "#2305843009213693952",
        ];
        if rng.random_bool(0.2) {
            args.truncate(at);
        } else {
            args[at] = broken.choose(rng).unwrap_or(&"").to_string();
        }
    }
    args
}

async fn both(node: &mut Raw, real: &mut Raw, args: &[&[u8]]) -> (Vec<u8>, Vec<u8>) {
    (node.cmd_args(args).await, real.cmd_args(args).await)
}

#[tokio::test]
async fn random_commands_match_real_redis() {
    let Some(redis) = RealRedis::start().await else {
        return;
    };
    let server = common::start("").await;
    let mut node = Raw::connect(server.addr).await;
    let mut real = redis.connect().await;
    let version = show(&real.cmd("INFO server").await);
    if !version.contains("redis_version:7.0.") {
        eprintln!("comparing with a Redis that is not 7.0: the replies may legitimately differ");
    }
    let seed = std::env::var("BITFIELD_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    eprintln!("BITFIELD_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    for line in [
        "COMMAND INFO bitfield bitfield_ro",
        "COMMAND DOCS bitfield bitfield_ro",
        "COMMAND GETKEYS bitfield k get u8 0 set u8 0 1",
        "COMMAND GETKEYS bitfield_ro k get u8 0",
        "COMMAND GETKEYSANDFLAGS bitfield k get u8 0 set u8 0 1",
        "COMMAND GETKEYSANDFLAGS bitfield k GET u8 0 overflow sat GET i8 1",
        "COMMAND GETKEYSANDFLAGS bitfield k",
        "COMMAND GETKEYSANDFLAGS bitfield k get u8",
        "COMMAND GETKEYSANDFLAGS bitfield k bogus",
        "COMMAND GETKEYSANDFLAGS bitfield_ro k get u8 0",
        "COMMAND GETKEYSANDFLAGS bitfield_ro k set u8 0 1",
        "RPUSH bf:list x",
        "SET bf:int 12345",
    ] {
        let (ours, theirs) = both(&mut node, &mut real, &words(line)).await;
        assert_eq!(show(&ours), show(&theirs), "{line}");
    }
    let mut errors = 0;
    let mut nulls = 0;
    for i in 0..2000 {
        if i == 1000 {
            // Second half in RESP3 (the HELLO replies themselves differ by design).
            node.cmd("HELLO 3").await;
            real.cmd("HELLO 3").await;
        }
        if i % 100 == 99 {
            for key in KEYS.iter().chain(ODD_KEYS) {
                let line = format!("GET {key}");
                let (ours, theirs) = both(&mut node, &mut real, &words(&line)).await;
                assert_eq!(ours, theirs, "seed {seed}, before command {i}: {line}");
            }
            let (ours, theirs) = both(&mut node, &mut real, &words("DEL bf:gone")).await;
            assert_eq!(ours, theirs, "seed {seed}, before command {i}: DEL bf:gone");
            // Same writes counted, so the same calls changed something.
            let (ours, theirs) = both(&mut node, &mut real, &words("INFO persistence")).await;
            assert_eq!(
                dirty(&ours),
                dirty(&theirs),
                "seed {seed}, before command {i}: rdb_changes_since_last_save"
            );
        }
        let args = random_command(&mut rng);
        let argv: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        let (ours, theirs) = both(&mut node, &mut real, &argv).await;
        assert_eq!(
            show(&ours),
            show(&theirs),
            "seed {seed}, command {i}: {}",
            args.join(" ")
        );
        errors += usize::from(ours.starts_with(b"-"));
        nulls += usize::from(ours.windows(3).any(|w| w == b"$-1" || w == b"\n_\r"));
    }
    for key in KEYS.iter().chain(ODD_KEYS) {
        let line = format!("GET {key}");
        let (ours, theirs) = both(&mut node, &mut real, &words(&line)).await;
        assert_eq!(ours, theirs, "seed {seed}, at the end: {line}");
    }
    let (ours, theirs) = both(&mut node, &mut real, &words("DBSIZE")).await;
    assert_eq!(ours, theirs, "seed {seed}: DBSIZE");
    // The mix must exercise both successes and failures to mean anything.
    assert!(errors > 50 && errors < 1000, "{errors} errors");
    assert!(nulls > 10, "{nulls} FAIL overflows");
}

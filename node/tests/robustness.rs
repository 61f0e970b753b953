//! Every command in the table, called with hostile arguments (wrong counts, huge and negative
//! numbers, non-numbers, binary, option words in odd places): the server must answer each one
//! (a reply or an error, never a dropped connection) and keep serving. Seeded and bounded.

mod common;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wire::codec::FrameDecoder;

/// Values that have broken parsers before: bounds of every integer width, floats that
/// overflow, words that are options of some command, and bytes no one expects.
const TRICKY: &[&[u8]] = &[
    b"",
    b"0",
    b"1",
    b"-1",
    b"2",
    b"3",
    b"10",
    b"-10",
    b"255",
    b"65536",
    b"4294967296",
    b"2147483647",
    b"-2147483648",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"-9223372036854775807",
    b"99999999999999999999",
    b"1.5",
    b"-0",
    b"inf",
    b"-inf",
    b"+inf",
    b"nan",
    b"1e400",
    b"0x10",
    b"(1",
    b"[a",
    b"(",
    b"-",
    b"+",
    b"*",
    b"a*",
    b"[",
    b"\\",
    b"key",
    b"key2",
    b"list",
    b"zset",
    b"hash",
    b"set",
    b"str",
    b"\x00\xff\r\n",
    b"WITHSCORES",
    b"LIMIT",
    b"COUNT",
    b"MATCH",
    b"TYPE",
    b"BYSCORE",
    b"BYLEX",
    b"REV",
    b"NX",
    b"XX",
    b"GT",
    b"LT",
    b"CH",
    b"INCR",
    b"EX",
    b"PX",
    b"EXAT",
    b"PXAT",
    b"KEEPTTL",
    b"GET",
    b"WEIGHTS",
    b"AGGREGATE",
    b"MIN",
    b"MAX",
    b"LEFT",
    b"RIGHT",
    b"BEFORE",
    b"AFTER",
    b"RANK",
    b"MAXLEN",
    b"IDX",
    b"LEN",
    b"MINMATCHLEN",
    b"WITHMATCHLEN",
    b"BIT",
    b"BYTE",
    b"AND",
    b"NOT",
    b"OVERFLOW",
    b"SAT",
    b"FAIL",
    b"u8",
    b"i64",
    b"u63",
    b"#1",
    b"WITHVALUES",
    b"ASYNC",
    b"DB",
    b"REPLACE",
    b"ID",
    b"ADDR",
    b"SKIPME",
    b"FILTERBY",
    b"PATTERN",
    b"ACLCAT",
];

/// Commands that end the connection (or make it a replica's link), change global state other calls depend on (auth,
/// limits, pauses, replies), or block: each has targeted tests of its own.
const SKIPPED: &[&str] = &[
    "shutdown",
    // These turn the connection into a replica's link (tested in tests/replication.rs).
    "psync",
    "sync",
    // Waits for replicas that never come (tests/replication.rs).
    "wait",
    // Make the node a replica of a random address, or hand its role over (same file).
    "replicaof",
    "slaveof",
    "failover",
    "quit",
    "debug",
    "monitor",
    "config|set",
    "config|rewrite",
    "client|kill",
    "client|pause",
    "client|reply",
    "client|no-evict",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn encode(args: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Send one request and read one complete reply frame. None if the connection dropped or
/// nothing came back in time.
async fn call(
    stream: &mut TcpStream,
    decoder: &mut FrameDecoder,
    buf: &mut bytes::BytesMut,
    args: &[Vec<u8>],
) -> Option<()> {
    stream.write_all(&encode(args)).await.ok()?;
    loop {
        if decoder.decode(buf).ok()?.is_some() {
            return Some(());
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn seed_data(stream: &mut TcpStream, decoder: &mut FrameDecoder, buf: &mut bytes::BytesMut) {
    let setup: &[&[&str]] = &[
        &["SET", "str", "hello"],
        &["RPUSH", "list", "a", "b", "c", "1", "2"],
        &["ZADD", "zset", "1", "a", "2", "b", "3", "c"],
        &["HSET", "hash", "f", "1", "g", "x"],
        &["SADD", "set", "1", "2", "x"],
        &["PFADD", "hll", "a", "b"],
    ];
    for line in setup {
        let args: Vec<Vec<u8>> = line.iter().map(|s| s.as_bytes().to_vec()).collect();
        call(stream, decoder, buf, &args).await.expect("setup");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_survives_hostile_arguments() {
    // Small limits keep allocation-heavy arguments (bit offsets, SETRANGE) cheap.
    let server = common::start("proto-max-bulk-len 1mb\n").await;
    let seed = std::env::var("ROBUSTNESS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_abcd_ef01u64);
    println!("ROBUSTNESS_SEED={seed}");
    let mut rng = Rng(seed);
    let commands: Vec<&wire::Command> = wire::command::all_executable()
        .filter(|c| !SKIPPED.contains(&c.name))
        .filter(|c| !c.has(wire::command::flags::BLOCKING))
        .collect();
    let mut calls = 0;
    for cmd in &commands {
        // A fresh connection per command: MULTI, SUBSCRIBE or HELLO change what follows.
        let mut stream = TcpStream::connect(server.addr).await.expect("connect");
        let mut decoder = FrameDecoder::default();
        let mut buf = bytes::BytesMut::new();
        seed_data(&mut stream, &mut decoder, &mut buf).await;
        let words: Vec<Vec<u8>> = cmd.name.split('|').map(|w| w.as_bytes().to_vec()).collect();
        for _ in 0..60 {
            let extra = rng.below(8);
            let mut args = words.clone();
            for _ in 0..extra {
                args.push(TRICKY[rng.below(TRICKY.len())].to_vec());
            }
            calls += 1;
            if call(&mut stream, &mut decoder, &mut buf, &args)
                .await
                .is_none()
            {
                let shown: Vec<String> = args
                    .iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                // A subscribed RESP2 client or a closed MULTI is still a live connection; a
                // dropped one means the server failed on this input.
                panic!("no reply to {shown:?} (seed {seed})");
            }
        }
    }
    let mut con = server.conn(false).await;
    let pong: String = redis::cmd("PING")
        .query_async(&mut con)
        .await
        .expect("server alive");
    assert_eq!(pong, "PONG");
    println!("{calls} hostile calls over {} commands", commands.len());
}

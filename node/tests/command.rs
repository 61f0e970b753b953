//! COMMAND against a node started in-process, and byte-for-byte against a real Redis 7.0.

mod common;
#[path = "common/raw_resp.rs"]
mod raw_resp;

use raw_resp::{Raw, RealRedis, show, words};

/// Commands compared with a real redis-server: plain commands and subcommands, with key specs
/// of every kind (range, keynum, notes, variable flags) and none.
const COMPARED: &[&str] = &[
    "get",
    "set",
    "getex",
    "mset",
    "zunionstore",
    "zadd",
    "blpop",
    "lmove",
    "blmpop",
    "pfcount",
    "publish",
    "subscribe",
    "hello",
    "client|list",
    "client|kill",
    "command|getkeys",
    "object|encoding",
    "config|get",
];

const GETKEYS_LINES: &[&str] = &[
    "get a",
    "set k v",
    "set k v get",
    "mset a 1 b 2",
    "zunionstore d 2 a b",
    "zunionstore d 5 a b",
    "zunionstore d 2x a b",
    "zunionstore d abc a b",
    "zunionstore d 0 a",
    "blmpop 0 2 a b left",
    "lmove a b left right",
    "object encoding k",
    "object nosuch k",
    "client list",
    "nosuch a",
    "get a b",
    "ping x",
];

#[tokio::test]
async fn info_and_docs_match_real_redis() {
    let Some(real) = RealRedis::start().await else {
        return;
    };
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut theirs = real.connect().await;
        let mut ours = Raw::connect(server.addr).await;
        if resp3 {
            theirs.cmd("HELLO 3").await;
            ours.cmd("HELLO 3").await;
        }
        for name in COMPARED {
            for sub in ["INFO", "DOCS"] {
                let line = format!("COMMAND {sub} {name}");
                let expected = theirs.cmd(&line).await;
                let got = ours.cmd(&line).await;
                assert_eq!(show(&got), show(&expected), "{line} (resp3: {resp3})");
            }
        }
        // Several names at once, an unknown one among them.
        let line = format!("COMMAND INFO get nosuch {}", COMPARED.join(" "));
        assert_eq!(show(&ours.cmd(&line).await), show(&theirs.cmd(&line).await));
        let line = "COMMAND DOCS nosuch get client|list";
        assert_eq!(show(&ours.cmd(line).await), show(&theirs.cmd(line).await));
        for line in GETKEYS_LINES {
            for sub in ["GETKEYS", "GETKEYSANDFLAGS"] {
                let mut args = vec![&b"COMMAND"[..], sub.as_bytes()];
                args.extend(words(line));
                let expected = theirs.cmd_args(&args).await;
                let got = ours.cmd_args(&args).await;
                assert_eq!(
                    show(&got),
                    show(&expected),
                    "COMMAND {sub} {line} (resp3: {resp3})"
                );
            }
        }
        for line in [
            "COMMAND HELP",
            "COMMAND COUNT x",
            "COMMAND LIST x",
            "COMMAND LIST FILTERBY PATTERN",
            "COMMAND FOO",
        ] {
            assert_eq!(
                show(&ours.cmd(line).await),
                show(&theirs.cmd(line).await),
                "{line}"
            );
        }
    }
}

#[tokio::test]
async fn count_list_and_all() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut con = server.conn(resp3).await;
        let count: usize = redis::cmd("COMMAND")
            .arg("COUNT")
            .query_async(&mut con)
            .await
            .unwrap();
        let all: Vec<redis::Value> = redis::cmd("COMMAND").query_async(&mut con).await.unwrap();
        assert_eq!(all.len(), count);
        let info: Vec<redis::Value> = redis::cmd("COMMAND")
            .arg("INFO")
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(info.len(), count);
        for entry in &all {
            let redis::Value::Array(fields) = entry else {
                panic!("entry {entry:?}");
            };
            assert_eq!(fields.len(), 10);
            assert!(matches!(fields[1], redis::Value::Int(_)));
            assert!(matches!(fields[3], redis::Value::Int(_)));
        }
        let list: Vec<String> = redis::cmd("COMMAND")
            .arg("LIST")
            .query_async(&mut con)
            .await
            .unwrap();
        assert!(list.len() > count);
        for name in [
            "get",
            "client",
            "client|list",
            "command|docs",
            "pubsub|numpat",
        ] {
            assert!(list.iter().any(|n| n == name), "{name} missing");
        }
        let mut filtered: Vec<String> = redis::cmd("COMMAND")
            .arg(&["LIST", "FILTERBY", "PATTERN", "CLIENT|L*"])
            .query_async(&mut con)
            .await
            .unwrap();
        filtered.sort();
        assert_eq!(filtered, ["client|list"]);
        let pubsub: Vec<String> = redis::cmd("COMMAND")
            .arg(&["LIST", "FILTERBY", "ACLCAT", "pubsub"])
            .query_async(&mut con)
            .await
            .unwrap();
        assert!(pubsub.iter().any(|n| n == "publish"));
        assert!(pubsub.iter().any(|n| n == "pubsub|channels"));
        assert!(!pubsub.iter().any(|n| n == "get"));
        let modules: Vec<String> = redis::cmd("COMMAND")
            .arg(&["LIST", "FILTERBY", "MODULE", "x"])
            .query_async(&mut con)
            .await
            .unwrap();
        assert!(modules.is_empty());
        let keys: Vec<String> = redis::cmd("COMMAND")
            .arg(&["GETKEYS", "MSET", "a", "1", "b", "2"])
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(keys, ["a", "b"]);
    }
}

#[tokio::test]
async fn exact_bytes() {
    let server = common::start("").await;
    let mut raw = Raw::connect(server.addr).await;
    assert_eq!(
        show(&raw.cmd("COMMAND INFO get nosuch").await),
        "*2\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n$-1\r\n"
    );
    assert_eq!(
        show(&raw.cmd("COMMAND GETKEYSANDFLAGS set k v").await),
        "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n"
    );
    assert_eq!(
        show(&raw.cmd("COMMAND LIST FILTERBY foo x").await),
        "-ERR syntax error\r\n"
    );
    raw.cmd("HELLO 3").await;
    let info = show(&raw.cmd("COMMAND INFO client|list").await);
    assert!(
        info.starts_with("*1\r\n*10\r\n$11\r\nclient|list\r\n:-2\r\n~4\r\n+admin\r\n"),
        "{info}"
    );
    assert!(
        info.ends_with("~1\r\n$23\r\nnondeterministic_output\r\n~0\r\n~0\r\n"),
        "{info}"
    );
    let docs = show(&raw.cmd("COMMAND DOCS get").await);
    assert!(
        docs.starts_with("%1\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n"),
        "{docs}"
    );
    // COMMAND with no subcommand is the whole table; COMMAND COUNT its size.
    let count = show(&raw.cmd("COMMAND COUNT").await);
    let all = show(&raw.cmd("COMMAND").await);
    assert!(all.starts_with(&format!("*{}\r\n*10\r\n", &count[1..count.len() - 2])));
}

//! CLIENT and MONITOR against a node started in-process, through the `redis` crate (RESP2 and
//! RESP3) and raw sockets.

mod common;
#[path = "common/raw_resp.rs"]
mod raw_resp;

use std::time::{Duration, Instant};

use raw_resp::{Raw, RealRedis, show};

/// The CLIENT LIST fields of Redis 7.0, in order, then the two Redis 7.2 added.
const FIELDS: &[&str] = &[
    "id",
    "addr",
    "laddr",
    "fd",
    "name",
    "age",
    "idle",
    "flags",
    "db",
    "sub",
    "psub",
    "ssub",
    "multi",
    "qbuf",
    "qbuf-free",
    "argv-mem",
    "multi-mem",
    "rbs",
    "rbp",
    "obl",
    "oll",
    "omem",
    "tot-mem",
    "events",
    "cmd",
    "user",
    "redir",
    "resp",
    "lib-name",
    "lib-ver",
];

fn fields(line: &str) -> Vec<(String, String)> {
    line.split(' ')
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("key=value");
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn field<'a>(line: &'a [(String, String)], name: &str) -> &'a str {
    &line
        .iter()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no {name} in {line:?}"))
        .1
}

async fn client_list(
    con: &mut redis::aio::MultiplexedConnection,
    extra: &[&str],
) -> Vec<Vec<(String, String)>> {
    let text: String = redis::cmd("CLIENT")
        .arg("LIST")
        .arg(extra)
        .query_async(con)
        .await
        .expect("client list");
    assert!(text.is_empty() || text.ends_with('\n'), "{text:?}");
    text.lines().map(fields).collect()
}

async fn error_text(con: &mut redis::aio::MultiplexedConnection, args: &[&str]) -> String {
    let err = redis::cmd(args[0])
        .arg(&args[1..])
        .query_async::<redis::Value>(con)
        .await
        .expect_err("an error reply");
    let detail = err.detail().unwrap_or_default();
    format!("{} {}", err.code().unwrap_or_default(), detail)
        .trim()
        .to_string()
}

#[tokio::test]
async fn id_and_names() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut con = server.conn(resp3).await;
        let id: i64 = redis::cmd("CLIENT")
            .arg("ID")
            .query_async(&mut con)
            .await
            .unwrap();
        assert!(id > 0);
        let name: Option<String> = redis::cmd("CLIENT")
            .arg("GETNAME")
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(name, None);
        assert_eq!(
            error_text(&mut con, &["CLIENT", "SETNAME", "a b"]).await,
            "ERR Client names cannot contain spaces, newlines or special characters."
        );
        let _: () = redis::cmd("CLIENT")
            .arg("SETNAME")
            .arg("worker-1")
            .query_async(&mut con)
            .await
            .unwrap();
        let name: Option<String> = redis::cmd("CLIENT")
            .arg("GETNAME")
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("worker-1"));
        let _: () = redis::cmd("CLIENT")
            .arg("SETNAME")
            .arg("")
            .query_async(&mut con)
            .await
            .unwrap();
        let name: Option<String> = redis::cmd("CLIENT")
            .arg("GETNAME")
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(name, None);
    }
    let mut raw = Raw::connect(server.addr).await;
    assert_eq!(raw.cmd("CLIENT GETNAME").await, b"$-1\r\n");
    assert_eq!(
        raw.cmd_args(&[b"CLIENT", b"SETNAME", b"caf\xc3\xa9"]).await,
        b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
    );
    assert_eq!(
        raw.cmd("CLIENT SETNAME").await,
        b"-ERR wrong number of arguments for 'client|setname' command\r\n"
    );
    raw.cmd("HELLO 3").await;
    assert_eq!(raw.cmd("CLIENT GETNAME").await, b"_\r\n");
}

#[tokio::test]
async fn list_and_info_lines() {
    let server = common::start("").await;
    let mut con = server.conn(false).await;
    let mut other = server.conn(true).await;
    let _: () = redis::cmd("CLIENT")
        .arg("SETNAME")
        .arg("other")
        .query_async(&mut other)
        .await
        .unwrap();
    let _: () = redis::cmd("SELECT")
        .arg(3)
        .query_async(&mut other)
        .await
        .unwrap();
    let _: () = redis::cmd("CLIENT")
        .arg("SETINFO")
        .arg("LIB-NAME")
        .arg("redis-rs")
        .query_async(&mut other)
        .await
        .unwrap();
    let my_id: i64 = redis::cmd("CLIENT")
        .arg("ID")
        .query_async(&mut con)
        .await
        .unwrap();
    let other_id: i64 = redis::cmd("CLIENT")
        .arg("ID")
        .query_async(&mut other)
        .await
        .unwrap();

    let lines = client_list(&mut con, &[]).await;
    assert_eq!(lines.len(), 2);
    for line in &lines {
        let names: Vec<&str> = line.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, FIELDS);
    }
    // Creation order.
    assert_eq!(field(&lines[0], "id"), my_id.to_string());
    let me = &lines[0];
    assert_eq!(field(me, "laddr"), server.addr.to_string());
    assert_eq!(field(me, "cmd"), "client|list");
    assert_eq!(field(me, "flags"), "N");
    assert_eq!(field(me, "multi"), "-1");
    assert_eq!(field(me, "resp"), "2");
    assert_eq!(field(me, "user"), "default");
    assert_eq!(field(me, "argv-mem"), "10");
    assert!(field(me, "fd").parse::<i64>().unwrap() > 0);
    let them = &lines[1];
    assert_eq!(field(them, "id"), other_id.to_string());
    assert_eq!(field(them, "name"), "other");
    assert_eq!(field(them, "db"), "3");
    assert_eq!(field(them, "resp"), "3");
    assert_eq!(field(them, "cmd"), "client|id");
    assert_eq!(field(them, "lib-name"), "redis-rs");

    // Filters.
    let by_id = client_list(
        &mut con,
        &["ID", &other_id.to_string(), "99999", &my_id.to_string()],
    )
    .await;
    let ids: Vec<&str> = by_id.iter().map(|l| field(l, "id")).collect();
    assert_eq!(ids, [other_id.to_string(), my_id.to_string()]);
    assert_eq!(client_list(&mut con, &["TYPE", "pubsub"]).await.len(), 0);
    assert_eq!(client_list(&mut con, &["TYPE", "normal"]).await.len(), 2);
    assert_eq!(client_list(&mut con, &["TYPE", "replica"]).await.len(), 0);
    assert_eq!(
        error_text(&mut con, &["CLIENT", "LIST", "TYPE", "foo"]).await,
        "ERR Unknown client type 'foo'"
    );
    assert_eq!(
        error_text(&mut con, &["CLIENT", "LIST", "ID", "x"]).await,
        "ERR Invalid client ID"
    );
    assert_eq!(
        error_text(&mut con, &["CLIENT", "LIST", "TYPE", "normal", "ID", "1"]).await,
        "ERR syntax error"
    );
    assert_eq!(
        error_text(&mut con, &["CLIENT", "LIST", "ID"]).await,
        "ERR syntax error"
    );

    // CLIENT INFO: one line for the caller, verbatim in RESP3.
    let info: String = redis::cmd("CLIENT")
        .arg("INFO")
        .query_async(&mut other)
        .await
        .unwrap();
    let line = fields(info.trim_end_matches('\n'));
    assert_eq!(field(&line, "id"), other_id.to_string());
    assert_eq!(field(&line, "cmd"), "client|info");
    let mut raw = Raw::connect(server.addr).await;
    raw.cmd("HELLO 3").await;
    let reply = raw.cmd("CLIENT INFO").await;
    assert!(reply.starts_with(b"="), "{}", show(&reply));
    let text = show(&reply);
    let (header, body) = text.split_once("\r\n").unwrap();
    assert_eq!(header[1..].parse::<usize>().unwrap(), body.len() - 2);
    assert!(body.starts_with("txt:id="));
    assert!(
        body.ends_with(" resp=3 lib-name= lib-ver=\n\r\n"),
        "{body:?}"
    );
}

#[tokio::test]
async fn list_flags_follow_state() {
    let server = common::start("").await;
    let mut con = server.conn(false).await;
    let mut sub = Raw::connect(server.addr).await;
    sub.cmd("SUBSCRIBE a").await;
    sub.send_line("PSUBSCRIBE p*").await;
    sub.reply().await;
    let mut multi = Raw::connect(server.addr).await;
    multi.cmd("MULTI").await;
    multi.cmd("SET k v").await;
    multi.cmd("GET k").await;
    let mut mon = Raw::connect(server.addr).await;
    mon.cmd("MONITOR").await;
    let mut noevict = Raw::connect(server.addr).await;
    assert_eq!(noevict.cmd("CLIENT NO-EVICT on").await, b"+OK\r\n");
    assert_eq!(
        noevict.cmd("CLIENT NO-EVICT maybe").await,
        b"-ERR syntax error\r\n"
    );

    let lines = client_list(&mut con, &[]).await;
    let by_cmd = |cmd: &str| {
        lines
            .iter()
            .find(|l| field(l, "cmd") == cmd)
            .unwrap_or_else(|| panic!("no client ran {cmd}: {lines:?}"))
            .clone()
    };
    let s = by_cmd("psubscribe");
    assert_eq!(
        (field(&s, "flags"), field(&s, "sub"), field(&s, "psub")),
        ("P", "1", "1")
    );
    let m = by_cmd("get");
    assert_eq!((field(&m, "flags"), field(&m, "multi")), ("x", "2"));
    assert_eq!(field(&m, "multi-mem"), "9");
    assert_eq!(field(by_cmd("monitor").as_slice(), "flags"), "O");
    assert_eq!(field(by_cmd("client|no-evict").as_slice(), "flags"), "e");
    assert_eq!(client_list(&mut con, &["TYPE", "pubsub"]).await.len(), 1);
    // A monitor is a normal client to Redis.
    assert_eq!(client_list(&mut con, &["TYPE", "normal"]).await.len(), 4);

    // An unknown command leaves cmd=NULL, as Redis's lastcmd.
    let mut unknown = Raw::connect(server.addr).await;
    unknown.cmd("NOSUCH").await;
    let id = show(&unknown.cmd("CLIENT ID").await)[1..]
        .trim()
        .to_string();
    unknown.cmd("NOSUCH").await;
    let lines = client_list(&mut con, &["ID", &id]).await;
    assert_eq!(field(&lines[0], "cmd"), "NULL");
}

#[tokio::test]
async fn list_fields_match_real_redis() {
    let Some(real) = RealRedis::start().await else {
        return;
    };
    let mut raw = real.connect().await;
    let reply = raw.cmd("CLIENT INFO").await;
    let text = show(&reply);
    let line = text.split("\r\n").nth(1).unwrap().trim_end_matches('\n');
    let names: Vec<String> = fields(line).into_iter().map(|(k, _)| k).collect();
    // 7.0 stops at resp; ours adds 7.2's lib-name and lib-ver.
    assert_eq!(names, FIELDS[..FIELDS.len() - 2]);
}

#[tokio::test]
async fn kill_old_form() {
    let server = common::start("").await;
    let mut admin = Raw::connect(server.addr).await;
    let mut victim = Raw::connect(server.addr).await;
    let info = show(&victim.cmd("CLIENT INFO").await);
    let line = fields(info.split("\r\n").nth(1).unwrap().trim_end());
    let addr = field(&line, "addr").to_string();
    assert_eq!(admin.cmd(&format!("CLIENT KILL {addr}")).await, b"+OK\r\n");
    assert!(victim.closed_within(Duration::from_secs(10)).await);
    assert_eq!(
        admin.cmd(&format!("CLIENT KILL {addr}")).await,
        b"-ERR No such client\r\n"
    );
    // The old form may kill the caller, after its reply.
    let info = show(&admin.cmd("CLIENT INFO").await);
    let line = fields(info.split("\r\n").nth(1).unwrap().trim_end());
    let own = field(&line, "addr").to_string();
    assert_eq!(admin.cmd(&format!("CLIENT KILL {own}")).await, b"+OK\r\n");
    assert!(admin.closed_within(Duration::from_secs(10)).await);
}

#[tokio::test]
async fn kill_filters() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut admin = server.conn(resp3).await;
        let admin_id: i64 = redis::cmd("CLIENT")
            .arg("ID")
            .query_async(&mut admin)
            .await
            .unwrap();

        // By ID.
        let mut victim = Raw::connect(server.addr).await;
        let id = show(&victim.cmd("CLIENT ID").await)[1..].trim().to_string();
        let killed: i64 = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(&id)
            .query_async(&mut admin)
            .await
            .unwrap();
        assert_eq!(killed, 1);
        assert!(victim.closed_within(Duration::from_secs(10)).await);
        let killed: i64 = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(&id)
            .query_async(&mut admin)
            .await
            .unwrap();
        assert_eq!(killed, 0);

        // TYPE pubsub spares the caller and normal clients.
        let mut sub = Raw::connect(server.addr).await;
        sub.cmd("SUBSCRIBE ch").await;
        let mut bystander = Raw::connect(server.addr).await;
        let killed: i64 = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("TYPE")
            .arg("pubsub")
            .query_async(&mut admin)
            .await
            .unwrap();
        assert_eq!(killed, 1);
        assert!(sub.closed_within(Duration::from_secs(10)).await);
        assert_eq!(bystander.cmd("PING").await, b"+PONG\r\n");

        // ADDR, LADDR, USER and MAXAGE combine; the caller is spared by default.
        let addr = {
            let info = show(&bystander.cmd("CLIENT INFO").await);
            let line = fields(info.split("\r\n").nth(1).unwrap().trim_end());
            field(&line, "addr").to_string()
        };
        let killed: i64 = redis::cmd("CLIENT")
            .arg(&[
                "KILL",
                "ADDR",
                &addr,
                "LADDR",
                &server.addr.to_string(),
                "USER",
                "default",
            ])
            .query_async(&mut admin)
            .await
            .unwrap();
        assert_eq!(killed, 1);
        assert!(bystander.closed_within(Duration::from_secs(10)).await);
        let killed: i64 = redis::cmd("CLIENT")
            .arg(&["KILL", "TYPE", "normal", "MAXAGE", "1000"])
            .query_async(&mut admin)
            .await
            .unwrap();
        assert_eq!(killed, 0);
        let killed: i64 = redis::cmd("CLIENT")
            .arg(&["KILL", "LADDR", &server.addr.to_string()])
            .query_async(&mut admin)
            .await
            .unwrap();
        assert_eq!(killed, 0, "only the caller is left and it is spared");

        for (args, expected) in [
            (
                vec!["CLIENT", "KILL", "ID", "0"],
                "ERR client-id should be greater than 0",
            ),
            (
                vec!["CLIENT", "KILL", "ID", "x"],
                "ERR client-id should be greater than 0",
            ),
            (
                vec!["CLIENT", "KILL", "TYPE", "foo"],
                "ERR Unknown client type 'foo'",
            ),
            (
                vec!["CLIENT", "KILL", "USER", "nobody"],
                "ERR No such user 'nobody'",
            ),
            (
                vec!["CLIENT", "KILL", "SKIPME", "maybe"],
                "ERR syntax error",
            ),
            (
                vec!["CLIENT", "KILL", "ID", "1", "TYPE"],
                "ERR syntax error",
            ),
            (vec!["CLIENT", "KILL", "FOO", "1"], "ERR syntax error"),
            (
                vec!["CLIENT", "KILL", "MAXAGE", "x"],
                "ERR maxage is not an integer or out of range",
            ),
            (
                vec!["CLIENT", "KILL", "MAXAGE", "0"],
                "ERR maxage should be greater than 0",
            ),
        ] {
            assert_eq!(error_text(&mut admin, &args).await, expected, "{args:?}");
        }

        // SKIPME no: the caller gets its count, then is disconnected.
        let mut me = Raw::connect(server.addr).await;
        let id = show(&me.cmd("CLIENT ID").await)[1..].trim().to_string();
        assert_eq!(
            me.cmd(&format!("CLIENT KILL ID {id} SKIPME no")).await,
            b":1\r\n"
        );
        assert!(me.closed_within(Duration::from_secs(10)).await);
        let _: i64 = redis::cmd("CLIENT")
            .arg("ID")
            .query_async(&mut admin)
            .await
            .unwrap();
        assert!(admin_id > 0);
    }
}

#[tokio::test]
async fn setinfo_and_unknown_subcommands() {
    let server = common::start("").await;
    let mut raw = Raw::connect(server.addr).await;
    assert_eq!(
        raw.cmd("CLIENT SETINFO LIB-NAME redis-py").await,
        b"+OK\r\n"
    );
    assert_eq!(raw.cmd("CLIENT SETINFO lib-ver 8.1.0").await, b"+OK\r\n");
    assert_eq!(
        raw.cmd("CLIENT SETINFO foo x").await,
        b"-ERR Unrecognized option 'foo'\r\n"
    );
    assert_eq!(
        raw.cmd_args(&[b"CLIENT", b"SETINFO", b"lib-name", b"a b"])
            .await,
        b"-ERR lib-name cannot contain spaces, newlines or special characters.\r\n"
    );
    assert_eq!(
        raw.cmd("CLIENT SETINFO lib-name a b").await,
        b"-ERR wrong number of arguments for 'client|setinfo' command\r\n"
    );
    let info = show(&raw.cmd("CLIENT INFO").await);
    assert!(
        info.contains(" resp=2 lib-name=redis-py lib-ver=8.1.0\n"),
        "{info}"
    );
    // redis-py 8 sends this at connect time; it must get an error, not a closed connection.
    assert_eq!(
        raw.cmd("CLIENT MAINT_NOTIFICATIONS ON moving-endpoint-type internal-ip")
            .await,
        b"-ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.\r\n"
    );
    assert_eq!(raw.cmd("PING").await, b"+PONG\r\n");
    let help = raw.cmd("CLIENT HELP").await;
    assert!(help.starts_with(b"*"));
    assert!(show(&help).contains(
        "+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GETNAME\r\n"
    ));
    assert!(help.ends_with(b"+HELP\r\n+    Prints this help.\r\n"));
}

#[tokio::test]
async fn reply_off_and_skip() {
    let server = common::start("").await;
    let mut raw = Raw::connect(server.addr).await;
    raw.send_line("CLIENT REPLY OFF").await;
    raw.send_line("SET k v").await;
    raw.send_line("NOSUCH").await;
    raw.send_line("CLIENT REPLY maybe").await;
    raw.send_line("GET k").await;
    assert!(raw.silent_for(Duration::from_millis(200)).await);
    assert_eq!(raw.cmd("CLIENT REPLY ON").await, b"+OK\r\n");
    raw.send_line("CLIENT REPLY SKIP").await;
    raw.send_line("GET k").await;
    raw.send_line("ECHO visible").await;
    assert_eq!(raw.reply().await, b"$7\r\nvisible\r\n");
    // SKIP then ON: ON answers.
    raw.send_line("CLIENT REPLY SKIP").await;
    assert_eq!(raw.cmd("CLIENT REPLY ON").await, b"+OK\r\n");
    assert_eq!(
        raw.cmd("CLIENT REPLY maybe").await,
        b"-ERR syntax error\r\n"
    );
    // SKIP while OFF does nothing.
    raw.send_line("CLIENT REPLY OFF").await;
    raw.send_line("CLIENT REPLY SKIP").await;
    raw.send_line("ECHO hidden").await;
    assert_eq!(raw.cmd("CLIENT REPLY ON").await, b"+OK\r\n");
}

#[tokio::test]
async fn pause_write_lets_reads_through() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut admin = server.conn(resp3).await;
        let mut reader = server.conn(resp3).await;
        let _: () = redis::cmd("SET")
            .arg("k")
            .arg("v1")
            .query_async(&mut admin)
            .await
            .unwrap();
        let _: () = redis::cmd("CLIENT")
            .arg(&["PAUSE", "10000", "WRITE"])
            .query_async(&mut admin)
            .await
            .unwrap();
        // A write sent first is held; the read sent after it is answered meanwhile, with
        // the old value.
        let mut writer = server.conn(resp3).await;
        let write = tokio::spawn(async move {
            redis::cmd("SET")
                .arg("k")
                .arg("v2")
                .query_async::<()>(&mut writer)
                .await
        });
        wait_paused_writers(&server, 1).await;
        let value: String = redis::cmd("GET")
            .arg("k")
            .query_async(&mut reader)
            .await
            .unwrap();
        assert_eq!(value, "v1");
        assert!(!write.is_finished());
        let _: () = redis::cmd("CLIENT")
            .arg("UNPAUSE")
            .query_async(&mut admin)
            .await
            .unwrap();
        write.await.unwrap().unwrap();
        // A pause ends by itself: a write waits at least its length, counted from before
        // the pause began.
        let started = Instant::now();
        let _: () = redis::cmd("CLIENT")
            .arg(&["PAUSE", "300", "WRITE"])
            .query_async(&mut admin)
            .await
            .unwrap();
        let set = tokio::time::timeout(
            Duration::from_secs(10),
            redis::cmd("SET")
                .arg("k")
                .arg("v3")
                .query_async::<()>(&mut reader),
        )
        .await
        .expect("the pause ended by itself");
        set.unwrap();
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(250),
            "write did not wait: {took:?}"
        );
    }
}

/// Wait until `count` clients are held by CLIENT PAUSE.
async fn wait_paused_writers(server: &common::TestServer, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let held = server
            .server
            .store
            .lock()
            .clients
            .values()
            .filter(|c| c.blocked.load(std::sync::atomic::Ordering::Relaxed))
            .count();
        if held >= count {
            return;
        }
        assert!(Instant::now() < deadline, "{held} of {count} writers held");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn pause_keeps_pipelined_replies_in_order() {
    let server = common::start("").await;
    let mut admin = Raw::connect(server.addr).await;
    let mut client = Raw::connect(server.addr).await;
    client.cmd("SET n 1").await;
    assert_eq!(admin.cmd("CLIENT PAUSE 10000 WRITE").await, b"+OK\r\n");
    client.send_line("GET n").await;
    client.send_line("SET n 2").await;
    client.send_line("GET n").await;
    // The read before the write is answered during the pause; the rest waits, in order.
    assert_eq!(client.reply().await, b"$1\r\n1\r\n");
    assert!(client.silent_for(Duration::from_millis(100)).await);
    assert_eq!(admin.cmd("CLIENT UNPAUSE").await, b"+OK\r\n");
    assert_eq!(client.reply().await, b"+OK\r\n");
    assert_eq!(client.reply().await, b"$1\r\n2\r\n");

    // PAUSE ALL holds every command, CLIENT UNPAUSE included (as in Redis 7.0), until the
    // pause is lifted.
    assert_eq!(admin.cmd("CLIENT PAUSE 10000 ALL").await, b"+OK\r\n");
    client.send_line("GET n").await;
    assert!(client.silent_for(Duration::from_millis(200)).await);
    let mut other = Raw::connect(server.addr).await;
    other.send_line("CLIENT UNPAUSE").await;
    assert!(other.silent_for(Duration::from_millis(100)).await);
    server.server.store.lock().client_pause.unpause();
    assert_eq!(other.reply().await, b"+OK\r\n");
    assert_eq!(client.reply().await, b"$1\r\n2\r\n");

    // Under WRITE, UNPAUSE gets through and releases a waiting writer at once.
    assert_eq!(admin.cmd("CLIENT PAUSE 10000 WRITE").await, b"+OK\r\n");
    client.send_line("SET w 1").await;
    assert!(client.silent_for(Duration::from_millis(150)).await);
    assert_eq!(other.cmd("CLIENT UNPAUSE").await, b"+OK\r\n");
    assert_eq!(client.reply().await, b"+OK\r\n");

    // Queueing a write inside MULTI waits too.
    assert_eq!(admin.cmd("CLIENT PAUSE 10000 WRITE").await, b"+OK\r\n");
    assert_eq!(client.cmd("MULTI").await, b"+OK\r\n");
    client.send_line("SET n 3").await;
    assert!(client.silent_for(Duration::from_millis(150)).await);
    assert_eq!(admin.cmd("CLIENT UNPAUSE").await, b"+OK\r\n");
    assert_eq!(client.reply().await, b"+QUEUED\r\n");
    assert_eq!(client.cmd("EXEC").await, b"*1\r\n+OK\r\n");

    for (line, expected) in [
        (
            "CLIENT PAUSE abc",
            "-ERR timeout is not an integer or out of range\r\n",
        ),
        ("CLIENT PAUSE -1", "-ERR timeout is negative\r\n"),
        (
            "CLIENT PAUSE 10 foo",
            "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n",
        ),
        (
            "CLIENT PAUSE 10 write x",
            "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n",
        ),
    ] {
        assert_eq!(show(&admin.cmd(line).await), expected, "{line}");
    }
}

#[tokio::test]
async fn monitor_lines() {
    let server = common::start("").await;
    // Connection set-up traffic first, so the monitors only see what follows.
    let mut con = server.conn(false).await;
    let mut mon3 = Raw::connect(server.addr).await;
    mon3.cmd("HELLO 3").await;
    let mut mon = Raw::connect(server.addr).await;
    assert_eq!(mon.cmd("MONITOR").await, b"+OK\r\n");
    assert_eq!(mon3.cmd("MONITOR").await, b"+OK\r\n");
    // A second MONITOR gets no reply.
    mon3.send_line("MONITOR").await;
    assert!(mon3.silent_for(Duration::from_millis(100)).await);

    let _: () = redis::cmd("SET")
        .arg("k")
        .arg(&b"a b\"\\\n\x01\xff"[..])
        .query_async(&mut con)
        .await
        .unwrap();
    let _: redis::Value = redis::cmd("CONFIG")
        .arg("GET")
        .arg("maxmemory")
        .query_async(&mut con)
        .await
        .unwrap_or(redis::Value::Nil);
    let _: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(&mut con)
        .await
        .unwrap();
    let _ = redis::cmd("AUTH")
        .arg("secret")
        .query_async::<()>(&mut con)
        .await;
    let _: () = redis::cmd("SELECT")
        .arg(2)
        .query_async(&mut con)
        .await
        .unwrap();
    let _: Option<String> = redis::cmd("GET")
        .arg("x")
        .query_async(&mut con)
        .await
        .unwrap();

    let local = {
        let info: String = redis::cmd("CLIENT")
            .arg("INFO")
            .query_async(&mut con)
            .await
            .unwrap();
        let line = fields(info.trim_end());
        field(&line, "addr").to_string()
    };
    let expected = [
        format!("[0 {local}] \"SET\" \"k\" \"a b\\\"\\\\\\n\\x01\\xff\""),
        format!("[0 {local}] \"AUTH\" \"(redacted)\""),
        format!("[2 {local}] \"SELECT\" \"2\""),
        format!("[2 {local}] \"GET\" \"x\""),
        format!("[2 {local}] \"CLIENT\" \"INFO\""),
    ];
    for monitor in [&mut mon, &mut mon3] {
        for want in &expected {
            let line = show(&monitor.reply().await);
            assert!(line.starts_with('+') && line.ends_with("\r\n"), "{line:?}");
            let (stamp, rest) = line[1..].split_once(' ').unwrap();
            let (secs, micros) = stamp.split_once('.').unwrap();
            assert!(secs.parse::<u64>().unwrap() > 1_600_000_000);
            assert_eq!(micros.len(), 6);
            assert_eq!(rest.trim_end(), want);
        }
    }

    // A monitor may not touch the keyspace; its own commands show up after their reply.
    assert_eq!(
        mon.cmd("GET k").await,
        b"-ERR Replica can't interact with the keyspace\r\n"
    );
    assert_eq!(mon.cmd("PING").await, b"+PONG\r\n");
    let own = show(&mon.reply().await);
    assert!(own.ends_with("\"PING\"\r\n"), "{own}");
    assert!(show(&mon3.reply().await).ends_with("\"PING\"\r\n"));

    // RESET leaves monitor mode; QUIT closes.
    assert_eq!(mon3.cmd("RESET").await, b"+RESET\r\n");
    assert!(show(&mon.reply().await).ends_with("\"RESET\"\r\n"));
    let _: () = redis::cmd("SET")
        .arg("a")
        .arg("1")
        .query_async(&mut con)
        .await
        .unwrap();
    assert!(show(&mon.reply().await).ends_with("\"SET\" \"a\" \"1\"\r\n"));
    assert!(mon3.silent_for(Duration::from_millis(150)).await);
    assert_eq!(mon.cmd("QUIT").await, b"+OK\r\n");

    // Inside a transaction MONITOR is refused.
    let mut tx = Raw::connect(server.addr).await;
    tx.cmd("MULTI").await;
    tx.cmd("MONITOR").await;
    assert_eq!(
        tx.cmd("EXEC").await,
        b"*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n"
    );
}

#[tokio::test]
async fn monitor_shows_transactions_in_execution_order() {
    let server = common::start("").await;
    let mut mon = Raw::connect(server.addr).await;
    mon.cmd("MONITOR").await;
    let mut raw = Raw::connect(server.addr).await;
    raw.cmd("MULTI").await;
    raw.cmd("SET a 1").await;
    raw.cmd("EXEC").await;
    raw.cmd("HELLO 3 AUTH default pw").await;
    for want in [
        "\"MULTI\"",
        "\"SET\" \"a\" \"1\"",
        "\"EXEC\"",
        "\"HELLO\" \"3\" \"AUTH\" \"(redacted)\" \"(redacted)\"",
    ] {
        let line = show(&mon.reply().await);
        assert!(line.trim_end().ends_with(want), "{line:?} vs {want}");
    }
}

//! Pub/sub against a node started in-process: exact RESP2 and RESP3 frames, the `redis` crate's
//! pub/sub in both protocols, introspection, and the output buffer limit on slow subscribers.

mod common;
#[path = "common/raw_resp.rs"]
mod raw_resp;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use raw_resp::{Raw, show};

#[tokio::test]
async fn resp2_frames() {
    let server = common::start("").await;
    let mut sub = Raw::connect(server.addr).await;
    assert_eq!(
        sub.cmd("UNSUBSCRIBE").await,
        b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"
    );
    assert_eq!(
        sub.cmd("PUNSUBSCRIBE").await,
        b"*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n"
    );
    sub.send_line("SUBSCRIBE a b a").await;
    assert_eq!(
        sub.reply().await,
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
    );
    assert_eq!(
        sub.reply().await,
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
    );
    assert_eq!(
        sub.reply().await,
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n"
    );
    assert_eq!(
        sub.cmd("PSUBSCRIBE p*").await,
        b"*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n"
    );
    assert_eq!(sub.cmd("PING").await, b"*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    assert_eq!(sub.cmd("PING x").await, b"*2\r\n$4\r\npong\r\n$1\r\nx\r\n");
    assert_eq!(
        show(&sub.cmd("GET x").await),
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
    );
    assert_eq!(
        show(&sub.cmd("CLIENT LIST").await),
        "-ERR Can't execute 'client|list': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
    );

    let mut publisher = Raw::connect(server.addr).await;
    assert_eq!(publisher.cmd("PUBLISH a hi").await, b":1\r\n");
    assert_eq!(publisher.cmd("PUBLISH pa there").await, b":1\r\n");
    assert_eq!(publisher.cmd("PUBLISH nobody x").await, b":0\r\n");
    assert_eq!(
        sub.reply().await,
        b"*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n"
    );
    assert_eq!(
        sub.reply().await,
        b"*4\r\n$8\r\npmessage\r\n$2\r\np*\r\n$2\r\npa\r\n$5\r\nthere\r\n"
    );

    // Unsubscribing from everything confirms each channel, the count going down.
    sub.send_line("UNSUBSCRIBE").await;
    let mut seen = Vec::new();
    for count in [2, 1] {
        let frame = show(&sub.reply().await);
        assert!(
            frame.starts_with("*3\r\n$11\r\nunsubscribe\r\n$1\r\n"),
            "{frame}"
        );
        assert!(frame.ends_with(&format!(":{count}\r\n")), "{frame}");
        seen.push(frame[frame.len() - 7..frame.len() - 6].to_string());
    }
    seen.sort();
    assert_eq!(seen, ["a", "b"]);
    assert_eq!(
        sub.cmd("PUNSUBSCRIBE").await,
        b"*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n"
    );
    assert_eq!(sub.cmd("PING").await, b"+PONG\r\n");
    assert_eq!(publisher.cmd("PUBLISH a hi").await, b":0\r\n");
}

#[tokio::test]
async fn resp3_frames_are_pushes() {
    let server = common::start("").await;
    let mut sub = Raw::connect(server.addr).await;
    sub.cmd("HELLO 3").await;
    assert_eq!(
        sub.cmd("UNSUBSCRIBE").await,
        b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n"
    );
    assert_eq!(
        sub.cmd("SUBSCRIBE ch").await,
        b">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
    );
    assert_eq!(
        sub.cmd("PSUBSCRIBE c*").await,
        b">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n"
    );
    // Any command runs in RESP3; PING is a plain PONG.
    assert_eq!(sub.cmd("PING").await, b"+PONG\r\n");
    assert_eq!(sub.cmd("GET nothing").await, b"_\r\n");
    // Publishing to itself: the messages come before the PUBLISH reply, as in Redis.
    sub.send_line("PUBLISH ch hi").await;
    assert_eq!(
        sub.reply().await,
        b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"
    );
    assert_eq!(
        sub.reply().await,
        b">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n"
    );
    assert_eq!(sub.reply().await, b":2\r\n");
    // From another client: a RESP2 subscriber and a RESP3 one get their own encodings.
    let mut sub2 = Raw::connect(server.addr).await;
    sub2.cmd("SUBSCRIBE ch").await;
    let mut publisher = Raw::connect(server.addr).await;
    assert_eq!(publisher.cmd("PUBLISH ch x").await, b":3\r\n");
    assert_eq!(
        sub.reply().await,
        b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n"
    );
    assert_eq!(
        sub.reply().await,
        b">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$1\r\nx\r\n"
    );
    assert_eq!(
        sub2.reply().await,
        b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n"
    );
    // A message published before a command is delivered ahead of that command's reply.
    publisher.cmd("PUBLISH ch y").await;
    sub.send_line("ECHO after").await;
    assert_eq!(
        sub.reply().await,
        b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\ny\r\n"
    );
    assert_eq!(
        sub.reply().await,
        b">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$1\r\ny\r\n"
    );
    assert_eq!(sub.reply().await, b"$5\r\nafter\r\n");
    // RESET drops the subscriptions.
    assert_eq!(sub.cmd("RESET").await, b"+RESET\r\n");
    assert_eq!(publisher.cmd("PUBLISH ch z").await, b":1\r\n");
}

#[tokio::test]
async fn redis_crate_resp3_pushes() {
    let server = common::start("").await;
    let client = redis::Client::open(server.url(true)).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let config = redis::AsyncConnectionConfig::new().set_push_sender(tx);
    let mut sub = client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .unwrap();
    sub.subscribe("news").await.unwrap();
    sub.psubscribe("n*").await.unwrap();
    let mut publisher = server.conn(true).await;
    let receivers: i64 = redis::cmd("PUBLISH")
        .arg("news")
        .arg("hello")
        .query_async(&mut publisher)
        .await
        .unwrap();
    assert_eq!(receivers, 2);
    let mut kinds = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while kinds.len() < 4 && Instant::now() < deadline {
        let push = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("push in time")
            .expect("push");
        kinds.push((push.kind.clone(), push.data.clone()));
    }
    use redis::{PushKind, Value};
    let bulk = |s: &str| Value::BulkString(s.as_bytes().to_vec());
    assert_eq!(
        kinds[0],
        (PushKind::Subscribe, vec![bulk("news"), Value::Int(1)])
    );
    assert_eq!(
        kinds[1],
        (PushKind::PSubscribe, vec![bulk("n*"), Value::Int(2)])
    );
    assert_eq!(
        kinds[2],
        (PushKind::Message, vec![bulk("news"), bulk("hello")])
    );
    assert_eq!(
        kinds[3],
        (
            PushKind::PMessage,
            vec![bulk("n*"), bulk("news"), bulk("hello")]
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_crate_resp2_pubsub() {
    let server = common::start("").await;
    let url = server.url(false);
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let reader = tokio::task::spawn_blocking(move || {
        let client = redis::Client::open(url).unwrap();
        let mut con = client.get_connection().unwrap();
        con.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut pubsub = con.as_pubsub();
        pubsub.subscribe("orders").unwrap();
        pubsub.psubscribe("ord*").unwrap();
        let _ = ready_tx.send(());
        let first = pubsub.get_message().unwrap();
        let second = pubsub.get_message().unwrap();
        (
            (
                first.get_channel_name().to_string(),
                first.get_payload::<String>().unwrap(),
            ),
            (
                second.get_pattern::<String>().unwrap(),
                second.get_payload::<String>().unwrap(),
            ),
        )
    });
    ready_rx.await.unwrap();
    let mut publisher = server.conn(false).await;
    let receivers: i64 = redis::cmd("PUBLISH")
        .arg("orders")
        .arg("42")
        .query_async(&mut publisher)
        .await
        .unwrap();
    assert_eq!(receivers, 2);
    let (message, pmessage) = reader.await.unwrap();
    assert_eq!(message, ("orders".to_string(), "42".to_string()));
    assert_eq!(pmessage, ("ord*".to_string(), "42".to_string()));
}

#[tokio::test]
async fn introspection() {
    let server = common::start("").await;
    let mut a = Raw::connect(server.addr).await;
    let mut b = Raw::connect(server.addr).await;
    a.send_line("SUBSCRIBE news.1 news.2 other").await;
    for _ in 0..3 {
        a.reply().await;
    }
    b.cmd("SUBSCRIBE news.1").await;
    a.send_line("PSUBSCRIBE x* y*").await;
    a.reply().await;
    a.reply().await;
    b.cmd("PSUBSCRIBE x*").await;
    for resp3 in [false, true] {
        let mut con = server.conn(resp3).await;
        let mut channels: Vec<String> = redis::cmd("PUBSUB")
            .arg("CHANNELS")
            .query_async(&mut con)
            .await
            .unwrap();
        channels.sort();
        assert_eq!(channels, ["news.1", "news.2", "other"]);
        let mut channels: Vec<String> = redis::cmd("PUBSUB")
            .arg("CHANNELS")
            .arg("news.*")
            .query_async(&mut con)
            .await
            .unwrap();
        channels.sort();
        assert_eq!(channels, ["news.1", "news.2"]);
        let numsub: Vec<redis::Value> = redis::cmd("PUBSUB")
            .arg(&["NUMSUB", "news.1", "other", "none"])
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(numsub.len(), 6);
        let numpat: i64 = redis::cmd("PUBSUB")
            .arg("NUMPAT")
            .query_async(&mut con)
            .await
            .unwrap();
        // Distinct patterns, as Redis 7 counts them.
        assert_eq!(numpat, 2);
    }
    let mut raw = Raw::connect(server.addr).await;
    raw.cmd("HELLO 3").await;
    // NUMSUB stays a flat array in RESP3, as in Redis 7.0.
    assert_eq!(
        raw.cmd("PUBSUB NUMSUB news.1 none").await,
        b"*4\r\n$6\r\nnews.1\r\n:2\r\n$4\r\nnone\r\n:0\r\n"
    );
    assert_eq!(raw.cmd("PUBSUB NUMSUB").await, b"*0\r\n");
    assert_eq!(
        raw.cmd("PUBSUB CHANNELS a b").await,
        b"-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n"
    );
    assert_eq!(
        raw.cmd("PUBSUB NUMPAT x").await,
        b"-ERR wrong number of arguments for 'pubsub|numpat' command\r\n"
    );
    assert_eq!(
        raw.cmd("PUBLISH a").await,
        b"-ERR wrong number of arguments for 'publish' command\r\n"
    );
    let help = show(&raw.cmd("PUBSUB HELP").await);
    assert!(help.starts_with("*10\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CHANNELS [<pattern>]\r\n"), "{help}");
    // A disconnect drops the subscriptions.
    drop(a);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let reply = raw.cmd("PUBSUB NUMPAT").await;
        if reply == b":1\r\n" {
            break;
        }
        assert!(Instant::now() < deadline, "{}", show(&reply));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A subscriber with a tiny receive buffer that never reads.
async fn stalled_subscriber(
    addr: std::net::SocketAddr,
    channel: &str,
) -> (tokio::net::TcpStream, u64) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    stream
        .write_all(&raw_resp::encode(&[b"CLIENT", b"ID"]))
        .await
        .unwrap();
    stream
        .write_all(&raw_resp::encode(&[b"SUBSCRIBE", channel.as_bytes()]))
        .await
        .unwrap();
    let mut got = Vec::new();
    let confirmation = format!(
        ":1\r\n*3\r\n$9\r\nsubscribe\r\n${}\r\n{channel}\r\n:1\r\n",
        channel.len()
    );
    while !show(&got).ends_with(&confirmation) {
        let mut chunk = [0u8; 256];
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
        got.extend_from_slice(&chunk[..n]);
    }
    let id = show(&got)[1..]
        .split("\r\n")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (stream, id)
}

fn pending_bytes(server: &common::TestServer, id: u64) -> Option<usize> {
    let store = server.server.store.lock();
    store
        .clients
        .get(&id)
        .map(|c| c.push_pending.load(Ordering::Relaxed))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_subscriber_hits_hard_limit() {
    const HARD: usize = 4 * 1024 * 1024;
    const MESSAGE: usize = 1024 * 1024;
    let server = common::start("client-output-buffer-limit pubsub 4mb 2mb 60").await;
    let (mut stalled, id) = stalled_subscriber(server.addr, "firehose").await;
    let mut publisher = server.conn(false).await;
    let payload = vec![b'x'; MESSAGE];
    let mut max_pending = 0;
    let mut last_receivers = 1;
    // ~100 MB published in total; the subscriber reads none of it.
    for _ in 0..100 {
        last_receivers = redis::cmd("PUBLISH")
            .arg("firehose")
            .arg(&payload)
            .query_async::<i64>(&mut publisher)
            .await
            .unwrap();
        if let Some(pending) = pending_bytes(&server, id) {
            max_pending = max_pending.max(pending);
        }
    }
    assert!(
        max_pending <= HARD + MESSAGE,
        "pending output grew to {max_pending} bytes"
    );
    assert_eq!(last_receivers, 0, "the slow subscriber is gone");
    // The connection is closed and its handle dropped, in bounded time.
    let deadline = Instant::now() + Duration::from_secs(10);
    while pending_bytes(&server, id).is_some() {
        assert!(
            Instant::now() < deadline,
            "the slow subscriber was not disconnected"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    use tokio::io::AsyncReadExt;
    let mut sink = vec![0u8; 1 << 16];
    let eof = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stalled.read(&mut sink).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(eof.is_ok(), "the socket was not closed");
    let numsub: Vec<redis::Value> = redis::cmd("PUBSUB")
        .arg(&["NUMSUB", "firehose"])
        .query_async(&mut publisher)
        .await
        .unwrap();
    assert_eq!(numsub[1], redis::Value::Int(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_subscriber_hits_soft_limit_after_its_seconds() {
    let server = common::start("client-output-buffer-limit pubsub 0 1mb 1").await;
    let (_stalled, id) = stalled_subscriber(server.addr, "slow").await;
    let mut publisher = server.conn(false).await;
    let payload = vec![b'y'; 1024 * 1024];
    let started = Instant::now();
    for _ in 0..16 {
        let _: i64 = redis::cmd("PUBLISH")
            .arg("slow")
            .arg(&payload)
            .query_async(&mut publisher)
            .await
            .unwrap();
    }
    // Still connected, unless the publishing itself took the limit's second (a busy machine).
    let published_in = started.elapsed();
    assert!(
        pending_bytes(&server, id).is_some() || published_in >= Duration::from_secs(1),
        "disconnected before its seconds ({published_in:?})"
    );
    // Keep publishing small messages; the limit is checked as output is added.
    let deadline = Instant::now() + Duration::from_secs(10);
    while pending_bytes(&server, id).is_some() {
        assert!(Instant::now() < deadline, "soft limit never applied");
        let _: i64 = redis::cmd("PUBLISH")
            .arg("slow")
            .arg("tick")
            .query_async(&mut publisher)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Over the soft limit for more than its one second (counted in whole seconds, as Redis).
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

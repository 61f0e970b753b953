//! The client against a real `redis-server` (skipped when the binary is missing, unless
//! CI=true, where that fails).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use wire::client::{Delivery, Error};
use wire::{Client, ConnectOptions, Connection, Frame, Protocol};

const LIMIT: Duration = Duration::from_secs(15);

struct RedisServer {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn redis_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
}

/// Start a redis-server on a free port, or `None` (test skipped) when there is none here.
fn start_redis(extra: &[&str]) -> Option<RedisServer> {
    let Some(binary) = redis_binary() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("redis-server is not installed (required when CI=true)");
        }
        eprintln!("redis-server not found: test skipped");
        return None;
    };
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(&binary)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(dir.path())
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        for _ in 0..100 {
            if let Ok(Some(_)) = child.try_wait() {
                break; // Port taken meanwhile: try another.
            }
            if std::net::TcpStream::connect(addr).is_ok() {
                return Some(RedisServer {
                    child,
                    addr,
                    _dir: dir,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("redis-server did not start");
}

fn resp3() -> ConnectOptions {
    ConnectOptions {
        protocol: Protocol::Resp3,
        ..ConnectOptions::default()
    }
}

fn bulk(s: &str) -> Frame {
    Frame::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

fn ok() -> Frame {
    Frame::Simple(Bytes::from_static(b"OK"))
}

async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(LIMIT, f)
        .await
        .expect("test took too long")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelines_keep_order_and_error_replies() {
    let Some(redis) = start_redis(&[]) else {
        return;
    };
    bounded(async {
        for options in [ConnectOptions::default(), resp3()] {
            let client = Client::connect(redis.addr, options).await.unwrap();
            let mut requests = Vec::new();
            for i in 0..500 {
                requests.push(vec!["SET".to_string(), format!("k{i}"), format!("v{i}")]);
                requests.push(vec!["GET".to_string(), format!("k{i}")]);
            }
            requests.push(vec!["INCR".into(), "k0".into()]);
            let replies = client.pipeline(&requests).await.unwrap();
            assert_eq!(replies.len(), 1001);
            for i in 0..500 {
                assert_eq!(replies[2 * i], ok());
                assert_eq!(replies[2 * i + 1], bulk(&format!("v{i}")));
            }
            assert_eq!(
                replies[1000],
                Frame::Error(Bytes::from_static(
                    b"ERR value is not an integer or out of range"
                ))
            );

            let error = client.send(&["LPUSH", "k1", "x"]).await.unwrap_err();
            let server = error.server_error().expect("server error");
            assert_eq!(server.code(), b"WRONGTYPE");
            assert!(!error.is_retry_safe());

            let raw = client.send_raw(&["PING"]).await.unwrap();
            assert_eq!(&raw.raw[..], b"+PONG\r\n");
            assert_eq!(client.send(&["GET", "missing"]).await.unwrap(), Frame::Null);
            let none: Vec<Vec<&str>> = Vec::new();
            assert!(client.pipeline(&none).await.unwrap().is_empty());
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_connection() {
    let Some(redis) = start_redis(&[]) else {
        return;
    };
    bounded(async {
        let client = Client::connect(redis.addr, ConnectOptions::default())
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for task in 0..8 {
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..200 {
                    client.send(&["INCR", "counter"]).await.unwrap();
                    let key = format!("t{task}:{i}");
                    let replies = client
                        .pipeline(&[vec!["SET", &key, &key], vec!["GET", &key]])
                        .await
                        .unwrap();
                    assert_eq!(replies, vec![ok(), bulk(&key)]);
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(
            client.send(&["GET", "counter"]).await.unwrap(),
            bulk("1600")
        );
        let clients = client.send(&["CLIENT", "LIST"]).await.unwrap();
        let list = String::from_utf8_lossy(clients.as_bytes().unwrap()).to_string();
        assert_eq!(list.lines().count(), 1, "one connection: {list}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resp3_handshake_with_name_and_db() {
    let Some(redis) = start_redis(&[]) else {
        return;
    };
    bounded(async {
        let options = ConnectOptions {
            client_name: Some("switchyard-test".into()),
            db: 3,
            ..resp3()
        };
        let client = Client::connect(redis.addr, options).await.unwrap();
        assert_eq!(client.protocol(), Protocol::Resp3);
        assert_eq!(
            client.send(&["CLIENT", "GETNAME"]).await.unwrap(),
            bulk("switchyard-test")
        );
        client
            .send(&["HSET", "h", "a", "1", "b", "2"])
            .await
            .unwrap();
        assert_eq!(
            client.send(&["HGETALL", "h"]).await.unwrap(),
            Frame::Map(vec![(bulk("a"), bulk("1")), (bulk("b"), bulk("2"))])
        );
        client.send(&["ZADD", "z", "1.5", "m"]).await.unwrap();
        assert_eq!(
            client.send(&["ZSCORE", "z", "m"]).await.unwrap(),
            Frame::Double(1.5)
        );
        let hello = client.send(&["HELLO", "3"]).await.unwrap();
        let Frame::Map(pairs) = hello else {
            panic!("HELLO reply is a map")
        };
        assert!(pairs.contains(&(bulk("proto"), Frame::Integer(3))));

        let db0 = Client::connect(redis.addr, ConnectOptions::default())
            .await
            .unwrap();
        assert_eq!(db0.send(&["EXISTS", "h"]).await.unwrap(), Frame::Integer(0));
        let db3 = Client::connect(
            redis.addr,
            ConnectOptions {
                db: 3,
                client_name: Some("resp2-name".into()),
                ..ConnectOptions::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(db3.send(&["EXISTS", "h"]).await.unwrap(), Frame::Integer(1));
        assert_eq!(
            db3.send(&["CLIENT", "GETNAME"]).await.unwrap(),
            bulk("resp2-name")
        );
        // RESP2 gives the same score as a bulk string.
        assert_eq!(db3.send(&["ZSCORE", "z", "m"]).await.unwrap(), bulk("1.5"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_with_requirepass_and_acl_users() {
    let Some(redis) = start_redis(&["--requirepass", "s3cret"]) else {
        return;
    };
    bounded(async {
        let anonymous = Client::connect(redis.addr, ConnectOptions::default())
            .await
            .unwrap();
        let error = anonymous.send(&["GET", "k"]).await.unwrap_err();
        assert_eq!(error.server_error().unwrap().code(), b"NOAUTH");

        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            let wrong = Client::connect(
                redis.addr,
                ConnectOptions {
                    password: Some("nope".into()),
                    protocol,
                    ..ConnectOptions::default()
                },
            )
            .await
            .unwrap_err();
            assert_eq!(wrong.server_error().unwrap().code(), b"WRONGPASS");

            let client = Client::connect(
                redis.addr,
                ConnectOptions {
                    password: Some("s3cret".into()),
                    protocol,
                    client_name: Some("authed".into()),
                    ..ConnectOptions::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(
                client.send(&["PING"]).await.unwrap(),
                Frame::Simple(Bytes::from_static(b"PONG"))
            );
            client
                .send(&["ACL", "SETUSER", "alice", "on", ">pw", "~*", "+@all"])
                .await
                .unwrap();
        }
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            let alice = Client::connect(
                redis.addr,
                ConnectOptions {
                    username: Some("alice".into()),
                    password: Some("pw".into()),
                    protocol,
                    ..ConnectOptions::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(alice.send(&["ACL", "WHOAMI"]).await.unwrap(), bulk("alice"));
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resp3_pushes_arrive_beside_replies() {
    let Some(redis) = start_redis(&[]) else {
        return;
    };
    bounded(async {
        let subscriber = Client::connect(redis.addr, resp3()).await.unwrap();
        let mut pushes = subscriber.pushes().expect("first take");
        assert!(subscriber.pushes().is_none());
        let publisher = Client::connect(redis.addr, ConnectOptions::default())
            .await
            .unwrap();

        let confirmation = subscriber.send(&["SUBSCRIBE", "a", "b"]).await.unwrap();
        assert_eq!(
            confirmation,
            Frame::Push(vec![bulk("subscribe"), bulk("b"), Frame::Integer(2)])
        );
        for expected in ["a", "b"] {
            let push = pushes.recv().await.unwrap();
            assert_eq!(push.frame.as_items().unwrap()[1], bulk(expected));
        }

        for i in 0..50 {
            let message = format!("m{i}");
            let receivers = publisher
                .send(&["PUBLISH", if i % 2 == 0 { "a" } else { "b" }, &message])
                .await
                .unwrap();
            assert_eq!(receivers, Frame::Integer(1));
            // Commands go on on the subscribed connection, their replies not mixed with pushes.
            let replies = subscriber
                .pipeline(&[vec!["SET", "k", &message], vec!["GET", "k"]])
                .await
                .unwrap();
            assert_eq!(replies, vec![ok(), bulk(&message)]);
        }
        for i in 0..50 {
            let push = pushes.recv().await.unwrap();
            let items = push.frame.as_items().unwrap();
            assert_eq!(items[0], bulk("message"));
            assert_eq!(items[2], bulk(&format!("m{i}")));
            assert_eq!(push.raw[0], b'>');
        }

        let confirmation = subscriber.send(&["UNSUBSCRIBE"]).await.unwrap();
        assert_eq!(confirmation.as_items().unwrap()[0], bulk("unsubscribe"));
        assert_eq!(
            subscriber.send(&["PING"]).await.unwrap(),
            Frame::Simple(Bytes::from_static(b"PONG"))
        );

        // RESP2 pub/sub messages look like replies: refused on a shared client, fine on a
        // Connection.
        let refused = publisher.send(&["SUBSCRIBE", "a"]).await.unwrap_err();
        assert!(matches!(refused, Error::Unsupported(_)));
        let mut raw = Connection::connect(redis.addr, &ConnectOptions::default())
            .await
            .unwrap();
        let subscribed = raw.request(&["SUBSCRIBE", "c"]).await.unwrap();
        assert_eq!(subscribed.frame.as_items().unwrap()[0], bulk("subscribe"));
        publisher.send(&["PUBLISH", "c", "hello"]).await.unwrap();
        let message = raw.read_frame().await.unwrap();
        assert_eq!(
            message.frame,
            Frame::Array(vec![bulk("message"), bulk("c"), bulk("hello")])
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_shutdown_mid_pipeline_fails_fast() {
    let Some(redis) = start_redis(&[]) else {
        return;
    };
    bounded(async {
        let client = Client::connect(redis.addr, ConnectOptions::default())
            .await
            .unwrap();
        let error = client
            .pipeline(&[
                vec!["SET", "a", "1"],
                vec!["SHUTDOWN", "NOSAVE"],
                vec!["PING"],
            ])
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::Closed { .. } | Error::Io { .. }),
            "{error:?}"
        );
        assert_eq!(error.delivery(), Delivery::MaybeExecuted);
        assert!(!error.is_retry_safe());
        let later = client.send(&["PING"]).await.unwrap_err();
        assert_eq!(later.delivery(), Delivery::NotSent);
        assert!(later.is_retry_safe());
        assert!(client.is_closed());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_server_fails_every_pending_request() {
    let Some(mut redis) = start_redis(&[]) else {
        return;
    };
    bounded(async {
        let client = Client::connect(redis.addr, ConnectOptions::default())
            .await
            .unwrap();
        let mut waiting = Vec::new();
        for i in 0..5 {
            let client = client.clone();
            waiting.push(tokio::spawn(async move {
                let key = format!("empty{i}");
                client
                    .pipeline(&[vec!["BLPOP", key.as_str(), "10"], vec!["PING"]])
                    .await
            }));
        }
        // Make sure the blocking request reached the server before killing it.
        let observer = Client::connect(redis.addr, ConnectOptions::default())
            .await
            .unwrap();
        for _ in 0..200 {
            let info = observer.send(&["INFO", "clients"]).await.unwrap();
            let text = String::from_utf8_lossy(info.as_bytes().unwrap()).to_string();
            if text.contains("blocked_clients:1") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let killed_at = tokio::time::Instant::now();
        redis.child.kill().unwrap();
        for task in waiting {
            let error = task.await.unwrap().unwrap_err();
            assert!(
                matches!(error, Error::Closed { .. } | Error::Io { .. }),
                "{error:?}"
            );
        }
        assert!(killed_at.elapsed() < Duration::from_secs(2));
        assert!(client.failure().is_some());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_timeout_keeps_replies_in_step() {
    let Some(redis) = start_redis(&[]) else {
        return;
    };
    bounded(async {
        let client = Client::connect(
            redis.addr,
            ConnectOptions {
                response_timeout: Some(Duration::from_millis(200)),
                ..ConnectOptions::default()
            },
        )
        .await
        .unwrap();
        let error = client.send(&["BLPOP", "nothing", "1"]).await.unwrap_err();
        assert!(error.is_timeout());
        assert!(!error.is_retry_safe());
        // Queued behind the BLPOP: answered once it times out on the server, in order.
        let started = tokio::time::Instant::now();
        loop {
            match client.send(&["ECHO", "after"]).await {
                Ok(frame) => {
                    assert_eq!(frame, bulk("after"));
                    break;
                }
                Err(e) if e.is_timeout() => {}
                Err(e) => panic!("{e:?}"),
            }
            assert!(started.elapsed() < Duration::from_secs(5));
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_errors() {
    let Some(redis) = start_redis(&[]) else {
        return;
    };
    bounded(async {
        let closed_port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        let error = Client::connect(closed_port, ConnectOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Io { .. }), "{error:?}");
        assert!(error.is_retry_safe());

        // A peer that accepts and never answers: the handshake times out.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let silent_addr = silent.local_addr().unwrap();
        let _keep = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = silent.accept().await {
                held.push(stream);
            }
        });
        let error = Client::connect(
            silent_addr,
            ConnectOptions {
                connect_timeout: Duration::from_millis(200),
                ..resp3()
            },
        )
        .await
        .unwrap_err();
        assert!(error.is_timeout(), "{error:?}");

        let error = Client::connect(
            redis.addr,
            ConnectOptions {
                db: 99,
                ..ConnectOptions::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(error.server_error().unwrap().code(), b"ERR");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_connection_reads_a_replication_stream() {
    let Some(redis) = start_redis(&[]) else {
        return;
    };
    bounded(async {
        let mut conn = Connection::connect(redis.addr, &ConnectOptions::default())
            .await
            .unwrap();
        let echo = conn.request(&["ECHO", "hi"]).await.unwrap();
        assert_eq!(&echo.raw[..], b"$2\r\nhi\r\n");

        conn.queue_request(&["SYNC"]);
        conn.flush().await.unwrap();
        // Keepalive newlines may precede the RDB header; the payload has no CRLF after it.
        let header = loop {
            let line = conn.read_line().await.unwrap();
            if !line.is_empty() {
                break line;
            }
        };
        assert_eq!(header[0], b'$');
        let len: usize = std::str::from_utf8(&header[1..]).unwrap().parse().unwrap();
        let rdb = conn.read_bytes(len).await.unwrap();
        assert!(rdb.starts_with(b"REDIS"));

        let writer = Client::connect(redis.addr, ConnectOptions::default())
            .await
            .unwrap();
        writer.send(&["SET", "replicated", "yes"]).await.unwrap();
        let mut offset = 0;
        loop {
            let frame = conn.read_frame().await.unwrap();
            offset += frame.wire_len();
            let items = frame.frame.as_items().unwrap().to_vec();
            if items[0] == bulk("SET") {
                assert_eq!(items, vec![bulk("SET"), bulk("replicated"), bulk("yes")]);
                break;
            }
        }
        assert!(offset > 0);
    })
    .await;
}

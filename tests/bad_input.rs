//! Bad input over raw TCP: each protocol error gets Redis 7.0's exact text and a closed
//! connection, command errors get Redis's exact text on a connection that stays usable, and a
//! second client is served normally throughout.

mod support;

use std::time::Duration;

use support::Server;
use support::resp::{Conn, End, encode};

/// A client that keeps working while others misbehave: every check writes and reads a key.
struct Witness {
    conn: Conn,
    round: u64,
}

impl Witness {
    fn new(server: &Server) -> Witness {
        Witness {
            conn: server.conn(),
            round: 0,
        }
    }

    fn still_served(&mut self, after: &str) {
        self.round += 1;
        let value = self.round.to_string();
        let set = self.conn.call(&[b"SET", b"witness", value.as_bytes()]);
        let get = self.conn.call(&[b"GET", b"witness"]);
        let expected = format!("${}\r\n{value}\r\n", value.len());
        assert_eq!(
            (set.as_slice(), get.as_slice()),
            (b"+OK\r\n".as_slice(), expected.as_bytes()),
            "the second client was not served normally after {after}"
        );
    }
}

fn show(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// Send `input` on a fresh connection and expect exactly `reply`, then the end given.
fn expect_exchange(server: &Server, input: &[u8], reply: &[u8], end: End) {
    let mut conn = server.conn();
    conn.send(input);
    // The reply may be slow to come on a busy machine: wait for all of it (or the close),
    // then for what follows: the close, or a pause showing that nothing more comes.
    let (mut got, mut got_end) = conn.read_at_least(reply.len(), Duration::from_secs(10));
    if got_end == End::StillOpen {
        let quiet = match end {
            End::Closed => Duration::from_secs(10),
            End::StillOpen => Duration::from_millis(100),
        };
        let (more, more_end) = conn.read_until_end(quiet);
        got.extend_from_slice(&more);
        got_end = more_end;
    }
    assert_eq!(
        (show(&got), got_end),
        (show(reply), end),
        "input {:?}",
        show(input)
    );
}

fn protocol_error(text: &str) -> Vec<u8> {
    format!("-ERR Protocol error: {text}\r\n").into_bytes()
}

#[test]
fn malformed_frames_get_the_exact_protocol_error_and_a_closed_connection() {
    let server = Server::under_test();
    let mut witness = Witness::new(&server);
    let cases: &[(&[u8], &[u8])] = &[
        (b"*1\r\n:1\r\n", b"expected '$', got ':'"),
        (b"*1\r\nfoo\r\n", b"expected '$', got 'f'"),
        (b"*x\r\n", b"invalid multibulk length"),
        (b"*01\r\n$4\r\nPING\r\n", b"invalid multibulk length"),
        (b"*+1\r\n$4\r\nPING\r\n", b"invalid multibulk length"),
        (b"*1 \r\n$4\r\nPING\r\n", b"invalid multibulk length"),
        (b"*3000000000\r\n", b"invalid multibulk length"),
        (b"*2147483648\r\n", b"invalid multibulk length"),
        (b"*1\r\n$-5\r\n", b"invalid bulk length"),
        (b"*1\r\n$+4\r\nPING\r\n", b"invalid bulk length"),
        (b"*1\r\n$01\r\na\r\n", b"invalid bulk length"),
        (b"*1\r\n$536870913\r\n", b"invalid bulk length"),
        (b"SET \"a b\r\n", b"unbalanced quotes in request"),
        (b"SET 'a b\r\n", b"unbalanced quotes in request"),
        (b"ECHO \"a\"b\r\n", b"unbalanced quotes in request"),
        // Binary garbage: bytes that are not valid UTF-8 must come back unchanged.
        (b"*\xff\xfe\r\n", b"invalid multibulk length"),
        (b"*1\r\n$\xff\r\n", b"invalid bulk length"),
        (b"*1\r\n\xff\r\n", b"expected '$', got '\xff'"),
    ];
    for (input, text) in cases {
        let mut reply = b"-ERR Protocol error: ".to_vec();
        reply.extend_from_slice(text);
        reply.extend_from_slice(b"\r\n");
        expect_exchange(&server, input, &reply, End::Closed);
        witness.still_served(&show(input));
    }
}

#[test]
fn a_protocol_error_ends_the_pipeline_but_earlier_commands_run() {
    let server = Server::under_test();
    let mut witness = Witness::new(&server);
    expect_exchange(
        &server,
        b"PING\r\n*x\r\n",
        b"+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n",
        End::Closed,
    );
    // Nothing after the bad frame runs: the SET below must not happen.
    let mut input = b"*1\r\n:1\r\n".to_vec();
    input.extend(encode(&[b"SET", b"after-error", b"1"]));
    expect_exchange(
        &server,
        &input,
        &protocol_error("expected '$', got ':'"),
        End::Closed,
    );
    assert_eq!(
        show(&server.conn().call(&[b"GET", b"after-error"])),
        "$-1\\r\\n"
    );
    witness.still_served("a pipeline with a protocol error");
}

#[test]
fn binary_garbage_without_newline_is_a_too_big_inline_request() {
    let server = Server::under_test();
    let mut witness = Witness::new(&server);
    // Deterministic pseudo-random bytes with no '\n' (so it stays one inline line) that do not
    // start with '*' (so it is parsed as an inline request), longer than the 64 KB inline limit.
    let mut state: u32 = 0x9e37_79b9;
    let garbage: Vec<u8> = (0..70_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            match (state >> 24) as u8 {
                b'\n' | b'*' => b'x',
                byte => byte,
            }
        })
        .collect();
    let mut conn = server.conn();
    conn.send(&garbage);
    let (got, end) = conn.read_until_end(Duration::from_secs(5));
    assert_eq!(
        (show(&got), end),
        (show(&protocol_error("too big inline request")), End::Closed)
    );
    witness.still_served("70 KB of binary garbage");
}

#[test]
fn a_declared_one_gigabyte_bulk_is_refused_at_once_without_allocating() {
    let server = Server::under_test();
    let mut witness = Witness::new(&server);
    let rss_before = server.rss_kib();
    for round in 0..20 {
        let mut conn = server.conn();
        conn.send(b"*1\r\n$1073741824\r\n");
        // The connection is closed with the body never sent: the refusal did not wait for it.
        let (got, end) = conn.read_until_end(Duration::from_secs(10));
        assert_eq!(
            (show(&got), end),
            (show(&protocol_error("invalid bulk length")), End::Closed),
            "round {round}"
        );
    }
    // A huge element count that is within the limit must not be preallocated either.
    for _ in 0..5 {
        let mut conn = server.conn();
        conn.send(b"*2147483647\r\n$1\r\na\r\n");
        conn.shutdown_write();
        assert!(conn.wait_closed(Duration::from_secs(5)));
    }
    witness.still_served("oversized declarations");
    let rss_after = server.rss_kib();
    assert!(
        rss_after < rss_before + 64 * 1024,
        "RSS grew from {rss_before} KiB to {rss_after} KiB"
    );
}

#[test]
fn truncated_frames_then_close_get_no_reply() {
    let server = Server::under_test();
    let mut witness = Witness::new(&server);
    for input in [
        b"*2\r\n$3\r\nGET\r\n$1".as_slice(),
        b"*1\r\n$4\r\nPI",
        b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n",
        b"*1",
        b"PIN",
    ] {
        let mut conn = server.conn();
        conn.send(input);
        conn.shutdown_write();
        let (got, end) = conn.read_until_end(Duration::from_secs(5));
        assert_eq!((show(&got), end), (String::new(), End::Closed), "{input:?}");
        witness.still_served(&show(input));
    }
    // The half-sent SET never ran.
    assert_eq!(show(&server.conn().call(&[b"GET", b"k"])), "$-1\\r\\n");
}

#[test]
fn inline_requests_are_split_like_redis() {
    let server = Server::under_test();
    let cases: &[(&[u8], &[u8])] = &[
        (b"PING\r\n", b"+PONG\r\n"),
        (b"PING\n", b"+PONG\r\n"),
        (b"\r\n\r\nPING\r\n", b"+PONG\r\n"),
        (b"*-1\r\n*0\r\nPING\r\n", b"+PONG\r\n"),
        (b"PING  a\r\n", b"$1\r\na\r\n"),
        (b"ECHO \"a\\x41\\n\"\r\n", b"$3\r\naA\n\r\n"),
        (b"ECHO 'it''s'\r\n", b"-ERR Protocol error: unbalanced quotes in request\r\n"),
        (
            b"$-5\r\n",
            b"-ERR unknown command '$-5', with args beginning with: \r\n",
        ),
        (
            b"\xff\xfe*\r\n",
            b"-ERR unknown command '\xff\xfe*', with args beginning with: \r\n",
        ),
        (
            b"*1\r\n$3\r\nfoobar\r\n",
            b"-ERR unknown command 'foo', with args beginning with: \r\n-ERR unknown command 'r', with args beginning with: \r\n",
        ),
    ];
    for (input, reply) in cases {
        let closes = reply.starts_with(b"-ERR Protocol error");
        let end = if closes { End::Closed } else { End::StillOpen };
        expect_exchange(&server, input, reply, end);
    }
}

#[test]
fn command_errors_have_redis_texts_and_keep_the_connection() {
    let server = Server::under_test();
    let mut conn = server.conn();
    let long_a = "a".repeat(100);
    let long_b = "b".repeat(100);
    let cases: Vec<(Vec<&[u8]>, String)> = vec![
        (
            vec![b"FOO", b"bar", b"baz"],
            "-ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' ".into(),
        ),
        (
            vec![b"foo", long_a.as_bytes(), long_b.as_bytes()],
            format!(
                "-ERR unknown command 'foo', with args beginning with: '{long_a}' '{}' ",
                &long_b[..25]
            ),
        ),
        (
            vec![b"foo", b"a\r\nb"],
            "-ERR unknown command 'foo', with args beginning with: 'a  b' ".into(),
        ),
        (
            vec![b"GET"],
            "-ERR wrong number of arguments for 'get' command".into(),
        ),
        (
            vec![b"GET", b"a", b"b"],
            "-ERR wrong number of arguments for 'get' command".into(),
        ),
        (
            vec![b"SET", b"k"],
            "-ERR wrong number of arguments for 'set' command".into(),
        ),
        (
            vec![b"client", b"setname"],
            "-ERR wrong number of arguments for 'client|setname' command".into(),
        ),
        (
            vec![b"object", b"help", b"x"],
            "-ERR wrong number of arguments for 'object|help' command".into(),
        ),
        (
            vec![b"CLIENT", b"foo"],
            "-ERR unknown subcommand 'foo'. Try CLIENT HELP.".into(),
        ),
        (
            vec![b"config", b"nope"],
            "-ERR unknown subcommand 'nope'. Try CONFIG HELP.".into(),
        ),
        (
            vec![b"HELLO", b"4"],
            "-NOPROTO unsupported protocol version".into(),
        ),
        (vec![b"SET", b"s", b"v"], "+OK".into()),
        (
            vec![b"LPUSH", b"s", b"x"],
            "-WRONGTYPE Operation against a key holding the wrong kind of value".into(),
        ),
        (
            vec![b"HGET", b"s", b"f"],
            "-WRONGTYPE Operation against a key holding the wrong kind of value".into(),
        ),
        (
            vec![b"INCR", b"s"],
            "-ERR value is not an integer or out of range".into(),
        ),
        (
            vec![b"SET", b"k", b"v", b"EX", b"0"],
            "-ERR invalid expire time in 'set' command".into(),
        ),
        (
            vec![b"SET", b"k", b"v", b"XX", b"NX"],
            "-ERR syntax error".into(),
        ),
        (
            vec![b"EXPIRE", b"k", b"abc"],
            "-ERR value is not an integer or out of range".into(),
        ),
        (vec![b"PING"], "+PONG".into()),
    ];
    let mut failures = Vec::new();
    for (args, expected) in &cases {
        let got = conn.call(args);
        let expected = format!("{expected}\r\n");
        if got != expected.as_bytes() {
            failures.push(format!(
                "  {:?}\n    expected {:?}\n    got      {:?}",
                args.iter()
                    .map(|a| String::from_utf8_lossy(a))
                    .collect::<Vec<_>>(),
                expected,
                show(&got)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "error replies:\n{}",
        failures.join("\n")
    );
}

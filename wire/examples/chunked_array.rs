//! How long decoding takes when one large array reply arrives in small reads:
//! `redis_protocol`'s codecs (which re-parse the partial frame on every read) against
//! `wire::codec` (which resumes where it stopped).
//!
//! cargo run --release -p wire --example chunked_array -- [elements] [chunk_bytes]

use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio_util::codec::Decoder;

fn array_of_bulks(elements: usize) -> Vec<u8> {
    let mut input = format!("*{elements}\r\n").into_bytes();
    for i in 0..elements {
        let value = format!("value:{i}");
        input.extend_from_slice(format!("${}\r\n{value}\r\n", value.len()).as_bytes());
    }
    input
}

/// Feed `input` in `chunk`-byte reads, calling `decode` after each, as a framed reader does.
fn feed<D: Decoder>(mut decoder: D, input: &[u8], chunk: usize) -> (Duration, usize)
where
    D::Error: std::fmt::Debug,
{
    let mut buf = BytesMut::new();
    let mut calls = 0;
    let started = Instant::now();
    for piece in input.chunks(chunk) {
        buf.extend_from_slice(piece);
        calls += 1;
        if decoder.decode(&mut buf).expect("valid input").is_some() {
            assert!(buf.is_empty());
            return (started.elapsed(), calls);
        }
    }
    panic!("frame never completed");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let elements: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let chunk: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1024);
    let input = array_of_bulks(elements);
    println!(
        "array of {elements} bulk strings, {} bytes, fed in {chunk}-byte reads ({} reads)",
        input.len(),
        input.len().div_ceil(chunk)
    );

    let (ours, calls) = feed(wire::RespCodec::default(), &input, chunk);
    println!(
        "wire::codec::RespCodec        {:>10.1} ms  ({calls} decode calls)",
        ms(ours)
    );
    let (whole, _) = feed(wire::RespCodec::default(), &input, input.len());
    println!("wire::codec, all at once      {:>10.1} ms", ms(whole));
    let (resp2, _) = feed(redis_protocol::codec::Resp2::default(), &input, chunk);
    println!(
        "redis_protocol::codec::Resp2  {:>10.1} ms  ({:.0}x)",
        ms(resp2),
        ratio(resp2, ours)
    );
    let (resp3, _) = feed(redis_protocol::codec::Resp3::default(), &input, chunk);
    println!(
        "redis_protocol::codec::Resp3  {:>10.1} ms  ({:.0}x)",
        ms(resp3),
        ratio(resp3, ours)
    );
    let (once, _) = feed(redis_protocol::codec::Resp2::default(), &input, input.len());
    println!("redis_protocol Resp2, at once {:>10.1} ms", ms(once));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn ratio(theirs: Duration, ours: Duration) -> f64 {
    theirs.as_secs_f64() / ours.as_secs_f64().max(1e-9)
}

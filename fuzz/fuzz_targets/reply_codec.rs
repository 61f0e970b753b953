//! The reply codec on arbitrary bytes: never panics; frames, raw bytes and errors do not depend
//! on how the input is split into reads; decoded frames re-encode (RESP3) to the same frame;
//! the stateless and raw-only APIs agree with the streaming one.
#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use wire::Protocol;
use wire::codec::{self, Decoded, FrameDecoder, FrameError, Limits};

#[path = "split.rs"]
mod split;

type Outcome = (Vec<Decoded>, Option<FrameError>);

fn limits(options: u8) -> Limits {
    match options & 3 {
        0 => Limits::default(),
        1 => Limits {
            max_bulk_len: 64,
            max_aggregate_len: 8,
            max_depth: 4,
        },
        2 => Limits {
            max_bulk_len: 0,
            max_aggregate_len: 0,
            max_depth: 0,
        },
        _ => Limits {
            max_bulk_len: 4096,
            max_aggregate_len: 1000,
            max_depth: 32,
        },
    }
}

fn drain(decoder: &mut FrameDecoder, buf: &mut BytesMut, out: &mut Outcome) -> bool {
    loop {
        match decoder.decode(buf) {
            Ok(Some(decoded)) => out.0.push(decoded),
            Ok(None) => return true,
            Err(e) => {
                out.1 = Some(e);
                return false;
            }
        }
    }
}

/// Frames compared through `Debug`: NaN doubles are then equal to themselves.
fn shape(outcome: &Outcome) -> (Vec<(String, Bytes)>, Option<FrameError>) {
    (
        outcome
            .0
            .iter()
            .map(|d| (format!("{:?}", d.frame), d.raw.clone()))
            .collect(),
        outcome.1.clone(),
    )
}

fuzz_target!(|data: &[u8]| {
    let [options, seed, input @ ..] = data else {
        return;
    };
    let limits = limits(*options);

    let mut whole: Outcome = (Vec::new(), None);
    let mut buf = BytesMut::from(input);
    drain(&mut FrameDecoder::new(limits), &mut buf, &mut whole);

    let mut consumed = 0;
    for decoded in &whole.0 {
        assert_eq!(&input[consumed..consumed + decoded.raw.len()], &decoded.raw[..]);
        consumed += decoded.raw.len();

        let mut encoded = BytesMut::new();
        codec::encode_frame(&decoded.frame, Protocol::Resp3, &mut encoded);
        let again = codec::decode(&encoded, &limits)
            .expect("re-encoded frame decodes")
            .expect("re-encoded frame is complete");
        assert_eq!(again.1, encoded.len());
        assert_eq!(format!("{:?}", again.0), format!("{:?}", decoded.frame));

        let mut resp2 = BytesMut::new();
        codec::encode_frame(&decoded.frame, Protocol::Resp2, &mut resp2);
        let as_resp2 = codec::decode(&resp2, &Limits::default())
            .expect("RESP2 form decodes")
            .expect("RESP2 form is complete");
        assert_eq!(as_resp2.1, resp2.len());
    }

    // The stateless API sees the same first frame (or error).
    match codec::decode(input, &limits) {
        Ok(Some((frame, len))) => {
            let first = &whole.0[0];
            assert_eq!(len, first.raw.len());
            assert_eq!(format!("{frame:?}"), format!("{:?}", first.frame));
        }
        Ok(None) => assert!(whole.0.is_empty() && whole.1.is_none()),
        Err(e) => assert!(whole.0.is_empty() && whole.1 == Some(e)),
    }

    let mut pieces: Outcome = (Vec::new(), None);
    let mut decoder = FrameDecoder::new(limits);
    let mut buf = BytesMut::new();
    let mut raw_only: Vec<Bytes> = Vec::new();
    let mut raw_decoder = FrameDecoder::new(limits);
    let mut raw_buf = BytesMut::new();
    let mut raw_failed = false;
    let mut offset = 0;
    for size in split::chunk_sizes(*seed, input.len()) {
        let chunk = &input[offset..offset + size];
        offset += size;
        if !raw_failed {
            raw_buf.extend_from_slice(chunk);
            loop {
                match raw_decoder.decode_raw(&mut raw_buf) {
                    Ok(Some(raw)) => raw_only.push(raw),
                    Ok(None) => break,
                    Err(_) => {
                        raw_failed = true;
                        break;
                    }
                }
            }
        }
        if pieces.1.is_none() {
            buf.extend_from_slice(chunk);
            drain(&mut decoder, &mut buf, &mut pieces);
        }
    }

    assert_eq!(shape(&whole), shape(&pieces));
    let raws: Vec<Bytes> = whole.0.iter().map(|d| d.raw.clone()).collect();
    assert_eq!(raws, raw_only);
    assert_eq!(raw_failed, whole.1.is_some());
});

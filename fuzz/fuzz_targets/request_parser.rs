//! `RequestParser` on arbitrary bytes: never panics, and the requests and error it yields do
//! not depend on how the input is split into reads.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use wire::request::{DEFAULT_MAX_BULK_LEN, ProtocolError, Request, RequestParser};

#[path = "split.rs"]
mod split;

type Outcome = (Vec<Request>, Option<ProtocolError>);

fn parser(options: u8) -> RequestParser {
    let max_bulk = match (options >> 1) & 3 {
        0 => DEFAULT_MAX_BULK_LEN,
        1 => 16,
        2 => 1024,
        _ => 0,
    };
    let mut parser = RequestParser::new(max_bulk);
    parser.set_unauthenticated(options & 1 == 1);
    parser
}

fn drain(parser: &mut RequestParser, buf: &mut BytesMut, out: &mut Outcome) -> bool {
    loop {
        match parser.parse(buf) {
            Ok(Some(request)) => {
                assert!(!request.args.is_empty());
                out.0.push(request);
            }
            Ok(None) => return true,
            Err(e) => {
                out.1 = Some(e);
                return false;
            }
        }
    }
}

/// Limits checked while a line is still incomplete depend on how much has arrived (as in
/// Redis): with them, only the requests before the error must agree.
fn depends_on_reads(error: &Option<ProtocolError>) -> bool {
    matches!(
        error,
        Some(
            ProtocolError::TooBigInline
                | ProtocolError::TooBigMultibulkCount
                | ProtocolError::TooBigBulkCount
        )
    )
}

fuzz_target!(|data: &[u8]| {
    let [options, seed, input @ ..] = data else {
        return;
    };

    let mut whole: Outcome = (Vec::new(), None);
    let mut buf = BytesMut::from(input);
    drain(&mut parser(*options), &mut buf, &mut whole);
    for request in &whole.0 {
        if !request.inline {
            // The raw bytes of a multibulk request hold its arguments, in order.
            let mut at = 0;
            for arg in &request.args {
                let found = request.raw[at..]
                    .windows(arg.len().max(1))
                    .position(|w| arg.is_empty() || w == &arg[..]);
                assert!(found.is_some(), "argument outside raw bytes");
                at += found.unwrap_or(0) + arg.len();
            }
        }
    }

    let mut pieces: Outcome = (Vec::new(), None);
    let mut parser = parser(*options);
    let mut buf = BytesMut::new();
    let mut offset = 0;
    for size in split::chunk_sizes(*seed, input.len()) {
        buf.extend_from_slice(&input[offset..offset + size]);
        offset += size;
        if !drain(&mut parser, &mut buf, &mut pieces) {
            break;
        }
    }

    if depends_on_reads(&whole.1) || depends_on_reads(&pieces.1) {
        let n = whole.0.len().min(pieces.0.len());
        assert_eq!(whole.0[..n], pieces.0[..n]);
    } else {
        assert_eq!(whole, pieces);
    }
});

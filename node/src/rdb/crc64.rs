//! CRC-64 "Jones" as used by Redis for RDB files and DUMP payloads: reflected polynomial
//! `0xad93d23594c935a9`, initial value 0, no final XOR (check value of "123456789" is
//! `0xe9c6d914c4b8d9ca`).
//!
//! Slicing-by-8: whole RDB files go through this, so eight bytes per step instead of one. The
//! tables are computed at compile time, so there is no first-use initialisation cost or lock.

/// The polynomial in reflected (LSB-first) bit order, as the table-driven form needs.
const POLY_REFLECTED: u64 = 0x95ac_9329_ac4b_c9b5;

const fn make_tables() -> [[u64; 256]; 8] {
    let mut t = [[0u64; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY_REFLECTED
            } else {
                crc >> 1
            };
            bit += 1;
        }
        t[0][i] = crc;
        i += 1;
    }
    // t[k][i] is the CRC of byte i followed by k zero bytes: it lets one step fold in byte k of
    // an 8-byte word.
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

static TABLES: [[u64; 256]; 8] = make_tables();

/// Streaming CRC-64 state: feed bytes with [`Crc64::update`], read the value with
/// [`Crc64::finish`] (which does not consume, so a running checksum can be inspected).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Crc64 {
    crc: u64,
}

impl Crc64 {
    pub const fn new() -> Self {
        Crc64 { crc: 0 }
    }

    pub fn update(&mut self, data: &[u8]) {
        let t = &TABLES;
        let mut crc = self.crc;
        let mut chunks = data.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            // Reflected CRC: the lowest byte of the register meets the first input byte, so the
            // word is read little-endian.
            let x = crc ^ u64::from_le_bytes(word);
            crc = t[7][(x & 0xff) as usize]
                ^ t[6][((x >> 8) & 0xff) as usize]
                ^ t[5][((x >> 16) & 0xff) as usize]
                ^ t[4][((x >> 24) & 0xff) as usize]
                ^ t[3][((x >> 32) & 0xff) as usize]
                ^ t[2][((x >> 40) & 0xff) as usize]
                ^ t[1][((x >> 48) & 0xff) as usize]
                ^ t[0][(x >> 56) as usize];
        }
        for &b in chunks.remainder() {
            crc = t[0][((crc ^ u64::from(b)) & 0xff) as usize] ^ (crc >> 8);
        }
        self.crc = crc;
    }

    pub const fn finish(&self) -> u64 {
        self.crc
    }
}

/// CRC-64 of one buffer.
pub fn crc64(data: &[u8]) -> u64 {
    let mut c = Crc64::new();
    c.update(data);
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-at-a-time reference, independent of the tables.
    fn crc64_bitwise(data: &[u8]) -> u64 {
        let mut crc = 0u64;
        for &b in data {
            crc ^= u64::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ POLY_REFLECTED
                } else {
                    crc >> 1
                };
            }
        }
        crc
    }

    #[test]
    fn check_value() {
        assert_eq!(crc64(b"123456789"), 0xe9c6_d914_c4b8_d9ca);
        assert_eq!(crc64(b""), 0);
    }

    /// A DUMP payload ends with the CRC (LE) of everything before it.
    fn check_dump(payload: &[u8]) {
        let (body, crc) = payload.split_at(payload.len() - 8);
        assert_eq!(crc64(body).to_le_bytes(), crc);
    }

    #[test]
    fn dump_payloads_from_redis() {
        check_dump(&[
            0x00, 0xc0, 0x0a, 0x0a, 0x00, 0x6e, 0x9f, 0x57, 0x45, 0x0e, 0xae, 0x63, 0xbb,
        ]);
        check_dump(&[
            0x00, 0x02, b'v', b'6', 0x0a, 0x00, 0xb3, 0x68, 0x5f, 0x84, 0xb0, 0xab, 0xb4, 0xc1,
        ]);
    }

    #[test]
    fn worked_example_file() {
        let mut f = Vec::new();
        f.extend_from_slice(b"REDIS0010");
        f.extend_from_slice(b"\xfa\x09redis-ver\x067.0.15");
        f.extend_from_slice(b"\xfa\x0aredis-bits\xc0\x40");
        f.extend_from_slice(b"\xfe\x00\xfb\x01\x00");
        f.extend_from_slice(b"\x00\x03foo\x03bar");
        f.push(0xff);
        f.extend_from_slice(&[0x4e, 0x44, 0xe4, 0x89, 0x1f, 0x8f, 0x6a, 0x31]);
        assert_eq!(f.len(), 64);
        check_dump(&f);
    }

    #[test]
    fn streaming_and_slicing_match_bitwise() {
        let data: Vec<u8> = (0..1000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 100, 1000] {
            assert_eq!(
                crc64(&data[..len]),
                crc64_bitwise(&data[..len]),
                "len {len}"
            );
        }
        // Every split point of the stream gives the same result as one call.
        for split in 0..40 {
            let mut c = Crc64::new();
            c.update(&data[..split]);
            c.update(&data[split..200]);
            assert_eq!(c.finish(), crc64(&data[..200]));
        }
    }
}

//! Key to cluster slot: CRC16/XMODEM of the key (or of its hash tag) modulo 16384.

pub const SLOT_COUNT: usize = 16384;

/// The part of the key that is hashed: the content of the first `{...}` when non-empty,
/// else the whole key.
pub fn hash_tag(key: &[u8]) -> &[u8] {
    if let Some(open) = key.iter().position(|&b| b == b'{')
        && let Some(len) = key[open + 1..].iter().position(|&b| b == b'}')
        && len > 0
    {
        return &key[open + 1..open + 1 + len];
    }
    key
}

pub fn key_slot(key: &[u8]) -> u16 {
    crc16_xmodem(hash_tag(key)) & (SLOT_COUNT as u16 - 1)
}

/// `TABLES[k][x]`: the CRC of byte `x` followed by `k` zero bytes, taken from the `crc16`
/// crate, so that eight bytes are folded per step (slicing-by-8). Every lookup hashes its
/// key, and the byte-at-a-time loop showed up in profiles.
static TABLES: std::sync::LazyLock<Box<[[u16; 256]; 8]>> = std::sync::LazyLock::new(|| {
    let mut tables = Box::new([[0u16; 256]; 8]);
    let mut message = [0u8; 8];
    for (k, table) in tables.iter_mut().enumerate() {
        for (x, entry) in table.iter_mut().enumerate() {
            message[0] = x as u8;
            *entry = crc16::State::<crc16::XMODEM>::calculate(&message[..=k]);
        }
    }
    tables
});

/// CRC-16/XMODEM, equal to `crc16::State::<XMODEM>::calculate`.
pub fn crc16_xmodem(data: &[u8]) -> u16 {
    let t = &**TABLES;
    let mut crc: u16 = 0;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        crc = t[7][(c[0] ^ (crc >> 8) as u8) as usize]
            ^ t[6][(c[1] ^ crc as u8) as usize]
            ^ t[5][c[2] as usize]
            ^ t[4][c[3] as usize]
            ^ t[3][c[4] as usize]
            ^ t[2][c[5] as usize]
            ^ t[1][c[6] as usize]
            ^ t[0][c[7] as usize];
    }
    for &b in chunks.remainder() {
        crc = (crc << 8) ^ t[0][((crc >> 8) as u8 ^ b) as usize];
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc16_reference_value() {
        // The check value of CRC-16/XMODEM, quoted in the Redis Cluster specification.
        assert_eq!(
            crc16::State::<crc16::XMODEM>::calculate(b"123456789"),
            0x31C3
        );
    }

    #[test]
    fn known_slots() {
        // Values from the Redis documentation of `CLUSTER KEYSLOT` and the cluster tutorial.
        assert_eq!(key_slot(b"somekey"), 11058);
        assert_eq!(key_slot(b"foo{hash_tag}"), 2515);
        assert_eq!(key_slot(b"foo"), 12182);
        assert_eq!(key_slot(b"bar"), 5061);
        assert_eq!(key_slot(b""), 0);
        assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"user1000"));
        assert_eq!(
            key_slot(b"{user1000}.followers"),
            key_slot(b"{user1000}.following")
        );
    }

    #[test]
    fn sliced_crc_equals_the_crate() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut data = Vec::new();
        for len in 0..200usize {
            data.clear();
            for _ in 0..len {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                data.push((state >> 33) as u8);
            }
            assert_eq!(
                crc16_xmodem(&data),
                crc16::State::<crc16::XMODEM>::calculate(&data),
                "length {len}"
            );
        }
    }

    #[test]
    fn hash_tag_rules() {
        assert_eq!(hash_tag(b"foo{}{bar}"), b"foo{}{bar}");
        assert_eq!(hash_tag(b"foo{{bar}}zap"), b"{bar");
        assert_eq!(hash_tag(b"foo{bar}{zap}"), b"bar");
        assert_eq!(hash_tag(b"{a"), b"{a");
    }
}

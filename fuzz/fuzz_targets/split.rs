/// Chunk sizes for feeding an input in pieces, drawn from a seed: mostly small (every split
/// position gets exercised), sometimes large.
pub fn chunk_sizes(seed: u8, total: usize) -> Vec<usize> {
    let mut state = u32::from(seed).wrapping_mul(2_654_435_761).wrapping_add(1);
    let mut sizes = Vec::new();
    let mut covered = 0;
    while covered < total {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let size = match state % 8 {
            0..=4 => 1 + (state >> 8) as usize % 4,
            5 | 6 => 1 + (state >> 8) as usize % 32,
            _ => 1 + (state >> 8) as usize % 512,
        };
        let size = size.min(total - covered);
        sizes.push(size);
        covered += size;
    }
    sizes
}

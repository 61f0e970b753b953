//! Glob patterns for PSUBSCRIBE, SENTINEL RESET and SENTINEL CONFIG GET: `*`, `?`, `[...]`
//! (with `^` and ranges) and `\` escapes, matched by backtracking on the last `*`.

pub fn matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where to resume after the last `*`: (pattern index after it, text index it covers to).
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    star = Some((p + 1, t));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' => {
                    if let Some((hit, next)) = class(pattern, p, text[t])
                        && hit
                    {
                        p = next;
                        t += 1;
                        continue;
                    }
                }
                b'\\' if p + 1 < pattern.len() && pattern[p + 1] == text[t] => {
                    p += 2;
                    t += 1;
                    continue;
                }
                b'\\' if p + 1 < pattern.len() => {}
                c if c == text[t] => {
                    p += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((after, covered)) => {
                p = after;
                t = covered + 1;
                star = Some((after, covered + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// A `[...]` class at `start`: whether `c` is in it, and the index after it.
fn class(pattern: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = pattern.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut hit = false;
    loop {
        let b = *pattern.get(i)?;
        match b {
            b']' => break,
            b'\\' => {
                i += 1;
                hit |= *pattern.get(i)? == c;
            }
            _ if pattern.get(i + 1) == Some(&b'-')
                && pattern.get(i + 2).is_some_and(|&e| e != b']') =>
            {
                let (lo, hi) = (b.min(pattern[i + 2]), b.max(pattern[i + 2]));
                hit |= (lo..=hi).contains(&c);
                i += 2;
            }
            _ => hit |= b == c,
        }
        i += 1;
    }
    Some((hit != negate, i + 1))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs() {
        for (p, t, want) in [
            ("*", "", true),
            ("*", "+sdown", true),
            ("+*", "+sdown", true),
            ("-*", "+sdown", false),
            ("+s?own", "+sdown", true),
            ("m[a-c]m", "mbm", true),
            ("m[^a-c]m", "mbm", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("\\*x", "*x", true),
            ("my*", "mymaster", true),
        ] {
            assert_eq!(matches(p.as_bytes(), t.as_bytes()), want, "{p} vs {t}");
        }
    }
}

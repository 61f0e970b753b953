//! The x87 80-bit `long double` Redis uses for INCRBYFLOAT and HINCRBYFLOAT, in software.
//!
//! Redis parses both operands with `strtold`, adds them in extended precision and stores the
//! sum printed with `%.17Lf` (trailing zeros trimmed). Doing the same in `f64` changes
//! visible results: `0.1` added three times gives `0.3` in Redis but `0.30000000000000004` in
//! double precision. This module reproduces the three steps exactly: correctly rounded
//! parsing (round to nearest, ties to even, subnormals included), correctly rounded addition,
//! and exact decimal printing.

/// Mantissa bits of the x87 extended format (explicit integer bit).
const MANT_BITS: i64 = 64;
/// Largest unbiased exponent of a finite value.
const MAX_EXP: i64 = 16383;
/// Smallest unbiased exponent of a normal value.
const MIN_EXP: i64 = -16382;
/// Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are refused.
const MAX_CHARS: usize = 5 * 1024;

/// A finite extended-precision value: `(-1)^negative × mantissa × 2^exponent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongDouble {
    negative: bool,
    mantissa: u64,
    exponent: i64,
}

/// Why an operation has no finite result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// Not a number Redis's `string2ld` accepts.
    NotAFloat,
    /// Infinite (an `inf` operand, or an overflowing sum).
    Infinite,
}

impl LongDouble {
    pub const ZERO: LongDouble = LongDouble {
        negative: false,
        mantissa: 0,
        exponent: 0,
    };

    /// Parse as Redis's `string2ld` (`strtold` on the whole text): decimal or hexadecimal
    /// notation, `inf`/`infinity`; no surrounding space, no NaN, nothing that overflows or
    /// underflows to zero.
    pub fn parse(text: &[u8]) -> Result<LongDouble, Invalid> {
        if text.is_empty() || text.len() >= MAX_CHARS {
            return Err(Invalid::NotAFloat);
        }
        let (negative, body) = match text[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
            return Err(Invalid::Infinite);
        }
        let parsed = if body.len() > 2 && body[0] == b'0' && (body[1] | 0x20) == b'x' {
            parse_hex(&body[2..])
        } else {
            parse_decimal(body)
        };
        let (digits, exponent, sticky) = parsed.ok_or(Invalid::NotAFloat)?;
        if digits.is_zero() {
            return Ok(LongDouble {
                negative,
                ..LongDouble::ZERO
            });
        }
        match round(negative, digits, exponent, sticky) {
            Rounded::Finite(v) if v.mantissa != 0 => Ok(v),
            // strtold reports ERANGE for overflow and for underflow to zero: string2ld refuses.
            _ => Err(Invalid::NotAFloat),
        }
    }

    /// The correctly rounded sum.
    pub fn checked_add(self, other: LongDouble) -> Result<LongDouble, Invalid> {
        let base = self.exponent.min(other.exponent);
        let a = Big::from_u64(self.mantissa).shl((self.exponent - base) as usize);
        let b = Big::from_u64(other.mantissa).shl((other.exponent - base) as usize);
        let (negative, sum) = if self.negative == other.negative {
            (self.negative, a.add(&b))
        } else if a.cmp(&b).is_ge() {
            (self.negative, a.sub(&b))
        } else {
            (other.negative, b.sub(&a))
        };
        if sum.is_zero() {
            // Round to nearest: x + (-x) is +0, and -0 + -0 is -0.
            return Ok(LongDouble {
                negative: self.negative && other.negative,
                ..LongDouble::ZERO
            });
        }
        match round(negative, sum, base, false) {
            Rounded::Finite(v) => Ok(v),
            Rounded::Overflow => Err(Invalid::Infinite),
        }
    }

    /// `%.17Lf` with trailing zeros (and a bare point) removed and `-0` printed as `0`, as
    /// Redis's `ld2string` in human mode.
    pub fn to_human_string(self) -> String {
        let mut text = self.to_fixed17();
        if text.contains('.') {
            let trimmed = text.trim_end_matches('0').trim_end_matches('.').len();
            text.truncate(trimmed);
        }
        if text == "-0" {
            text = "0".into();
        }
        text
    }

    /// `printf("%.17Lf")`: exact decimal expansion rounded half to even at 17 decimals.
    fn to_fixed17(self) -> String {
        const SCALE: u128 = 100_000_000_000_000_000;
        let sign = if self.negative { "-" } else { "" };
        if self.exponent >= 0 {
            let whole = Big::from_u64(self.mantissa).shl(self.exponent as usize);
            return format!("{sign}{}.{}", whole.to_decimal(), "0".repeat(17));
        }
        let shift = (-self.exponent) as u32;
        let scaled = self.mantissa as u128 * SCALE;
        let rounded = if shift >= 128 {
            0
        } else {
            let quotient = scaled >> shift;
            let remainder = scaled - (quotient << shift);
            let half = 1u128 << (shift - 1);
            if remainder > half || (remainder == half && quotient & 1 == 1) {
                quotient + 1
            } else {
                quotient
            }
        };
        format!("{sign}{}.{:017}", rounded / SCALE, rounded % SCALE)
    }
}

enum Rounded {
    Finite(LongDouble),
    Overflow,
}

/// Round `digits × 2^exponent` (plus a nonzero amount below its last bit when `sticky`) to
/// the nearest extended value, ties to even.
fn round(negative: bool, digits: Big, exponent: i64, sticky: bool) -> Rounded {
    let len = digits.bit_len() as i64;
    let lead = len - 1 + exponent;
    if lead > MAX_EXP {
        return Rounded::Overflow;
    }
    // Subnormals keep fewer bits: the last one always weighs 2^(MIN_EXP - 63).
    let keep = if lead >= MIN_EXP {
        MANT_BITS
    } else {
        MANT_BITS - (MIN_EXP - lead)
    };
    let drop = len - keep;
    let (mut mantissa, mut exponent) = if drop <= 0 {
        (digits.low_u64() << -drop, exponent + drop)
    } else {
        let drop = drop as usize;
        (digits.shr(drop).low_u64(), exponent + drop as i64)
    };
    if drop > 0 {
        let drop = drop as usize;
        let round_bit = digits.bit(drop - 1);
        let below = sticky || digits.any_below(drop - 1);
        if round_bit && (below || mantissa & 1 == 1) {
            match mantissa.checked_add(1) {
                Some(m) => mantissa = m,
                None => {
                    mantissa = 1 << 63;
                    exponent += 1;
                }
            }
        }
    }
    if mantissa == 0 {
        exponent = 0;
    } else if 63 - i64::from(mantissa.leading_zeros()) + exponent > MAX_EXP {
        return Rounded::Overflow;
    }
    Rounded::Finite(LongDouble {
        negative,
        mantissa,
        exponent,
    })
}

/// Decimal `digits[.digits][e[sign]digits]` as `integer × 2^exponent` plus a sticky flag set
/// when a nonzero remainder was cut off (enough quotient bits are kept to round correctly).
fn parse_decimal(body: &[u8]) -> Option<(Big, i64, bool)> {
    let mut i = 0;
    let mut mantissa = Big::zero();
    let mut significant = 0i64;
    let mut scale = 0i64;
    let mut any_digit = false;
    let mut seen_point = false;
    while i < body.len() {
        match body[i] {
            d @ b'0'..=b'9' => {
                any_digit = true;
                if !mantissa.is_zero() || d != b'0' {
                    significant += 1;
                }
                mantissa = mantissa.mul_add(10, u32::from(d - b'0'));
                if seen_point {
                    scale -= 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    if i < body.len() {
        if body[i] | 0x20 != b'e' {
            return None;
        }
        scale = scale.saturating_add(parse_exponent(&body[i + 1..])?);
    }
    if mantissa.is_zero() {
        return Some((mantissa, 0, false));
    }
    // Far outside the extended range: decide without building huge numbers.
    let magnitude = significant.saturating_add(scale);
    if magnitude > 4940 {
        return Some((Big::from_u64(1), MAX_EXP + 1, false));
    }
    if magnitude < -4960 {
        return Some((Big::from_u64(1), MIN_EXP - 2 * MANT_BITS, false));
    }
    if scale >= 0 {
        return Some((mantissa.mul_pow10(scale as usize), 0, false));
    }
    // mantissa / 10^-scale: enough quotient bits for rounding, the remainder as sticky bit.
    let divisor = Big::from_u64(1).mul_pow10((-scale) as usize);
    let shift = (MANT_BITS + 3 + divisor.bit_len() as i64 - mantissa.bit_len() as i64).max(0);
    let (quotient, remainder_nonzero) = mantissa.shl(shift as usize).div_small_quotient(&divisor);
    Some((quotient, -shift, remainder_nonzero))
}

/// Hexadecimal `hexdigits[.hexdigits][p[sign]digits]` after `0x`.
fn parse_hex(body: &[u8]) -> Option<(Big, i64, bool)> {
    let mut i = 0;
    let mut mantissa = Big::zero();
    let mut exponent = 0i64;
    let mut any_digit = false;
    let mut seen_point = false;
    while i < body.len() {
        let c = body[i];
        if let Some(d) = (c as char).to_digit(16) {
            any_digit = true;
            mantissa = mantissa.mul_add(16, d);
            if seen_point {
                exponent -= 4;
            }
        } else if c == b'.' && !seen_point {
            seen_point = true;
        } else {
            break;
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    if i < body.len() {
        if body[i] | 0x20 != b'p' {
            return None;
        }
        exponent = exponent.saturating_add(parse_exponent(&body[i + 1..])?);
    }
    exponent = exponent.clamp(-100_000, 100_000);
    Some((mantissa, exponent, false))
}

/// `[sign]digits` of an exponent, saturating.
fn parse_exponent(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits.iter().fold(0i64, |acc, &d| {
        acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    Some(if negative { -value } else { value })
}

/// A little unsigned big integer (little-endian 32-bit limbs), just what exact parsing,
/// addition and printing need.
#[derive(Debug, Clone)]
struct Big(Vec<u32>);

impl Big {
    fn zero() -> Big {
        Big(Vec::new())
    }

    fn from_u64(v: u64) -> Big {
        let mut big = Big(vec![v as u32, (v >> 32) as u32]);
        big.trim();
        big
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn bit_len(&self) -> usize {
        match self.0.last() {
            None => 0,
            Some(&top) => (self.0.len() - 1) * 32 + (32 - top.leading_zeros() as usize),
        }
    }

    fn bit(&self, index: usize) -> bool {
        self.0
            .get(index / 32)
            .is_some_and(|limb| limb >> (index % 32) & 1 == 1)
    }

    /// Whether any bit below `index` (exclusive) is set.
    fn any_below(&self, index: usize) -> bool {
        let (full, rest) = (index / 32, index % 32);
        self.0[..full.min(self.0.len())].iter().any(|&l| l != 0)
            || (rest > 0
                && self
                    .0
                    .get(full)
                    .is_some_and(|&l| l & ((1u32 << rest) - 1) != 0))
    }

    fn low_u64(&self) -> u64 {
        let low = self.0.first().copied().unwrap_or(0) as u64;
        let high = self.0.get(1).copied().unwrap_or(0) as u64;
        low | high << 32
    }

    fn mul_add(mut self, factor: u32, addend: u32) -> Big {
        let mut carry = u64::from(addend);
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(factor) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
        self.trim();
        self
    }

    fn mul_pow10(mut self, mut power: usize) -> Big {
        while power >= 9 {
            self = self.mul_add(1_000_000_000, 0);
            power -= 9;
        }
        if power > 0 {
            self = self.mul_add(10u32.pow(power as u32), 0);
        }
        self
    }

    fn shl(&self, bits: usize) -> Big {
        if self.is_zero() {
            return Big::zero();
        }
        let (limbs, rest) = (bits / 32, bits % 32);
        let mut out = vec![0u32; limbs];
        let mut carry = 0u32;
        for &limb in &self.0 {
            if rest == 0 {
                out.push(limb);
            } else {
                out.push(limb << rest | carry);
                carry = limb >> (32 - rest);
            }
        }
        if carry > 0 {
            out.push(carry);
        }
        let mut big = Big(out);
        big.trim();
        big
    }

    fn shr(&self, bits: usize) -> Big {
        let (limbs, rest) = (bits / 32, bits % 32);
        if limbs >= self.0.len() {
            return Big::zero();
        }
        let src = &self.0[limbs..];
        let mut out = Vec::with_capacity(src.len());
        for (i, &limb) in src.iter().enumerate() {
            let high = src.get(i + 1).copied().unwrap_or(0);
            out.push(if rest == 0 {
                limb
            } else {
                limb >> rest | high << (32 - rest)
            });
        }
        let mut big = Big(out);
        big.trim();
        big
    }

    fn cmp(&self, other: &Big) -> std::cmp::Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    fn add(&self, other: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len().max(other.0.len()) + 1);
        let mut carry = 0u64;
        for i in 0..self.0.len().max(other.0.len()) {
            let v = u64::from(self.0.get(i).copied().unwrap_or(0))
                + u64::from(other.0.get(i).copied().unwrap_or(0))
                + carry;
            out.push(v as u32);
            carry = v >> 32;
        }
        if carry > 0 {
            out.push(carry as u32);
        }
        let mut big = Big(out);
        big.trim();
        big
    }

    /// `self - other`, which must not be negative.
    fn sub(&self, other: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let mut v =
                i64::from(self.0[i]) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = 0;
            if v < 0 {
                v += 1 << 32;
                borrow = 1;
            }
            out.push(v as u32);
        }
        let mut big = Big(out);
        big.trim();
        big
    }

    /// Quotient of `self / divisor` when it is small (at most a few hundred bits), by
    /// restoring division one quotient bit at a time; and whether a remainder is left.
    fn div_small_quotient(&self, divisor: &Big) -> (Big, bool) {
        let mut rest = self.clone();
        let bits = self.bit_len().saturating_sub(divisor.bit_len()) + 1;
        let mut quotient = Big::zero();
        for bit in (0..bits).rev() {
            let shifted = divisor.shl(bit);
            if rest.cmp(&shifted).is_ge() {
                rest = rest.sub(&shifted);
                quotient = quotient.add(&Big::from_u64(1).shl(bit));
            }
        }
        (quotient, !rest.is_zero())
    }

    fn to_decimal(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let mut chunks = Vec::new();
        let mut limbs = self.0.clone();
        while !limbs.is_empty() {
            let mut remainder = 0u64;
            for limb in limbs.iter_mut().rev() {
                let v = remainder << 32 | u64::from(*limb);
                *limb = (v / 1_000_000_000) as u32;
                remainder = v % 1_000_000_000;
            }
            chunks.push(remainder as u32);
            while limbs.last() == Some(&0) {
                limbs.pop();
            }
        }
        let mut text = chunks.pop().map(|c| c.to_string()).unwrap_or_default();
        for chunk in chunks.iter().rev() {
            text.push_str(&format!("{chunk:09}"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr(a: &str, b: &str) -> String {
        let a = LongDouble::parse(a.as_bytes()).expect("a");
        let b = LongDouble::parse(b.as_bytes()).expect("b");
        a.checked_add(b).expect("finite").to_human_string()
    }

    #[test]
    fn sums_match_redis() {
        // Replies of Redis 7.0.15's INCRBYFLOAT (x86-64, 80-bit long double).
        assert_eq!(incr("10.5", "0.1"), "10.6");
        assert_eq!(incr("5.6", "1e3"), "1005.59999999999999998");
        assert_eq!(incr("0.1", "0.1"), "0.2");
        assert_eq!(incr("0.2", "0.1"), "0.3");
        assert_eq!(incr("3", "1.23e5"), "123003");
        assert_eq!(incr("3", "-3"), "0");
        assert_eq!(incr("-0", "-0"), "0");
        assert_eq!(incr("10.6", "5.0e3"), "5010.60000000000000009");
        assert_eq!(
            incr("5010.60000000000000009", "1e20"),
            "100000000000000005008"
        );
        assert_eq!(incr("1.5", "0x10"), "17.5");
        assert_eq!(incr("0", "1e-20"), "0");
        let huge = incr("1e308", "1.5");
        assert_eq!(huge.len(), 308);
        assert!(huge.starts_with("999999999999999999966858796558"));
        assert!(huge.ends_with("3928578048"));
        assert_eq!(incr("1e-4940", "0"), "0");
    }

    #[test]
    fn parse_refuses_what_string2ld_refuses() {
        for bad in [
            "", " 1", "1 ", "abc", "1e", "1e+", ".", "-", "0x", "nan", "1e5000", "1e-5000", "1.2.3",
        ] {
            assert_eq!(
                LongDouble::parse(bad.as_bytes()),
                Err(Invalid::NotAFloat),
                "{bad:?}"
            );
        }
        assert_eq!(LongDouble::parse(b"inf"), Err(Invalid::Infinite));
        assert_eq!(LongDouble::parse(b"-Infinity"), Err(Invalid::Infinite));
        assert!(LongDouble::parse(b"1e400").is_ok());
        assert!(
            LongDouble::parse(b"1e-4940").is_ok(),
            "subnormals are accepted"
        );
        assert!(LongDouble::parse(b"+.5").is_ok());
        assert!(LongDouble::parse(b"1.").is_ok());
    }

    #[test]
    fn overflow_is_infinite() {
        let max = LongDouble::parse(b"1.1e4932").expect("finite");
        assert_eq!(max.checked_add(max), Err(Invalid::Infinite));
    }
}

//! Typo-tolerant key lookup: which keys lie within a small edit distance of a query.
//!
//! Written here because no crate does this for a fixed, small dictionary at the speed asked
//! (≥ 100k lookups a second): a Levenshtein automaton over an FST (the `fst` crate) must be
//! built per query, which costs more than the whole lookup may; `symspell` keeps a
//! `HashMap<String, Vec<String>>` of every deletion (hundreds of MB for this dictionary).
//!
//! The method is symmetric deletion (SymSpell, Garbe 2012) with a prefix: every key's first
//! [`PREFIX`] bytes and all their variants with up to [`MAX_EDITS`] bytes deleted are hashed
//! into one sorted array. A query does the same to its own prefix; keys that share a variant
//! with it are the candidates, and the exact optimal-string-alignment distance (`strsim`)
//! keeps those within the bound. Two strings within `d` edits always share a variant of
//! their prefixes with at most `d` deletions on each side, so nothing within the bound is
//! missed (checked against a brute-force scan in the tests).

/// Bytes of a key that take part in the deletion index.
const PREFIX: usize = 8;
/// Most edits the index can find.
pub const MAX_EDITS: usize = 2;
/// Bits of the hash that address the bucket table.
const BUCKET_BITS: u32 = 18;

/// The deletion index over a list of ASCII keys (indexes into that list are `u32`).
#[derive(Debug, Default)]
pub struct FuzzyIndex {
    /// (hash of a deletion variant, key index), sorted.
    entries: Vec<(u64, u32)>,
    /// `entries[buckets[b]..buckets[b + 1]]` hold the hashes whose top bits are `b`.
    buckets: Vec<u32>,
    /// Each key's length in bytes: keys longer or shorter than the query by more than the
    /// edits allowed are dropped before they are compared.
    lens: Vec<u16>,
}

/// FNV-1a, 64 bits: a few nanoseconds for the short strings hashed here (SipHash, std's
/// default, costs several times as much and its DoS resistance is moot for a fixed index).
fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // Spread the low bits into the top ones, which address the buckets.
    h ^ (h >> 29).wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

fn bucket(h: u64) -> usize {
    (h >> (64 - BUCKET_BITS)) as usize
}

/// Calls `f` with the hash of `s` and of every variant with up to [`MAX_EDITS`] bytes deleted
/// (some variants more than once; callers dedup). No allocation: `s` is at most [`PREFIX`].
fn each_deletion(s: &[u8], mut f: impl FnMut(u64)) {
    let n = s.len();
    let mut buf = [0u8; PREFIX];
    f(hash(s));
    for i in 0..n {
        let mut len = 0;
        for (k, &b) in s.iter().enumerate() {
            if k != i {
                buf[len] = b;
                len += 1;
            }
        }
        f(hash(&buf[..len]));
        for j in i + 1..n {
            let mut len = 0;
            for (k, &b) in s.iter().enumerate() {
                if k != i && k != j {
                    buf[len] = b;
                    len += 1;
                }
            }
            f(hash(&buf[..len]));
        }
    }
}

impl FuzzyIndex {
    pub fn build<'a>(keys: impl IntoIterator<Item = &'a str>) -> Self {
        let mut entries = Vec::new();
        let mut lens = Vec::new();
        for (i, key) in keys.into_iter().enumerate() {
            let b = key.as_bytes();
            lens.push(b.len().min(u16::MAX as usize) as u16);
            each_deletion(&b[..b.len().min(PREFIX)], |h| entries.push((h, i as u32)));
        }
        entries.sort_unstable();
        entries.dedup();
        let mut buckets = vec![0u32; (1 << BUCKET_BITS) + 1];
        for (h, _) in &entries {
            buckets[bucket(*h) + 1] += 1;
        }
        for b in 1..buckets.len() {
            buckets[b] += buckets[b - 1];
        }
        Self {
            entries,
            buckets,
            lens,
        }
    }

    /// The keys (indexes) of a length within [`MAX_EDITS`] of the query's whose prefix shares
    /// a deletion variant with the query's: a superset of the keys within [`MAX_EDITS`] of
    /// `query`, sorted, without repeats.
    pub fn candidates(&self, query: &str, out: &mut Vec<u32>) {
        out.clear();
        if self.entries.is_empty() {
            return;
        }
        let b = query.as_bytes();
        let qlen = b.len();
        each_deletion(&b[..qlen.min(PREFIX)], |h| {
            let k = bucket(h);
            let (lo, hi) = (self.buckets[k] as usize, self.buckets[k + 1] as usize);
            let slice = &self.entries[lo..hi];
            let start = slice.partition_point(|(e, _)| *e < h);
            out.extend(
                slice[start..]
                    .iter()
                    .take_while(|(e, _)| *e == h)
                    .map(|(_, i)| *i)
                    .filter(|i| (self.lens[*i as usize] as usize).abs_diff(qlen) <= MAX_EDITS),
            );
        });
        out.sort_unstable();
        out.dedup();
    }
}

/// The optimal-string-alignment distance between two keys when it is at most `max`. Keys
/// whose lengths differ by more than `max` are rejected before any work; the dynamic
/// programme runs on the stack and stops as soon as a whole row exceeds `max` (`strsim`
/// allocates and always fills the table: several times slower on the hundreds of candidates
/// a common prefix such as "ciudad" or "san pedro" brings).
pub fn edits_within(a: &str, b: &str, max: usize) -> Option<usize> {
    const N: usize = 64;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    if a.len() >= N || b.len() >= N {
        let d = strsim::osa_distance(
            std::str::from_utf8(a).unwrap_or_default(),
            std::str::from_utf8(b).unwrap_or_default(),
        );
        return (d <= max).then_some(d);
    }
    // A common start and end cost nothing ("ciudad juarez" against "ciudad madero" is
    // "juarez" against "madero").
    let start = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[start..], &b[start..]);
    let end = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - end], &b[..b.len() - end]);
    let m = b.len();
    // Rows of the table; every value is at most 64, so bytes do.
    let (mut prev2, mut prev, mut cur) = ([0u8; N], [0u8; N], [0u8; N]);
    for (j, v) in prev.iter_mut().enumerate().take(m + 1) {
        *v = j as u8;
    }
    for i in 1..=a.len() {
        cur[0] = i as u8;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min as usize > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[m] as usize;
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edits(a: &str, b: &str) -> usize {
        strsim::osa_distance(a, b)
    }

    #[test]
    fn finds_every_key_within_two_edits() {
        let keys = [
            "tapachula",
            "tapachula de cordova",
            "monterrey",
            "monterey",
            "reynosa",
            "naco",
            "nacozari",
            "ciudad juarez",
            "ab",
        ];
        let idx = FuzzyIndex::build(keys.iter().copied());
        let mut out = Vec::new();
        assert_eq!(edits_within("reinosa", "reynosa", 2), Some(1));
        assert_eq!(edits_within("naco", "nacozari", 2), None);
        assert_eq!(edits_within("tapahcula", "tapachula", 2), Some(1));
        assert_eq!(edits_within("", "ab", 2), Some(2));
        for q in [
            "tapachul",
            "tapahcula",
            "monterey",
            "reinosa",
            "nac",
            "ciudadjuarez",
            "a",
            "xyzzy",
            "",
        ] {
            idx.candidates(q, &mut out);
            for (i, k) in keys.iter().enumerate() {
                if edits(q, k) <= MAX_EDITS {
                    assert!(out.contains(&(i as u32)), "{q} must find {k}");
                }
            }
        }
    }

    /// The index finds exactly what a scan of every key finds (seeded random dictionary and
    /// random typos: deletions, insertions, substitutions, transpositions).
    #[test]
    fn agrees_with_a_brute_force_scan() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(20261204);
        let alphabet = b"aeiounrstlcm ";
        let word = |rng: &mut rand::rngs::StdRng, len: usize| -> String {
            (0..len)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
                .collect()
        };
        let keys: Vec<String> = (0..3000)
            .map(|_| {
                let len = rng.random_range(1..16);
                word(&mut rng, len)
            })
            .collect();
        let idx = FuzzyIndex::build(keys.iter().map(String::as_str));
        let mut out = Vec::new();
        for _ in 0..2000 {
            let mut q: Vec<u8> = keys[rng.random_range(0..keys.len())].clone().into_bytes();
            for _ in 0..rng.random_range(0..=MAX_EDITS) {
                let i = rng.random_range(0..=q.len());
                let c = alphabet[rng.random_range(0..alphabet.len())];
                match rng.random_range(0..4) {
                    0 if i < q.len() => {
                        q.remove(i);
                    }
                    1 if i < q.len() => q[i] = c,
                    2 if i + 1 < q.len() => q.swap(i, i + 1),
                    _ => q.insert(i, c),
                }
            }
            let q = String::from_utf8(q).unwrap();
            idx.candidates(&q, &mut out);
            for (i, k) in keys.iter().enumerate() {
                let d = edits(&q, k);
                assert_eq!(
                    edits_within(&q, k, MAX_EDITS),
                    (d <= MAX_EDITS).then_some(d)
                );
                if d <= MAX_EDITS {
                    assert!(out.contains(&(i as u32)), "{q:?} must find {k:?}");
                }
            }
        }
    }
}

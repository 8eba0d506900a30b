//! Keeps source ids unique within one file.
//!
//! Real exports repeat ids: the MMP HDX data holds the same `web_id` on several rows (one row
//! per group of people in one event, and some rows copied twice). A row that repeats an
//! earlier accepted row byte for byte is skipped as a duplicate; a row with a repeated id but
//! different content is kept under the id `ID#2`, `ID#3`, … (in file order, so loading the same
//! file again gives the same keys) and flagged.

use senda_core::RecordRef;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The map keys are FNV hashes already: spread them with one multiply instead of SipHash.
#[derive(Default)]
pub(crate) struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8 | u64::from(*b)) ^ (self.0 >> 56);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// FNV-1a, 64 bit: stable across platforms and Rust versions (ids derived from it are stored).
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub(crate) fn finish(self) -> u64 {
        self.0
    }
}

fn hash(id: &str) -> u64 {
    let mut h = Fnv::new();
    h.write(id.as_bytes());
    h.finish()
}

struct Entry {
    /// The id, in `arena`.
    start: usize,
    end: usize,
    at: RecordRef,
    /// The record's raw bytes in the file (for the exact-duplicate check), if known.
    raw: Option<(usize, usize)>,
    /// The next entry with the same hash.
    next: Option<u32>,
    /// Other records that carried this same id (indexes into `entries`).
    copies: Vec<u32>,
}

/// What [`KeyRegistry::claim`] decided.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Claim {
    /// The id is new: use it.
    Unique,
    /// The record repeats an earlier one exactly: skip it.
    ExactDuplicate { of: RecordRef },
    /// The id was taken by a different record: use `key` instead.
    Renamed { key: String, first: RecordRef },
}

/// Ids seen so far in one file, without one allocation per id.
#[derive(Default)]
pub(crate) struct KeyRegistry {
    arena: String,
    entries: Vec<Entry>,
    heads: HashMap<u64, u32, BuildHasherDefault<PreHashed>>,
}

impl KeyRegistry {
    /// A registry sized for about `records` ids of about `id_len` bytes.
    pub(crate) fn with_capacity(records: usize, id_len: usize) -> Self {
        Self {
            arena: String::with_capacity(records.saturating_mul(id_len)),
            entries: Vec::with_capacity(records),
            heads: HashMap::with_capacity_and_hasher(records, BuildHasherDefault::default()),
        }
    }

    fn find(&self, id: &str, h: u64) -> Option<u32> {
        let mut cur = self.heads.get(&h).copied();
        while let Some(i) = cur {
            let e = self.entries.get(i as usize)?;
            if self.arena.get(e.start..e.end) == Some(id) {
                return Some(i);
            }
            cur = e.next;
        }
        None
    }

    fn insert(&mut self, id: &str, h: u64, at: RecordRef, raw: Option<(usize, usize)>) -> u32 {
        let start = self.arena.len();
        self.arena.push_str(id);
        let index = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let next = self.heads.insert(h, index);
        self.entries.push(Entry {
            start,
            end: self.arena.len(),
            at,
            raw,
            next,
            copies: Vec::new(),
        });
        index
    }

    /// Claims `id` for the record at `at`. `raw` is the record's byte range in `buf` (the
    /// whole file), when the format has one; records with equal bytes are exact duplicates.
    pub(crate) fn claim(
        &mut self,
        id: &str,
        at: RecordRef,
        raw: Option<(usize, usize)>,
        buf: &[u8],
    ) -> Claim {
        let h = hash(id);
        let Some(first) = self.find(id, h) else {
            self.insert(id, h, at, raw);
            return Claim::Unique;
        };
        let bytes = |r: Option<(usize, usize)>| r.and_then(|(s, e)| buf.get(s..e)).map(trim_eol);
        if let Some(mine) = bytes(raw) {
            let Some(entry) = self.entries.get(first as usize) else {
                return Claim::Unique;
            };
            let earlier = std::iter::once(first).chain(entry.copies.iter().copied());
            for i in earlier {
                if let Some(e) = self.entries.get(i as usize) {
                    if bytes(e.raw) == Some(mine) {
                        return Claim::ExactDuplicate { of: e.at };
                    }
                }
            }
        }
        let Some(entry) = self.entries.get(first as usize) else {
            return Claim::Unique;
        };
        let first_at = entry.at;
        let mut n = entry.copies.len() + 2;
        let key = loop {
            let candidate = format!("{id}#{n}");
            if self.find(&candidate, hash(&candidate)).is_none() {
                break candidate;
            }
            n += 1;
        };
        let index = self.insert(&key, hash(&key), at, raw);
        if let Some(entry) = self.entries.get_mut(first as usize) {
            entry.copies.push(index);
        }
        Claim::Renamed {
            key,
            first: first_at,
        }
    }
}

fn trim_eol(b: &[u8]) -> &[u8] {
    let mut b = b;
    while let [rest @ .., b'\n' | b'\r'] = b {
        b = rest;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_the_reference_function() {
        // Published FNV-1a 64 test vectors.
        let h = |s: &str| {
            let mut f = Fnv::new();
            f.write(s.as_bytes());
            f.finish()
        };
        assert_eq!(h(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(h("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(h("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn repeated_ids_are_renamed_and_copies_skipped() {
        let buf = b"a,1\na,2\na,1\r\na,3\na#3,9\n";
        let mut reg = KeyRegistry::default();
        let at = |i| RecordRef::new(i, Some(i + 1));
        assert_eq!(reg.claim("a", at(0), Some((0, 4)), buf), Claim::Unique);
        assert_eq!(
            reg.claim("a", at(1), Some((4, 8)), buf),
            Claim::Renamed {
                key: "a#2".into(),
                first: at(0)
            }
        );
        assert_eq!(
            reg.claim("a", at(2), Some((8, 13)), buf),
            Claim::ExactDuplicate { of: at(0) }
        );
        assert_eq!(
            reg.claim("a", at(3), Some((13, 17)), buf),
            Claim::Renamed {
                key: "a#3".into(),
                first: at(0)
            }
        );
        // a literal id that a rename already took is itself renamed
        assert_eq!(
            reg.claim("a#3", at(4), Some((17, 23)), buf),
            Claim::Renamed {
                key: "a#3#2".into(),
                first: at(3)
            }
        );
        // without raw bytes, a repeat is always renamed
        assert_eq!(reg.claim("b", at(5), None, buf), Claim::Unique);
        assert_eq!(
            reg.claim("b", at(6), None, buf),
            Claim::Renamed {
                key: "b#2".into(),
                first: at(5)
            }
        );
        // bad ranges never panic
        assert_eq!(reg.claim("c", at(7), Some((50, 10)), buf), Claim::Unique);
        assert!(matches!(
            reg.claim("c", at(8), Some((50, 10)), buf),
            Claim::Renamed { .. }
        ));
    }
}

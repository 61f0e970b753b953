//! Redis's RDB format (version 10, as written by Redis 7.0) and DUMP/RESTORE payloads: the
//! byte-level encodings, and values and entries as RDB objects.
pub mod crc64;
pub mod encode;
pub mod encoding;
pub mod intset;
pub mod listpack;
pub mod lzf;
pub mod ziplist;

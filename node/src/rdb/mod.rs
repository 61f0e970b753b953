//! RDB persistence building blocks: the byte-level encodings of Redis's RDB format (version 10,
//! as written by Redis 7.0) and of DUMP/RESTORE payloads, as pure functions. Nothing here is
//! wired into the server yet (issue 3 does that).
pub mod crc64;
pub mod encoding;
pub mod intset;
pub mod listpack;
pub mod lzf;
pub mod ziplist;

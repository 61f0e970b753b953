//! RDB persistence building blocks: the byte-level encodings of Redis's RDB format (version 10,
//! as written by Redis 7.0) and of DUMP/RESTORE payloads, as pure functions.
pub mod crc64;
pub mod encoding;
pub mod lzf;

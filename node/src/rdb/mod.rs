//! Redis's RDB format (version 10, as written by Redis 7.0) and DUMP/RESTORE payloads: the
//! byte-level encodings, values and entries as RDB objects ([`encode`]), the decoding of values
//! into the keyspace's types ([`decode`]) and the file-level reader ([`load`]).
pub mod crc64;
pub mod decode;
pub mod encode;
pub mod encoding;
pub mod intset;
pub mod listpack;
pub mod load;
pub mod lzf;
pub mod ziplist;

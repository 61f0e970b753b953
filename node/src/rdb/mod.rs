//! RDB persistence: the on-disk encodings Redis uses for values and whole files.
pub mod intset;
pub mod listpack;
pub mod ziplist;

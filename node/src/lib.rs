//! Switchyard's storage node: a Redis 7-compatible server.
#![forbid(unsafe_code)]

pub mod aof;
pub mod blocking;
pub mod client;
pub mod cmd;
pub mod config;
pub mod conn;
pub mod cron;
pub mod ctx;
pub mod evict;
pub mod exec;
pub mod expire;
pub mod failover;
pub mod glob;
pub mod info;
pub mod keyspace;
pub mod longdouble;
pub mod monitor;
pub mod persist;
pub mod propagate;
pub mod pubsub;
pub mod rdb;
pub mod replica;
pub mod replication;
pub mod server;
pub mod slowlog;
pub mod snapshot;
pub mod types;
pub mod watch;

pub use config::Config;
pub use server::{Server, run, serve};

// The node measures its memory (INFO, maxmemory) with jemalloc's statistics, so whatever
// embeds it (the switchyard binary, tests) runs on jemalloc.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

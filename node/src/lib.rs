//! Switchyard's storage node: a Redis 7-compatible server.
#![forbid(unsafe_code)]

pub mod blocking;
pub mod client;
pub mod cmd;
pub mod config;
pub mod conn;
pub mod cron;
pub mod ctx;
pub mod exec;
pub mod expire;
pub mod glob;
pub mod keyspace;
pub mod longdouble;
pub mod monitor;
pub mod pubsub;
pub mod server;
pub mod types;
pub mod watch;

pub use config::Config;
pub use server::{Server, run, serve};

//! What crosses the wire, shared by every Switchyard component: the RESP request parser (with
//! Redis's limits, inline commands and raw bytes kept), the reply writer (RESP2 and RESP3), the
//! one command table, key-to-slot hashing and a pipelined async client.
#![forbid(unsafe_code)]

pub mod client;
pub mod codec;
pub mod command;
mod command_table;
pub mod keys;
pub mod reply;
pub mod request;
pub mod slot;

pub use client::{Client, ConnectOptions, Connection};
pub use codec::{Decoded, Frame, FrameDecoder, FrameError, Limits, RespCodec};
pub use command::{Command, CommandId};
pub use reply::{Protocol, ReplyBuf};
pub use request::{ProtocolError, Request, RequestParser};
pub use slot::key_slot;

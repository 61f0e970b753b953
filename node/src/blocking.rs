//! Clients blocked on list and sorted-set keys (BLPOP, BLMOVE, BZPOPMIN, ...), served as
//! Redis 7.0 serves them.
//!
//! A command that finds all its keys empty asks to block ([`crate::ctx::Ctx::block_on`]); the
//! dispatcher registers it here under the same lock, so no push can slip in between. Writers
//! signal keys that received elements; after the command, [`serve_ready`] walks the ready keys
//! in signal order and, for each, the clients blocked on it in the order they blocked. A
//! client is served by running its own request again on its behalf, narrowed to the ready key,
//! so the reply is exactly what the command gives on a non-empty key, and any blocking command
//! family works without code here.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hashbrown::{HashMap, HashSet};
use tokio::sync::oneshot;
use wire::command::{BeginSearch, FindKeys};
use wire::request::Request;
use wire::{Command, Protocol, ReplyBuf};

use crate::client::{ClientHandle, ClientState};
use crate::ctx::BlockRequest;
use crate::server::{Server, Store, unix_ms};
use crate::types::{SmallBytes, Value};

/// A blocked client is identified by its client id: a client waits for one command at most.
pub type WaiterId = u64;

/// What a blocked connection waits on: the reply sent once it is served, or its timeout.
#[derive(Debug)]
pub struct Blocked {
    pub waiter: WaiterId,
    pub reply: oneshot::Receiver<Vec<u8>>,
    pub timeout: Option<Duration>,
}

/// Which type of value can serve a waiter (Redis's BLOCKED_LIST / BLOCKED_ZSET).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServedBy {
    List,
    ZSet,
}

impl ServedBy {
    fn of_command(cmd: &Command) -> ServedBy {
        if cmd.acl_categories.contains(&"@sortedset") {
            ServedBy::ZSet
        } else {
            ServedBy::List
        }
    }

    fn of_value(value: &Value) -> Option<ServedBy> {
        match value {
            Value::List(_) => Some(ServedBy::List),
            Value::ZSet(_) => Some(ServedBy::ZSet),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct Waiter {
    client: Arc<ClientHandle>,
    db: usize,
    proto: Protocol,
    request: Request,
    cmd: &'static Command,
    /// The keys it blocks on, without duplicates, in argument order.
    keys: Vec<SmallBytes>,
    served_by: ServedBy,
    reply: oneshot::Sender<Vec<u8>>,
}

type DbKey = (usize, SmallBytes);

#[derive(Debug, Default)]
pub struct Blocking {
    /// Keys that received data since the last serve, in signal order, each once.
    pub ready: Vec<DbKey>,
    ready_set: HashSet<DbKey>,
    /// Number of blocked clients (INFO's `blocked_clients`).
    pub blocked_clients: usize,
    waiters: HashMap<WaiterId, Waiter>,
    /// Per key, the clients blocked on it, first blocked first.
    queues: HashMap<DbKey, VecDeque<WaiterId>>,
}

impl Blocking {
    /// `key` in `db` received elements (Redis's signalKeyAsReady). Cheap when nobody waits.
    pub fn signal_ready(&mut self, db: usize, key: &[u8]) {
        if self.blocked_clients == 0 {
            return;
        }
        let db_key = (db, SmallBytes::new(key));
        if !self.queues.contains_key(&db_key) || self.ready_set.contains(&db_key) {
            return;
        }
        self.ready_set.insert(db_key.clone());
        self.ready.push(db_key);
    }

    /// Whether the client is blocked on keys (CLIENT LIST's `b` flag).
    pub fn is_blocked(&self, client_id: u64) -> bool {
        self.waiters.contains_key(&client_id)
    }

    /// Keys the client is blocked on, with their database.
    pub fn blocked_keys(&self, client_id: u64) -> Option<(usize, &[SmallBytes])> {
        self.waiters
            .get(&client_id)
            .map(|w| (w.db, w.keys.as_slice()))
    }

    /// Number of distinct keys clients are blocked on.
    pub fn blocking_keys(&self) -> usize {
        self.queues.len()
    }

    fn remove(&mut self, waiter: WaiterId) -> Option<Waiter> {
        let removed = self.waiters.remove(&waiter)?;
        for key in &removed.keys {
            let db_key = (removed.db, key.clone());
            if let Some(queue) = self.queues.get_mut(&db_key) {
                queue.retain(|&id| id != waiter);
                if queue.is_empty() {
                    self.queues.remove(&db_key);
                }
            }
        }
        self.blocked_clients -= 1;
        Some(removed)
    }
}

/// Block `client` on `block.keys` (in its selected database) until one of them can serve
/// `req`. Called by the dispatcher under the same lock as the command that could not be served.
pub fn register(
    store: &mut Store,
    client: &ClientState,
    req: &Request,
    cmd: &'static Command,
    block: BlockRequest,
) -> Blocked {
    let blocking = &mut store.blocking;
    let id = client.id();
    // A client runs one command at a time, so a stale registration can only be a leftover of a
    // wait that ended abnormally; it must not keep keys queued.
    blocking.remove(id);
    let mut keys: Vec<SmallBytes> = Vec::with_capacity(block.keys.len());
    for key in &block.keys {
        if !keys.iter().any(|k| k.as_slice() == &key[..]) {
            keys.push(SmallBytes::new(key));
        }
    }
    for key in &keys {
        blocking
            .queues
            .entry((client.db, key.clone()))
            .or_default()
            .push_back(id);
    }
    let (tx, rx) = oneshot::channel();
    blocking.waiters.insert(
        id,
        Waiter {
            client: client.handle.clone(),
            db: client.db,
            proto: client.proto,
            request: req.clone(),
            cmd,
            keys,
            served_by: ServedBy::of_command(cmd),
            reply: tx,
        },
    );
    blocking.blocked_clients += 1;
    Blocked {
        waiter: id,
        reply: rx,
        timeout: block.timeout,
    }
}

/// Remove a waiter whose client went away. Returns true if it was still waiting (not served
/// meanwhile).
pub fn unregister(store: &mut Store, waiter: WaiterId) -> bool {
    store.blocking.remove(waiter).is_some()
}

/// The wait ended by timeout: if the waiter was not served meanwhile, write Redis's timeout
/// reply (a null array for every key-blocking command, BLMOVE included) and return true.
pub fn time_out(store: &mut Store, waiter: WaiterId, out: &mut ReplyBuf) -> bool {
    let Some(removed) = store.blocking.remove(waiter) else {
        return false;
    };
    out.null_array();
    // Redis counts a blocking command once, when it is unblocked.
    store.command_stats[removed.cmd.id as usize].calls += 1;
    true
}

/// Every client blocked on keys gets `error` (a master turned replica: its blocking writes can
/// no longer be served; Redis's disconnectAllBlockedClients).
pub fn unblock_all(store: &mut Store, error: &str) {
    let ids: Vec<WaiterId> = store.blocking.waiters.keys().copied().collect();
    for id in ids {
        let Some(removed) = store.blocking.remove(id) else {
            continue;
        };
        let mut out = ReplyBuf::new(removed.proto);
        out.error(error);
        store.command_stats[removed.cmd.id as usize].calls += 1;
        store.command_stats[removed.cmd.id as usize].failed_calls += 1;
        let _ = removed.reply.send(out.buf);
    }
}

/// CLIENT UNBLOCK: end the wait of `client_id` as a timeout would, or with an `UNBLOCKED`
/// error. Returns false if the client was not blocked on keys.
pub fn unblock(store: &mut Store, client_id: u64, with_error: bool) -> bool {
    let Some(removed) = store.blocking.remove(client_id) else {
        return false;
    };
    let mut out = ReplyBuf::new(removed.proto);
    if with_error {
        out.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
        store.command_stats[removed.cmd.id as usize].failed_calls += 1;
    } else {
        out.null_array();
    }
    store.command_stats[removed.cmd.id as usize].calls += 1;
    let _ = removed.reply.send(out.buf);
    true
}

/// Signal every key of `db` that clients wait on and that now holds a value (after SWAPDB
/// and the like, which change keys without a write command; Redis's scanDatabaseForReadyLists).
pub fn signal_existing_keys(store: &mut Store, db: usize) {
    let now_ms = unix_ms();
    let keys: Vec<SmallBytes> = store
        .blocking
        .queues
        .keys()
        .filter(|(key_db, _)| *key_db == db)
        .map(|(_, key)| key.clone())
        .collect();
    for key in keys {
        let holds_value = store.dbs[db]
            .peek(&key, now_ms)
            .is_some_and(|e| ServedBy::of_value(&e.value).is_some());
        if holds_value {
            store.blocking.signal_ready(db, &key);
        }
    }
}

/// Serve blocked clients whose keys were signalled ready: ready keys in signal order, the
/// clients of a key in the order they blocked, until the key is empty again. Serving may make
/// more keys ready (BLMOVE pushing to a new list): those are served in a next round.
pub fn serve_ready(server: &Server, store: &mut Store) {
    while !store.blocking.ready.is_empty() {
        let round = std::mem::take(&mut store.blocking.ready);
        store.blocking.ready_set.clear();
        for (db, key) in round {
            serve_key(server, store, db, &key);
        }
    }
}

fn serve_key(server: &Server, store: &mut Store, db: usize, key: &SmallBytes) {
    let Some(queue) = store.blocking.queues.get(&(db, key.clone())) else {
        return;
    };
    let candidates: Vec<WaiterId> = queue.iter().copied().collect();
    for id in candidates {
        let now_ms = unix_ms();
        // Redis looks the key up again for every client: a pop may have emptied (and deleted)
        // it, and an expired key is gone.
        let Some(available) = store
            .dbs
            .get_mut(db)
            .and_then(|d| d.get_mut(key, now_ms))
            .and_then(|e| ServedBy::of_value(&e.value))
        else {
            return;
        };
        // A client waiting for another type stays blocked (a BZPOPMIN on a key that became a
        // list), as does everything when the key holds a string or hash.
        if store.blocking.waiters.get(&id).map(|w| w.served_by) != Some(available) {
            continue;
        }
        let Some(waiter) = store.blocking.remove(id) else {
            continue;
        };
        if waiter.reply.is_closed() || waiter.client.kill.is_cancelled() {
            // The client is going away: its element stays for the next one.
            continue;
        }
        let request = narrow_to_key(&waiter, key);
        let mut client = ClientState::new(waiter.client.clone(), true);
        client.proto = waiter.proto;
        client.db = waiter.db;
        client.served_blocked = true;
        let mut out = ReplyBuf::new(waiter.proto);
        crate::exec::execute_unblocked(server, store, &mut client, &mut out, &request, now_ms);
        let _ = waiter.reply.send(out.buf);
    }
}

/// The waiter's request with its blocking keys narrowed to `ready` (numkeys adjusted), so a
/// client blocked on several keys pops from the key that woke it, as Redis 7.0 serves it, even
/// when an earlier key also received elements in the same command.
fn narrow_to_key(waiter: &Waiter, ready: &[u8]) -> Request {
    if waiter.keys.len() <= 1 {
        return waiter.request.clone();
    }
    let args = &waiter.request.args;
    let positions = waiter.cmd.key_positions(args);
    let Some(keep) = positions
        .iter()
        .copied()
        .find(|&p| args.get(p).is_some_and(|a| &a[..] == ready))
    else {
        return waiter.request.clone();
    };
    let numkeys_position =
        waiter
            .cmd
            .key_specs
            .iter()
            .find_map(|spec| match (spec.begin_search, spec.find_keys) {
                (BeginSearch::Index(begin), FindKeys::Keynum { keynum_idx, .. }) => {
                    usize::try_from(begin + keynum_idx).ok()
                }
                _ => None,
            });
    let narrowed: Vec<Bytes> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == keep || !positions.contains(i))
        .map(|(i, arg)| {
            if Some(i) == numkeys_position {
                Bytes::from_static(b"1")
            } else {
                arg.clone()
            }
        })
        .collect();
    Request {
        raw: encode_request(&narrowed),
        args: narrowed,
        inline: false,
    }
}

fn encode_request(args: &[Bytes]) -> Bytes {
    let mut raw = Vec::with_capacity(16 + args.iter().map(|a| a.len() + 16).sum::<usize>());
    raw.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for arg in args {
        raw.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        raw.extend_from_slice(arg);
        raw.extend_from_slice(b"\r\n");
    }
    Bytes::from(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::command;

    fn command_of(req: &Request) -> Option<&'static Command> {
        command::resolve(&req.args).ok()
    }

    fn request(args: &[&str]) -> Request {
        let args: Vec<Bytes> = args
            .iter()
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect();
        Request {
            raw: encode_request(&args),
            args,
            inline: false,
        }
    }

    fn waiter(args: &[&str], keys: &[&str]) -> Waiter {
        let request = request(args);
        let cmd = command_of(&request).expect("known command");
        let (reply, _) = oneshot::channel();
        let addr = "127.0.0.1:1".parse().expect("addr");
        let (push_tx, _) = tokio::sync::mpsc::unbounded_channel();
        Waiter {
            client: Arc::new(ClientHandle::new(1, addr, addr, push_tx)),
            db: 0,
            proto: Protocol::Resp2,
            request,
            cmd,
            keys: keys.iter().map(|k| SmallBytes::new(k.as_bytes())).collect(),
            served_by: ServedBy::of_command(cmd),
            reply,
        }
    }

    fn args_of(req: &Request) -> Vec<String> {
        req.args
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    #[test]
    fn narrows_to_the_ready_key() {
        let w = waiter(&["BLPOP", "a", "b", "c", "0"], &["a", "b", "c"]);
        assert_eq!(args_of(&narrow_to_key(&w, b"b")), ["BLPOP", "b", "0"]);
        let w = waiter(
            &["BLMPOP", "1.5", "2", "a", "b", "RIGHT", "COUNT", "3"],
            &["a", "b"],
        );
        let narrowed = narrow_to_key(&w, b"b");
        assert_eq!(
            args_of(&narrowed),
            ["BLMPOP", "1.5", "1", "b", "RIGHT", "COUNT", "3"]
        );
        assert_eq!(
            &narrowed.raw[..],
            b"*7\r\n$6\r\nBLMPOP\r\n$3\r\n1.5\r\n$1\r\n1\r\n$1\r\nb\r\n$5\r\nRIGHT\r\n$5\r\nCOUNT\r\n$1\r\n3\r\n"
        );
        let w = waiter(&["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"], &["a"]);
        assert_eq!(
            args_of(&narrow_to_key(&w, b"a")),
            ["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"]
        );
    }

    #[test]
    fn sorted_set_commands_wait_for_sorted_sets() {
        let w = waiter(&["BZPOPMIN", "a", "b", "0"], &["a", "b"]);
        assert_eq!(w.served_by, ServedBy::ZSet);
        assert_eq!(args_of(&narrow_to_key(&w, b"b")), ["BZPOPMIN", "b", "0"]);
        let w = waiter(&["BZMPOP", "0", "2", "a", "b", "MIN"], &["a", "b"]);
        assert_eq!(
            args_of(&narrow_to_key(&w, b"a")),
            ["BZMPOP", "0", "1", "a", "MIN"]
        );
        let w = waiter(&["BRPOPLPUSH", "a", "b", "0"], &["a"]);
        assert_eq!(w.served_by, ServedBy::List);
    }

    fn client(id: u64) -> ClientState {
        let addr = "127.0.0.1:1".parse().expect("addr");
        let (push_tx, _) = tokio::sync::mpsc::unbounded_channel();
        ClientState::new(Arc::new(ClientHandle::new(id, addr, addr, push_tx)), true)
    }

    fn block(store: &mut Store, id: u64, args: &[&str], keys: &[&str]) -> Blocked {
        let req = request(args);
        let cmd = command_of(&req).expect("known command");
        let keys = keys
            .iter()
            .map(|k| Bytes::copy_from_slice(k.as_bytes()))
            .collect();
        register(
            store,
            &client(id),
            &req,
            cmd,
            BlockRequest {
                keys,
                timeout: None,
            },
        )
    }

    #[test]
    fn registration_bookkeeping() {
        let mut store = Store::new(crate::Config::default());
        store.blocking.signal_ready(0, b"a");
        assert!(store.blocking.ready.is_empty(), "nobody waits");
        let _first = block(
            &mut store,
            7,
            &["BLPOP", "a", "a", "b", "0"],
            &["a", "a", "b"],
        );
        let _second = block(&mut store, 8, &["BLPOP", "b", "0"], &["b"]);
        assert_eq!(store.blocking.blocked_clients, 2);
        assert_eq!(store.blocking.blocking_keys(), 2);
        assert_eq!(
            store.blocking.blocked_keys(7).map(|(_, k)| k.len()),
            Some(2)
        );
        store.blocking.signal_ready(0, b"b");
        store.blocking.signal_ready(0, b"a");
        store.blocking.signal_ready(0, b"b");
        store.blocking.signal_ready(1, b"a");
        store.blocking.signal_ready(0, b"c");
        let ready: Vec<(usize, &[u8])> = store
            .blocking
            .ready
            .iter()
            .map(|(db, k)| (*db, k.as_slice()))
            .collect();
        assert_eq!(ready, [(0, &b"b"[..]), (0, &b"a"[..])]);
        assert!(unregister(&mut store, 7));
        assert!(!unregister(&mut store, 7));
        assert_eq!(store.blocking.blocking_keys(), 1);
        let mut out = ReplyBuf::new(Protocol::Resp3);
        assert!(time_out(&mut store, 8, &mut out));
        assert_eq!(out.buf, b"_\r\n");
        assert!(!time_out(&mut store, 8, &mut out));
        assert_eq!(store.blocking.blocked_clients, 0);
        assert_eq!(store.blocking.blocking_keys(), 0);
    }

    #[test]
    fn existing_keys_are_signalled_after_a_database_change() {
        let mut store = Store::new(crate::Config::default());
        let _waiter = block(&mut store, 3, &["BLPOP", "x", "y", "0"], &["x", "y"]);
        store.dbs[0].insert(b"y", Value::List(Box::default()));
        store.dbs[0].insert(b"x", Value::string(b"v"));
        signal_existing_keys(&mut store, 0);
        assert_eq!(store.blocking.ready.len(), 1);
        assert_eq!(store.blocking.ready[0].1.as_slice(), b"y");
    }
}

//! `FAILOVER`: a master hands its role to one of its replicas without losing a write, as in
//! Redis 7.0. Writes are held while the chosen replica catches up with the master's offset;
//! then the master turns itself into that replica's replica and asks it, with
//! `PSYNC <replid> <offset> FAILOVER`, to take over; the replica promotes itself and answers
//! `+CONTINUE`, and the old master's link is a normal replica link from then on.

use bytes::Bytes;
use wire::CommandId;

use crate::ctx::{CmdError, CmdResult, Ctx, args};
use crate::server::{Server, Store};

pub const HANDLERS: &[(CommandId, crate::cmd::Handler)] = &[(CommandId::Failover, failover)];

/// `REPLCONF GETACK *`.
const GETACK: &[u8] = b"*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Writes are held; waiting for the target to acknowledge the master's offset.
    WaitForSync,
    /// This node is now the target's replica and asked it to take over.
    InProgress,
}

#[derive(Debug)]
pub struct Failover {
    pub stage: Stage,
    /// The replica to hand over to (None: the first to catch up).
    target: Option<(String, u16)>,
    /// Unix ms after which it gives up (or, with FORCE, goes ahead); None: no limit.
    end_ms: Option<u64>,
    force: bool,
}

/// `master_failover_state` in INFO.
pub fn state_name(store: &Store) -> &'static str {
    match store.replication.failover.as_ref().map(|f| f.stage) {
        None => "no-failover",
        Some(Stage::WaitForSync) => "waiting-for-sync",
        Some(Stage::InProgress) => "failover-in-progress",
    }
}

/// `FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]`.
fn failover(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let mut target = None;
    let mut timeout_ms = 0i64;
    let (mut force, mut abort) = (false, false);
    let mut i = 1;
    while i < args.len() {
        let left = args.len() - i - 1;
        if args::is(&args[i], "to") && left >= 2 && target.is_none() {
            let host = String::from_utf8_lossy(&args[i + 1]).into_owned();
            let port = args::int(&args[i + 2])?;
            target = Some((host, port));
            i += 3;
        } else if args::is(&args[i], "timeout") && left >= 1 && timeout_ms == 0 {
            timeout_ms = args::int(&args[i + 1])?;
            if timeout_ms <= 0 {
                return Err(CmdError::new("ERR FAILOVER timeout must be greater than 0"));
            }
            i += 2;
        } else if args::is(&args[i], "force") && !force {
            force = true;
            i += 1;
        } else if args::is(&args[i], "abort") && !abort {
            abort = true;
            i += 1;
        } else {
            return Err(CmdError::syntax());
        }
    }
    if abort {
        if force || target.is_some() || timeout_ms != 0 {
            return Err(CmdError::new(
                "ERR FAILOVER abort cannot be used with other options.",
            ));
        }
        if ctx.store.replication.failover.is_none() {
            return Err(CmdError::new("ERR No failover in progress."));
        }
        abort_failover(ctx.store, "Failover manually aborted");
        ctx.out.ok();
        return Ok(());
    }
    if force && (timeout_ms == 0 || target.is_none()) {
        return Err(CmdError::new(
            "ERR FAILOVER with force option requires both a timeout and target HOST and IP.",
        ));
    }
    if ctx.store.replication.is_replica() {
        return Err(CmdError::new(
            "ERR FAILOVER is not valid when server is a replica.",
        ));
    }
    if ctx.store.replication.replicas.is_empty() {
        return Err(CmdError::new("ERR FAILOVER requires connected replicas."));
    }
    if ctx.store.replication.failover.is_some() {
        return Err(CmdError::new("ERR FAILOVER already in progress."));
    }
    let target = match target {
        Some((host, port)) => {
            let port = u16::try_from(port).unwrap_or(0);
            let Some(replica) = find_replica(ctx.store, &host, port) else {
                return Err(CmdError::new(
                    "ERR FAILOVER target HOST and PORT is not a replica.",
                ));
            };
            if !replica.online() {
                return Err(CmdError::new("ERR FAILOVER target replica is not online."));
            }
            tracing::info!("FAILOVER requested to {host}:{port}.");
            Some((host, port))
        }
        None => {
            tracing::info!("FAILOVER requested to any replica.");
            None
        }
    };
    ctx.store.replication.failover = Some(Failover {
        stage: Stage::WaitForSync,
        target,
        end_ms: (timeout_ms > 0).then(|| ctx.now_ms + timeout_ms as u64),
        force,
    });
    ctx.store.client_pause.set_failover(true);
    ctx.out.ok();
    Ok(())
}

fn find_replica<'a>(
    store: &'a Store,
    host: &str,
    port: u16,
) -> Option<&'a crate::replication::Replica> {
    store
        .replication
        .replicas
        .iter()
        .find(|r| r.ip.eq_ignore_ascii_case(host) && r.port == port)
}

/// Give up: writes flow again, and a master that had already turned replica is master again.
fn abort_failover(store: &mut Store, reason: &str) {
    let Some(failover) = store.replication.failover.take() else {
        return;
    };
    tracing::info!("FAILOVER aborted: {reason}");
    if failover.stage == Stage::InProgress && store.replication.is_replica() {
        // Our own history was never replaced: carry on as the master we were.
        store.replication.master = None;
        store.config.replicaof = None;
        store.feed.set_muted(false);
        store.feed.force_select();
        for db in &mut store.dbs {
            db.expire_mode = crate::keyspace::ExpireMode::Delete;
        }
    }
    store.client_pause.set_failover(false);
}

/// REPLICAOF while a failover runs cancels it (without undoing the new REPLICAOF).
pub fn abort_quietly(store: &mut Store) {
    if store.replication.failover.take().is_some() {
        tracing::info!("FAILOVER aborted: REPLICAOF received");
        store.client_pause.set_failover(false);
    }
}

/// From the server tick: the deadline, and the hand-over once the target caught up.
pub fn cron(server: &Server, store: &mut Store, now_ms: u64) {
    let Some(failover) = &store.replication.failover else {
        return;
    };
    let expired = failover.end_ms.is_some_and(|end| end <= now_ms);
    let (force, target) = (failover.force, failover.target.clone());
    match failover.stage {
        Stage::InProgress => {
            if expired {
                abort_failover(store, "Failover target never responded");
            }
            return;
        }
        Stage::WaitForSync => {}
    }
    if expired {
        let Some((host, port)) = target.filter(|_| force) else {
            abort_failover(store, "Replica never caught up before timeout");
            return;
        };
        tracing::info!("FAILOVER to {host}:{port} time out exceeded, failing over.");
        hand_over(server, store, host, port);
        return;
    }
    crate::propagate::deliver(store);
    let offset = store.feed.offset;
    let synced = match &target {
        Some((host, port)) => find_replica(store, host, *port)
            .filter(|r| r.ack_offset == offset)
            .map(|r| (r.ip.clone(), r.port)),
        None => store
            .replication
            .replicas
            .iter()
            .find(|r| r.online() && r.ack_offset == offset)
            .map(|r| (r.ip.clone(), r.port)),
    };
    match synced {
        Some((host, port)) => {
            tracing::info!("Failover target {host}:{port} is synced, failing over.");
            hand_over(server, store, host, port);
        }
        None => {
            // Ask for fresh acknowledgements rather than wait for the periodic ones.
            store.feed.push_to_replicas(GETACK);
            crate::propagate::deliver(store);
        }
    }
}

fn hand_over(server: &Server, store: &mut Store, host: String, port: u16) {
    let failover = store.replication.failover.take();
    crate::replica::follow(server, store, host, port);
    if let Some(mut failover) = failover {
        failover.stage = Stage::InProgress;
        store.replication.failover = Some(failover);
    }
}

/// Whether this node's PSYNC must carry `FAILOVER` (it is handing its role over).
pub fn handing_over(store: &Store) -> bool {
    store
        .replication
        .failover
        .as_ref()
        .is_some_and(|f| f.stage == Stage::InProgress)
}

/// The answer to our PSYNC while handing over: accepted (`+CONTINUE`/`+FULLRESYNC`) ends
/// the failover; anything else aborts it.
pub fn handover_answered(store: &mut Store, accepted: bool) {
    if !handing_over(store) {
        return;
    }
    if accepted {
        store.replication.failover = None;
        store.client_pause.set_failover(false);
        tracing::info!("Failover completed: now a replica of the new master.");
    } else {
        abort_failover(store, "Failover target rejected psync request");
    }
}

/// `PSYNC <replid> <offset> FAILOVER` on a replica: our master hands over to us. We promote
/// ourselves, then the PSYNC is served as any other (partially, with our old id as replid2).
pub fn psync_takeover(ctx: &mut Ctx, replid: &[u8]) -> CmdResult {
    if replid != ctx.store.replication.replid.as_bytes() {
        return Err(CmdError::new(
            "ERR PSYNC FAILOVER replid must match my replid.",
        ));
    }
    if ctx.store.replication.is_replica() {
        crate::replica::promote(ctx.store);
    }
    tracing::info!(
        "Failover request received for replid {}.",
        String::from_utf8_lossy(replid)
    );
    Ok(())
}

//! The connections to instances: one command link (a pipelined `wire::Client`) and, for masters
//! and replicas, one pub/sub link subscribed to the hello channel; the commands sent on them
//! (PING, INFO, hello, the SLAVEOF transaction, is-master-down-by-addr). Replies come back to
//! the state under its lock; INFO is read in `info`, hellos in `hello`.

use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio_util::sync::CancellationToken;
use wire::client::{ConnectOptions, Connection};
use wire::{Client, Frame, Protocol};

use crate::Shared;
use crate::hello::process_hello;
use crate::info::refresh_info;
use crate::state::{Ctx, HELLO_CHANNEL, Kind, Master, State, Target};

fn options(ctx: &Ctx, master: &Master, kind: Kind, suffix: &str) -> ConnectOptions {
    let (username, password) = match kind {
        Kind::Sentinel => match &ctx.sentinel_pass {
            Some(pass) => (ctx.sentinel_user.clone(), Some(pass.clone())),
            None => (None, ctx.requirepass.clone()),
        },
        _ => (master.auth_user.clone(), master.auth_pass.clone()),
    };
    ConnectOptions {
        connect_timeout: Duration::from_millis(1000),
        response_timeout: Some(Duration::from_secs(30)),
        username,
        password,
        protocol: Protocol::Resp2,
        client_name: Some(format!("sentinel-{}-{suffix}", ctx.id8())),
        ..ConnectOptions::default()
    }
}

/// Open the missing connections of an instance, at most once a second (Redis's
/// `sentinelReconnectInstance`).
pub fn reconnect(ctx: &Ctx, master: &mut Master, kind: Kind, key: &str, now: Instant) {
    let due = master.instance(kind, key).is_some_and(|inst| {
        inst.port != 0
            && inst.link.disconnected(kind)
            && inst
                .link
                .last_reconn
                .is_none_or(|t| now.duration_since(t) >= crate::state::PING_PERIOD)
    });
    if !due {
        return;
    }
    let cmd_opts = options(ctx, master, kind, "cmd");
    let pubsub_opts = options(ctx, master, kind, "pubsub");
    let master_name = master.inst.name.clone();
    let Some(inst) = master.instance_mut(kind, key) else {
        return;
    };
    inst.link.last_reconn = Some(now);
    let target = Target {
        master: master_name,
        kind,
        key: key.to_string(),
        id: inst.id,
    };
    let addr = format!("{}:{}", inst.host, inst.port);
    if inst.link.cmd.is_none() && !inst.link.cmd_connecting {
        inst.link.cmd_connecting = true;
        tokio::spawn(connect_cmd(
            ctx.shared.clone(),
            target.clone(),
            addr.clone(),
            cmd_opts,
        ));
    }
    if kind != Kind::Sentinel && inst.link.pubsub_stop.is_none() {
        let stop = CancellationToken::new();
        inst.link.pubsub_stop = Some(stop.clone());
        tokio::spawn(pubsub_link(
            ctx.shared.clone(),
            target,
            addr,
            pubsub_opts,
            stop,
        ));
    }
}

async fn connect_cmd(
    shared: std::sync::Weak<Shared>,
    target: Target,
    addr: String,
    opts: ConnectOptions,
) {
    let connected = async {
        let stream =
            tokio::time::timeout(opts.connect_timeout, tokio::net::TcpStream::connect(&addr))
                .await
                .map_err(|_| "connect timeout".to_string())?
                .map_err(|e| e.to_string())?;
        let _ = stream.set_nodelay(true);
        let local_ip = stream.local_addr().ok().map(|a| a.ip().to_string());
        let client = Client::connect_stream(stream, opts)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((client, local_ip))
    }
    .await;
    let Some(shared) = shared.upgrade() else {
        return;
    };
    shared.with_state(|st| {
        let now = Instant::now();
        let Some(inst) = st.instance_mut(&target) else {
            return;
        };
        inst.link.cmd_connecting = false;
        match connected {
            Ok((client, local_ip)) => {
                inst.link.cmd = Some(client);
                inst.link.cmd_gen += 1;
                inst.link.cc_conn_time = Some(now);
                inst.link.pending = 0;
                inst.link.local_ip = local_ip;
                tracing::debug!(addr, "command link up");
                send_ping(st, &target);
            }
            Err(e) => tracing::debug!(addr, error = %e, "command link failed"),
        }
    });
}

async fn pubsub_link(
    shared: std::sync::Weak<Shared>,
    target: Target,
    addr: String,
    opts: ConnectOptions,
    stop: CancellationToken,
) {
    let result = tokio::select! {
        _ = stop.cancelled() => Ok(()),
        r = pubsub_session(&shared, &target, &addr, &opts) => r,
    };
    if let Err(e) = result {
        tracing::debug!(addr, error = %e, "pub/sub link closed");
    }
    let Some(shared) = shared.upgrade() else {
        return;
    };
    shared.with_state(|st| {
        // A cancelled token was already taken off the link; otherwise it is still this one.
        if !stop.is_cancelled()
            && let Some(inst) = st.instance_mut(&target)
        {
            inst.link.pubsub_stop = None;
            inst.link.pubsub_up = false;
        }
    });
}

async fn pubsub_session(
    shared: &std::sync::Weak<Shared>,
    target: &Target,
    addr: &str,
    opts: &ConnectOptions,
) -> Result<(), String> {
    let mut conn = Connection::connect(addr, opts)
        .await
        .map_err(|e| e.to_string())?;
    conn.queue_request(&["SUBSCRIBE", HELLO_CHANNEL]);
    conn.flush().await.map_err(|e| e.to_string())?;
    with(shared, |st| {
        if let Some(inst) = st.instance_mut(target) {
            let now = Instant::now();
            inst.link.pubsub_up = true;
            inst.link.pc_conn_time = Some(now);
            inst.link.pc_last_activity = now;
        }
    });
    loop {
        let decoded = conn.read_frame().await.map_err(|e| e.to_string())?;
        let hello = match decoded.frame.as_items() {
            Some([kind, channel, payload])
                if kind.as_bytes().is_some_and(|k| k.as_ref() == b"message")
                    && channel
                        .as_bytes()
                        .is_some_and(|c| c.as_ref() == HELLO_CHANNEL.as_bytes()) =>
            {
                payload
                    .as_bytes()
                    .map(|p| String::from_utf8_lossy(p).into_owned())
            }
            _ => None,
        };
        let alive = with(shared, |st| {
            if let Some(inst) = st.instance_mut(target) {
                inst.link.pc_last_activity = Instant::now();
            }
            if let Some(hello) = hello
                && !hello.contains(st.ctx.myid.as_str())
            {
                process_hello(st, &hello);
            }
        });
        if alive.is_none() {
            return Ok(());
        }
    }
}

fn with<R>(shared: &std::sync::Weak<Shared>, f: impl FnOnce(&mut State) -> R) -> Option<R> {
    shared.upgrade().map(|shared| shared.with_state(f))
}

type BatchHandler = Box<dyn FnOnce(&mut State, &Target, Result<Vec<Frame>, String>) + Send>;

/// Send requests on the instance's command link, in one write; the handler gets the replies
/// under the state lock. False when there is no link.
pub fn send_batch(
    st: &mut State,
    target: &Target,
    requests: Vec<Vec<Bytes>>,
    on_reply: BatchHandler,
) -> bool {
    if st.ctx.dirty {
        // Epochs and votes reach the disk before any message that could carry them.
        let _ = st.flush_config();
    }
    let shared = st.ctx.shared.clone();
    let Some(inst) = st.instance_mut(target) else {
        return false;
    };
    let Some(client) = inst.link.cmd.clone() else {
        return false;
    };
    let generation = inst.link.cmd_gen;
    inst.link.pending += 1;
    let target = target.clone();
    tokio::spawn(async move {
        let result = client.pipeline(&requests).await.map_err(|e| e.to_string());
        let closed = client.is_closed();
        drop(client);
        with(&shared, |st| {
            if let Some(inst) = st.instance_mut(&target)
                && inst.link.cmd_gen == generation
            {
                inst.link.pending = inst.link.pending.saturating_sub(1);
                if closed {
                    inst.link.close_cmd();
                }
            }
            on_reply(st, &target, result);
        });
    });
    true
}

pub fn send(st: &mut State, target: &Target, args: &[&str], on_reply: Handler) -> bool {
    let request = args
        .iter()
        .map(|a| Bytes::copy_from_slice(a.as_bytes()))
        .collect();
    send_batch(
        st,
        target,
        vec![request],
        Box::new(move |st, t, result| {
            let reply =
                result.and_then(|mut replies| replies.pop().ok_or_else(|| "no reply".into()));
            on_reply(st, t, reply);
        }),
    )
}

type Handler = fn(&mut State, &Target, Result<Frame, String>);

pub fn send_ping(st: &mut State, target: &Target) -> bool {
    if !send(st, target, &["PING"], on_ping) {
        return false;
    }
    if let Some(inst) = st.instance_mut(target) {
        let now = Instant::now();
        inst.link.last_ping_time = Some(now);
        inst.link.act_ping_time.get_or_insert(now);
    }
    true
}

fn on_ping(st: &mut State, target: &Target, reply: Result<Frame, String>) {
    let Ok(frame) = reply else { return };
    let busy_kill = {
        let Some(inst) = st.instance_mut(target) else {
            return;
        };
        let now = Instant::now();
        let text = match &frame {
            Frame::Simple(b) | Frame::Error(b) => b.clone(),
            _ => Bytes::new(),
        };
        let mut busy_kill = false;
        if [&b"PONG"[..], b"LOADING", b"MASTERDOWN"]
            .iter()
            .any(|p| text.starts_with(p))
        {
            inst.link.last_avail_time = now;
            inst.link.act_ping_time = None;
            if text.starts_with(b"PONG") {
                inst.master_reboot_since = None;
            }
        } else if text.starts_with(b"BUSY") && inst.sdown() && !inst.script_kill_sent {
            inst.script_kill_sent = true;
            busy_kill = true;
        }
        inst.link.last_pong_time = now;
        busy_kill
    };
    if busy_kill {
        send(st, target, &["SCRIPT", "KILL"], |_, _, _| {});
    }
}

pub fn send_info(st: &mut State, target: &Target) -> bool {
    let sent = send(st, target, &["INFO"], |st, target, reply| {
        if let Some(inst) = st.instance_mut(target) {
            inst.info_inflight = false;
        }
        if let Ok(frame) = reply
            && let Some(text) = frame.as_bytes().filter(|_| !frame.is_error())
        {
            refresh_info(st, target, &String::from_utf8_lossy(text));
        }
    });
    if sent && let Some(inst) = st.instance_mut(target) {
        inst.info_inflight = true;
    }
    sent
}

/// `PUBLISH __sentinel__:hello <ip>,<port>,<runid>,<epoch>,<name>,<ip>,<port>,<config-epoch>`.
pub fn send_hello(st: &mut State, target: &Target) -> bool {
    let Some(master) = st.masters.get(&target.master) else {
        return false;
    };
    let Some(inst) = master
        .instance(target.kind, &target.key)
        .filter(|i| i.id == target.id)
    else {
        return false;
    };
    let ctx = &st.ctx;
    let Some(ip) = ctx
        .announce_ip
        .clone()
        .or_else(|| inst.link.local_ip.clone())
    else {
        return false;
    };
    let port = if ctx.announce_port != 0 {
        ctx.announce_port
    } else {
        ctx.port
    };
    let (master_host, master_port) = master.current_addr();
    let payload = format!(
        "{ip},{port},{},{},{},{master_host},{master_port},{}",
        ctx.myid, ctx.current_epoch, master.inst.name, master.config_epoch
    );
    let sent = send(
        st,
        target,
        &["PUBLISH", HELLO_CHANNEL, &payload],
        |_, _, _| {},
    );
    if sent && let Some(inst) = st.instance_mut(target) {
        inst.last_pub_time = Some(Instant::now());
    }
    sent
}

/// Send the replica-of change as a transaction whose replies are ignored, so that a failing
/// CONFIG REWRITE (no config file) still lets the client kills run.
pub fn send_slaveof(st: &mut State, target: &Target, to: Option<(String, u16)>) -> bool {
    let (host, port) = to.map_or(("NO".to_string(), "ONE".to_string()), |(h, p)| {
        (h, p.to_string())
    });
    let requests: Vec<Vec<Bytes>> = [
        vec!["MULTI".to_string()],
        vec!["SLAVEOF".to_string(), host, port],
        vec!["CONFIG".to_string(), "REWRITE".to_string()],
        vec![
            "CLIENT".into(),
            "KILL".into(),
            "TYPE".into(),
            "normal".into(),
        ],
        vec![
            "CLIENT".into(),
            "KILL".into(),
            "TYPE".into(),
            "pubsub".into(),
        ],
        vec!["EXEC".to_string()],
    ]
    .into_iter()
    .map(|r| r.into_iter().map(Bytes::from).collect())
    .collect();
    send_batch(
        st,
        target,
        requests,
        Box::new(|st, target, _| {
            // Look at the result now rather than at the next INFO period.
            if st.instance_mut(target).is_some_and(|i| !i.info_inflight) {
                send_info(st, target);
            }
        }),
    )
}

/// The reply to `SENTINEL is-master-down-by-addr`: `*3 :<0|1> $<leader|*> :<epoch>`.
pub fn on_master_down_reply(st: &mut State, target: &Target, reply: Result<Frame, String>) {
    if let Some(inst) = st.instance_mut(target) {
        inst.ask_inflight = false;
    }
    let Ok(Frame::Array(items)) = reply else {
        return;
    };
    let [Frame::Integer(down), leader, Frame::Integer(epoch)] = items.as_slice() else {
        return;
    };
    let Some(leader) = leader.as_bytes().filter(|_| !leader.is_error()) else {
        return;
    };
    let Some(inst) = st.instance_mut(target) else {
        return;
    };
    inst.last_master_down_reply_time = Instant::now();
    inst.master_down = *down == 1;
    if leader.as_ref() != b"*" {
        inst.leader = Some(String::from_utf8_lossy(leader).into_owned());
        inst.leader_epoch = (*epoch).max(0) as u64;
    }
    crate::monitor::advance(st, &target.master);
}

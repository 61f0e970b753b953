//! The connections to instances: one command link (a pipelined `wire::Client`) and, for masters
//! and replicas, one pub/sub link subscribed to the hello channel. Replies come back to the
//! state through the handlers here: PING, INFO, hello messages, is-master-down-by-addr.

use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio_util::sync::CancellationToken;
use wire::client::{ConnectOptions, Connection};
use wire::{Client, Frame, Protocol};

use crate::Shared;
use crate::state::{
    Ctx, FailoverState, HELLO_CHANNEL, Instance, Kind, Master, PUBLISH_PERIOD, Reconf, Role, State,
    Target, add_replica,
};

fn options(ctx: &Ctx, master: &Master, kind: Kind, suffix: &str) -> ConnectOptions {
    let (username, password) = match kind {
        Kind::Sentinel => (None, ctx.requirepass.clone()),
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

/// What Sentinel reads from an INFO reply (`sentinelRefreshInstanceInfo`), matched textually.
#[derive(Debug, Default)]
pub struct InfoReport {
    pub run_id: Option<String>,
    pub role: Option<Role>,
    pub slaves: Vec<(String, u16)>,
    pub master_link_down_since: Option<u64>,
    pub master_host: Option<String>,
    pub master_port: Option<u16>,
    pub master_link_up: Option<bool>,
    pub slave_priority: Option<u32>,
    pub slave_repl_offset: Option<u64>,
    pub replica_announced: Option<bool>,
}

impl InfoReport {
    pub fn parse(text: &str) -> InfoReport {
        let mut report = InfoReport::default();
        for line in text.split('\n') {
            let line = line.trim_end_matches('\r');
            if line.len() >= 47
                && line.starts_with("run_id:")
                && let Some(id) = line.get(7..47)
            {
                report.run_id = Some(id.to_string());
            } else if line.len() >= 7
                && line.starts_with("slave")
                && line.as_bytes()[5].is_ascii_digit()
                && let Some(fields) = line.split_once(':').map(|(_, f)| f)
                && fields.contains("ip=")
            {
                let field = |name: &str| {
                    fields
                        .split(',')
                        .find_map(|kv| kv.strip_prefix(name))
                        .map(str::to_string)
                };
                if let (Some(ip), Some(port)) = (field("ip="), field("port="))
                    && let Ok(port) = port.parse::<u16>()
                {
                    report.slaves.push((ip, port));
                }
            } else if let Some(v) = line.strip_prefix("master_link_down_since_seconds:") {
                report.master_link_down_since = v.parse::<i64>().ok().map(|s| s.max(0) as u64);
            } else if line == "role:master" {
                report.role = Some(Role::Master);
            } else if line == "role:slave" {
                report.role = Some(Role::Slave);
            } else if let Some(v) = line.strip_prefix("master_host:") {
                report.master_host = Some(v.to_string());
            } else if let Some(v) = line.strip_prefix("master_port:") {
                report.master_port = v.parse().ok();
            } else if let Some(v) = line.strip_prefix("master_link_status:") {
                report.master_link_up = Some(v.eq_ignore_ascii_case("up"));
            } else if let Some(v) = line.strip_prefix("slave_priority:") {
                report.slave_priority = v.parse().ok();
            } else if let Some(v) = line.strip_prefix("slave_repl_offset:") {
                report.slave_repl_offset = v.parse().ok();
            } else if let Some(v) = line.strip_prefix("replica_announced:") {
                report.replica_announced = Some(v != "0");
            }
        }
        report
    }
}

/// Redis's `sentinelMasterLooksSane`.
pub fn master_looks_sane(master: &Master, now: Instant) -> bool {
    master.inst.role_reported == Role::Master
        && !master.inst.sdown()
        && !master.inst.odown()
        && master
            .inst
            .info_refresh
            .is_some_and(|t| now.duration_since(t) < crate::state::INFO_PERIOD * 2)
}

enum Followup {
    None,
    SlaveOf(Option<(String, u16)>, &'static str, String),
    /// The promotion is confirmed: tell the other sentinels now.
    Hellos,
}

pub fn refresh_info(st: &mut State, target: &Target, text: &str) {
    let now = Instant::now();
    let report = InfoReport::parse(text);
    let followup = {
        let State { ctx, masters, .. } = st;
        let Some(master) = masters.get_mut(&target.master) else {
            return;
        };
        if master.instance(target.kind, &target.key).map(|i| i.id) != Some(target.id) {
            return;
        }
        if target.kind == Kind::Master {
            for (ip, port) in &report.slaves {
                if add_replica(ctx, master, ip, *port, now) {
                    let r = &master.replicas[&format!("{ip}:{port}")];
                    ctx.event("+slave", master.child_desc(r));
                    ctx.dirty = true;
                }
            }
        }
        let desc = match target.kind {
            Kind::Master => master.desc(),
            _ => master.child_desc(&master.replicas[&target.key]),
        };
        let Some(inst) = master.instance_mut(target.kind, &target.key) else {
            return;
        };
        apply_report(ctx, inst, &report, text, &desc, now);
        let Some(role) = report.role else { return };
        if ctx.tilt {
            return;
        }
        decide(ctx, master, target, role, desc, now)
    };
    match followup {
        Followup::SlaveOf(to, event, desc) => {
            if send_slaveof(st, target, to) {
                st.ctx.event(event, desc);
            }
        }
        Followup::Hellos => {
            let peers: Vec<Target> = st.masters.get(&target.master).map_or(Vec::new(), |m| {
                m.sentinels
                    .iter()
                    .map(|(key, s)| Target {
                        master: target.master.clone(),
                        kind: Kind::Sentinel,
                        key: key.clone(),
                        id: s.id,
                    })
                    .collect()
            });
            for peer in peers {
                send_hello(st, &peer);
            }
        }
        Followup::None => {}
    }
    crate::monitor::advance(st, &target.master);
}

fn apply_report(
    ctx: &Ctx,
    inst: &mut Instance,
    report: &InfoReport,
    text: &str,
    desc: &str,
    now: Instant,
) {
    inst.info_refresh = Some(now);
    inst.info = Some(text.to_string());
    if let Some(runid) = &report.run_id {
        if inst.runid.as_ref().is_some_and(|old| old != runid) {
            ctx.event("+reboot", desc.to_string());
        }
        inst.runid = Some(runid.clone());
    }
    inst.master_link_down_time = report.master_link_down_since.unwrap_or(0) * 1000;
    if inst.kind == Kind::Replica {
        if let Some(host) = &report.master_host
            && inst.slave_master_host.as_ref() != Some(host)
        {
            inst.slave_master_host = Some(host.clone());
            inst.slave_conf_change_time = now;
        }
        if let Some(port) = report.master_port
            && port != inst.slave_master_port
        {
            inst.slave_master_port = port;
            inst.slave_conf_change_time = now;
        }
        if let Some(up) = report.master_link_up {
            inst.master_link_up = up;
        }
        if let Some(p) = report.slave_priority {
            inst.slave_priority = p;
        }
        if let Some(o) = report.slave_repl_offset {
            inst.slave_repl_offset = o;
        }
        if let Some(a) = report.replica_announced {
            inst.replica_announced = a;
        }
    }
    if let Some(role) = report.role
        && role != inst.role_reported
    {
        inst.role_reported_time = now;
        inst.role_reported = role;
        if role == Role::Slave {
            inst.slave_conf_change_time = now;
        }
        let own = match inst.kind {
            Kind::Master => Role::Master,
            _ => Role::Slave,
        };
        let event = if own == role {
            "+role-change"
        } else {
            "-role-change"
        };
        ctx.event(
            event,
            format!("{desc} new reported role is {}", role.name()),
        );
    }
}

/// The role-driven part of `sentinelRefreshInstanceInfo`: promotion detected, a replica turned
/// master outside a failover, a replica pointing elsewhere, reconfiguration progress.
fn decide(
    ctx: &mut Ctx,
    master: &mut Master,
    target: &Target,
    role: Role,
    desc: String,
    now: Instant,
) -> Followup {
    if target.kind != Kind::Replica {
        return Followup::None;
    }
    let sane = master_looks_sane(master, now);
    let master_addr = (master.inst.host.clone(), master.inst.port);
    let promoted_addr = master
        .promoted
        .as_ref()
        .and_then(|k| master.replicas.get(k))
        .map(|p| (p.host.clone(), p.port));
    let in_wait_promotion =
        master.failover_in_progress && master.failover_state == FailoverState::WaitPromotion;
    let failover_timeout = master.failover_timeout;
    let Some(inst) = master.replicas.get_mut(&target.key) else {
        return Followup::None;
    };
    match role {
        Role::Master => {
            if inst.promoted && in_wait_promotion {
                master.config_epoch = master.failover_epoch;
                master.failover_state = FailoverState::ReconfSlaves;
                master.failover_state_change_time = Some(now);
                ctx.dirty = true;
                ctx.event("+promoted-slave", desc);
                ctx.event("+failover-state-reconf-slaves", master.desc());
                force_hello_update(master);
                return Followup::Hellos;
            }
            let wait = PUBLISH_PERIOD * 4;
            if !inst.promoted
                && sane
                && inst.no_down_for(wait, now)
                && now.duration_since(inst.role_reported_time) > wait
            {
                return Followup::SlaveOf(Some(master_addr), "+convert-to-slave", desc);
            }
        }
        Role::Slave => {
            let points_elsewhere = inst.slave_master_port != master_addr.1
                || !inst
                    .slave_master_host
                    .as_deref()
                    .is_some_and(|h| h.eq_ignore_ascii_case(&master_addr.0));
            if points_elsewhere
                && sane
                && inst.no_down_for(failover_timeout, now)
                && now.duration_since(inst.slave_conf_change_time) > failover_timeout
            {
                return Followup::SlaveOf(Some(master_addr), "+fix-slave-config", desc);
            }
            if matches!(inst.reconf, Reconf::Sent(_))
                && let Some((host, port)) = &promoted_addr
                && inst
                    .slave_master_host
                    .as_deref()
                    .is_some_and(|h| h.eq_ignore_ascii_case(host))
                && inst.slave_master_port == *port
            {
                inst.reconf = Reconf::InProgress;
                ctx.event("+slave-reconf-inprog", desc.clone());
            }
            if inst.reconf == Reconf::InProgress && inst.master_link_up {
                inst.reconf = Reconf::Done;
                ctx.event("+slave-reconf-done", desc);
            }
        }
    }
    Followup::None
}

/// Send hellos at the next tick (Redis's `sentinelForceHelloUpdateForMaster`).
pub fn force_hello_update(master: &mut Master) {
    master.inst.last_pub_time = None;
    for r in master.replicas.values_mut() {
        r.last_pub_time = None;
    }
    for s in master.sentinels.values_mut() {
        s.last_pub_time = None;
    }
}

/// A hello from another sentinel, through an instance's pub/sub or our PUBLISH command
/// (`sentinelProcessHelloMessage`).
pub fn process_hello(st: &mut State, payload: &str) {
    let tokens: Vec<&str> = payload.split(',').collect();
    if tokens.len() != 8 {
        return;
    }
    let (Ok(port), Ok(current_epoch), Ok(master_port), Ok(master_config_epoch)) = (
        tokens[1].parse::<u16>(),
        tokens[3].parse::<u64>(),
        tokens[6].parse::<u16>(),
        tokens[7].parse::<u64>(),
    ) else {
        return;
    };
    let (ip, runid, master_name, master_ip) = (tokens[0], tokens[2], tokens[4], tokens[5]);
    if runid == st.ctx.myid {
        return;
    }
    let now = Instant::now();
    let State { ctx, masters, .. } = st;
    let Some(master) = masters.get_mut(master_name) else {
        return;
    };
    let known = master
        .sentinels
        .get(runid)
        .is_some_and(|s| s.addr_is(ip, port));
    if !known {
        let removed = master.sentinels.remove(runid).is_some();
        if removed {
            ctx.event(
                "+sentinel-address-switch",
                format!("{} ip {ip} port {port} for {runid}", master.desc()),
            );
        } else if let Some(other) = master.sentinels.values_mut().find(|s| s.addr_is(ip, port)) {
            other.port = 0;
            let desc = format!(
                "sentinel {} {} {} @ {} {} {}",
                other.name, other.host, 0, master.inst.name, master.inst.host, master.inst.port
            );
            ctx.event("+sentinel-invalid-addr", desc);
        }
        let id = ctx.new_id();
        let mut s = Instance::new(id, Kind::Sentinel, runid.to_string(), ip, port, now);
        s.runid = Some(runid.to_string());
        if !removed {
            ctx.event("+sentinel", master.child_desc(&s));
        }
        master.sentinels.insert(runid.to_string(), s);
        ctx.dirty = true;
    }
    if current_epoch > ctx.current_epoch {
        ctx.current_epoch = current_epoch;
        ctx.dirty = true;
        ctx.event("+new-epoch", current_epoch.to_string());
    }
    if master.config_epoch < master_config_epoch {
        master.config_epoch = master_config_epoch;
        ctx.dirty = true;
        if master_port != master.inst.port || !master.inst.host.eq_ignore_ascii_case(master_ip) {
            if let Some(s) = master.sentinels.get(runid) {
                ctx.event("+config-update-from", master.child_desc(s));
            }
            ctx.event(
                "+switch-master",
                format!(
                    "{} {} {} {master_ip} {master_port}",
                    master.inst.name, master.inst.host, master.inst.port
                ),
            );
            crate::monitor::reset_master_and_change_address(ctx, master, master_ip, master_port);
        }
    }
    if let Some(s) = master.sentinels.get_mut(runid) {
        s.last_hello_time = Some(now);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn state() -> State {
        let config = Config::parse(
            "sentinel monitor mym 127.0.0.1 6379 2\n",
            std::path::PathBuf::from("/nonexistent/sentinel.conf"),
        )
        .unwrap();
        let (events, _) = tokio::sync::broadcast::channel(64);
        State::new(config, 26379, events)
    }

    #[test]
    fn info_is_read_as_sentinel_reads_it() {
        let master = InfoReport::parse(
            "# Server\r\nrun_id:0123456789012345678901234567890123456789\r\n# Replication\r\n\
             role:master\r\nconnected_slaves:2\r\n\
             slave0:ip=127.0.0.1,port=6380,state=online,offset=42,lag=0\r\n\
             slave1:ip=10.0.0.2,port=6381,state=wait_bgsave,offset=0,lag=0\r\n",
        );
        assert_eq!(master.role, Some(Role::Master));
        assert_eq!(
            master.run_id.as_deref(),
            Some("0123456789012345678901234567890123456789")
        );
        assert_eq!(
            master.slaves,
            vec![
                ("127.0.0.1".to_string(), 6380),
                ("10.0.0.2".to_string(), 6381)
            ]
        );
        let replica = InfoReport::parse(
            "role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6379\r\nmaster_link_status:down\r\n\
             master_link_down_since_seconds:7\r\nslave_priority:0\r\nslave_repl_offset:99\r\n\
             replica_announced:0\r\nrun_id:short\r\n",
        );
        assert_eq!(replica.role, Some(Role::Slave));
        assert_eq!(replica.master_port, Some(6379));
        assert_eq!(replica.master_link_up, Some(false));
        assert_eq!(replica.master_link_down_since, Some(7));
        assert_eq!(replica.slave_priority, Some(0));
        assert_eq!(replica.slave_repl_offset, Some(99));
        assert_eq!(replica.replica_announced, Some(false));
        assert_eq!(replica.run_id, None);
        // Non-ASCII and torn lines are ignored, never a panic.
        let odd = InfoReport::parse(
            "run_id:\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}x\r\nslave0:\r\nslave9\r\n",
        );
        assert!(odd.slaves.is_empty());
    }

    #[test]
    fn hellos_add_sentinels_adopt_epochs_and_switch_masters() {
        let mut st = state();
        let peer = "b".repeat(40);
        process_hello(
            &mut st,
            &format!("127.0.0.1,26380,{peer},3,mym,127.0.0.1,6379,0"),
        );
        let m = &st.masters["mym"];
        assert_eq!(m.sentinels.len(), 1);
        assert_eq!(st.ctx.current_epoch, 3);
        // A newer config epoch with another address moves the master there.
        process_hello(
            &mut st,
            &format!("127.0.0.1,26380,{peer},3,mym,127.0.0.1,6380,3"),
        );
        let m = &st.masters["mym"];
        assert_eq!((m.inst.port, m.config_epoch), (6380, 3));
        assert!(m.replicas.contains_key("127.0.0.1:6379"));
        // Our own hellos, other masters and malformed payloads change nothing.
        let me = st.ctx.myid.clone();
        process_hello(&mut st, &format!("127.0.0.1,1,{me},9,mym,127.0.0.1,1,9"));
        process_hello(
            &mut st,
            &format!("127.0.0.1,1,{peer},9,other,127.0.0.1,1,9"),
        );
        process_hello(&mut st, "1,2,3");
        process_hello(&mut st, "a,b,c,d,e,f,g,h");
        assert_eq!(st.masters["mym"].inst.port, 6380);
        assert_eq!(st.ctx.current_epoch, 3);
    }

    #[test]
    fn one_vote_per_epoch() {
        let mut st = state();
        let now = Instant::now();
        let State { ctx, masters, .. } = &mut st;
        let m = masters.get_mut("mym").unwrap();
        let (vote, epoch) = crate::monitor::vote_leader(ctx, m, 1, "x", now);
        assert_eq!((vote.as_deref(), epoch), (Some("x"), 1));
        let (vote, _) = crate::monitor::vote_leader(ctx, m, 1, "y", now);
        assert_eq!(vote.as_deref(), Some("x"));
        assert_eq!(ctx.current_epoch, 1);
        let (vote, epoch) = crate::monitor::vote_leader(ctx, m, 2, "y", now);
        assert_eq!((vote.as_deref(), epoch), (Some("y"), 2));
        assert!(ctx.dirty);
    }
}

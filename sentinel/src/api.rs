//! The SENTINEL command: the state as clients and other sentinels see it (masters, replicas,
//! sentinels, addresses, quorum checks, votes) and the changes they may ask for (monitor,
//! remove, set, reset, failover, config).

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use wire::ReplyBuf;

use crate::Shared;
use crate::glob;
use crate::monitor;
use crate::server::arity_ok;
use crate::state::{Instance, Kind, Master, Reconf, State, ms_since, new_master};

/// Arity of each SENTINEL subcommand (Redis 7.0's command table).
const SENTINEL_SUBCOMMANDS: &[(&str, i32)] = &[
    ("ckquorum", 3),
    ("config", -4),
    ("failover", 3),
    ("flushconfig", 2),
    ("get-master-addr-by-name", 3),
    ("help", 2),
    ("info-cache", -3),
    ("is-master-down-by-addr", 6),
    ("master", 3),
    ("masters", 2),
    ("monitor", 6),
    ("myid", 2),
    ("remove", 3),
    ("replicas", 3),
    ("reset", 3),
    ("sentinels", 3),
    ("set", -5),
    ("slaves", 3),
];

const NO_SUCH_MASTER: &str = "ERR No such master with that name";

pub(crate) fn sentinel(shared: &Arc<Shared>, args: &[Bytes], out: &mut ReplyBuf) {
    let sub = String::from_utf8_lossy(&args[1]).to_ascii_lowercase();
    let Some((_, arity)) = SENTINEL_SUBCOMMANDS.iter().find(|(n, _)| *n == sub) else {
        out.error(&format!(
            "ERR unknown subcommand '{}'. Try SENTINEL HELP.",
            String::from_utf8_lossy(&args[1])
        ));
        return;
    };
    if !arity_ok(*arity, args.len()) {
        out.error(&format!(
            "ERR wrong number of arguments for 'sentinel|{sub}' command"
        ));
        return;
    }
    let text = |i: usize| String::from_utf8_lossy(&args[i]).into_owned();
    let now = Instant::now();
    shared.with_state(|st| match sub.as_str() {
        "myid" => out.bulk(st.ctx.myid.as_bytes()),
        "masters" => {
            out.array(st.masters.len());
            for m in st.masters.values() {
                describe(out, m, &m.inst, now);
            }
        }
        "master" => match st.masters.get(&text(2)) {
            Some(m) => describe(out, m, &m.inst, now),
            None => out.error(NO_SUCH_MASTER),
        },
        "replicas" | "slaves" => match st.masters.get(&text(2)) {
            Some(m) => {
                let listed: Vec<&Instance> = m
                    .replicas
                    .values()
                    .filter(|r| r.replica_announced)
                    .collect();
                out.array(listed.len());
                for r in listed {
                    describe(out, m, r, now);
                }
            }
            None => out.error(NO_SUCH_MASTER),
        },
        "sentinels" => match st.masters.get(&text(2)) {
            Some(m) => {
                out.array(m.sentinels.len());
                for s in m.sentinels.values() {
                    describe(out, m, s, now);
                }
            }
            None => out.error(NO_SUCH_MASTER),
        },
        "get-master-addr-by-name" => match st.masters.get(&text(2)) {
            Some(m) => {
                let (host, port) = m.current_addr();
                out.array(2);
                out.bulk(host.as_bytes());
                out.bulk_int(port as i64);
            }
            None => out.null_array(),
        },
        "is-master-down-by-addr" => is_master_down_by_addr(st, args, out, now),
        "ckquorum" => match st.masters.get(&text(2)) {
            Some(m) => ckquorum(m, out),
            None => out.error(NO_SUCH_MASTER),
        },
        "failover" => {
            let State { ctx, masters, .. } = st;
            match masters.get_mut(&text(2)) {
                None => out.error(NO_SUCH_MASTER),
                Some(m) if m.failover_in_progress => {
                    out.error("INPROG Failover already in progress")
                }
                Some(m) if monitor::select_slave(m, now).is_none() => {
                    out.error("NOGOODSLAVE No suitable replica to promote")
                }
                Some(m) => {
                    tracing::warn!("Executing user requested FAILOVER of '{}'", m.inst.name);
                    monitor::start_failover(ctx, m, now);
                    m.force_failover = true;
                    out.ok();
                }
            }
        }
        "monitor" => monitor_cmd(st, args, out, now),
        "remove" => match st.masters.remove(&text(2)) {
            Some(m) => {
                st.ctx.event("-monitor", m.desc());
                st.ctx.dirty = true;
                out.ok();
            }
            None => out.error(NO_SUCH_MASTER),
        },
        "set" => set_cmd(st, args, out),
        "reset" => {
            let pattern = args[2].clone();
            let State { ctx, masters, .. } = st;
            let mut count = 0;
            for m in masters.values_mut() {
                if glob::matches(&pattern, m.inst.name.as_bytes()) {
                    monitor::reset_master(ctx, m, true, now);
                    ctx.event("+reset-master", m.desc());
                    count += 1;
                }
            }
            if count > 0 {
                ctx.dirty = true;
            }
            out.int(count);
        }
        "flushconfig" => match st.flush_config() {
            Ok(()) => out.ok(),
            Err(e) => out.error(&format!("ERR {e}")),
        },
        "info-cache" => {
            let wanted: Vec<String> = (2..args.len()).map(text).collect();
            let chosen: Vec<&Master> = st
                .masters
                .values()
                .filter(|m| wanted.is_empty() || wanted.contains(&m.inst.name))
                .collect();
            out.array(chosen.len() * 2);
            for m in chosen {
                out.bulk(m.inst.name.as_bytes());
                out.array(m.replicas.len() + 1);
                for inst in std::iter::once(&m.inst).chain(m.replicas.values()) {
                    out.array(2);
                    out.int(
                        inst.info_refresh
                            .map_or(0, |t| ms_since(Some(t), now) as i64),
                    );
                    match &inst.info {
                        Some(info) => out.bulk(info.as_bytes()),
                        None => out.null(),
                    }
                }
            }
        }
        "config" => config_cmd(st, args, out),
        "help" => {
            let lines = [
                "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "CKQUORUM <master-name>",
                "CONFIG SET|GET <param> [value]",
                "FAILOVER <master-name>",
                "FLUSHCONFIG",
                "GET-MASTER-ADDR-BY-NAME <master-name>",
                "INFO-CACHE <master-name>",
                "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
                "MASTER <master-name>",
                "MASTERS",
                "MONITOR <name> <ip> <port> <quorum>",
                "MYID",
                "REMOVE <master-name>",
                "REPLICAS <master-name>",
                "RESET <pattern>",
                "SENTINELS <master-name>",
                "SET <master-name> <option> <value> [<option> <value> ...]",
            ];
            out.array(lines.len());
            for line in lines {
                out.simple(line);
            }
        }
        _ => out.error(&format!(
            "ERR unknown subcommand '{}'. Try SENTINEL HELP.",
            String::from_utf8_lossy(&args[1])
        )),
    });
}

/// One instance description: a map of bulk strings (a flat array in RESP2), in Redis's order
/// (`addReplySentinelRedisInstance`).
fn describe(out: &mut ReplyBuf, master: &Master, inst: &Instance, now: Instant) {
    let mut fields: Vec<(&str, String)> = vec![
        ("name", inst.name.clone()),
        ("ip", inst.host.clone()),
        ("port", inst.port.to_string()),
        ("runid", inst.runid.clone().unwrap_or_default()),
        ("flags", flags(master, inst)),
        ("link-pending-commands", inst.link.pending.to_string()),
        ("link-refcount", "1".to_string()),
    ];
    if inst.kind == Kind::Master && master.failover_in_progress {
        fields.push(("failover-state", master.failover_state.name().to_string()));
    }
    fields.push((
        "last-ping-sent",
        inst.link
            .act_ping_time
            .map_or(0, |t| ms_since(Some(t), now))
            .to_string(),
    ));
    fields.push((
        "last-ok-ping-reply",
        ms_since(Some(inst.link.last_avail_time), now).to_string(),
    ));
    fields.push((
        "last-ping-reply",
        ms_since(Some(inst.link.last_pong_time), now).to_string(),
    ));
    if inst.sdown() {
        fields.push(("s-down-time", ms_since(inst.s_down_since, now).to_string()));
    }
    if inst.odown() {
        fields.push(("o-down-time", ms_since(inst.o_down_since, now).to_string()));
    }
    fields.push((
        "down-after-milliseconds",
        master.down_after.as_millis().to_string(),
    ));
    if inst.kind != Kind::Sentinel {
        fields.push(("info-refresh", ms_since(inst.info_refresh, now).to_string()));
        fields.push(("role-reported", inst.role_reported.name().to_string()));
        fields.push((
            "role-reported-time",
            ms_since(Some(inst.role_reported_time), now).to_string(),
        ));
    }
    match inst.kind {
        Kind::Master => {
            fields.push(("config-epoch", master.config_epoch.to_string()));
            fields.push(("num-slaves", master.replicas.len().to_string()));
            fields.push(("num-other-sentinels", master.sentinels.len().to_string()));
            fields.push(("quorum", master.quorum.to_string()));
            fields.push((
                "failover-timeout",
                master.failover_timeout.as_millis().to_string(),
            ));
            fields.push(("parallel-syncs", master.parallel_syncs.to_string()));
        }
        Kind::Replica => {
            fields.push((
                "master-link-down-time",
                inst.master_link_down_time.to_string(),
            ));
            fields.push((
                "master-link-status",
                if inst.master_link_up { "ok" } else { "err" }.to_string(),
            ));
            fields.push((
                "master-host",
                inst.slave_master_host.clone().unwrap_or_else(|| "?".into()),
            ));
            fields.push(("master-port", inst.slave_master_port.to_string()));
            fields.push(("slave-priority", inst.slave_priority.to_string()));
            fields.push(("slave-repl-offset", inst.slave_repl_offset.to_string()));
            fields.push((
                "replica-announced",
                (inst.replica_announced as u8).to_string(),
            ));
        }
        Kind::Sentinel => {
            fields.push((
                "last-hello-message",
                ms_since(inst.last_hello_time, now).to_string(),
            ));
            fields.push((
                "voted-leader",
                inst.leader.clone().unwrap_or_else(|| "?".into()),
            ));
            fields.push(("voted-leader-epoch", inst.leader_epoch.to_string()));
        }
    }
    out.map(fields.len());
    for (key, value) in fields {
        out.bulk(key.as_bytes());
        out.bulk(value.as_bytes());
    }
}

fn flags(master: &Master, inst: &Instance) -> String {
    let mut flags = Vec::new();
    if inst.sdown() {
        flags.push("s_down");
    }
    if inst.odown() {
        flags.push("o_down");
    }
    flags.push(match inst.kind {
        Kind::Master => "master",
        Kind::Replica => "slave",
        Kind::Sentinel => "sentinel",
    });
    if inst.link.disconnected(inst.kind) {
        flags.push("disconnected");
    }
    if inst.master_down {
        flags.push("master_down");
    }
    if inst.kind == Kind::Master && master.failover_in_progress {
        flags.push("failover_in_progress");
    }
    if inst.promoted {
        flags.push("promoted");
    }
    match inst.reconf {
        Reconf::Sent(_) => flags.push("reconf_sent"),
        Reconf::InProgress => flags.push("reconf_inprog"),
        Reconf::Done => flags.push("reconf_done"),
        Reconf::None => {}
    }
    if inst.kind == Kind::Master && master.force_failover {
        flags.push("force_failover");
    }
    if inst.script_kill_sent {
        flags.push("script_kill_sent");
    }
    if inst.master_reboot_since.is_some() {
        flags.push("master_reboot");
    }
    flags.join(",")
}

fn is_master_down_by_addr(st: &mut State, args: &[Bytes], out: &mut ReplyBuf, now: Instant) {
    let host = String::from_utf8_lossy(&args[2]).into_owned();
    let (Some(port), Some(epoch)) = (
        wire::request::parse_i64(&args[3]),
        wire::request::parse_i64(&args[4]),
    ) else {
        out.error("ERR value is not an integer or out of range");
        return;
    };
    let runid = String::from_utf8_lossy(&args[5]).into_owned();
    let tilt = st.ctx.tilt;
    let State { ctx, masters, .. } = st;
    let master = u16::try_from(port)
        .ok()
        .and_then(|port| masters.values_mut().find(|m| m.inst.addr_is(&host, port)));
    let mut down = false;
    let mut leader = None;
    let mut leader_epoch = 0;
    if let Some(m) = master {
        down = !tilt && m.inst.sdown();
        if runid != "*" {
            let (vote, vote_epoch) = monitor::vote_leader(ctx, m, epoch.max(0) as u64, &runid, now);
            leader = vote;
            leader_epoch = vote_epoch;
        }
    }
    out.array(3);
    out.int(down as i64);
    out.bulk(leader.as_deref().unwrap_or("*").as_bytes());
    out.int(leader_epoch as i64);
}

/// `SENTINEL CKQUORUM` (`sentinelIsQuorumReachable`).
fn ckquorum(m: &Master, out: &mut ReplyBuf) {
    let voters = m.sentinels.len() + 1;
    let usable = 1 + m
        .sentinels
        .values()
        .filter(|s| !s.sdown() && !s.odown())
        .count();
    let no_quorum = usable < m.quorum as usize;
    let no_auth = usable < voters / 2 + 1;
    if !no_quorum && !no_auth {
        out.simple(&format!(
            "OK {usable} usable Sentinels. Quorum and failover authorization can be reached"
        ));
        return;
    }
    let mut e = format!("NOQUORUM {usable} usable Sentinels. ");
    if no_quorum {
        e.push_str("Not enough available Sentinels to reach the specified quorum for this master");
    }
    if no_auth {
        if no_quorum {
            e.push_str(". ");
        }
        e.push_str("Not enough available Sentinels to reach the majority and authorize a failover");
    }
    out.error(&e);
}

fn monitor_cmd(st: &mut State, args: &[Bytes], out: &mut ReplyBuf, now: Instant) {
    let name = String::from_utf8_lossy(&args[2]).into_owned();
    let host = String::from_utf8_lossy(&args[3]).into_owned();
    let Some(quorum) = wire::request::parse_i64(&args[5]) else {
        out.error("ERR Invalid quorum");
        return;
    };
    if quorum <= 0 {
        out.error("ERR Quorum must be 1 or greater.");
        return;
    }
    let Some(port) = wire::request::parse_i64(&args[4]) else {
        out.error("ERR Invalid port");
        return;
    };
    if port <= 0 || port > 65535 {
        out.error("ERR Invalid port");
        return;
    }
    if host.parse::<std::net::IpAddr>().is_err() {
        out.error("ERR Invalid IP address or hostname specified");
        return;
    }
    if st.masters.contains_key(&name) {
        out.error("ERR Duplicated master name");
        return;
    }
    let config = crate::config::MasterConfig::new(&name, &host, port as u16, quorum as u32);
    let master = new_master(&mut st.ctx, &config, now);
    st.ctx.event(
        "+monitor",
        format!("{} quorum {}", master.desc(), master.quorum),
    );
    st.masters.insert(name, master);
    st.ctx.dirty = true;
    out.ok();
}

fn set_cmd(st: &mut State, args: &[Bytes], out: &mut ReplyBuf) {
    let name = String::from_utf8_lossy(&args[2]).into_owned();
    let State { ctx, masters, .. } = st;
    let Some(m) = masters.get_mut(&name) else {
        out.error(NO_SUCH_MASTER);
        return;
    };
    if args.len().is_multiple_of(2) {
        out.error(&format!(
            "ERR Unknown option or number of arguments for SENTINEL SET '{}'",
            String::from_utf8_lossy(&args[args.len() - 1])
        ));
        return;
    }
    let mut changes = Vec::new();
    for pair in args[3..].chunks(2) {
        let option = String::from_utf8_lossy(&pair[0]).to_ascii_lowercase();
        let value = String::from_utf8_lossy(&pair[1]).into_owned();
        let positive = value.parse::<i64>().ok().filter(|v| *v > 0);
        let bad = |out: &mut ReplyBuf| {
            out.error(&format!(
                "ERR Invalid argument '{value}' for SENTINEL SET '{option}'"
            ))
        };
        match option.as_str() {
            "down-after-milliseconds" | "failover-timeout" | "parallel-syncs" | "quorum" => {
                let Some(v) = positive else {
                    bad(out);
                    return;
                };
                changes.push((option, value, Some(v)));
            }
            "auth-pass" | "auth-user" => changes.push((option, value, None)),
            "master-reboot-down-after-period" => match value.parse::<i64>() {
                Ok(v) if v >= 0 => changes.push((option, value, Some(v))),
                _ => {
                    bad(out);
                    return;
                }
            },
            _ => {
                out.error(&format!(
                    "ERR Unknown option or number of arguments for SENTINEL SET '{option}'"
                ));
                return;
            }
        }
    }
    for (option, value, number) in changes {
        let number = number.unwrap_or(0);
        match option.as_str() {
            "down-after-milliseconds" => {
                m.down_after = std::time::Duration::from_millis(number as u64)
            }
            "failover-timeout" => {
                m.failover_timeout = std::time::Duration::from_millis(number as u64)
            }
            "parallel-syncs" => m.parallel_syncs = number as u32,
            "master-reboot-down-after-period" => {
                m.master_reboot_down_after = std::time::Duration::from_millis(number as u64)
            }
            "quorum" => m.quorum = number as u32,
            "auth-pass" | "auth-user" => {
                let v = (!value.is_empty()).then(|| value.clone());
                if option == "auth-pass" {
                    m.auth_pass = v;
                } else {
                    m.auth_user = v;
                }
                // Reconnect with the new credentials.
                m.inst.link.close_cmd();
                m.inst.link.close_pubsub();
                for r in m.replicas.values_mut() {
                    r.link.close_cmd();
                    r.link.close_pubsub();
                }
            }
            _ => {}
        }
        let shown = if option == "auth-pass" {
            "******"
        } else {
            value.as_str()
        };
        ctx.event("+set", format!("{} {option} {shown}", m.desc()));
    }
    ctx.dirty = true;
    out.ok();
}

/// `SENTINEL CONFIG GET <pattern>` / `SET <param> <value>` for the global settings built here.
fn config_cmd(st: &mut State, args: &[Bytes], out: &mut ReplyBuf) {
    let action = args[2].to_ascii_lowercase();
    match (action.as_slice(), args.len()) {
        (b"get", 4) => {
            let values = [
                (
                    "announce-ip",
                    st.ctx.announce_ip.clone().unwrap_or_default(),
                ),
                ("announce-port", st.ctx.announce_port.to_string()),
                (
                    "sentinel-user",
                    st.ctx.sentinel_user.clone().unwrap_or_default(),
                ),
                (
                    "sentinel-pass",
                    st.ctx.sentinel_pass.clone().unwrap_or_default(),
                ),
            ];
            let matched: Vec<_> = values
                .iter()
                .filter(|(k, _)| glob::matches(&args[3].to_ascii_lowercase(), k.as_bytes()))
                .collect();
            out.map(matched.len());
            for (k, v) in matched {
                out.bulk(k.as_bytes());
                out.bulk(v.as_bytes());
            }
        }
        (b"set", 5) => {
            let param = String::from_utf8_lossy(&args[3]).to_ascii_lowercase();
            let value = String::from_utf8_lossy(&args[4]).into_owned();
            match param.as_str() {
                "announce-ip" => st.ctx.announce_ip = (!value.is_empty()).then_some(value),
                "sentinel-user" | "sentinel-pass" => {
                    let value = (!value.is_empty()).then_some(value);
                    if param == "sentinel-user" {
                        st.ctx.sentinel_user = value;
                    } else {
                        st.ctx.sentinel_pass = value;
                    }
                    // Reconnect to the other sentinels with the new credentials.
                    for m in st.masters.values_mut() {
                        for s in m.sentinels.values_mut() {
                            s.link.close_cmd();
                        }
                    }
                }
                "announce-port" => match value.parse::<u16>() {
                    Ok(p) => st.ctx.announce_port = p,
                    Err(_) => {
                        out.error(&format!(
                            "ERR Invalid argument '{value}' to SENTINEL CONFIG SET 'announce-port'"
                        ));
                        return;
                    }
                },
                _ => {
                    out.error(&format!(
                        "ERR Invalid argument '{param}' to SENTINEL CONFIG SET"
                    ));
                    return;
                }
            }
            st.ctx.dirty = true;
            out.ok();
        }
        (b"get" | b"set", _) => out.error(&format!(
            "ERR wrong number of arguments for 'sentinel|config|{}' command",
            String::from_utf8_lossy(&action)
        )),
        _ => out.error(&format!(
            "ERR unknown subcommand '{}'. Try SENTINEL HELP.",
            String::from_utf8_lossy(&args[2])
        )),
    }
}

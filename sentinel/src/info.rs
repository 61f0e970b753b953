//! INFO replies as Sentinel reads them (`sentinelRefreshInstanceInfo`): the fields it matches
//! textually, replicas discovered, role changes, and the failover steps an INFO confirms.

use std::time::Instant;

use crate::hello::force_hello_update;
use crate::links::{send_hello, send_slaveof};
use crate::state::{
    Ctx, FailoverState, Instance, Kind, Master, PUBLISH_PERIOD, Reconf, Role, State, Target,
    add_replica,
};

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
        let reboot_period = master.master_reboot_down_after;
        let Some(inst) = master.instance_mut(target.kind, &target.key) else {
            return;
        };
        apply_report(ctx, inst, &report, text, &desc, reboot_period, now);
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
    reboot_period: std::time::Duration,
    now: Instant,
) {
    inst.info_refresh = Some(now);
    inst.info = Some(text.to_string());
    if let Some(runid) = &report.run_id {
        if inst.runid.as_ref().is_some_and(|old| old != runid) {
            ctx.event("+reboot", desc.to_string());
            if inst.kind == Kind::Master && !reboot_period.is_zero() {
                inst.master_reboot_since = Some(now);
            }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

//! Hello messages from other sentinels (`sentinelProcessHelloMessage`): how sentinels find
//! each other, adopt a newer epoch, and adopt a newer master configuration.

use std::time::Instant;

use crate::state::{Instance, Kind, Master, State};

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

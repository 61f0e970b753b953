//! The timer: links and periodic commands, SDOWN/ODOWN, asking the other sentinels, leader
//! election and the failover state machine, as Redis's `sentinelTimer` runs them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::Rng;

use crate::links::{self, send_hello, send_info, send_ping, send_slaveof};
use crate::state::{
    ASK_PERIOD, Ctx, ELECTION_TIMEOUT, FAST_ASK_PERIOD, FRESH_INFO_WAIT, FailoverState,
    INFO_PERIOD, Instance, Kind, Link, MAX_DESYNC_MS, MAX_PENDING_COMMANDS,
    MIN_LINK_RECONNECT_PERIOD, Master, NO_GOOD_SLAVE_WAIT, PUBLISH_PERIOD, Reconf, Role,
    SLAVE_RECONF_TIMEOUT, SPLIT_RETRY_MS, State, TILT_PERIOD, TILT_TRIGGER, Target, add_replica,
};

/// One timer run over every master, its replicas and sentinels.
pub fn tick(st: &mut State) {
    check_tilt(&mut st.ctx);
    let now = Instant::now();
    let names: Vec<String> = st.masters.keys().cloned().collect();
    for name in names {
        for (kind, key, id) in members(st, &name) {
            let target = Target {
                master: name.clone(),
                kind,
                key,
                id,
            };
            handle_instance(st, &target, now);
        }
        if st.ctx.tilt {
            if now.duration_since(st.ctx.tilt_start) < TILT_PERIOD {
                continue;
            }
            st.ctx.tilt = false;
            st.ctx.event("-tilt", "#tilt mode exited".to_string());
        }
        let Some(master) = st.masters.get_mut(&name) else {
            continue;
        };
        let down_after = master.down_after;
        let sdown_events = check_sdown_all(master, down_after, now);
        for (channel, payload) in sdown_events {
            st.ctx.event(channel, payload);
        }
        request_fresh_info(st, &name);
        advance_at(st, &name, now);
    }
}

/// Act on what a reply just changed (ODOWN, votes, a promotion, a reconfigured replica) without
/// waiting for the next tick.
pub fn advance(st: &mut State, name: &str) {
    if !st.ctx.tilt {
        advance_at(st, name, Instant::now());
    }
}

fn advance_at(st: &mut State, name: &str, now: Instant) {
    handle_master(st, name, now);
    let State { ctx, masters, .. } = st;
    if let Some(master) = masters.get_mut(name)
        && master.failover_state == FailoverState::UpdateConfig
    {
        switch_to_promoted(ctx, master);
    }
}

fn members(st: &State, name: &str) -> Vec<(Kind, String, u64)> {
    let Some(m) = st.masters.get(name) else {
        return Vec::new();
    };
    let mut out = vec![(Kind::Master, String::new(), m.inst.id)];
    out.extend(
        m.replicas
            .iter()
            .map(|(k, r)| (Kind::Replica, k.clone(), r.id)),
    );
    out.extend(
        m.sentinels
            .iter()
            .map(|(k, s)| (Kind::Sentinel, k.clone(), s.id)),
    );
    out
}

fn check_tilt(ctx: &mut Ctx) {
    let now = std::time::SystemTime::now();
    let jumped = match now.duration_since(ctx.previous_time) {
        Ok(delta) => delta > TILT_TRIGGER,
        Err(_) => true,
    };
    if jumped {
        ctx.tilt = true;
        ctx.tilt_start = Instant::now();
        ctx.event("+tilt", "#tilt mode entered".to_string());
    }
    ctx.previous_time = now;
}

/// Reconnect, then PING / INFO / hello when due (`sentinelSendPeriodicCommands`).
fn handle_instance(st: &mut State, target: &Target, now: Instant) {
    let (down_after, master_busy) = {
        let Some(master) = st.masters.get_mut(&target.master) else {
            return;
        };
        links::reconnect(&st.ctx, master, target.kind, &target.key, now);
        (
            master.down_after,
            master.inst.sdown() || master.failover_in_progress,
        )
    };
    let Some(inst) = st.instance_mut(target) else {
        return;
    };
    if inst.link.cmd.as_ref().is_some_and(|c| c.is_closed()) {
        inst.link.close_cmd();
    }
    if inst.link.cmd.is_none() || inst.link.pending >= MAX_PENDING_COMMANDS {
        return;
    }
    // Replicas in the middle of a failover step are watched closely: their next INFO is what
    // moves the failover on (Redis keeps the 1 s period). While the master is down (SDOWN
    // here; Redis waits for ODOWN) the others are asked every second, so that a replica's INFO
    // is never older than that when a failover chooses among them.
    let failover_step = inst.kind == Kind::Replica
        && master_busy
        && (inst.promoted || matches!(inst.reconf, Reconf::Sent(_) | Reconf::InProgress));
    let info_period = if failover_step {
        Duration::from_millis(100)
    } else if inst.kind == Kind::Replica && (master_busy || inst.master_link_down_time != 0) {
        Duration::from_millis(1000)
    } else {
        INFO_PERIOD
    };
    let ping_period = down_after.min(Duration::from_millis(1000));
    let info_due = inst.kind != Kind::Sentinel
        && inst
            .info_refresh
            .is_none_or(|t| now.duration_since(t) > info_period);
    let ping_due = now.duration_since(inst.link.last_pong_time) > ping_period
        && inst
            .link
            .last_ping_time
            .is_none_or(|t| now.duration_since(t) > ping_period / 2);
    let hello_due = inst
        .last_pub_time
        .is_none_or(|t| now.duration_since(t) > PUBLISH_PERIOD);
    if info_due && !inst.info_inflight {
        send_info(st, target);
    }
    if ping_due {
        send_ping(st, target);
    }
    if hello_due {
        send_hello(st, target);
    }
}

fn check_sdown_all(
    master: &mut Master,
    down_after: Duration,
    now: Instant,
) -> Vec<(&'static str, String)> {
    let mut events = Vec::new();
    let master_desc = master.desc();
    let reboot_period = master.master_reboot_down_after;
    if let Some(e) = check_sdown(&mut master.inst, down_after, reboot_period, now) {
        events.push((e, master_desc));
    }
    let mut changed = Vec::new();
    for (key, r) in master.replicas.iter_mut() {
        if let Some(e) = check_sdown(r, down_after, Duration::ZERO, now) {
            changed.push((e, Kind::Replica, key.clone()));
        }
    }
    for (key, s) in master.sentinels.iter_mut() {
        if let Some(e) = check_sdown(s, down_after, Duration::ZERO, now) {
            changed.push((e, Kind::Sentinel, key.clone()));
        }
    }
    for (e, kind, key) in changed {
        if let Some(i) = master.instance(kind, &key) {
            events.push((e, master.child_desc(i)));
        }
    }
    events
}

/// `sentinelCheckSubjectivelyDown`; returns the event to publish on a change.
fn check_sdown(
    inst: &mut Instance,
    down_after: Duration,
    reboot_period: Duration,
    now: Instant,
) -> Option<&'static str> {
    let link: &mut Link = &mut inst.link;
    let elapsed = if let Some(t) = link.act_ping_time {
        now.duration_since(t)
    } else if link.disconnected(inst.kind) {
        now.duration_since(link.last_avail_time)
    } else {
        Duration::ZERO
    };
    if link.cmd.is_some()
        && link
            .cc_conn_time
            .is_some_and(|t| now.duration_since(t) > MIN_LINK_RECONNECT_PERIOD)
        && link
            .act_ping_time
            .is_some_and(|t| now.duration_since(t) > down_after / 2)
        && now.duration_since(link.last_pong_time) > down_after / 2
    {
        link.close_cmd();
    }
    if link.pubsub_up
        && link
            .pc_conn_time
            .is_some_and(|t| now.duration_since(t) > MIN_LINK_RECONNECT_PERIOD)
        && now.duration_since(link.pc_last_activity) > PUBLISH_PERIOD * 3
    {
        link.close_pubsub();
    }
    let reports_slave = inst.kind == Kind::Master
        && inst.role_reported == Role::Slave
        && now.duration_since(inst.role_reported_time) > down_after + INFO_PERIOD * 2;
    let rebooting = inst
        .master_reboot_since
        .is_some_and(|since| now.duration_since(since) > reboot_period);
    if elapsed > down_after || reports_slave || rebooting {
        if inst.s_down_since.is_none() {
            inst.s_down_since = Some(now);
            return Some("+sdown");
        }
    } else if inst.s_down_since.is_some() {
        inst.s_down_since = None;
        inst.script_kill_sent = false;
        return Some("-sdown");
    }
    None
}

fn handle_master(st: &mut State, name: &str, now: Instant) {
    {
        let State { ctx, masters, .. } = &mut *st;
        let Some(master) = masters.get_mut(name) else {
            return;
        };
        check_odown(ctx, master, now);
    }
    if start_failover_if_needed(st, name, now) {
        ask_other_sentinels(st, name, true, now);
    }
    // Run consecutive states in one tick while each one completes at once.
    for _ in 0..6 {
        let before = st.masters.get(name).map(|m| m.failover_state);
        failover_state_machine(st, name, now);
        if st.masters.get(name).map(|m| m.failover_state) == before {
            break;
        }
    }
    ask_other_sentinels(st, name, false, now);
}

fn check_odown(ctx: &Ctx, master: &mut Master, now: Instant) {
    let mut quorum = 0;
    let mut odown = false;
    if master.inst.sdown() {
        quorum = 1 + master.sentinels.values().filter(|s| s.master_down).count() as u32;
        odown = quorum >= master.quorum;
    }
    if odown {
        if !master.inst.odown() {
            master.inst.o_down_since = Some(now);
            ctx.event(
                "+odown",
                format!("{} #quorum {quorum}/{}", master.desc(), master.quorum),
            );
        }
    } else if master.inst.odown() {
        master.inst.o_down_since = None;
        ctx.event("-odown", master.desc());
    }
}

fn start_failover_if_needed(st: &mut State, name: &str, now: Instant) -> bool {
    let Some(master) = st.masters.get_mut(name) else {
        return false;
    };
    if !master.inst.odown() || master.failover_in_progress {
        return false;
    }
    if let Some(retry) = master.split_retry_at {
        if now < retry {
            return false;
        }
    } else if let Some(start) = master.failover_start_time
        && now.saturating_duration_since(start) < master.failover_timeout * 2
    {
        return false;
    }
    start_failover(&mut st.ctx, master, now);
    true
}

pub fn start_failover(ctx: &mut Ctx, master: &mut Master, now: Instant) {
    master.failover_state = FailoverState::WaitStart;
    master.failover_in_progress = true;
    ctx.current_epoch += 1;
    master.failover_epoch = ctx.current_epoch;
    ctx.dirty = true;
    ctx.event("+new-epoch", ctx.current_epoch.to_string());
    ctx.event("+try-failover", master.desc());
    master.failover_start_time = Some(now + desync());
    master.failover_state_change_time = Some(now);
    master.split_retry_at = None;
}

fn desync() -> Duration {
    Duration::from_millis(rand::rng().random_range(0..MAX_DESYNC_MS))
}

/// `sentinelAskMasterStateToOtherSentinels`.
fn ask_other_sentinels(st: &mut State, name: &str, forced: bool, now: Instant) {
    let Some(master) = st.masters.get_mut(name) else {
        return;
    };
    let sdown = master.inst.sdown();
    let odown = master.inst.odown();
    let request_vote = master.failover_state > FailoverState::None;
    let (host, port) = (master.inst.host.clone(), master.inst.port.to_string());
    let mut ask = Vec::new();
    for (key, s) in master.sentinels.iter_mut() {
        let elapsed = now.duration_since(s.last_master_down_reply_time);
        if elapsed > ASK_PERIOD * 5 {
            s.master_down = false;
            s.leader = None;
        }
        if !sdown || s.link.disconnected(Kind::Sentinel) {
            continue;
        }
        let period = if !odown && !s.master_down {
            FAST_ASK_PERIOD
        } else {
            ASK_PERIOD
        };
        if !forced && (elapsed < period || s.ask_inflight) {
            continue;
        }
        s.ask_inflight = true;
        ask.push(Target {
            master: name.to_string(),
            kind: Kind::Sentinel,
            key: key.clone(),
            id: s.id,
        });
    }
    let epoch = st.ctx.current_epoch.to_string();
    let runid = if request_vote {
        st.ctx.myid.clone()
    } else {
        "*".to_string()
    };
    for target in ask {
        links::send(
            st,
            &target,
            &[
                "SENTINEL",
                "is-master-down-by-addr",
                &host,
                &port,
                &epoch,
                &runid,
            ],
            links::on_master_down_reply,
        );
    }
}

/// Vote for `candidate` in `epoch` unless we already voted in it (`sentinelVoteLeader`).
/// Returns our vote and its epoch.
pub fn vote_leader(
    ctx: &mut Ctx,
    master: &mut Master,
    epoch: u64,
    candidate: &str,
    now: Instant,
) -> (Option<String>, u64) {
    if epoch > ctx.current_epoch {
        ctx.current_epoch = epoch;
        ctx.dirty = true;
        ctx.event("+new-epoch", epoch.to_string());
    }
    if master.leader_epoch < epoch && ctx.current_epoch <= epoch {
        master.leader = Some(candidate.to_string());
        master.leader_epoch = ctx.current_epoch;
        ctx.dirty = true;
        ctx.event(
            "+vote-for-leader",
            format!("{candidate} {}", master.leader_epoch),
        );
        if !candidate.eq_ignore_ascii_case(&ctx.myid) {
            master.failover_start_time = Some(now + desync());
            master.split_retry_at = None;
        }
    }
    (master.leader.clone(), master.leader_epoch)
}

/// The sentinel with a majority of the votes (and at least quorum) in `epoch`, if any
/// (`sentinelGetLeader`).
fn get_leader(ctx: &mut Ctx, master: &mut Master, epoch: u64, now: Instant) -> Option<String> {
    let mut counters: BTreeMap<String, u32> = BTreeMap::new();
    let voters = master.sentinels.len() as u32 + 1;
    for s in master.sentinels.values() {
        if let Some(leader) = &s.leader
            && s.leader_epoch == ctx.current_epoch
        {
            *counters.entry(leader.clone()).or_default() += 1;
        }
    }
    let mut winner: Option<String> = None;
    let mut max_votes = 0;
    for (candidate, votes) in &counters {
        if *votes > max_votes {
            max_votes = *votes;
            winner = Some(candidate.clone());
        }
    }
    let candidate = winner.clone().unwrap_or_else(|| ctx.myid.clone());
    let (my_vote, leader_epoch) = vote_leader(ctx, master, epoch, &candidate, now);
    if let Some(vote) = my_vote
        && leader_epoch == epoch
    {
        let votes = counters.get(&vote).copied().unwrap_or(0) + 1;
        if votes > max_votes {
            max_votes = votes;
            winner = Some(vote);
        }
    }
    let voters_quorum = voters / 2 + 1;
    if max_votes < voters_quorum || max_votes < master.quorum {
        return None;
    }
    winner
}

/// Whether nobody can win the election in `epoch` any more: every vote is known (ours and each
/// peer's reply in this epoch) and no candidate has a majority and quorum. Redis waits for the
/// election timeout (10 s), then twice failover-timeout, before trying again.
fn election_split(master: &Master, epoch: u64) -> bool {
    let Some(mine) = master
        .leader
        .as_ref()
        .filter(|_| master.leader_epoch == epoch)
    else {
        return false;
    };
    let mut counters: BTreeMap<String, u32> = BTreeMap::new();
    *counters.entry(mine.to_ascii_lowercase()).or_default() += 1;
    for s in master.sentinels.values() {
        match &s.leader {
            Some(leader) if s.leader_epoch == epoch => {
                *counters.entry(leader.to_ascii_lowercase()).or_default() += 1;
            }
            // A vote not known yet (or for another epoch): it could still decide.
            _ => return false,
        }
    }
    let voters = master.sentinels.len() as u32 + 1;
    let needed = (voters / 2 + 1).max(master.quorum);
    counters.values().all(|votes| *votes < needed)
}

fn failover_state_machine(st: &mut State, name: &str, now: Instant) {
    let state = match st.masters.get(name) {
        Some(m) if m.failover_in_progress => m.failover_state,
        _ => return,
    };
    match state {
        FailoverState::WaitStart => wait_start(st, name, now),
        FailoverState::SelectSlave => select_slave_state(st, name, now),
        FailoverState::SendSlaveofNoone => send_slaveof_noone(st, name, now),
        FailoverState::WaitPromotion => {
            let State { ctx, masters, .. } = st;
            if let Some(m) = masters.get_mut(name)
                && m.failover_state_change_time
                    .is_some_and(|t| now.duration_since(t) > m.failover_timeout)
            {
                ctx.event("-failover-abort-slave-timeout", m.desc());
                abort_failover(m, now);
            }
        }
        FailoverState::ReconfSlaves => reconf_next_slave(st, name, now),
        FailoverState::None | FailoverState::UpdateConfig => {}
    }
}

fn wait_start(st: &mut State, name: &str, now: Instant) {
    let State { ctx, masters, .. } = st;
    let Some(master) = masters.get_mut(name) else {
        return;
    };
    let epoch = master.failover_epoch;
    let leader = get_leader(ctx, master, epoch, now);
    let is_leader = leader
        .as_deref()
        .is_some_and(|l| l.eq_ignore_ascii_case(&ctx.myid));
    if !is_leader && !master.force_failover {
        if election_split(master, epoch) {
            ctx.event("-failover-abort-not-elected", master.desc());
            abort_failover(master, now);
            master.split_retry_at =
                Some(now + Duration::from_millis(rand::rng().random_range(0..SPLIT_RETRY_MS)));
            return;
        }
        let election_timeout = ELECTION_TIMEOUT.min(master.failover_timeout);
        if master
            .failover_start_time
            .is_some_and(|t| now.saturating_duration_since(t) > election_timeout)
        {
            ctx.event("-failover-abort-not-elected", master.desc());
            abort_failover(master, now);
        }
        return;
    }
    ctx.event("+elected-leader", master.desc());
    master.failover_state = FailoverState::SelectSlave;
    master.failover_state_change_time = Some(now);
    ctx.event("+failover-state-select-slave", master.desc());
}

/// The best replica to promote (`sentinelSelectSlave`).
pub fn select_slave(master: &Master, now: Instant) -> Option<String> {
    let mut max_master_down_time = Duration::ZERO;
    if let Some(since) = master.inst.s_down_since {
        max_master_down_time += now.duration_since(since);
    }
    max_master_down_time += master.down_after * 10;
    let info_validity = if master.inst.sdown() {
        crate::state::PING_PERIOD * 5
    } else {
        INFO_PERIOD * 3
    };
    let mut candidates: Vec<&Instance> = master
        .replicas
        .values()
        .filter(|r| {
            !r.sdown()
                && !r.odown()
                && !r.link.disconnected(Kind::Replica)
                && now.duration_since(r.link.last_avail_time) <= crate::state::PING_PERIOD * 5
                && r.slave_priority != 0
                && r.info_refresh
                    .is_some_and(|t| now.duration_since(t) <= info_validity)
                && Duration::from_millis(r.master_link_down_time) <= max_master_down_time
        })
        .collect();
    candidates.sort_by(|a, b| {
        a.slave_priority
            .cmp(&b.slave_priority)
            .then(b.slave_repl_offset.cmp(&a.slave_repl_offset))
            .then_with(|| match (&a.runid, &b.runid) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                (Some(x), Some(y)) => x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()),
            })
    });
    candidates.first().map(|r| r.name.clone())
}

/// Replicas whose state the failover should know before it chooses: reachable, not SDOWN, a
/// possible choice by priority, and no INFO since the master went down (none while it is up).
fn awaiting_info(master: &Master) -> impl Iterator<Item = (&String, &Instance)> {
    let down_since = master.inst.s_down_since;
    master.replicas.iter().filter(move |(_, r)| {
        down_since.is_some_and(|since| r.info_refresh.is_none_or(|t| t < since))
            && !r.sdown()
            && !r.link.disconnected(Kind::Replica)
            && r.slave_priority != 0
    })
}

/// Ask every replica still `awaiting_info` for INFO now, unless one is already on the way:
/// the master just went down, or a failover waits for them.
fn request_fresh_info(st: &mut State, name: &str) {
    let Some(master) = st.masters.get(name) else {
        return;
    };
    let targets: Vec<Target> = awaiting_info(master)
        .filter(|(_, r)| !r.info_inflight)
        .map(|(key, r)| Target::replica(name, key, r.id))
        .collect();
    for target in targets {
        send_info(st, &target);
    }
}

/// Whether the leader should wait before choosing: for the INFO asked for when the master went
/// down (bounded by `FRESH_INFO_WAIT`), or, when no replica is a valid choice, for one that could
/// still become one (bounded by `NO_GOOD_SLAVE_WAIT` and failover-timeout). Redis chooses (or
/// aborts) at once on whatever INFO it has, and retries only after twice failover-timeout.
fn should_wait_to_select(master: &Master, chosen: bool, now: Instant) -> bool {
    let waited = master
        .failover_state_change_time
        .map_or(Duration::ZERO, |t| now.saturating_duration_since(t));
    if chosen {
        return waited < FRESH_INFO_WAIT && awaiting_info(master).next().is_some();
    }
    waited < NO_GOOD_SLAVE_WAIT.min(master.failover_timeout)
        && master
            .replicas
            .values()
            .any(|r| !r.sdown() && !r.odown() && r.slave_priority != 0)
}

fn select_slave_state(st: &mut State, name: &str, now: Instant) {
    let Some(master) = st.masters.get(name) else {
        return;
    };
    let choice = select_slave(master, now);
    if should_wait_to_select(master, choice.is_some(), now) {
        request_fresh_info(st, name);
        return;
    }
    let State { ctx, masters, .. } = st;
    let Some(master) = masters.get_mut(name) else {
        return;
    };
    match choice {
        None => {
            ctx.event("-failover-abort-no-good-slave", master.desc());
            abort_failover(master, now);
        }
        Some(key) => {
            let desc = master.child_desc(&master.replicas[&key]);
            ctx.event("+selected-slave", desc.clone());
            if let Some(r) = master.replicas.get_mut(&key) {
                r.promoted = true;
            }
            master.promoted = Some(key);
            master.failover_state = FailoverState::SendSlaveofNoone;
            master.failover_state_change_time = Some(now);
            ctx.event("+failover-state-send-slaveof-noone", desc);
        }
    }
}

fn send_slaveof_noone(st: &mut State, name: &str, now: Instant) {
    let Some(master) = st.masters.get_mut(name) else {
        return;
    };
    let Some(key) = master.promoted.clone() else {
        return;
    };
    let Some(promoted) = master.replicas.get(&key) else {
        return;
    };
    if promoted.link.disconnected(Kind::Replica) {
        if master
            .failover_state_change_time
            .is_some_and(|t| now.duration_since(t) > master.failover_timeout)
        {
            st.ctx.event("-failover-abort-slave-timeout", master.desc());
            abort_failover(master, now);
        }
        return;
    }
    let target = Target::replica(name, &key, promoted.id);
    if !send_slaveof(st, &target, None) {
        return;
    }
    let Some(master) = st.masters.get_mut(name) else {
        return;
    };
    let desc = master.child_desc(&master.replicas[&key]);
    st.ctx.event("+failover-state-wait-promotion", desc);
    master.failover_state = FailoverState::WaitPromotion;
    master.failover_state_change_time = Some(now);
}

fn reconf_next_slave(st: &mut State, name: &str, now: Instant) {
    let Some(master) = st.masters.get_mut(name) else {
        return;
    };
    let Some(promoted) = master
        .promoted
        .as_ref()
        .and_then(|k| master.replicas.get(k))
        .map(|p| (p.host.clone(), p.port))
    else {
        return;
    };
    let mut in_progress = master
        .replicas
        .values()
        .filter(|r| matches!(r.reconf, Reconf::Sent(_) | Reconf::InProgress))
        .count() as u32;
    let keys: Vec<String> = master.replicas.keys().cloned().collect();
    for key in keys {
        if in_progress >= st.masters[name].parallel_syncs {
            break;
        }
        let master = st.masters.get_mut(name).expect("master present");
        let desc = master.child_desc(&master.replicas[&key]);
        let r = master.replicas.get_mut(&key).expect("replica present");
        if r.promoted || r.reconf == Reconf::Done {
            continue;
        }
        if let Reconf::Sent(sent) = r.reconf
            && now.duration_since(sent) > SLAVE_RECONF_TIMEOUT
        {
            r.reconf = Reconf::Done;
            st.ctx.event("-slave-reconf-sent-timeout", desc);
            continue;
        }
        if matches!(r.reconf, Reconf::Sent(_) | Reconf::InProgress)
            || r.link.disconnected(Kind::Replica)
        {
            continue;
        }
        let target = Target::replica(name, &key, r.id);
        if send_slaveof(st, &target, Some(promoted.clone())) {
            if let Some(r) = st.instance_mut(&target) {
                r.reconf = Reconf::Sent(now);
            }
            st.ctx.event("+slave-reconf-sent", desc);
            in_progress += 1;
        }
    }
    detect_end(st, name, &promoted, now);
}

/// `sentinelFailoverDetectEnd`.
fn detect_end(st: &mut State, name: &str, promoted: &(String, u16), now: Instant) {
    let Some(master) = st.masters.get_mut(name) else {
        return;
    };
    if master
        .promoted
        .as_ref()
        .and_then(|k| master.replicas.get(k))
        .is_none_or(|p| p.sdown())
    {
        return;
    }
    let mut not_reconfigured = master
        .replicas
        .values()
        .filter(|r| !r.promoted && r.reconf != Reconf::Done && !r.sdown())
        .count();
    let timed_out = master
        .failover_state_change_time
        .is_some_and(|t| now.duration_since(t) > master.failover_timeout);
    if timed_out {
        not_reconfigured = 0;
        st.ctx.event("+failover-end-for-timeout", master.desc());
    }
    if not_reconfigured == 0 {
        st.ctx.event("+failover-end", master.desc());
        master.failover_state = FailoverState::UpdateConfig;
        master.failover_state_change_time = Some(now);
    }
    if timed_out {
        let rest: Vec<Target> = master
            .replicas
            .iter()
            .filter(|(_, r)| {
                !r.promoted
                    && matches!(r.reconf, Reconf::None)
                    && !r.link.disconnected(Kind::Replica)
            })
            .map(|(k, r)| Target::replica(name, k, r.id))
            .collect();
        for target in rest {
            if send_slaveof(st, &target, Some(promoted.clone())) {
                let desc = st
                    .masters
                    .get(name)
                    .and_then(|m| m.replicas.get(&target.key).map(|r| m.child_desc(r)));
                if let Some(r) = st.instance_mut(&target) {
                    r.reconf = Reconf::Sent(now);
                }
                if let Some(desc) = desc {
                    st.ctx.event("+slave-reconf-sent-be", desc);
                }
            }
        }
    }
}

pub fn abort_failover(master: &mut Master, now: Instant) {
    master.failover_in_progress = false;
    master.force_failover = false;
    master.failover_state = FailoverState::None;
    master.failover_state_change_time = Some(now);
    if let Some(key) = master.promoted.take()
        && let Some(r) = master.replicas.get_mut(&key)
    {
        r.promoted = false;
    }
}

/// `sentinelFailoverSwitchToPromotedSlave`.
fn switch_to_promoted(ctx: &mut Ctx, master: &mut Master) {
    let (host, port) = match master
        .promoted
        .as_ref()
        .and_then(|k| master.replicas.get(k))
    {
        Some(p) => (p.host.clone(), p.port),
        None => (master.inst.host.clone(), master.inst.port),
    };
    ctx.event(
        "+switch-master",
        format!(
            "{} {} {} {host} {port}",
            master.inst.name, master.inst.host, master.inst.port
        ),
    );
    reset_master_and_change_address(ctx, master, &host, port);
}

/// Forget the master's replicas and failover state, move it to `host:port`, and re-add the
/// other replicas and the old master as its replicas (`sentinelResetMasterAndChangeAddress`).
pub fn reset_master_and_change_address(ctx: &mut Ctx, master: &mut Master, host: &str, port: u16) {
    let now = Instant::now();
    let mut replicas: Vec<(String, u16)> = master
        .replicas
        .values()
        .filter(|r| !r.addr_is(host, port))
        .map(|r| (r.host.clone(), r.port))
        .collect();
    if !master.inst.addr_is(host, port) {
        replicas.push((master.inst.host.clone(), master.inst.port));
    }
    reset_master(ctx, master, false, now);
    master.inst.host = host.to_string();
    master.inst.port = port;
    for (h, p) in replicas {
        if add_replica(ctx, master, &h, p, now) {
            let desc = master.child_desc(&master.replicas[&format!("{h}:{p}")]);
            ctx.event("+slave", desc);
        }
    }
    ctx.dirty = true;
}

/// `sentinelResetMaster`: a fresh master entry (new links) with the same name and settings.
pub fn reset_master(ctx: &mut Ctx, master: &mut Master, sentinels_too: bool, now: Instant) {
    master.replicas.clear();
    if sentinels_too {
        master.sentinels.clear();
    }
    let id = ctx.new_id();
    let fresh = Instance::new(
        id,
        Kind::Master,
        master.inst.name.clone(),
        &master.inst.host,
        master.inst.port,
        now,
    );
    master.inst = fresh;
    master.leader = None;
    master.failover_in_progress = false;
    master.force_failover = false;
    master.failover_state = FailoverState::None;
    master.failover_state_change_time = None;
    master.failover_start_time = None;
    master.split_retry_at = None;
    master.promoted = None;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rebooted_master_is_down_until_it_answers_pong() {
        let start = Instant::now();
        let mut inst = Instance::new(1, Kind::Master, "m".into(), "127.0.0.1", 6379, start);
        inst.link.act_ping_time = None;
        let later = start + Duration::from_secs(3);
        let (down_after, reboot) = (Duration::from_secs(10), Duration::from_secs(1));
        assert_eq!(check_sdown(&mut inst, down_after, reboot, later), None);
        inst.master_reboot_since = Some(start + Duration::from_millis(1500));
        assert_eq!(
            check_sdown(&mut inst, down_after, reboot, later),
            Some("+sdown")
        );
        inst.master_reboot_since = None;
        assert_eq!(
            check_sdown(&mut inst, down_after, reboot, later),
            Some("-sdown")
        );
    }

    fn master_with_replica() -> (Ctx, Master) {
        let config = crate::config::Config::parse(
            "sentinel monitor mym 127.0.0.1 6379 2\nsentinel failover-timeout mym 60000\n",
            std::path::PathBuf::from("/nonexistent/sentinel.conf"),
        )
        .unwrap();
        let (events, _) = tokio::sync::broadcast::channel(64);
        let mut st = State::new(config, 26379, events);
        let mut master = st.masters.remove("mym").unwrap();
        add_replica(&mut st.ctx, &mut master, "127.0.0.1", 6380, Instant::now());
        (st.ctx, master)
    }

    #[test]
    fn the_leader_waits_for_a_replica_that_can_still_be_chosen() {
        let (_ctx, mut master) = master_with_replica();
        let start = Instant::now();
        master.inst.s_down_since = Some(start);
        master.failover_state = FailoverState::SelectSlave;
        master.failover_state_change_time = Some(start);
        // No INFO since the master went down and no link yet: not a valid choice, but it may
        // become one.
        assert_eq!(select_slave(&master, start), None);
        assert!(should_wait_to_select(&master, false, start));
        let later = start + NO_GOOD_SLAVE_WAIT - Duration::from_millis(1);
        assert!(should_wait_to_select(&master, false, later));
        // The wait is bounded, and never longer than failover-timeout.
        assert!(!should_wait_to_select(
            &master,
            false,
            start + NO_GOOD_SLAVE_WAIT
        ));
        master.failover_timeout = Duration::from_millis(100);
        assert!(!should_wait_to_select(
            &master,
            false,
            start + Duration::from_millis(100)
        ));
        master.failover_timeout = Duration::from_secs(60);
        // A replica that is down, or may never be promoted, is not waited for.
        let r = master.replicas.values_mut().next().unwrap();
        r.slave_priority = 0;
        assert!(!should_wait_to_select(&master, false, start));
        let r = master.replicas.values_mut().next().unwrap();
        r.slave_priority = 100;
        r.s_down_since = Some(start);
        assert!(!should_wait_to_select(&master, false, start));
        // With a valid choice and nothing awaited (no link to ask on), it chooses at once.
        assert!(!should_wait_to_select(&master, true, start));
    }

    #[test]
    fn a_split_election_is_seen_once_every_vote_is_known() {
        let (mut ctx, mut master) = master_with_replica();
        let now = Instant::now();
        for (i, id) in ["b", "c"].iter().enumerate() {
            let mut s = Instance::new(
                10 + i as u64,
                Kind::Sentinel,
                id.repeat(40),
                "127.0.0.1",
                26380 + i as u16,
                now,
            );
            s.leader = Some(id.repeat(40));
            s.leader_epoch = 1;
            master.sentinels.insert(id.repeat(40), s);
        }
        // No vote of ours yet: not split.
        assert!(!election_split(&master, 1));
        let me = ctx.myid.clone();
        vote_leader(&mut ctx, &mut master, 1, &me, now);
        // Three candidates, one vote each, every vote known: nobody can win.
        assert!(election_split(&master, 1));
        // One peer's vote unknown (another epoch): it could still decide.
        master.sentinels.values_mut().next().unwrap().leader_epoch = 0;
        assert!(!election_split(&master, 1));
        // Two votes for one candidate: a winner, not a split.
        let first = master.sentinels.values_mut().next().unwrap();
        first.leader_epoch = 1;
        first.leader = Some(me.clone());
        assert!(!election_split(&master, 1));
    }

    #[test]
    fn silence_longer_than_down_after_is_sdown() {
        let start = Instant::now();
        let mut inst = Instance::new(1, Kind::Replica, "r".into(), "127.0.0.1", 6380, start);
        let down_after = Duration::from_millis(1000);
        let early = start + Duration::from_millis(900);
        assert_eq!(
            check_sdown(&mut inst, down_after, Duration::ZERO, early),
            None
        );
        let late = start + Duration::from_millis(1100);
        assert_eq!(
            check_sdown(&mut inst, down_after, Duration::ZERO, late),
            Some("+sdown")
        );
        assert_eq!(
            check_sdown(&mut inst, down_after, Duration::ZERO, late),
            None
        );
    }
}

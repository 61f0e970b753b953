//! What the sentinel knows: the monitored masters, their replicas and the other sentinels, with
//! the link state, failure flags and failover state of each (Redis's `sentinelRedisInstance`).

use std::collections::BTreeMap;
use std::sync::Weak;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::Shared;
use crate::config::{Config, MasterConfig};

pub const PING_PERIOD: Duration = Duration::from_millis(1000);
pub const INFO_PERIOD: Duration = Duration::from_millis(10_000);
pub const PUBLISH_PERIOD: Duration = Duration::from_millis(2000);
pub const ASK_PERIOD: Duration = Duration::from_millis(1000);
/// While the master is SDOWN here and not yet ODOWN, a sentinel that answered "not down" is
/// asked again this soon (Redis waits ASK_PERIOD), so agreement follows the last peer's SDOWN
/// closely.
pub const FAST_ASK_PERIOD: Duration = Duration::from_millis(100);
pub const TILT_TRIGGER: Duration = Duration::from_millis(2000);
pub const TILT_PERIOD: Duration = Duration::from_millis(30_000);
pub const SLAVE_RECONF_TIMEOUT: Duration = Duration::from_millis(10_000);
pub const ELECTION_TIMEOUT: Duration = Duration::from_millis(10_000);
pub const MIN_LINK_RECONNECT_PERIOD: Duration = Duration::from_millis(15_000);
pub const MAX_DESYNC_MS: u64 = 1000;
/// After a split election, a candidate tries again within this long (at random, so that one
/// of them asks first and gets the others' votes).
pub const SPLIT_RETRY_MS: u64 = 500;
/// While the master is down, the elected leader waits this long at most for the replicas'
/// INFO asked for when the master went down, to choose on their last offsets; then it chooses
/// among the replicas whose INFO is valid.
pub const FRESH_INFO_WAIT: Duration = Duration::from_millis(1000);
/// When no replica is a valid choice yet but one could become one (its INFO or link is on the
/// way), the leader waits this long at most (and no longer than failover-timeout) before it
/// aborts with `-failover-abort-no-good-slave`.
pub const NO_GOOD_SLAVE_WAIT: Duration = Duration::from_millis(5000);
pub const MAX_PENDING_COMMANDS: u32 = 100;
pub const HELLO_CHANNEL: &str = "__sentinel__:hello";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Master,
    Replica,
    Sentinel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Master,
    Slave,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Master => "master",
            Role::Slave => "slave",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailoverState {
    None,
    WaitStart,
    SelectSlave,
    SendSlaveofNoone,
    WaitPromotion,
    ReconfSlaves,
    UpdateConfig,
}

impl FailoverState {
    pub fn name(self) -> &'static str {
        match self {
            FailoverState::None => "none",
            FailoverState::WaitStart => "wait_start",
            FailoverState::SelectSlave => "select_slave",
            FailoverState::SendSlaveofNoone => "send_slaveof_noone",
            FailoverState::WaitPromotion => "wait_promotion",
            FailoverState::ReconfSlaves => "reconf_slaves",
            FailoverState::UpdateConfig => "update_config",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reconf {
    None,
    Sent(Instant),
    InProgress,
    Done,
}

/// Which instance a task talks to. `id` tells a recreated instance (same name) from the one the
/// task was started for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub master: String,
    pub kind: Kind,
    pub key: String,
    pub id: u64,
}

impl Target {
    pub fn replica(master: &str, key: &str, id: u64) -> Target {
        Target {
            master: master.to_string(),
            kind: Kind::Replica,
            key: key.to_string(),
            id,
        }
    }
}

/// The command and pub/sub connections to one instance.
pub struct Link {
    pub cmd: Option<wire::Client>,
    /// Bumped for every new command connection, so replies from an old one are told apart.
    pub cmd_gen: u64,
    pub cmd_connecting: bool,
    pub cc_conn_time: Option<Instant>,
    pub pubsub_stop: Option<CancellationToken>,
    pub pubsub_up: bool,
    pub pc_conn_time: Option<Instant>,
    pub pc_last_activity: Instant,
    pub last_reconn: Option<Instant>,
    /// Time of the oldest ping not yet answered.
    pub act_ping_time: Option<Instant>,
    pub last_ping_time: Option<Instant>,
    pub last_pong_time: Instant,
    pub last_avail_time: Instant,
    pub pending: u32,
    /// Our address as the instance sees it (announced in hellos unless announce-ip is set).
    pub local_ip: Option<String>,
}

impl Link {
    pub fn new(now: Instant) -> Self {
        Link {
            cmd: None,
            cmd_gen: 0,
            cmd_connecting: false,
            cc_conn_time: None,
            pubsub_stop: None,
            pubsub_up: false,
            pc_conn_time: None,
            pc_last_activity: now,
            last_reconn: None,
            act_ping_time: Some(now),
            last_ping_time: None,
            last_pong_time: now,
            last_avail_time: now,
            pending: 0,
            local_ip: None,
        }
    }

    /// Redis's `link->disconnected`: a data node needs both connections, a sentinel one.
    pub fn disconnected(&self, kind: Kind) -> bool {
        self.cmd.is_none() || (kind != Kind::Sentinel && !self.pubsub_up)
    }

    /// Redis reconnects and queues a PING at once when a link drops: the silence counts from
    /// here, so a link merely killed (CLIENT KILL) and reopened is not a failure, and one that
    /// cannot be reopened is down `down-after-milliseconds` later.
    pub fn close_cmd(&mut self) {
        if self.cmd.take().is_some() {
            self.act_ping_time.get_or_insert(Instant::now());
        }
    }

    pub fn close_pubsub(&mut self) {
        if let Some(stop) = self.pubsub_stop.take() {
            stop.cancel();
        }
        self.pubsub_up = false;
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.close_pubsub();
    }
}

pub struct Instance {
    pub id: u64,
    pub kind: Kind,
    /// Masters: the configured name; replicas: `ip:port`; sentinels: the run id.
    pub name: String,
    pub host: String,
    pub port: u16,
    pub runid: Option<String>,
    pub s_down_since: Option<Instant>,
    pub o_down_since: Option<Instant>,
    pub link: Link,
    pub info_refresh: Option<Instant>,
    pub info: Option<String>,
    /// An INFO was sent and not answered yet.
    pub info_inflight: bool,
    pub role_reported: Role,
    pub role_reported_time: Instant,
    pub last_pub_time: Option<Instant>,
    pub script_kill_sent: bool,
    /// Masters: when a new run id was seen with master-reboot-down-after-period set.
    pub master_reboot_since: Option<Instant>,
    // Replicas.
    pub master_link_down_time: u64,
    pub master_link_up: bool,
    pub slave_master_host: Option<String>,
    pub slave_master_port: u16,
    pub slave_priority: u32,
    pub slave_repl_offset: u64,
    pub replica_announced: bool,
    pub slave_conf_change_time: Instant,
    pub promoted: bool,
    pub reconf: Reconf,
    // Sentinels.
    pub last_hello_time: Option<Instant>,
    pub master_down: bool,
    /// An is-master-down-by-addr request is waiting for its reply.
    pub ask_inflight: bool,
    pub last_master_down_reply_time: Instant,
    pub leader: Option<String>,
    pub leader_epoch: u64,
}

impl Instance {
    pub fn new(id: u64, kind: Kind, name: String, host: &str, port: u16, now: Instant) -> Self {
        Instance {
            id,
            kind,
            name,
            host: host.to_string(),
            port,
            runid: None,
            s_down_since: None,
            o_down_since: None,
            link: Link::new(now),
            info_refresh: None,
            info: None,
            info_inflight: false,
            role_reported: if kind == Kind::Master {
                Role::Master
            } else {
                Role::Slave
            },
            role_reported_time: now,
            last_pub_time: None,
            script_kill_sent: false,
            master_reboot_since: None,
            master_link_down_time: 0,
            master_link_up: false,
            slave_master_host: None,
            slave_master_port: 0,
            slave_priority: 100,
            slave_repl_offset: 0,
            replica_announced: true,
            slave_conf_change_time: now,
            promoted: false,
            reconf: Reconf::None,
            last_hello_time: None,
            master_down: false,
            ask_inflight: false,
            last_master_down_reply_time: now,
            leader: None,
            leader_epoch: 0,
        }
    }

    pub fn sdown(&self) -> bool {
        self.s_down_since.is_some()
    }

    pub fn odown(&self) -> bool {
        self.o_down_since.is_some()
    }

    pub fn addr_is(&self, host: &str, port: u16) -> bool {
        self.port == port && self.host.eq_ignore_ascii_case(host)
    }

    /// Redis's `sentinelRedisInstanceNoDownFor`.
    pub fn no_down_for(&self, period: Duration, now: Instant) -> bool {
        match self.s_down_since.max(self.o_down_since) {
            None => true,
            Some(since) => now.duration_since(since) > period,
        }
    }
}

pub struct Master {
    pub inst: Instance,
    pub quorum: u32,
    pub down_after: Duration,
    pub master_reboot_down_after: Duration,
    pub failover_timeout: Duration,
    pub parallel_syncs: u32,
    pub auth_pass: Option<String>,
    pub auth_user: Option<String>,
    pub config_epoch: u64,
    pub leader: Option<String>,
    pub leader_epoch: u64,
    pub failover_epoch: u64,
    pub failover_in_progress: bool,
    pub force_failover: bool,
    pub failover_state: FailoverState,
    pub failover_state_change_time: Option<Instant>,
    pub failover_start_time: Option<Instant>,
    /// After an election that nobody could win (every vote known, no majority): when this
    /// sentinel may try again, instead of twice failover-timeout after the last try.
    pub split_retry_at: Option<Instant>,
    /// Key of the replica being promoted.
    pub promoted: Option<String>,
    pub replicas: BTreeMap<String, Instance>,
    pub sentinels: BTreeMap<String, Instance>,
}

impl Master {
    /// The address clients should use: the promoted replica's once it has taken over.
    pub fn current_addr(&self) -> (&str, u16) {
        if self.failover_in_progress
            && self.failover_state >= FailoverState::ReconfSlaves
            && let Some(p) = self.promoted.as_ref().and_then(|k| self.replicas.get(k))
        {
            return (&p.host, p.port);
        }
        (&self.inst.host, self.inst.port)
    }

    pub fn desc(&self) -> String {
        format!(
            "master {} {} {}",
            self.inst.name, self.inst.host, self.inst.port
        )
    }

    /// `<type> <name> <ip> <port> @ <master> <ip> <port>` for a replica or sentinel.
    pub fn child_desc(&self, child: &Instance) -> String {
        let kind = match child.kind {
            Kind::Replica => "slave",
            Kind::Sentinel => "sentinel",
            Kind::Master => "master",
        };
        format!(
            "{kind} {} {} {} @ {} {} {}",
            child.name, child.host, child.port, self.inst.name, self.inst.host, self.inst.port
        )
    }

    pub fn instance(&self, kind: Kind, key: &str) -> Option<&Instance> {
        match kind {
            Kind::Master => Some(&self.inst),
            Kind::Replica => self.replicas.get(key),
            Kind::Sentinel => self.sentinels.get(key),
        }
    }

    pub fn instance_mut(&mut self, kind: Kind, key: &str) -> Option<&mut Instance> {
        match kind {
            Kind::Master => Some(&mut self.inst),
            Kind::Replica => self.replicas.get_mut(key),
            Kind::Sentinel => self.sentinels.get_mut(key),
        }
    }

    pub fn to_config(&self) -> MasterConfig {
        let (host, port) = self.current_addr();
        let mut config = MasterConfig::new(&self.inst.name, host, port, self.quorum);
        config.down_after_ms = self.down_after.as_millis() as u64;
        config.master_reboot_down_after_ms = self.master_reboot_down_after.as_millis() as u64;
        config.failover_timeout_ms = self.failover_timeout.as_millis() as u64;
        config.parallel_syncs = self.parallel_syncs;
        config.auth_pass = self.auth_pass.clone();
        config.auth_user = self.auth_user.clone();
        config.config_epoch = self.config_epoch;
        config.leader_epoch = self.leader_epoch;
        for r in self.replicas.values() {
            if !r.addr_is(host, port) {
                config.known_replicas.push((r.host.clone(), r.port));
            }
        }
        if !self.inst.addr_is(host, port) {
            config
                .known_replicas
                .push((self.inst.host.clone(), self.inst.port));
        }
        for s in self.sentinels.values() {
            if let Some(runid) = &s.runid {
                config
                    .known_sentinels
                    .push((s.host.clone(), s.port, runid.clone()));
            }
        }
        config
    }
}

/// An event for the sentinel's own pub/sub: the channel is the event name.
#[derive(Debug, Clone)]
pub struct Event {
    pub channel: String,
    pub payload: String,
}

/// Sentinel-wide values and the outlets every handler needs.
pub struct Ctx {
    pub myid: String,
    pub current_epoch: u64,
    pub tilt: bool,
    pub tilt_start: Instant,
    pub previous_time: std::time::SystemTime,
    pub announce_ip: Option<String>,
    pub announce_port: u16,
    pub sentinel_user: Option<String>,
    pub sentinel_pass: Option<String>,
    /// The port we listen on (announced unless announce-port is set).
    pub port: u16,
    pub requirepass: Option<String>,
    pub next_id: u64,
    /// The state changed in a way the config file records; flushed before the lock is released.
    pub dirty: bool,
    pub events: tokio::sync::broadcast::Sender<Event>,
    pub shared: Weak<Shared>,
}

impl Ctx {
    pub fn event(&self, channel: &str, payload: String) {
        tracing::warn!("{channel} {payload}");
        let _ = self.events.send(Event {
            channel: channel.to_string(),
            payload,
        });
    }

    pub fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn id8(&self) -> &str {
        self.myid.get(..8).unwrap_or(&self.myid)
    }
}

pub struct State {
    pub ctx: Ctx,
    pub masters: BTreeMap<String, Master>,
    /// The file-level settings, kept for rewrites.
    pub file: Config,
}

impl State {
    pub fn new(config: Config, port: u16, events: tokio::sync::broadcast::Sender<Event>) -> Self {
        let now = Instant::now();
        let myid = config.myid.clone().unwrap_or_else(random_hex_id);
        let mut ctx = Ctx {
            myid,
            current_epoch: config.current_epoch,
            tilt: false,
            tilt_start: now,
            previous_time: std::time::SystemTime::now(),
            announce_ip: config.announce_ip.clone(),
            announce_port: config.announce_port,
            sentinel_user: config.sentinel_user.clone(),
            sentinel_pass: config.sentinel_pass.clone(),
            port,
            requirepass: config.requirepass.clone(),
            next_id: 0,
            dirty: config.myid.is_none(),
            events,
            shared: Weak::new(),
        };
        let mut masters = BTreeMap::new();
        for m in &config.masters {
            let master = new_master(&mut ctx, m, now);
            masters.insert(m.name.clone(), master);
        }
        State {
            ctx,
            masters,
            file: config,
        }
    }

    /// The instance a task was started for, if it still exists.
    pub fn instance_mut(&mut self, target: &Target) -> Option<&mut Instance> {
        self.masters
            .get_mut(&target.master)?
            .instance_mut(target.kind, &target.key)
            .filter(|i| i.id == target.id)
    }

    /// Write the config file with the current state (Redis's `sentinelFlushConfig`).
    pub fn flush_config(&mut self) -> std::io::Result<()> {
        self.ctx.dirty = false;
        let mut file = self.file.clone();
        file.myid = Some(self.ctx.myid.clone());
        file.current_epoch = self.ctx.current_epoch;
        file.announce_ip = self.ctx.announce_ip.clone();
        file.announce_port = self.ctx.announce_port;
        file.sentinel_user = self.ctx.sentinel_user.clone();
        file.sentinel_pass = self.ctx.sentinel_pass.clone();
        file.masters = self.masters.values().map(Master::to_config).collect();
        let result = file.rewrite();
        if let Err(e) = &result {
            tracing::warn!(
                "WARNING: Sentinel was not able to save the new configuration on disk!!!: {e}"
            );
        }
        result
    }
}

pub fn new_master(ctx: &mut Ctx, m: &MasterConfig, now: Instant) -> Master {
    let id = ctx.new_id();
    let mut master = Master {
        inst: Instance::new(id, Kind::Master, m.name.clone(), &m.host, m.port, now),
        quorum: m.quorum,
        down_after: Duration::from_millis(m.down_after_ms),
        master_reboot_down_after: Duration::from_millis(m.master_reboot_down_after_ms),
        failover_timeout: Duration::from_millis(m.failover_timeout_ms),
        parallel_syncs: m.parallel_syncs,
        auth_pass: m.auth_pass.clone(),
        auth_user: m.auth_user.clone(),
        config_epoch: m.config_epoch,
        leader: None,
        leader_epoch: m.leader_epoch,
        failover_epoch: 0,
        failover_in_progress: false,
        force_failover: false,
        failover_state: FailoverState::None,
        failover_state_change_time: None,
        failover_start_time: None,
        split_retry_at: None,
        promoted: None,
        replicas: BTreeMap::new(),
        sentinels: BTreeMap::new(),
    };
    for (host, port) in &m.known_replicas {
        add_replica(ctx, &mut master, host, *port, now);
    }
    for (host, port, runid) in &m.known_sentinels {
        if *runid == ctx.myid {
            continue;
        }
        let id = ctx.new_id();
        let mut s = Instance::new(id, Kind::Sentinel, runid.clone(), host, *port, now);
        s.runid = Some(runid.clone());
        master.sentinels.insert(runid.clone(), s);
    }
    master
}

/// Add a replica unless known; true when it was new.
pub fn add_replica(
    ctx: &mut Ctx,
    master: &mut Master,
    host: &str,
    port: u16,
    now: Instant,
) -> bool {
    let key = format!("{host}:{port}");
    if master.replicas.contains_key(&key) {
        return false;
    }
    let id = ctx.new_id();
    master.replicas.insert(
        key.clone(),
        Instance::new(id, Kind::Replica, key, host, port, now),
    );
    true
}

pub fn random_hex_id() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..crate::RUN_ID_SIZE)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

pub fn ms_since(t: Option<Instant>, now: Instant) -> u64 {
    t.map_or(u64::MAX / 2, |t| {
        now.saturating_duration_since(t).as_millis() as u64
    })
}

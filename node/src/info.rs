//! INFO: the sections, field names and formats of Redis 7.0, from the node's real figures.
//! Fields for features the node does not have yet (persistence, replicas) show the honest
//! state of a server without them; fields the node cannot measure are left out.

use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::server::{Server, Store};

pub const REDIS_VERSION: &str = "7.0.15";

/// Error replies by code (`ERR`, `WRONGTYPE` ...), for INFO errorstats.
#[derive(Debug, Default)]
pub struct ErrorStats {
    by_code: Vec<(String, u64)>,
    pub total: u64,
}

/// Redis stops tracking new codes past this many, so that random codes cannot grow memory.
const ERROR_CODES_MAX: usize = 128;

impl ErrorStats {
    pub fn record(&mut self, text: &str) {
        self.total += 1;
        let text = text.strip_prefix('-').unwrap_or(text);
        let code = text.split(' ').next().unwrap_or(text);
        if let Some((_, n)) = self.by_code.iter_mut().find(|(c, _)| c == code) {
            *n += 1;
        } else if self.by_code.len() < ERROR_CODES_MAX {
            self.by_code.push((code.to_string(), 1));
        }
    }

    pub fn reset(&mut self) {
        *self = ErrorStats::default();
    }
}

const METRIC_SAMPLES: usize = 16;
const METRIC_PERIOD_MS: u64 = 100;

/// One instantaneous metric: the average rate over the last 16 samples taken every 100 ms.
#[derive(Debug, Default)]
struct Metric {
    last_value: u64,
    samples: [u64; METRIC_SAMPLES],
    index: usize,
}

impl Metric {
    fn sample(&mut self, value: u64, elapsed_ms: u64) {
        let delta = value.saturating_sub(self.last_value);
        self.samples[self.index] = delta * 1000 / elapsed_ms.max(1);
        self.index = (self.index + 1) % METRIC_SAMPLES;
        self.last_value = value;
    }

    fn rate(&self) -> u64 {
        self.samples.iter().sum::<u64>() / METRIC_SAMPLES as u64
    }
}

#[derive(Debug, Default)]
pub struct InstantMetrics {
    last_ms: u64,
    ops: Metric,
    net_input: Metric,
    net_output: Metric,
}

impl InstantMetrics {
    pub fn reset(&mut self) {
        *self = InstantMetrics::default();
    }
}

/// Periodic sampling of the instantaneous metrics (called from the server cron).
pub fn cron(server: &Server, now_ms: u64) {
    let ops = server
        .stats
        .total_commands_processed
        .load(Ordering::Relaxed);
    let input = server.stats.net_input_bytes.load(Ordering::Relaxed);
    let output = server.stats.net_output_bytes.load(Ordering::Relaxed);
    let mut store = server.store.lock();
    let m = &mut store.metrics;
    if m.last_ms == 0 {
        m.last_ms = now_ms;
        m.ops.last_value = ops;
        m.net_input.last_value = input;
        m.net_output.last_value = output;
        return;
    }
    let elapsed = now_ms.saturating_sub(m.last_ms);
    if elapsed < METRIC_PERIOD_MS {
        return;
    }
    m.ops.sample(ops, elapsed);
    m.net_input.sample(input, elapsed);
    m.net_output.sample(output, elapsed);
    m.last_ms = now_ms;
    // Keeps used_memory_peak current (the refresh records the peak).
    store.evict.memory.refresh(now_ms);
}

const SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "commandstats",
    "errorstats",
    "cluster",
    "keyspace",
];

const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "errorstats",
    "cluster",
    "keyspace",
];

/// Which sections `INFO <args>` asks for (Redis's `genInfoSectionDict`).
fn selected_sections(args: &[Bytes]) -> Vec<&'static str> {
    if args.is_empty() {
        return DEFAULT_SECTIONS.to_vec();
    }
    let mut wanted: Vec<&'static str> = Vec::new();
    for arg in args {
        let arg = String::from_utf8_lossy(arg).to_ascii_lowercase();
        let add: &[&'static str] = match arg.as_str() {
            "default" => DEFAULT_SECTIONS,
            "all" | "everything" => SECTIONS,
            "modules" => &["module_list"],
            other => match SECTIONS.iter().find(|s| **s == other) {
                Some(s) => std::slice::from_ref(s),
                None => &[],
            },
        };
        for s in add {
            if !wanted.contains(s) {
                wanted.push(s);
            }
        }
    }
    SECTIONS
        .iter()
        .copied()
        .filter(|s| wanted.contains(s))
        .collect()
}

/// The INFO text for `args` (section names), `\r\n`-separated as Redis writes it.
pub fn generate(server: &Server, store: &mut Store, args: &[Bytes], now_ms: u64) -> String {
    let mut out = String::with_capacity(4096);
    for (i, section) in selected_sections(args).into_iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        match section {
            "server" => server_section(&mut out, server, store, now_ms),
            "clients" => clients_section(&mut out, server, store),
            "memory" => memory_section(&mut out, store, now_ms),
            "persistence" => persistence_section(&mut out, store),
            "stats" => stats_section(&mut out, server, store),
            "replication" => replication_section(&mut out, store),
            "cpu" => cpu_section(&mut out),
            "module_list" => out.push_str("# Modules\r\n"),
            "commandstats" => commandstats_section(&mut out, store),
            "errorstats" => errorstats_section(&mut out, store),
            "cluster" => out.push_str("# Cluster\r\ncluster_enabled:0\r\n"),
            _ => keyspace_section(&mut out, store, now_ms),
        }
    }
    out
}

macro_rules! line {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
        $out.push_str("\r\n");
    }};
}

fn server_section(out: &mut String, server: &Server, store: &Store, now_ms: u64) {
    let uptime = server.started.elapsed().as_secs();
    let server_time_usec = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    let executable = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let config_file = store
        .config
        .config_file
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    out.push_str("# Server\r\n");
    line!(out, "redis_version:{REDIS_VERSION}");
    line!(out, "redis_git_sha1:00000000");
    line!(out, "redis_git_dirty:0");
    line!(out, "redis_mode:standalone");
    line!(out, "os:{}", os_name());
    line!(out, "arch_bits:{}", usize::BITS);
    line!(out, "monotonic_clock:POSIX clock_gettime");
    line!(out, "multiplexing_api:epoll");
    line!(out, "process_id:{}", std::process::id());
    line!(out, "process_supervised:no");
    line!(out, "run_id:{}", server.run_id);
    line!(out, "tcp_port:{}", server.port);
    line!(out, "server_time_usec:{server_time_usec}");
    line!(out, "uptime_in_seconds:{uptime}");
    line!(out, "uptime_in_days:{}", uptime / 86400);
    line!(out, "hz:{}", store.config.hz);
    line!(out, "configured_hz:{}", store.config.hz);
    line!(out, "lru_clock:{}", crate::evict::lru_clock(now_ms));
    line!(out, "executable:{executable}");
    line!(out, "config_file:{config_file}");
    line!(out, "io_threads_active:0");
}

fn os_name() -> String {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    format!(
        "{} {} {}",
        read("/proc/sys/kernel/ostype"),
        read("/proc/sys/kernel/osrelease"),
        std::env::consts::ARCH
    )
}

fn clients_section(out: &mut String, server: &Server, store: &Store) {
    out.push_str("# Clients\r\n");
    line!(
        out,
        "connected_clients:{}",
        server.stats.connected_clients.load(Ordering::Relaxed)
    );
    line!(out, "cluster_connections:0");
    line!(out, "maxclients:{}", store.config.maxclients);
    line!(out, "blocked_clients:{}", store.blocking.blocked_clients);
    line!(out, "tracking_clients:0");
}

/// Redis's `bytesToHuman`.
pub fn bytes_to_human(n: u64) -> String {
    const UNITS: [(u64, &str); 5] = [
        (1 << 10, "K"),
        (1 << 20, "M"),
        (1 << 30, "G"),
        (1 << 40, "T"),
        (1 << 50, "P"),
    ];
    if n < 1024 {
        return format!("{n}B");
    }
    for (size, unit) in UNITS {
        if n < size * 1024 {
            return format!("{:.2}{unit}", n as f64 / size as f64);
        }
    }
    format!("{n}B")
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Resident set size from /proc/self/status (kB there).
pub fn rss_bytes() -> u64 {
    proc_status_kb("/proc/self/status", "VmRSS:")
}

fn proc_status_kb(path: &str, field: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn memory_section(out: &mut String, store: &mut Store, now_ms: u64) {
    let used = store.evict.memory.refresh(now_ms);
    let alloc = crate::evict::allocator_stats();
    let peak = store.evict.memory.peak.max(used);
    let rss = rss_bytes();
    let total_system = proc_status_kb("/proc/meminfo", "MemTotal:");
    let maxmemory = store.config.maxmemory;
    let startup = store.evict.memory.startup;
    out.push_str("# Memory\r\n");
    line!(out, "used_memory:{used}");
    line!(out, "used_memory_human:{}", bytes_to_human(used));
    line!(out, "used_memory_rss:{rss}");
    line!(out, "used_memory_rss_human:{}", bytes_to_human(rss));
    line!(out, "used_memory_peak:{peak}");
    line!(out, "used_memory_peak_human:{}", bytes_to_human(peak));
    line!(
        out,
        "used_memory_peak_perc:{:.2}%",
        ratio(used, peak) * 100.0
    );
    line!(out, "used_memory_startup:{startup}");
    line!(out, "allocator_allocated:{}", alloc.allocated);
    line!(out, "allocator_active:{}", alloc.active);
    line!(out, "allocator_resident:{}", alloc.resident);
    line!(out, "total_system_memory:{total_system}");
    line!(
        out,
        "total_system_memory_human:{}",
        bytes_to_human(total_system)
    );
    line!(out, "maxmemory:{maxmemory}");
    line!(out, "maxmemory_human:{}", bytes_to_human(maxmemory));
    line!(
        out,
        "maxmemory_policy:{}",
        store.config.maxmemory_policy.name()
    );
    line!(
        out,
        "allocator_frag_ratio:{:.2}",
        ratio(alloc.active, alloc.allocated)
    );
    line!(
        out,
        "allocator_frag_bytes:{}",
        alloc.active as i64 - alloc.allocated as i64
    );
    line!(
        out,
        "allocator_rss_ratio:{:.2}",
        ratio(alloc.resident, alloc.active)
    );
    line!(
        out,
        "allocator_rss_bytes:{}",
        alloc.resident as i64 - alloc.active as i64
    );
    line!(out, "rss_overhead_ratio:{:.2}", ratio(rss, alloc.resident));
    line!(
        out,
        "rss_overhead_bytes:{}",
        rss as i64 - alloc.resident as i64
    );
    line!(out, "mem_fragmentation_ratio:{:.2}", ratio(rss, used));
    line!(out, "mem_fragmentation_bytes:{}", rss as i64 - used as i64);
    line!(out, "mem_not_counted_for_evict:0");
    line!(out, "mem_replication_backlog:0");
    line!(out, "mem_total_replication_buffers:0");
    line!(out, "mem_clients_slaves:0");
    line!(out, "mem_cluster_links:0");
    line!(out, "mem_aof_buffer:0");
    line!(out, "mem_allocator:{}", crate::evict::allocator_name());
    line!(out, "active_defrag_running:0");
    line!(out, "lazyfree_pending_objects:0");
    line!(out, "lazyfreed_objects:0");
}

fn persistence_section(out: &mut String, store: &Store) {
    out.push_str("# Persistence\r\n");
    let p = &store.persist;
    line!(out, "loading:{}", p.loading.is_some() as u8);
    line!(out, "async_loading:0");
    line!(out, "current_cow_peak:0");
    line!(out, "current_cow_size:0");
    line!(out, "current_cow_size_age:0");
    line!(out, "current_fork_perc:0.00");
    line!(
        out,
        "current_save_keys_processed:{}",
        if p.bgsave.is_some() {
            p.snapshot_keys_written
        } else {
            0
        }
    );
    line!(
        out,
        "current_save_keys_total:{}",
        p.bgsave.map_or(0, |b| b.keys_total)
    );
    line!(out, "rdb_changes_since_last_save:{}", store.dirty);
    // As Redis's `child_type == CHILD_TYPE_RDB`: a BGSAVE, or a replication snapshot, until
    // its walk is over (a BGSAVE whose writer failed early included), not an AOF rewrite's.
    let rdb_child = p.bgsave.is_some() || (p.snapshot_running() && store.aof.rewrite.is_none());
    line!(out, "rdb_bgsave_in_progress:{}", rdb_child as u8);
    line!(out, "rdb_last_save_time:{}", p.lastsave);
    line!(
        out,
        "rdb_last_bgsave_status:{}",
        if p.last_bgsave_ok { "ok" } else { "err" }
    );
    line!(out, "rdb_last_bgsave_time_sec:{}", p.last_bgsave_time_sec);
    line!(
        out,
        "rdb_current_bgsave_time_sec:{}",
        p.bgsave
            .map_or(-1, |b| b.started.elapsed().as_secs() as i64)
    );
    line!(out, "rdb_saves:{}", p.rdb_saves);
    line!(out, "rdb_last_cow_size:0");
    line!(
        out,
        "rdb_last_load_keys_expired:{}",
        p.last_load_keys_expired
    );
    line!(out, "rdb_last_load_keys_loaded:{}", p.last_load_keys_loaded);
    crate::aof::info(out, store);
    if let Some(l) = &p.loading {
        let elapsed = l.started.elapsed().as_secs_f64();
        let perc = if l.total_bytes == 0 {
            0.0
        } else {
            l.loaded_bytes as f64 * 100.0 / l.total_bytes as f64
        };
        let eta = if l.loaded_bytes == 0 {
            1
        } else {
            ((l.total_bytes - l.loaded_bytes.min(l.total_bytes)) as f64 * elapsed
                / l.loaded_bytes as f64) as u64
        };
        line!(out, "loading_start_time:{}", l.started_unix);
        line!(out, "loading_total_bytes:{}", l.total_bytes);
        line!(out, "loading_rdb_used_mem:0");
        line!(out, "loading_loaded_bytes:{}", l.loaded_bytes);
        line!(out, "loading_loaded_perc:{perc:.2}");
        line!(out, "loading_eta_seconds:{eta}");
    }
}

fn stats_section(out: &mut String, server: &Server, store: &Store) {
    let s = &server.stats;
    let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    let expired: u64 = store.dbs.iter().map(|d| d.expired_keys).sum();
    let hits: u64 = store.dbs.iter().map(|d| d.hits).sum();
    let misses: u64 = store.dbs.iter().map(|d| d.misses).sum();
    let m = &store.metrics;
    out.push_str("# Stats\r\n");
    line!(
        out,
        "total_connections_received:{}",
        load(&s.total_connections_received)
    );
    line!(
        out,
        "total_commands_processed:{}",
        load(&s.total_commands_processed)
    );
    line!(out, "instantaneous_ops_per_sec:{}", m.ops.rate());
    line!(out, "total_net_input_bytes:{}", load(&s.net_input_bytes));
    line!(out, "total_net_output_bytes:{}", load(&s.net_output_bytes));
    line!(out, "total_net_repl_input_bytes:0");
    line!(out, "total_net_repl_output_bytes:0");
    line!(
        out,
        "instantaneous_input_kbps:{:.2}",
        m.net_input.rate() as f64 / 1024.0
    );
    line!(
        out,
        "instantaneous_output_kbps:{:.2}",
        m.net_output.rate() as f64 / 1024.0
    );
    line!(out, "instantaneous_input_repl_kbps:0.00");
    line!(out, "instantaneous_output_repl_kbps:0.00");
    line!(
        out,
        "rejected_connections:{}",
        load(&s.rejected_connections)
    );
    line!(out, "sync_full:{}", store.stats_sync_full);
    line!(out, "sync_partial_ok:{}", store.stats_sync_partial_ok);
    line!(out, "sync_partial_err:{}", store.stats_sync_partial_err);
    line!(out, "expired_keys:{expired}");
    line!(out, "evicted_keys:{}", store.evict.evicted_keys);
    line!(out, "evicted_clients:0");
    line!(out, "keyspace_hits:{hits}");
    line!(out, "keyspace_misses:{misses}");
    line!(out, "latest_fork_usec:0");
    line!(out, "total_forks:0");
    line!(out, "migrate_cached_sockets:0");
    line!(out, "slave_expires_tracked_keys:0");
    line!(out, "tracking_total_keys:0");
    line!(out, "tracking_total_items:0");
    line!(out, "tracking_total_prefixes:0");
    line!(out, "unexpected_error_replies:0");
    line!(out, "total_error_replies:{}", store.errors.total);
    line!(out, "dump_payload_sanitizations:0");
}

fn replication_section(out: &mut String, store: &Store) {
    out.push_str("# Replication\r\n");
    crate::replication::info(out, store, crate::server::unix_ms());
}

/// (user, system, children user, children system) CPU seconds from /proc/self/stat.
fn cpu_times() -> (f64, f64, f64, f64) {
    // Linux reports these in USER_HZ ticks, 100 per second for every userspace ABI.
    const TICKS_PER_SECOND: f64 = 100.0;
    let text = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name is in parentheses and may contain spaces: count from after it.
    let rest = text.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<f64> = rest
        .split_whitespace()
        .map(|f| f.parse::<f64>().unwrap_or(0.0))
        .collect();
    let get = |i: usize| fields.get(i).copied().unwrap_or(0.0) / TICKS_PER_SECOND;
    (get(11), get(12), get(13), get(14))
}

fn cpu_section(out: &mut String) {
    let (user, sys, cuser, csys) = cpu_times();
    out.push_str("# CPU\r\n");
    line!(out, "used_cpu_sys:{sys:.6}");
    line!(out, "used_cpu_user:{user:.6}");
    line!(out, "used_cpu_sys_children:{csys:.6}");
    line!(out, "used_cpu_user_children:{cuser:.6}");
}

fn commandstats_section(out: &mut String, store: &Store) {
    out.push_str("# Commandstats\r\n");
    for cmd in wire::command::all_executable() {
        let s = &store.command_stats[cmd.id as usize];
        if s.calls == 0 && s.failed_calls == 0 && s.rejected_calls == 0 {
            continue;
        }
        let per_call = if s.calls == 0 {
            0.0
        } else {
            s.usec as f64 / s.calls as f64
        };
        line!(
            out,
            "cmdstat_{}:calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}",
            cmd.name,
            s.calls,
            s.usec,
            s.rejected_calls,
            s.failed_calls
        );
    }
}

fn errorstats_section(out: &mut String, store: &Store) {
    out.push_str("# Errorstats\r\n");
    for (code, count) in &store.errors.by_code {
        line!(out, "errorstat_{code}:count={count}");
    }
}

fn keyspace_section(out: &mut String, store: &Store, now_ms: u64) {
    out.push_str("# Keyspace\r\n");
    for (i, db) in store.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        line!(
            out,
            "db{i}:keys={},expires={},avg_ttl={}",
            db.len(),
            db.expires_len(),
            average_ttl(db, now_ms)
        );
    }
}

/// Average time to live (ms) of the keys with an expiry, estimated from a sample as Redis
/// estimates it from the keys its expiry cycle looks at.
fn average_ttl(db: &crate::keyspace::Db, now_ms: u64) -> u64 {
    let sample = crate::evict::sample(db, true, 64);
    let ttls: Vec<u64> = sample
        .iter()
        .filter_map(|e| e.expire_at())
        .filter(|&at| at > now_ms)
        .map(|at| at - now_ms)
        .collect();
    if ttls.is_empty() {
        0
    } else {
        ttls.iter().sum::<u64>() / ttls.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes() {
        assert_eq!(bytes_to_human(0), "0B");
        assert_eq!(bytes_to_human(1023), "1023B");
        assert_eq!(bytes_to_human(1015344), "991.55K");
        assert_eq!(bytes_to_human(7155712), "6.82M");
        assert_eq!(bytes_to_human(25276518400), "23.54G");
    }

    #[test]
    fn section_selection() {
        let b = |s: &str| Bytes::from(s.to_string());
        assert_eq!(selected_sections(&[]), DEFAULT_SECTIONS);
        assert_eq!(
            selected_sections(&[b("KEYSPACE"), b("server")]),
            ["server", "keyspace"]
        );
        assert!(selected_sections(&[b("all")]).contains(&"commandstats"));
        assert!(selected_sections(&[b("nosuch")]).is_empty());
        assert_eq!(
            selected_sections(&[b("default"), b("commandstats")]).len(),
            DEFAULT_SECTIONS.len() + 1
        );
    }

    #[test]
    fn error_codes() {
        let mut e = ErrorStats::default();
        e.record("ERR x");
        e.record("-WRONGTYPE y");
        e.record("ERR z");
        assert_eq!(e.total, 3);
        assert_eq!(e.by_code, vec![("ERR".into(), 2), ("WRONGTYPE".into(), 1)]);
    }
}

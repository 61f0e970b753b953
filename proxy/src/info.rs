//! `INFO` at the proxy: its own sections (server, clients, backends, routing).

use std::fmt::{Display, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;

use crate::Process;
use crate::topology::Group;

const SECTIONS: &[&str] = &["server", "clients", "backends", "routing"];

pub fn render(group: &Group, process: &Process, section: Option<&Bytes>) -> String {
    let wanted = section
        .map(|s| String::from_utf8_lossy(s).to_ascii_lowercase())
        .filter(|s| s != "all" && s != "default" && s != "everything");
    let mut out = String::new();
    for name in SECTIONS {
        if wanted.as_deref().is_some_and(|w| w != *name) {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        match *name {
            "server" => server(&mut out, group, process),
            "clients" => clients(&mut out, process),
            "backends" => backends(&mut out, group),
            _ => routing(&mut out, group),
        }
    }
    out
}

/// A section: its title, then `name:value` lines.
fn section(out: &mut String, title: &str, fields: &[(&str, &dyn Display)]) {
    let _ = write!(out, "# {title}\r\n");
    for (name, value) in fields {
        let _ = write!(out, "{name}:{value}\r\n");
    }
}

fn load(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

fn server(out: &mut String, group: &Group, process: &Process) {
    let settings = group.settings.load();
    let policy = format!("{:?}", settings.read_policy);
    section(
        out,
        "Server",
        &[
            ("switchyard_version", &env!("CARGO_PKG_VERSION")),
            ("redis_version", &"7.0.15"),
            ("redis_mode", &"proxy"),
            ("process_id", &std::process::id()),
            ("group", &group.name),
            ("tcp_port", &settings.address.port()),
            ("uptime_in_seconds", &process.started.elapsed().as_secs()),
            ("read_policy", &policy),
        ],
    );
}

fn clients(out: &mut String, process: &Process) {
    let config = process.config.load();
    section(
        out,
        "Clients",
        &[
            (
                "connected_clients",
                &process.clients.load(Ordering::Relaxed),
            ),
            ("maxclients", &config.max_clients),
            (
                "total_connections_received",
                &load(&process.total_connections),
            ),
            ("rejected_connections", &load(&process.rejected_connections)),
            (
                "client_output_buffer_limit",
                &config.client_output_buffer_limit,
            ),
        ],
    );
}

fn backends(out: &mut String, group: &Group) {
    let topology = group.topology.load();
    let master = topology.master.as_ref().map(|b| b.addr);
    let master_text = master.map_or_else(|| "none".to_string(), |a| a.to_string());
    section(
        out,
        "Backends",
        &[
            ("master", &master_text),
            ("replicas", &topology.replicas.len()),
        ],
    );
    for (i, backend) in group.backends().iter().enumerate() {
        let s = &backend.stats;
        let serving = if Some(backend.addr) == master {
            "master"
        } else if topology
            .replicas
            .iter()
            .any(|r| r.backend.addr == backend.addr)
        {
            "replica"
        } else {
            "none"
        };
        let _ = write!(
            out,
            "backend{i}:addr={},serving={serving},role={},healthy={},lag_bytes={},offset={},behind_ms={},latency_us={},requests={},errors={},connections={},connects={},connect_failures={}\r\n",
            backend.addr,
            s.role().name(),
            u8::from(backend.is_healthy()),
            s.lag_bytes.load(Ordering::Relaxed),
            s.offset.load(Ordering::Relaxed),
            behind_ms(backend),
            load(&s.latency_us),
            load(&s.requests),
            load(&s.errors),
            load(&s.open_connections),
            load(&s.connects),
            load(&s.connect_failures),
        );
    }
}

/// Milliseconds since a replica last had everything the master had (-1: unknown).
fn behind_ms(backend: &crate::backend::Backend) -> i64 {
    match backend.stats.caught_up_at.load(Ordering::Relaxed) {
        0 => -1,
        at => (crate::offsets::now_ns().saturating_sub(at) / 1_000_000) as i64,
    }
}

fn routing(out: &mut String, group: &Group) {
    let s = &group.stats;
    section(
        out,
        "Routing",
        &[
            ("writes", &load(&s.writes)),
            ("reads_to_master", &load(&s.reads_to_master)),
            ("reads_to_replicas", &load(&s.reads_to_replicas)),
            ("answered_locally", &load(&s.answered_locally)),
            ("leases", &load(&s.leased)),
            ("rejected_commands", &load(&s.rejected)),
            ("backend_errors", &load(&s.backend_errors)),
            ("topology_changes", &load(&s.topology_refreshes)),
            ("failovers_followed", &load(&s.failovers_followed)),
            ("config_epoch", &group.config_epoch.load(Ordering::Relaxed)),
            ("held", &load(&s.held)),
            ("hold_expired", &load(&s.hold_expired)),
            ("held_bytes", &group.held_bytes.load(Ordering::Relaxed)),
            ("stale_skips", &load(&s.stale_skips)),
        ],
    );
}

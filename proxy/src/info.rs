//! `INFO` at the proxy: its own sections (server, clients, backends, routing).

use std::fmt::Write;
use std::sync::atomic::Ordering;

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

fn server(out: &mut String, group: &Group, process: &Process) {
    let settings = group.settings.load();
    let _ = write!(
        out,
        "# Server\r\nswitchyard_version:{}\r\nredis_version:7.0.15\r\nredis_mode:proxy\r\nprocess_id:{}\r\ngroup:{}\r\ntcp_port:{}\r\nuptime_in_seconds:{}\r\nread_policy:{:?}\r\n",
        env!("CARGO_PKG_VERSION"),
        std::process::id(),
        group.name,
        settings.address.port(),
        process.started.elapsed().as_secs(),
        settings.read_policy,
    );
}

fn clients(out: &mut String, process: &Process) {
    let config = process.config.load();
    let _ = write!(
        out,
        "# Clients\r\nconnected_clients:{}\r\nmaxclients:{}\r\ntotal_connections_received:{}\r\nrejected_connections:{}\r\nclient_output_buffer_limit:{}\r\n",
        process.clients.load(Ordering::Relaxed),
        config.max_clients,
        process.total_connections.load(Ordering::Relaxed),
        process.rejected_connections.load(Ordering::Relaxed),
        config.client_output_buffer_limit,
    );
}

fn backends(out: &mut String, group: &Group) {
    let topology = group.topology.load();
    out.push_str("# Backends\r\n");
    let master = topology.master.as_ref().map(|b| b.addr);
    let _ = write!(
        out,
        "master:{}\r\nreplicas:{}\r\n",
        master.map_or_else(|| "none".to_string(), |a| a.to_string()),
        topology.replicas.len()
    );
    for (i, backend) in group.backends().iter().enumerate() {
        let s = &backend.stats;
        let in_topology = if Some(backend.addr) == master {
            "master"
        } else if topology.replicas.iter().any(|r| r.backend.addr == backend.addr) {
            "replica"
        } else {
            "none"
        };
        let _ = write!(
            out,
            "backend{i}:addr={},serving={},role={},healthy={},lag_bytes={},latency_us={},requests={},errors={},connections={},connects={},connect_failures={}\r\n",
            backend.addr,
            in_topology,
            s.role().name(),
            u8::from(backend.is_healthy()),
            s.lag_bytes.load(Ordering::Relaxed),
            s.latency_us.load(Ordering::Relaxed),
            s.requests.load(Ordering::Relaxed),
            s.errors.load(Ordering::Relaxed),
            s.open_connections.load(Ordering::Relaxed),
            s.connects.load(Ordering::Relaxed),
            s.connect_failures.load(Ordering::Relaxed),
        );
    }
}

fn routing(out: &mut String, group: &Group) {
    let s = &group.stats;
    let _ = write!(
        out,
        "# Routing\r\nwrites:{}\r\nreads_to_master:{}\r\nreads_to_replicas:{}\r\nanswered_locally:{}\r\nleases:{}\r\nrejected_commands:{}\r\nbackend_errors:{}\r\ntopology_changes:{}\r\nfailovers_followed:{}\r\n",
        s.writes.load(Ordering::Relaxed),
        s.reads_to_master.load(Ordering::Relaxed),
        s.reads_to_replicas.load(Ordering::Relaxed),
        s.answered_locally.load(Ordering::Relaxed),
        s.leased.load(Ordering::Relaxed),
        s.rejected.load(Ordering::Relaxed),
        s.backend_errors.load(Ordering::Relaxed),
        s.topology_refreshes.load(Ordering::Relaxed),
        s.failovers_followed.load(Ordering::Relaxed),
    );
}

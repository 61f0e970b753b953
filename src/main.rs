//! `switchyard`: argument parsing and hand-off to the components.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Parser, Subcommand};

mod demo;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, reload};

#[derive(Parser)]
#[command(
    name = "switchyard",
    version,
    about = "Redis proxy and smart router, with a Redis-compatible node and a Sentinel-compatible monitor"
)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Run a Redis 7-compatible storage node.
    ///
    /// Takes an optional redis.conf-format file, then redis-server-style flags that override
    /// it, with the same directive names (flags are read as lines appended to the file):
    ///
    ///   switchyard node node.conf --port 7000 --requirepass secret --bind 127.0.0.1 ::1
    ///
    /// Listens on every `bind` address (default 127.0.0.1 and, if available, ::1; a leading
    /// `-` marks an address that may be unavailable, `*` means every IPv4 address and `::*`
    /// every IPv6 one) on `port` (default 6379). An unknown or malformed directive stops
    /// start-up with an error naming the line. `loglevel` and `logfile` direct the log
    /// (RUST_LOG overrides the level), `pidfile` gets the process id. CONFIG REWRITE writes
    /// changes back to the file. SIGTERM and SIGINT shut down gracefully.
    #[command(verbatim_doc_comment)]
    Node {
        /// An optional redis.conf-format file, then directives as `--name value [value ...]`.
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "[FILE] [--DIRECTIVE VALUE]"
        )]
        args: Vec<String>,
    },
    /// Run a Redis Sentinel 7-compatible monitor.
    ///
    /// Takes a sentinel.conf (required: the sentinel saves its state there), then
    /// redis-sentinel-style flags read as lines appended to it:
    ///
    ///   switchyard sentinel sentinel.conf --port 26380
    ///
    /// Listens on every `bind` address (default 127.0.0.1) on `port` (default 26379). The
    /// file is rewritten atomically whenever the sentinel learns or decides something.
    /// SIGTERM and SIGINT shut down gracefully.
    #[command(verbatim_doc_comment)]
    Sentinel {
        /// The sentinel.conf file, then directives as `--name value [value ...]`.
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "FILE [--DIRECTIVE VALUE]"
        )]
        args: Vec<String>,
    },
    /// Run the proxy: each listener serves one master group, sending writes to its master and
    /// reads to replicas, with the topology from a static list or from Sentinel. Every setting
    /// is documented, with its default, in examples/proxy.toml. SIGHUP reloads the file;
    /// SIGTERM and SIGINT stop it. RUST_LOG sets the log level (default info).
    #[command(verbatim_doc_comment)]
    Proxy {
        /// The TOML configuration file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Start a full local deployment on loopback: a master and two replicas (our node), three
    /// sentinels and the proxy in front of them, each a child process of this binary, so any of
    /// them can be killed by hand (kill -9 the master to see a failover). Prints the addresses
    /// and process ids, then the sentinels' events and the proxy's master as they change.
    /// Ctrl-C (or SIGTERM) stops every child with SIGTERM and removes the files.
    #[command(verbatim_doc_comment)]
    Demo {
        /// The proxy's port on 127.0.0.1 (0: any free port). The other processes take free ports.
        #[arg(long, default_value_t = 6380)]
        port: u16,
        /// Keep configs and logs in this directory (created if missing, never removed).
        /// Default: a new directory under the system's temporary directory, removed on exit.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Keep the default temporary directory on exit.
        #[arg(long)]
        keep: bool,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Commands::Node { args } => {
            let (config, directives) = split_config_file(args);
            run_node(config, directives)
        }
        Commands::Sentinel { args } => {
            let (config, directives) = split_config_file(args);
            run_sentinel(config, directives)
        }
        Commands::Proxy { config } => run_proxy(&config),
        Commands::Demo { port, dir, keep } => run_demo(demo::Options {
            proxy_port: port,
            dir,
            keep,
        }),
    }
}

fn run_demo(options: demo::Options) -> std::process::ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    exit_code(runtime.block_on(demo::run(options, termination_signal())))
}

fn run_sentinel(config_path: Option<PathBuf>, directives: Vec<String>) -> std::process::ExitCode {
    let Some(path) = config_path else {
        eprintln!("Sentinel needs config file on disk to save state. Exiting...");
        return std::process::ExitCode::FAILURE;
    };
    let config = match sentinel::Config::from_file_and_args(&path, &directives) {
        Ok(c) => c,
        Err(err) => {
            eprintln!("{err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let process = match Process::launch(config.dir.as_deref(), |name| {
        config.get(name).unwrap_or_default()
    }) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Some(dir) = &config.dir
        && let Err(e) = std::env::set_current_dir(dir)
    {
        eprintln!("Can't chdir to '{}': {}", dir.display(), os_error(&e));
        return std::process::ExitCode::FAILURE;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let process = &process;
    let code = runtime.block_on(async move {
        // One listening address: the first `bind` entry (default 127.0.0.1).
        let host = config
            .bind
            .first()
            .map_or("127.0.0.1", |h| h.trim_start_matches('-'));
        let first = match host.parse::<std::net::IpAddr>() {
            Ok(ip) => match listen(SocketAddr::new(ip, config.port), 511) {
                Ok(l) => l,
                Err(e) => {
                    let err = format!(
                        "Warning: Could not create server TCP listening socket {host}:{}: {}\nFailed listening on port {} (TCP), aborting.",
                        config.port,
                        os_error(&e),
                        config.port
                    );
                    tracing::error!("{err}");
                    eprintln!("{err}");
                    return std::process::ExitCode::FAILURE;
                }
            },
            Err(_) => {
                let err = format!(
                    "Could not create server TCP listening socket {host}:{}: Name or service not known",
                    config.port
                );
                tracing::error!("{err}");
                eprintln!("{err}");
                return std::process::ExitCode::FAILURE;
            }
        };
        process.ready();
        tracing::warn!(port = config.port, "Sentinel ready to accept connections");
        exit_code(sentinel::run(config, first, termination_signal()).await)
    });
    process.stop();
    code
}

fn run_proxy(path: &std::path::Path) -> std::process::ExitCode {
    let config = match proxy::Config::from_file(path) {
        Ok(c) => c,
        Err(err) => {
            eprintln!("{err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .init();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if config.threads > 0 {
        builder.worker_threads(config.threads);
    }
    let runtime = builder.enable_all().build().expect("tokio runtime");
    runtime.block_on(async move {
        let mut listeners = Vec::new();
        for l in &config.listeners {
            match tokio::net::TcpListener::bind(l.address).await {
                Ok(listener) => listeners.push(listener),
                Err(e) => {
                    eprintln!("Could not listen on {}: {}", l.address, os_error(&e));
                    return std::process::ExitCode::FAILURE;
                }
            }
        }
        exit_code(proxy::run(config, listeners, termination_signal()).await)
    })
}

/// redis-server's convention: a first argument that is not a flag names the config file.
fn split_config_file(mut args: Vec<String>) -> (Option<PathBuf>, Vec<String>) {
    match args.first() {
        Some(first) if !first.starts_with("--") => {
            let file = args.remove(0);
            (Some(PathBuf::from(file)), args)
        }
        _ => (None, args),
    }
}

/// Log to standard error or `logfile` (appended to, as Redis does), at `loglevel` unless
/// RUST_LOG says otherwise; CONFIG SET loglevel changes the node's level at runtime.
fn init_logging(loglevel: &str, logfile: &str) -> Result<(), String> {
    let level = node::config::LogLevel::ALL
        .into_iter()
        .find(|l| l.name() == loglevel)
        .unwrap_or(node::config::LogLevel::Notice);
    let from_env = std::env::var("RUST_LOG").is_ok();
    let filter = if from_env {
        EnvFilter::from_default_env()
    } else {
        EnvFilter::new(level.tracing_filter())
    };
    let (filter, handle) = reload::Layer::new(filter);
    let registry = tracing_subscriber::registry().with(filter);
    if logfile.is_empty() {
        registry
            .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
            .init();
    } else {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(logfile)
            .map_err(|e| format!("Can't open the log file: {}", os_error(&e)))?;
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(std::sync::Mutex::new(file)),
            )
            .init();
    }
    if !from_env {
        let _ = node::cmd::config::LOG_LEVEL_HOOK.set(Box::new(move |level| {
            let _ = handle.reload(EnvFilter::new(level.tracing_filter()));
        }));
    }
    Ok(())
}

/// How a supervisor is told the server is ready (Redis's `supervised`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Supervisor {
    None,
    Upstart,
    Systemd,
}

/// The process-level directives the node and the sentinel both honour: `daemonize`,
/// `pidfile`, `logfile`, `loglevel` and `supervised`, as Redis's `main` applies them.
struct Process {
    daemonize: bool,
    pidfile: Option<String>,
    logfile: String,
    loglevel: String,
    supervisor: Supervisor,
}

/// Where Redis writes its pid when daemonized without a `pidfile`.
const DEFAULT_PIDFILE: &str = "/var/run/redis.pid";

impl Process {
    /// From the directives' values as CONFIG GET shows them. Relative `pidfile` and `logfile`
    /// paths are under `dir`, as for Redis (which changes to `dir` while reading its file).
    fn from_directives(dir: Option<&Path>, get: impl Fn(&str) -> String) -> Process {
        let under_dir = |path: String| match dir {
            Some(dir) if !path.is_empty() && Path::new(&path).is_relative() => {
                dir.join(path).display().to_string()
            }
            _ => path,
        };
        let pidfile = under_dir(get("pidfile"));
        Process {
            daemonize: get("daemonize") == "yes",
            pidfile: (!pidfile.is_empty()).then_some(pidfile),
            logfile: under_dir(get("logfile")),
            loglevel: get("loglevel"),
            supervisor: supervisor(&get("supervised")),
        }
    }

    /// Daemonize if asked (see [`Process::start`]), then start logging.
    fn launch(
        dir: Option<&Path>,
        get: impl Fn(&str) -> String,
    ) -> Result<Process, std::process::ExitCode> {
        let process = Process::from_directives(dir, get).start()?;
        if let Err(err) = init_logging(&process.loglevel, &process.logfile) {
            eprintln!("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n{err}");
            return Err(std::process::ExitCode::FAILURE);
        }
        Ok(process)
    }

    /// Before any thread exists: check the log file can be opened (as Redis does while
    /// reading its configuration), then detach when `daemonize yes` and no supervisor
    /// (Redis's `background`). The launching process exits 0 once the daemon is forked; the
    /// daemon keeps the working directory and umask, with standard streams on /dev/null.
    fn start(mut self) -> Result<Process, std::process::ExitCode> {
        if !self.logfile.is_empty()
            && let Err(e) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.logfile)
        {
            eprintln!(
                "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: {}",
                os_error(&e)
            );
            return Err(std::process::ExitCode::FAILURE);
        }
        if self.daemonize && self.supervisor == Supervisor::None {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
            // Read the umask (by setting it and putting it back) so the daemon keeps it.
            let mask = rustix::process::umask(rustix::fs::Mode::empty());
            rustix::process::umask(mask);
            if let Err(e) = daemonize::Daemonize::new()
                .working_directory(cwd)
                .umask(mask.bits())
                .start()
            {
                eprintln!("Can't daemonize: {e}");
                return Err(std::process::ExitCode::FAILURE);
            }
            if self.pidfile.is_none() {
                self.pidfile = Some(DEFAULT_PIDFILE.to_string());
            }
        }
        Ok(self)
    }

    /// Listening: write the pid file and tell the supervisor.
    fn ready(&self) {
        if let Some(path) = &self.pidfile
            && let Err(e) = std::fs::write(path, format!("{}\n", std::process::id()))
        {
            tracing::warn!("Failed to write PID file: {}", os_error(&e));
        }
        match self.supervisor {
            Supervisor::None => {}
            Supervisor::Systemd => {
                tracing::info!("Telling systemd we are ready (READY=1)");
                if let Err(e) = sd_notify::notify(
                    false,
                    &[
                        sd_notify::NotifyState::Status("Ready to accept connections"),
                        sd_notify::NotifyState::Ready,
                    ],
                ) {
                    tracing::warn!("Failed to notify systemd: {e}");
                }
            }
            Supervisor::Upstart => {
                // Upstart's `expect stop`: the job is ready once the process stops itself.
                let _ = rustix::process::kill_process(
                    rustix::process::getpid(),
                    rustix::process::Signal::STOP,
                );
            }
        }
    }

    /// A clean exit removes the pid file.
    fn stop(&self) {
        if let Some(path) = &self.pidfile {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Redis's `redisIsSupervised`: `auto` picks upstart or systemd from the environment, and a
/// mode whose environment is missing supervises nothing (with Redis's warning).
fn supervisor(mode: &str) -> Supervisor {
    let upstart = std::env::var_os("UPSTART_JOB").is_some();
    let systemd = std::env::var_os("NOTIFY_SOCKET").is_some();
    match mode {
        "upstart" if upstart => Supervisor::Upstart,
        "upstart" => {
            eprintln!("upstart supervision requested, but UPSTART_JOB not found!");
            Supervisor::None
        }
        "systemd" if systemd => Supervisor::Systemd,
        "systemd" => {
            eprintln!(
                "systemd supervision requested or auto-detected, but NOTIFY_SOCKET environment variable not found!"
            );
            Supervisor::None
        }
        "auto" if upstart => Supervisor::Upstart,
        "auto" if systemd => Supervisor::Systemd,
        _ => Supervisor::None,
    }
}

fn os_error(err: &std::io::Error) -> String {
    node::cmd::config::os_error_text(err)
}

fn run_node(config_path: Option<PathBuf>, directives: Vec<String>) -> std::process::ExitCode {
    let config = match node::Config::from_file_and_args(config_path.as_deref(), &directives) {
        Ok(c) => c,
        Err(err) => {
            eprintln!("{err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let process = match Process::launch(Some(&config.dir), |name| {
        config.get(name).unwrap_or_default()
    }) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.io_threads)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let code = runtime.block_on(async {
        let listeners = match bind_all(&config) {
            Ok(l) => l,
            Err(err) => {
                tracing::error!("{err}");
                eprintln!("{err}");
                return std::process::ExitCode::FAILURE;
            }
        };
        process.ready();
        let port = listeners
            .first()
            .and_then(|l| l.local_addr().ok())
            .map_or(config.port, |a| a.port());
        let server = node::Server::new(config, port);
        let mut listeners = listeners.into_iter();
        let Some(first) = listeners.next() else {
            eprintln!("Configured to not listen anywhere, exiting.");
            return std::process::ExitCode::FAILURE;
        };
        for extra in listeners {
            tokio::spawn(accept_loop(server.clone(), extra));
        }
        tracing::info!(port, "Ready to accept connections");
        exit_code(node::serve(server, first, termination_signal()).await)
    });
    process.stop();
    code
}

/// Resolves on SIGTERM or SIGINT.
async fn termination_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("Received signal, shutting down");
}

fn exit_code<E: std::fmt::Display>(result: Result<(), E>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Accept on an additional `bind` address until the server shuts down.
async fn accept_loop(server: Arc<node::Server>, listener: tokio::net::TcpListener) {
    loop {
        tokio::select! {
            _ = server.shutdown.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((socket, addr)) => server.spawn_connection(socket, addr),
                Err(err) => {
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            },
        }
    }
}

/// Bind every `bind` address as Redis does: `*` is every IPv4 address, `::*` every IPv6 one,
/// and an address with a leading `-` is skipped when the system cannot bind it.
fn bind_all(config: &node::Config) -> Result<Vec<tokio::net::TcpListener>, String> {
    let mut listeners = Vec::new();
    for entry in &config.bind {
        let optional = entry.starts_with('-');
        let host = entry.trim_start_matches('-');
        let host = match host {
            "*" => "0.0.0.0",
            "::*" => "::",
            other => other,
        };
        let addr: SocketAddr = match host.parse::<std::net::IpAddr>() {
            Ok(ip) => SocketAddr::new(ip, config.port),
            Err(_) => {
                let failure = format!(
                    "Could not create server TCP listening socket {host}:{}: Name or service not known",
                    config.port
                );
                return Err(format!(
                    "{failure}\nFailed listening on port {} (TCP), aborting.",
                    config.port
                ));
            }
        };
        match listen(addr, config.tcp_backlog) {
            Ok(l) => listeners.push(l),
            Err(e) if optional && unavailable(&e) => {
                tracing::warn!("Skipping optional bind address {host}: {}", os_error(&e));
            }
            Err(e) => {
                return Err(format!(
                    "Warning: Could not create server TCP listening socket {host}:{}: {}\nFailed listening on port {} (TCP), aborting.",
                    config.port,
                    os_error(&e),
                    config.port
                ));
            }
        }
    }
    Ok(listeners)
}

/// Errors Redis treats as "this address family or address is not available here".
fn unavailable(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::AddrNotAvailable | ErrorKind::Unsupported | ErrorKind::InvalidInput
    ) || matches!(e.raw_os_error(), Some(92 | 93 | 94 | 96 | 97 | 99))
}

fn listen(addr: SocketAddr, backlog: u32) -> std::io::Result<tokio::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    if addr.is_ipv6() {
        // Keep IPv6 listeners from also claiming the IPv4 port, so both can be bound.
        socket.set_only_v6(true)?;
    }
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(backlog.min(i32::MAX as u32) as i32)?;
    socket.set_nonblocking(true)?;
    tokio::net::TcpListener::from_std(socket.into())
}

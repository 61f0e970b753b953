//! `switchyard`: argument parsing and hand-off to the components.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "switchyard",
    version,
    about = "Redis proxy and smart router, with a Redis-compatible node"
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
    /// it, with the same directive names:
    ///
    ///   switchyard node node.conf --port 7000 --requirepass secret --bind 127.0.0.1
    ///
    /// Binds 127.0.0.1 and ::1 on port 6379 by default. An unknown or malformed directive
    /// stops start-up with an error naming the line. SIGTERM and SIGINT shut down gracefully.
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
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Commands::Node { args } => {
            let (config, directives) = split_config_file(args);
            run_node(config, directives)
        }
    }
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

fn run_node(config_path: Option<PathBuf>, directives: Vec<String>) -> std::process::ExitCode {
    let config = match node::Config::from_file_and_args(config_path.as_deref(), &directives) {
        Ok(c) => c,
        Err(err) => {
            eprintln!("{err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async move {
        let listener = match bind(&config).await {
            Ok(l) => l,
            Err(err) => {
                eprintln!(
                    "Could not create server TCP listening socket {}:{}: {err}",
                    config.bind.join(" "),
                    config.port
                );
                return std::process::ExitCode::FAILURE;
            }
        };
        tracing::info!(port = config.port, "Ready to accept connections");
        let shutdown = async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler");
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            tracing::info!("Received signal, shutting down");
        };
        match node::run(config, listener, shutdown).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("{err}");
                std::process::ExitCode::FAILURE
            }
        }
    })
}

/// Bind the first usable `bind` address; a leading `-` marks one that may be unavailable.
async fn bind(config: &node::Config) -> std::io::Result<tokio::net::TcpListener> {
    let mut last_err = None;
    for addr in &config.bind {
        let optional = addr.starts_with('-');
        let host = addr.trim_start_matches('-');
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        match tokio::net::TcpListener::bind(format!("{host}:{}", config.port)).await {
            Ok(l) => return Ok(l),
            Err(e) if optional => last_err = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_err.unwrap_or_else(|| std::io::Error::other("no bind address")))
}

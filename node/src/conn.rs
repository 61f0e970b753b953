//! One client connection: read a batch, run it under one lock, write all replies in one go.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use wire::ReplyBuf;
use wire::request::{Request, RequestParser};

use crate::blocking::Blocked;
use crate::client::{ClientHandle, ClientState};
use crate::exec::{self, Flow};
use crate::server::{Server, unix_ms};

const READ_CHUNK: usize = 16 * 1024;

pub async fn serve_client(server: Arc<Server>, mut socket: TcpStream, addr: SocketAddr) {
    let _ = socket.set_nodelay(true);
    let laddr = socket.local_addr().unwrap_or(addr);
    server
        .stats
        .total_connections_received
        .fetch_add(1, Ordering::Relaxed);
    let id = server.next_client_id();
    let (push_tx, push_rx) = mpsc::unbounded_channel();
    let handle = Arc::new(ClientHandle::new(id, addr, laddr, push_tx).with_fd(socket_fd(&socket)));
    let registered = {
        let mut store = server.store.lock();
        let config = &store.config;
        if store.clients.len() >= config.maxclients {
            Err(&b"-ERR max number of clients reached\r\n"[..])
        } else if config.protected_mode && config.requirepass.is_none() && !is_loopback(addr) {
            Err(PROTECTED_MODE_DENIED)
        } else {
            let accepted = (
                config.requirepass.is_none(),
                config.proto_max_bulk_len,
                config.tcp_keepalive,
                idle_timeout(config.timeout),
            );
            store.clients.insert(id, handle.clone());
            Ok(accepted)
        }
    };
    let (authenticated, max_bulk, keepalive, idle) = match registered {
        Ok(accepted) => accepted,
        Err(refusal) => {
            server
                .stats
                .rejected_connections
                .fetch_add(1, Ordering::Relaxed);
            let _ = socket.write_all(refusal).await;
            return;
        }
    };
    if keepalive > 0 {
        // As Redis's anetKeepAlive: probes after `tcp-keepalive` idle seconds, then every
        // third of that, three times.
        let secs = Duration::from_secs(keepalive as u64);
        let probes = socket2::TcpKeepalive::new()
            .with_time(secs)
            .with_interval((secs / 3).max(Duration::from_secs(1)))
            .with_retries(3);
        let _ = socket2::SockRef::from(&socket).set_tcp_keepalive(&probes);
    }
    server
        .stats
        .connected_clients
        .fetch_add(1, Ordering::Relaxed);
    let mut parser = RequestParser::new(max_bulk);
    parser.set_unauthenticated(!authenticated);
    let mut conn = Conn {
        server: server.clone(),
        client: ClientState::new(handle.clone(), authenticated),
        parser,
        socket,
        inbuf: BytesMut::with_capacity(READ_CHUNK),
        out: ReplyBuf::default(),
        batch: Vec::new(),
        push_rx,
        idle,
    };
    conn.run().await;
    {
        let mut store = server.store.lock();
        exec::client_disconnected(&mut store, &mut conn.client);
        store.clients.remove(&id);
    }
    server
        .stats
        .connected_clients
        .fetch_sub(1, Ordering::Relaxed);
}

struct Conn {
    server: Arc<Server>,
    client: ClientState,
    parser: RequestParser,
    socket: TcpStream,
    inbuf: BytesMut,
    out: ReplyBuf,
    batch: Vec<Request>,
    /// Pub/sub messages and MONITOR lines for this client.
    push_rx: mpsc::UnboundedReceiver<Bytes>,
    /// The `timeout` directive, as of the last batch (read under the lock it already holds).
    idle: Option<Duration>,
}

/// Redis 7.0's protected-mode refusal, byte for byte (its typos included).
const PROTECTED_MODE_DENIED: &[u8] = b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/// Redis compares the peer's address with exactly these two (clientAcceptHandler).
fn is_loopback(addr: SocketAddr) -> bool {
    addr.ip() == std::net::Ipv4Addr::LOCALHOST || addr.ip() == std::net::Ipv6Addr::LOCALHOST
}

fn idle_timeout(secs: u64) -> Option<Duration> {
    (secs > 0).then(|| Duration::from_secs(secs))
}

#[cfg(unix)]
fn socket_fd(socket: &TcpStream) -> i64 {
    use std::os::fd::AsRawFd;
    socket.as_raw_fd() as i64
}

#[cfg(not(unix))]
fn socket_fd(_socket: &TcpStream) -> i64 {
    -1
}

impl Conn {
    async fn run(&mut self) {
        let kill = self.client.handle.kill.clone();
        loop {
            let idle = self.idle_timeout();
            tokio::select! {
                biased;
                _ = kill.cancelled() => return,
                frame = self.push_rx.recv() => {
                    let Some(frame) = frame else { return };
                    if self.write_pushes(frame).await.is_err() {
                        return;
                    }
                }
                read = self.socket.read_buf(&mut self.inbuf) => {
                    match read {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            self.server.stats.net_input_bytes.fetch_add(n as u64, Ordering::Relaxed);
                        }
                    }
                    if !self.process_input().await {
                        return;
                    }
                    if let Some(start) = self.client.replica_start.take() {
                        // PSYNC/SYNC answered: from now on this is the replica's link.
                        let id = self.client.handle.id;
                        let kill = self.client.handle.kill.clone();
                        crate::replication::serve_link(
                            &self.server,
                            id,
                            &mut self.socket,
                            &mut self.inbuf,
                            start,
                            kill,
                        )
                        .await;
                        return;
                    }
                    if self.inbuf.capacity() - self.inbuf.len() < 1024 {
                        self.inbuf.reserve(READ_CHUNK);
                    }
                }
                _ = sleep_opt(idle) => return,
            }
        }
    }

    /// Idle `timeout`, which never applies to subscribers (as in Redis).
    fn idle_timeout(&self) -> Option<Duration> {
        if self.client.handle.is_subscribed() {
            return None;
        }
        self.idle
    }

    async fn write_pushes(&mut self, first: Bytes) -> std::io::Result<()> {
        let mut pending = first.len();
        let mut frames = 1;
        self.out.raw(&first);
        while let Ok(frame) = self.push_rx.try_recv() {
            pending += frame.len();
            frames += 1;
            self.out.raw(&frame);
            if self.out.len() > 64 * 1024 {
                break;
            }
        }
        let result = self.flush().await;
        self.client.handle.pushes_taken(frames, pending);
        result
    }

    /// Move the frames queued so far into the reply buffer, so that a message published
    /// before a command keeps its place ahead of that command's reply, as in Redis.
    fn take_pushes(&mut self) {
        // Almost no client has pushes queued: one relaxed load spares a channel poll per
        // command. A frame queued right after this check is taken by the next command or by
        // the connection loop.
        if self.client.handle.push_pending.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut pending = 0;
        let mut frames = 0;
        while let Ok(frame) = self.push_rx.try_recv() {
            pending += frame.len();
            frames += 1;
            self.out.raw(&frame);
        }
        if frames > 0 {
            self.client.handle.pushes_taken(frames, pending);
        }
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let handle = &self.client.handle;
        handle
            .reply_buf_size
            .store(self.out.buf.capacity(), Ordering::Relaxed);
        handle
            .reply_buf_peak
            .store(self.out.len(), Ordering::Relaxed);
        // A killed client (CLIENT KILL, output buffer limit) must not stay stuck writing to a
        // peer that stopped reading.
        tokio::select! {
            biased;
            _ = handle.kill.cancelled() => {
                return Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "killed"));
            }
            written = self.socket.write_all(&self.out.buf) => written?,
        }
        self.server
            .stats
            .net_output_bytes
            .fetch_add(self.out.len() as u64, Ordering::Relaxed);
        if self.out.buf.capacity() > 1024 * 1024 {
            self.out.buf = Vec::with_capacity(4096);
        } else {
            self.out.clear();
        }
        Ok(())
    }

    /// Parse and run everything buffered. Returns false when the connection must close.
    async fn process_input(&mut self) -> bool {
        loop {
            let before = self.inbuf.len();
            if !self.process_buffered().await {
                return false;
            }
            // Requests read while a command was blocked are still buffered.
            if self.inbuf.is_empty() || self.inbuf.len() == before {
                return true;
            }
        }
    }

    async fn process_buffered(&mut self) -> bool {
        let mut protocol_error = None;
        let mut batch = std::mem::take(&mut self.batch);
        loop {
            match self.parser.parse(&mut self.inbuf) {
                Ok(Some(req)) => batch.push(req),
                Ok(None) => break,
                Err(err) => {
                    protocol_error = Some(err);
                    break;
                }
            }
        }
        let mut index = 0;
        let mut open = true;
        let mut unexecuted: usize = batch.iter().map(|r| r.raw.len()).sum();
        let mut last_ms = 0;
        while index < batch.len() && open {
            let (flow, aof_sync, replicas_written) = {
                let server = self.server.clone();
                let mut store = server.lock_store();
                self.idle = idle_timeout(store.config.timeout);
                let (base_ms, base) = (unix_ms(), quanta::Instant::now());
                store.command_clock = base;
                let mut flow = Flow::Continue;
                while index < batch.len() {
                    let now_ms = base_ms
                        + store
                            .command_clock
                            .saturating_duration_since(base)
                            .as_millis() as u64;
                    last_ms = now_ms;
                    self.take_pushes();
                    self.note_query_buf(unexecuted);
                    flow = exec::execute(
                        &server,
                        &mut store,
                        &mut self.client,
                        &mut self.out,
                        &batch[index],
                        now_ms,
                    );
                    if matches!(flow, Flow::Paused { .. }) {
                        break;
                    }
                    unexecuted = unexecuted.saturating_sub(batch[index].raw.len());
                    index += 1;
                    if !matches!(flow, Flow::Continue) {
                        break;
                    }
                }
                // The batch's writes reach the AOF (and replicas) before its replies go out.
                crate::propagate::deliver(&mut store);
                let aof_sync = store.aof.sync_target(&store.config);
                let replicas_written =
                    crate::replication::reply_barrier(&store, self.client.handle.id);
                (flow, aof_sync, replicas_written)
            };
            crate::aof::sync_for_reply(aof_sync).await;
            if let Some(barrier) = replicas_written {
                barrier.wait(&self.server).await;
            }
            match flow {
                Flow::Continue => {}
                Flow::Close => open = false,
                Flow::Block(blocked) => {
                    open = self.wait_blocked(blocked).await;
                }
                Flow::Wait(wait) => {
                    open = self.wait_replicas(wait).await;
                }
                Flow::Paused { until_ms, lifted } => {
                    open = self.wait_paused(until_ms, lifted).await;
                }
            }
        }
        self.server
            .stats
            .total_commands_processed
            .fetch_add(index as u64, Ordering::Relaxed);
        batch.clear();
        self.batch = batch;
        if let Some(err) = protocol_error {
            self.out.raw(&err.reply_line());
            open = false;
        }
        if self.client.close_after_reply {
            open = false;
        }
        self.parser.set_unauthenticated(!self.client.authenticated);
        if last_ms != 0 {
            self.client
                .handle
                .last_interaction_ms
                .store(last_ms, Ordering::Relaxed);
        }
        self.flush().await.is_ok() && open
    }

    /// CLIENT LIST's `qbuf`/`qbuf-free`: request bytes received and not yet executed.
    fn note_query_buf(&self, unexecuted: usize) {
        let handle = &self.client.handle;
        handle
            .query_buf
            .store(unexecuted + self.inbuf.len(), Ordering::Relaxed);
        handle
            .query_buf_free
            .store(self.inbuf.capacity() - self.inbuf.len(), Ordering::Relaxed);
    }

    /// Wait out a CLIENT PAUSE without holding the store: until it ends or is lifted, or the
    /// client goes away. The held request then runs again, so replies stay in order.
    async fn wait_paused(
        &mut self,
        until_ms: u64,
        mut lifted: tokio::sync::watch::Receiver<u64>,
    ) -> bool {
        if self.flush().await.is_err() {
            return false;
        }
        let handle = self.client.handle.clone();
        handle.blocked.store(true, Ordering::Relaxed);
        let wait = Duration::from_millis(until_ms.saturating_sub(unix_ms()));
        let open = loop {
            tokio::select! {
                _ = tokio::time::sleep(wait) => break true,
                changed = lifted.changed() => {
                    if changed.is_ok() {
                        break true;
                    }
                    // The pause state went away with the server.
                    break false;
                }
                _ = handle.kill.cancelled() => break false,
                frame = self.push_rx.recv() => {
                    let Some(frame) = frame else { break false };
                    if self.write_pushes(frame).await.is_err() {
                        break false;
                    }
                }
                ready = self.socket.readable() => {
                    if !self.read_while_waiting(ready) {
                        break false;
                    }
                }
            }
        };
        handle.blocked.store(false, Ordering::Relaxed);
        open
    }

    /// While a command waits, keep what the client pipelines and notice when it hangs up.
    fn read_while_waiting(&mut self, ready: std::io::Result<()>) -> bool {
        if ready.is_err() {
            return false;
        }
        let mut chunk = [0u8; 4096];
        match self.socket.try_read(&mut chunk) {
            Ok(0) => false,
            Ok(n) => {
                self.inbuf.extend_from_slice(&chunk[..n]);
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => true,
            Err(_) => false,
        }
    }

    /// Wait until a blocked command (already registered) is served, times out, or the client
    /// goes away.
    async fn wait_blocked(&mut self, blocked: Blocked) -> bool {
        self.client.handle.blocked.store(true, Ordering::Relaxed);
        let open = self.wait_blocked_inner(blocked).await;
        self.client.handle.blocked.store(false, Ordering::Relaxed);
        open
    }

    async fn wait_blocked_inner(&mut self, blocked: Blocked) -> bool {
        let Blocked {
            waiter,
            reply: mut served,
            timeout,
        } = blocked;
        let kill = self.client.handle.kill.clone();
        // One deadline for the whole wait: input arriving meanwhile must not restart it.
        let expiry = sleep_opt(timeout);
        tokio::pin!(expiry);
        if self.flush().await.is_err() {
            let mut store = self.server.store.lock();
            crate::blocking::unregister(&mut store, waiter);
            return false;
        }
        let mark = self.out.len();
        loop {
            tokio::select! {
                reply = &mut served => {
                    if let Ok(reply) = reply {
                        // The pop that served it was written by another connection: with
                        // appendfsync always it is on disk before this reply goes out.
                        let aof_sync = {
                            let store = self.server.lock_store();
                            store.aof.sync_target(&store.config)
                        };
                        crate::aof::sync_for_reply(aof_sync).await;
                        self.out.raw(&reply);
                    }
                    exec::apply_reply_mode(&mut self.client, &mut self.out, mark);
                    return true;
                }
                _ = &mut expiry => {
                    let mut store = self.server.store.lock();
                    if !crate::blocking::time_out(&mut store, waiter, &mut self.out)
                        && let Ok(reply) = served.try_recv()
                    {
                        self.out.raw(&reply);
                    }
                    exec::apply_reply_mode(&mut self.client, &mut self.out, mark);
                    return true;
                }
                _ = kill.cancelled() => break,
                ready = self.socket.readable() => {
                    // Redis reads nothing from a blocked client but notices when it hangs up;
                    // what it pipelines meanwhile is kept for after the wake-up.
                    if !self.read_while_waiting(ready) {
                        break;
                    }
                }
            }
        }
        let mut store = self.server.store.lock();
        crate::blocking::unregister(&mut store, waiter);
        false
    }
}

impl Conn {
    /// WAIT's wait: until enough replicas acknowledged the target offset or the deadline.
    async fn wait_replicas(&mut self, wait: crate::replication::WaitRequest) -> bool {
        let kill = self.client.handle.kill.clone();
        let deadline = wait.timeout.map(|t| tokio::time::Instant::now() + t);
        loop {
            // Registered before the count, so an ACK arriving in between still wakes us.
            let acked = self.server.replica_acks.notified();
            tokio::pin!(acked);
            acked.as_mut().enable();
            let count = crate::replication::acked_replicas(&self.server.store.lock(), wait.target);
            let expired = deadline.is_some_and(|d| tokio::time::Instant::now() >= d);
            if count >= wait.replicas || expired {
                self.out.int(count as i64);
                return true;
            }
            tokio::select! {
                _ = &mut acked => {}
                _ = kill.cancelled() => return false,
                _ = sleep_until_opt(deadline) => {}
            }
        }
    }
}

async fn sleep_until_opt(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

async fn sleep_opt(duration: Option<Duration>) {
    match duration {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_is_what_redis_accepts() {
        assert!(super::is_loopback("127.0.0.1:5".parse().unwrap()));
        assert!(super::is_loopback("[::1]:5".parse().unwrap()));
        assert!(!super::is_loopback("10.0.0.1:5".parse().unwrap()));
        assert!(!super::is_loopback("127.0.0.2:5".parse().unwrap()));
    }
}

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
    let handle = Arc::new(ClientHandle::new(id, addr, laddr, push_tx));
    let registered = {
        let mut store = server.store.lock();
        if store.clients.len() >= store.config.maxclients {
            None
        } else {
            store.clients.insert(id, handle.clone());
            Some((
                store.config.requirepass.is_none(),
                store.config.proto_max_bulk_len,
            ))
        }
    };
    let Some((authenticated, max_bulk)) = registered else {
        server
            .stats
            .rejected_connections
            .fetch_add(1, Ordering::Relaxed);
        let _ = socket
            .write_all(b"-ERR max number of clients reached\r\n")
            .await;
        return;
    };
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
    };
    conn.run(push_rx).await;
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
}

impl Conn {
    async fn run(&mut self, mut push_rx: mpsc::UnboundedReceiver<Bytes>) {
        let kill = self.client.handle.kill.clone();
        loop {
            let idle = self.idle_timeout();
            tokio::select! {
                biased;
                _ = kill.cancelled() => return,
                frame = push_rx.recv() => {
                    let Some(frame) = frame else { return };
                    if self.write_pushes(frame, &mut push_rx).await.is_err() {
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
        let secs = self.server.store.lock().config.timeout;
        (secs > 0).then(|| Duration::from_secs(secs))
    }

    async fn write_pushes(
        &mut self,
        first: Bytes,
        push_rx: &mut mpsc::UnboundedReceiver<Bytes>,
    ) -> std::io::Result<()> {
        let mut pending = first.len();
        self.out.raw(&first);
        while let Ok(frame) = push_rx.try_recv() {
            pending += frame.len();
            self.out.raw(&frame);
            if self.out.len() > 64 * 1024 {
                break;
            }
        }
        let result = self.flush().await;
        self.client
            .handle
            .push_pending
            .fetch_sub(pending, Ordering::Relaxed);
        result
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        self.socket.write_all(&self.out.buf).await?;
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
        while index < batch.len() && open {
            let flow = {
                let mut store = self.server.store.lock();
                let mut flow = Flow::Continue;
                while index < batch.len() {
                    flow = exec::execute(
                        &self.server,
                        &mut store,
                        &mut self.client,
                        &mut self.out,
                        &batch[index],
                        unix_ms(),
                    );
                    index += 1;
                    if !matches!(flow, Flow::Continue) {
                        break;
                    }
                }
                flow
            };
            match flow {
                Flow::Continue => {}
                Flow::Close => open = false,
                Flow::Block(blocked) => {
                    open = self.wait_blocked(blocked).await;
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
            self.out.error(&format!("ERR {err}"));
            open = false;
        }
        if self.client.close_after_reply {
            open = false;
        }
        self.parser.set_unauthenticated(!self.client.authenticated);
        self.client
            .handle
            .last_interaction_ms
            .store(unix_ms(), Ordering::Relaxed);
        self.flush().await.is_ok() && open
    }

    /// Wait until a blocked command (already registered) is served, times out, or the client
    /// goes away.
    async fn wait_blocked(&mut self, blocked: Blocked) -> bool {
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
        loop {
            tokio::select! {
                reply = &mut served => {
                    if let Ok(reply) = reply {
                        self.out.raw(&reply);
                    }
                    return true;
                }
                _ = &mut expiry => {
                    let mut store = self.server.store.lock();
                    if !crate::blocking::time_out(&mut store, waiter, &mut self.out)
                        && let Ok(reply) = served.try_recv()
                    {
                        self.out.raw(&reply);
                    }
                    return true;
                }
                _ = kill.cancelled() => break,
                ready = self.socket.readable() => {
                    // Redis reads nothing from a blocked client but notices when it hangs up;
                    // what it pipelines meanwhile is kept for after the wake-up.
                    if ready.is_err() {
                        break;
                    }
                    let mut chunk = [0u8; 4096];
                    match self.socket.try_read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => self.inbuf.extend_from_slice(&chunk[..n]),
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                        Err(_) => break,
                    }
                }
            }
        }
        let mut store = self.server.store.lock();
        crate::blocking::unregister(&mut store, waiter);
        false
    }
}

async fn sleep_opt(duration: Option<Duration>) {
    match duration {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

//! A fault-injecting TCP relay on 127.0.0.1 for the tests: every connection to
//! [`Relay::port`] is forwarded to the target, and the test can, at any time, add delay,
//! stall the traffic (bytes wait, connections stay open), cut every connection, refuse new
//! ones, or black-hole it (connections accepted and held, nothing forwarded, nothing closed:
//! a half-open partition).
//!
//! Blocking std code: one accept thread, two pump threads per connection, each polling its
//! socket with a short timeout so a change of mode takes effect within milliseconds.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const POLL: Duration = Duration::from_millis(5);

#[derive(Default)]
struct Faults {
    /// Added before each chunk is forwarded, in both directions (microseconds).
    delay_us: AtomicU64,
    /// Forward nothing; read nothing (the senders' buffers fill up).
    stalled: AtomicBool,
    /// Close new connections at once.
    refusing: AtomicBool,
    /// Accept new connections but never connect them onward nor close them.
    black_hole: AtomicBool,
    /// Connections older than this generation are closed by their pumps.
    generation: AtomicU64,
    /// Bytes forwarded so far, each direction together.
    forwarded: AtomicU64,
    /// Connections currently open through the relay.
    open: AtomicUsize,
    stop: AtomicBool,
}

pub struct Relay {
    port: u16,
    target: Arc<Mutex<u16>>,
    faults: Arc<Faults>,
    /// Connections held open by the black hole (dropped with the relay).
    held: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    /// A relay to `127.0.0.1:<target>`.
    pub fn start(target: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind relay");
        let port = listener.local_addr().expect("relay address").port();
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let relay = Relay {
            port,
            target: Arc::new(Mutex::new(target)),
            faults: Arc::new(Faults::default()),
            held: Arc::new(Mutex::new(Vec::new())),
        };
        let (target, faults, held) = (
            relay.target.clone(),
            relay.faults.clone(),
            relay.held.clone(),
        );
        std::thread::spawn(move || accept_loop(listener, target, faults, held));
        relay
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Forward new connections elsewhere (existing ones stay where they are).
    pub fn retarget(&self, target: u16) {
        *self.target.lock().unwrap() = target;
    }

    pub fn set_delay(&self, delay: Duration) {
        self.faults
            .delay_us
            .store(delay.as_micros() as u64, Ordering::Relaxed);
    }

    /// Hold every byte (both directions) until [`Relay::resume`].
    pub fn stall(&self) {
        self.faults.stalled.store(true, Ordering::Relaxed);
    }

    pub fn resume(&self) {
        self.faults.stalled.store(false, Ordering::Relaxed);
    }

    /// Close every connection open now; new ones are relayed as before.
    pub fn cut(&self) {
        self.faults.generation.fetch_add(1, Ordering::Relaxed);
        self.held.lock().unwrap().clear();
    }

    /// Close new connections at once (a refused connection, as seen by the client).
    pub fn refuse(&self, on: bool) {
        self.faults.refusing.store(on, Ordering::Relaxed);
    }

    /// A partition: traffic stops and nothing is closed; new connections are accepted and
    /// left hanging. [`Relay::heal`] ends it (the hung connections are then closed).
    pub fn partition(&self) {
        self.faults.black_hole.store(true, Ordering::Relaxed);
        self.stall();
    }

    pub fn heal(&self) {
        self.faults.black_hole.store(false, Ordering::Relaxed);
        self.held.lock().unwrap().clear();
        self.resume();
    }

    /// Bytes forwarded so far, both directions.
    pub fn forwarded(&self) -> u64 {
        self.faults.forwarded.load(Ordering::Relaxed)
    }

    /// Relayed connections open now.
    pub fn open_connections(&self) -> usize {
        self.faults.open.load(Ordering::Relaxed)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.faults.stop.store(true, Ordering::Relaxed);
        self.cut();
    }
}

fn accept_loop(
    listener: TcpListener,
    target: Arc<Mutex<u16>>,
    faults: Arc<Faults>,
    held: Arc<Mutex<Vec<TcpStream>>>,
) {
    while !faults.stop.load(Ordering::Relaxed) {
        let client = match listener.accept() {
            Ok((client, _)) => client,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(POLL);
                continue;
            }
            Err(_) => return,
        };
        let _ = client.set_nonblocking(false);
        if faults.refusing.load(Ordering::Relaxed) {
            let _ = client.shutdown(Shutdown::Both);
            continue;
        }
        if faults.black_hole.load(Ordering::Relaxed) {
            held.lock().unwrap().push(client);
            continue;
        }
        let port = *target.lock().unwrap();
        let Ok(server) = TcpStream::connect(("127.0.0.1", port)) else {
            let _ = client.shutdown(Shutdown::Both);
            continue;
        };
        let _ = client.set_nodelay(true);
        let _ = server.set_nodelay(true);
        let generation = faults.generation.load(Ordering::Relaxed);
        faults.open.fetch_add(1, Ordering::Relaxed);
        let done = Arc::new(AtomicUsize::new(0));
        for (from, to) in [
            (client.try_clone(), server.try_clone()),
            (server.try_clone(), client.try_clone()),
        ] {
            let (Ok(from), Ok(to)) = (from, to) else {
                continue;
            };
            let (faults, done) = (faults.clone(), done.clone());
            std::thread::spawn(move || {
                pump(from, to, &faults, generation);
                // The second pump to finish closes the pair's count.
                if done.fetch_add(1, Ordering::Relaxed) == 1 {
                    faults.open.fetch_sub(1, Ordering::Relaxed);
                }
            });
        }
    }
}

/// Copy `from` to `to` until either side closes or the connection's generation is cut.
fn pump(mut from: TcpStream, mut to: TcpStream, faults: &Faults, generation: u64) {
    let _ = from.set_read_timeout(Some(POLL));
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if faults.stop.load(Ordering::Relaxed)
            || faults.generation.load(Ordering::Relaxed) != generation
        {
            break;
        }
        if faults.stalled.load(Ordering::Relaxed) {
            std::thread::sleep(POLL);
            continue;
        }
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(_) => break,
        };
        let delay = faults.delay_us.load(Ordering::Relaxed);
        if delay > 0 {
            std::thread::sleep(Duration::from_micros(delay));
        }
        // A stall that began while this chunk was read holds it until the stall ends.
        while faults.stalled.load(Ordering::Relaxed)
            && faults.generation.load(Ordering::Relaxed) == generation
        {
            std::thread::sleep(POLL);
        }
        if faults.generation.load(Ordering::Relaxed) != generation
            || to.write_all(&buf[..n]).is_err()
        {
            break;
        }
        faults.forwarded.fetch_add(n as u64, Ordering::Relaxed);
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

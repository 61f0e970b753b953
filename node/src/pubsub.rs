//! Pub/sub: channel and pattern subscriptions, message delivery, and the output buffer limit
//! that disconnects consumers too slow to keep up.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use hashbrown::HashMap;
use wire::{Protocol, ReplyBuf};

use crate::client::{ClientHandle, ClientKind, ClientState};
use crate::config::ClientOutputBufferLimits;
use crate::server::Store;

/// Who listens where. Subscribers are kept in subscription order, as Redis delivers.
#[derive(Debug, Default)]
pub struct PubSub {
    channels: HashMap<Bytes, Vec<Arc<ClientHandle>>>,
    patterns: HashMap<Bytes, Vec<Arc<ClientHandle>>>,
}

impl PubSub {
    /// Channels with at least one subscriber.
    pub fn channels(&self) -> impl Iterator<Item = &Bytes> {
        self.channels.keys()
    }

    pub fn subscriber_count(&self, channel: &[u8]) -> usize {
        self.channels.get(channel).map_or(0, Vec::len)
    }

    /// Distinct patterns with at least one subscriber (PUBSUB NUMPAT in Redis 7).
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    fn add(
        map: &mut HashMap<Bytes, Vec<Arc<ClientHandle>>>,
        key: &Bytes,
        client: &Arc<ClientHandle>,
    ) {
        map.entry(key.clone()).or_default().push(client.clone());
    }

    fn remove(map: &mut HashMap<Bytes, Vec<Arc<ClientHandle>>>, key: &[u8], client_id: u64) {
        if let Some(list) = map.get_mut(key) {
            list.retain(|c| c.id != client_id);
            if list.is_empty() {
                map.remove(key);
            }
        }
    }
}

/// Subscribe `client` to `channel`; false if it already was.
pub fn subscribe(store: &mut Store, client: &mut ClientState, channel: &Bytes) -> bool {
    if !client.channels.insert(channel.clone()) {
        return false;
    }
    PubSub::add(&mut store.pubsub.channels, channel, &client.handle);
    sync_counts(client);
    true
}

pub fn unsubscribe(store: &mut Store, client: &mut ClientState, channel: &[u8]) -> bool {
    if !client.channels.remove(channel) {
        return false;
    }
    PubSub::remove(&mut store.pubsub.channels, channel, client.id());
    sync_counts(client);
    true
}

pub fn psubscribe(store: &mut Store, client: &mut ClientState, pattern: &Bytes) -> bool {
    if !client.patterns.insert(pattern.clone()) {
        return false;
    }
    PubSub::add(&mut store.pubsub.patterns, pattern, &client.handle);
    sync_counts(client);
    true
}

pub fn punsubscribe(store: &mut Store, client: &mut ClientState, pattern: &[u8]) -> bool {
    if !client.patterns.remove(pattern) {
        return false;
    }
    PubSub::remove(&mut store.pubsub.patterns, pattern, client.id());
    sync_counts(client);
    true
}

fn sync_counts(client: &ClientState) {
    let handle = &client.handle;
    handle
        .subscriptions
        .store(client.channels.len(), Ordering::Relaxed);
    handle
        .psubscriptions
        .store(client.patterns.len(), Ordering::Relaxed);
}

/// Drop a departing (or RESET) client's subscriptions, without confirmations.
pub fn client_disconnected(store: &mut Store, client: &mut ClientState) {
    let id = client.id();
    for channel in client.channels.drain() {
        PubSub::remove(&mut store.pubsub.channels, &channel, id);
    }
    for pattern in client.patterns.drain() {
        PubSub::remove(&mut store.pubsub.patterns, &pattern, id);
    }
    sync_counts(client);
}

/// A message frame, encoded at most once per protocol however many subscribers get it.
struct Frames<'a> {
    kind: &'static str,
    pattern: Option<&'a [u8]>,
    channel: &'a [u8],
    message: &'a [u8],
    resp2: Option<Bytes>,
    resp3: Option<Bytes>,
}

impl<'a> Frames<'a> {
    fn get(&mut self, proto: Protocol) -> Bytes {
        let slot = match proto {
            Protocol::Resp2 => &mut self.resp2,
            Protocol::Resp3 => &mut self.resp3,
        };
        slot.get_or_insert_with(|| {
            let mut out = ReplyBuf::new(proto);
            out.push(if self.pattern.is_some() { 4 } else { 3 });
            out.bulk_str(self.kind);
            if let Some(pattern) = self.pattern {
                out.bulk(pattern);
            }
            out.bulk(self.channel);
            out.bulk(self.message);
            Bytes::from(out.buf)
        })
        .clone()
    }
}

/// PUBLISH: deliver to channel subscribers, then to matching pattern subscribers. Returns the
/// number of receivers (a client subscribed both ways counts twice, as in Redis). Frames for
/// the publishing client itself go straight into `out`, ahead of its reply.
pub fn publish(
    store: &mut Store,
    publisher: &ClientState,
    out: &mut ReplyBuf,
    channel: &[u8],
    message: &[u8],
    now_ms: u64,
) -> usize {
    let limits = store.config.client_output_buffer_limit;
    let mut receivers = 0;
    if let Some(subscribers) = store.pubsub.channels.get(channel) {
        let mut frames = Frames {
            kind: "message",
            pattern: None,
            channel,
            message,
            resp2: None,
            resp3: None,
        };
        for client in subscribers {
            receivers += 1;
            send_frame(&limits, now_ms, publisher, out, client, &mut frames);
        }
    }
    for (pattern, subscribers) in &store.pubsub.patterns {
        if !crate::glob::glob_match(pattern, channel, false) {
            continue;
        }
        let mut frames = Frames {
            kind: "pmessage",
            pattern: Some(pattern),
            channel,
            message,
            resp2: None,
            resp3: None,
        };
        for client in subscribers {
            receivers += 1;
            send_frame(&limits, now_ms, publisher, out, client, &mut frames);
        }
    }
    receivers
}

fn send_frame(
    limits: &ClientOutputBufferLimits,
    now_ms: u64,
    publisher: &ClientState,
    out: &mut ReplyBuf,
    client: &ClientHandle,
    frames: &mut Frames,
) {
    if client.id == publisher.id() {
        out.raw(&frames.get(out.proto));
        return;
    }
    let proto = if client.resp.load(Ordering::Relaxed) == 3 {
        Protocol::Resp3
    } else {
        Protocol::Resp2
    };
    deliver(limits, now_ms, client, frames.get(proto));
}

/// Queue `frame` for `client` and enforce its output buffer limit. A client over the limit is
/// disconnected (and gets nothing more) so a consumer that stops reading cannot make the
/// server's memory grow without bound.
pub fn deliver(
    limits: &ClientOutputBufferLimits,
    now_ms: u64,
    client: &ClientHandle,
    frame: Bytes,
) {
    if client.kill.is_cancelled() {
        return;
    }
    client.push(frame);
    if over_output_limit(limits, now_ms, client) {
        tracing::warn!(
            client = client.id,
            addr = %client.addr,
            pending = client.push_pending.load(Ordering::Relaxed),
            "closing client that reached its output buffer limit"
        );
        client.kill.cancel();
    }
}

/// Redis's checkClientOutputBufferLimits: over the hard limit at once, or over the soft limit
/// for longer than its seconds.
fn over_output_limit(
    limits: &ClientOutputBufferLimits,
    now_ms: u64,
    client: &ClientHandle,
) -> bool {
    let limit = match client.kind() {
        ClientKind::Pubsub => limits.pubsub,
        ClientKind::Replica => limits.replica,
        ClientKind::Normal | ClientKind::Master => limits.normal,
    };
    let used = client.push_pending.load(Ordering::Relaxed) as u64;
    if limit.hard > 0 && used >= limit.hard {
        return true;
    }
    if limit.soft == 0 || used < limit.soft {
        client.soft_limit_since_ms.store(0, Ordering::Relaxed);
        return false;
    }
    let since = client.soft_limit_since_ms.load(Ordering::Relaxed);
    if since == 0 {
        client
            .soft_limit_since_ms
            .store(now_ms.max(1), Ordering::Relaxed);
        return false;
    }
    (now_ms / 1000).saturating_sub(since / 1000) > limit.soft_seconds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OutputBufferLimit;

    fn handle() -> (ClientHandle, tokio::sync::mpsc::UnboundedReceiver<Bytes>) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let addr = "127.0.0.1:1".parse().expect("addr");
        (ClientHandle::new(1, addr, addr, tx), rx)
    }

    fn limits(hard: u64, soft: u64, soft_seconds: u64) -> ClientOutputBufferLimits {
        ClientOutputBufferLimits {
            normal: OutputBufferLimit {
                hard,
                soft,
                soft_seconds,
            },
            ..Default::default()
        }
    }

    #[test]
    fn hard_limit_kills_at_once() {
        let (client, _rx) = handle();
        let limits = limits(100, 0, 0);
        deliver(&limits, 1000, &client, Bytes::from(vec![0u8; 60]));
        assert!(!client.kill.is_cancelled());
        deliver(&limits, 1000, &client, Bytes::from(vec![0u8; 60]));
        assert!(client.kill.is_cancelled());
        // Nothing more is queued for a client on its way out.
        deliver(&limits, 1000, &client, Bytes::from(vec![0u8; 60]));
        assert_eq!(client.push_pending.load(Ordering::Relaxed), 120);
    }

    #[test]
    fn soft_limit_needs_time() {
        let (client, _rx) = handle();
        let limits = limits(0, 10, 2);
        deliver(&limits, 10_000, &client, Bytes::from(vec![0u8; 20]));
        deliver(&limits, 12_000, &client, Bytes::from(vec![0u8; 1]));
        assert!(!client.kill.is_cancelled());
        deliver(&limits, 13_000, &client, Bytes::from(vec![0u8; 1]));
        assert!(client.kill.is_cancelled());
    }

    #[test]
    fn soft_limit_resets_when_drained() {
        let (client, _rx) = handle();
        let limits = limits(0, 10, 2);
        deliver(&limits, 10_000, &client, Bytes::from(vec![0u8; 20]));
        client.pushes_taken(1, 20);
        deliver(&limits, 11_000, &client, Bytes::from(vec![0u8; 1]));
        assert_eq!(client.soft_limit_since_ms.load(Ordering::Relaxed), 0);
        deliver(&limits, 20_000, &client, Bytes::from(vec![0u8; 20]));
        assert!(!client.kill.is_cancelled());
    }

    #[test]
    fn frames_are_exact() {
        let mut frames = Frames {
            kind: "pmessage",
            pattern: Some(b"c*"),
            channel: b"ch",
            message: b"hi",
            resp2: None,
            resp3: None,
        };
        assert_eq!(
            &frames.get(Protocol::Resp2)[..],
            b"*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n"
        );
        assert_eq!(
            &frames.get(Protocol::Resp3)[..],
            b">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n"
        );
    }
}

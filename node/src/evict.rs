//! `maxmemory`: measuring used memory, the LRU clock and LFU counters kept in
//! `Entry::access`, and Redis's approximated eviction (sampling into an eviction pool).
//!
//! Used memory is jemalloc's `stats.allocated`. Reading it needs an epoch refresh that costs
//! microseconds, so between refreshes the figure is carried forward with the allocating
//! thread's own counters (a plain load each), measured around every command while a limit is
//! set; a refresh happens at least every [`REFRESH_MS`] and before any eviction decision.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::Rng;
use tikv_jemalloc_ctl::thread::ThreadLocal;

use crate::config::MaxmemoryPolicy;
use crate::keyspace::{Db, Entry};
use crate::server::Store;
use crate::types::SmallBytes;

/// Redis's LRU clock: seconds, 24 bits.
pub const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;
/// Initial LFU counter of a new key, so it is not evicted before it had a chance to be used.
pub const LFU_INIT_VAL: u8 = 5;
const EVICTION_POOL_SIZE: usize = 16;
/// Longest time the estimate of used memory goes without asking the allocator.
pub const REFRESH_MS: u64 = 100;

static CLOCK_MS: AtomicU64 = AtomicU64::new(0);

/// The command clock (unix ms), published by the dispatcher so that entries created without
/// a time at hand (`Entry::new`) get a fresh access stamp.
pub fn set_clock(now_ms: u64) {
    CLOCK_MS.store(now_ms, Ordering::Relaxed);
}

pub fn clock_ms() -> u64 {
    match CLOCK_MS.load(Ordering::Relaxed) {
        0 => crate::server::unix_ms(),
        ms => ms,
    }
}

/// How `Entry::access` is maintained: an LRU clock, or an LFU counter with its decay time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccessClock {
    #[default]
    Lru,
    Lfu {
        log_factor: u32,
        decay_time: u32,
    },
}

impl AccessClock {
    pub fn for_config(config: &crate::Config) -> Self {
        if config.maxmemory_policy.is_lfu() {
            AccessClock::Lfu {
                log_factor: config.lfu_log_factor,
                decay_time: config.lfu_decay_time,
            }
        } else {
            AccessClock::Lru
        }
    }

    /// The access field of a new key.
    pub fn fresh(self, now_ms: u64) -> u32 {
        match self {
            AccessClock::Lru => lru_clock(now_ms),
            AccessClock::Lfu { .. } => (lfu_minutes(now_ms) << 8) | LFU_INIT_VAL as u32,
        }
    }

    /// The access field of a key restored with an idle time in seconds (RESTORE IDLETIME, the
    /// RDB IDLE opcode) or an LFU counter (FREQ), as Redis's `objectSetLRUOrLFU`: only the one
    /// the clock uses counts; `None` when it was not given.
    pub fn restored(self, idle_s: Option<u64>, freq: Option<u8>, now_ms: u64) -> Option<u32> {
        match self {
            AccessClock::Lfu { .. } => freq.map(|f| (lfu_minutes(now_ms) << 8) | u32::from(f)),
            AccessClock::Lru => idle_s.map(|idle| {
                let clock = lru_clock(now_ms);
                match u32::try_from(idle).ok().and_then(|i| clock.checked_sub(i)) {
                    Some(stamp) => stamp,
                    // Past the wrapping clock: half-way round keeps the idle time high.
                    None => (clock + LRU_CLOCK_MAX / 2) % LRU_CLOCK_MAX,
                }
            }),
        }
    }

    /// A key was accessed.
    #[inline]
    pub fn touch(self, access: &mut u32, now_ms: u64) {
        match self {
            AccessClock::Lru => *access = lru_clock(now_ms),
            AccessClock::Lfu {
                log_factor,
                decay_time,
            } => {
                let counter = lfu_decr_and_return(*access, now_ms, decay_time);
                let counter = lfu_log_incr(counter, log_factor);
                *access = (lfu_minutes(now_ms) << 8) | counter as u32;
            }
        }
    }
}

pub fn lru_clock(now_ms: u64) -> u32 {
    ((now_ms / 1000) as u32) & LRU_CLOCK_MAX
}

/// Milliseconds since the LRU stamp `access` (Redis's `estimateObjectIdleTime`).
pub fn idle_ms(access: u32, now_ms: u64) -> u64 {
    let clock = lru_clock(now_ms);
    let stamp = access & LRU_CLOCK_MAX;
    let seconds = if clock >= stamp {
        clock - stamp
    } else {
        clock + (LRU_CLOCK_MAX - stamp)
    };
    seconds as u64 * 1000
}

fn lfu_minutes(now_ms: u64) -> u32 {
    ((now_ms / 1000 / 60) & 65535) as u32
}

/// The LFU counter of `access` after decaying it by the minutes elapsed.
pub fn lfu_decr_and_return(access: u32, now_ms: u64, decay_time: u32) -> u8 {
    let last = (access >> 8) & 65535;
    let counter = (access & 255) as u8;
    let now = lfu_minutes(now_ms);
    let elapsed = if now >= last {
        now - last
    } else {
        65535 - last + now
    };
    // A decay time of 0 means the counter never decays.
    let periods = elapsed.checked_div(decay_time).unwrap_or(0);
    if periods == 0 {
        counter
    } else if periods > counter as u32 {
        0
    } else {
        counter - periods as u8
    }
}

/// Logarithmic increment: the higher the counter, the less likely it grows.
fn lfu_log_incr(counter: u8, log_factor: u32) -> u8 {
    if counter == 255 {
        return 255;
    }
    let r: f64 = rand::rng().random();
    let base = (counter as f64 - LFU_INIT_VAL as f64).max(0.0);
    let p = 1.0 / (base * log_factor as f64 + 1.0);
    if r < p { counter + 1 } else { counter }
}

// ---- used memory ----------------------------------------------------------------------------

thread_local! {
    static THREAD_COUNTERS: Cell<Option<(ThreadLocal<u64>, ThreadLocal<u64>)>> = const { Cell::new(None) };
}

/// Bytes this thread allocated minus bytes it freed, since it started. Differences of two
/// readings on one thread give what happened in between.
pub fn thread_net_allocated() -> i64 {
    THREAD_COUNTERS.with(|cell| {
        let counters = match cell.get() {
            Some(c) => Some(c),
            None => {
                let c = tikv_jemalloc_ctl::thread::allocatedp::read()
                    .ok()
                    .zip(tikv_jemalloc_ctl::thread::deallocatedp::read().ok());
                cell.set(c);
                c
            }
        };
        counters.map_or(0, |(alloc, dealloc)| {
            alloc.get().wrapping_sub(dealloc.get()) as i64
        })
    })
}

/// The allocator's global figures (after an epoch refresh).
#[derive(Debug, Clone, Copy, Default)]
pub struct AllocatorStats {
    pub allocated: u64,
    pub active: u64,
    pub resident: u64,
    pub metadata: u64,
}

pub fn allocator_stats() -> AllocatorStats {
    use tikv_jemalloc_ctl::{epoch, stats};
    let _ = epoch::advance();
    AllocatorStats {
        allocated: stats::allocated::read().unwrap_or(0) as u64,
        active: stats::active::read().unwrap_or(0) as u64,
        resident: stats::resident::read().unwrap_or(0) as u64,
        metadata: stats::metadata::read().unwrap_or(0) as u64,
    }
}

pub fn allocator_name() -> String {
    let version = tikv_jemalloc_ctl::version::read().unwrap_or("unknown");
    let short = version.split('-').next().unwrap_or(version);
    format!("jemalloc-{short}")
}

/// Used memory as the node accounts it.
#[derive(Debug, Default)]
pub struct MemoryTracker {
    /// `stats.allocated` at the last refresh.
    refreshed: u64,
    refreshed_ms: u64,
    /// Net bytes allocated by commands since the last refresh.
    pub net_since_refresh: i64,
    pub peak: u64,
    /// Used memory when the server started.
    pub startup: u64,
}

impl MemoryTracker {
    pub fn new() -> Self {
        let mut tracker = MemoryTracker::default();
        tracker.startup = tracker.refresh(crate::server::unix_ms());
        tracker
    }

    /// Ask the allocator now.
    pub fn refresh(&mut self, now_ms: u64) -> u64 {
        let _ = tikv_jemalloc_ctl::epoch::advance();
        let used = tikv_jemalloc_ctl::stats::allocated::read().unwrap_or(0) as u64;
        self.refreshed = used;
        self.refreshed_ms = now_ms.max(1);
        self.net_since_refresh = 0;
        self.peak = self.peak.max(used);
        used
    }

    pub fn estimate(&self) -> u64 {
        (self.refreshed as i64)
            .saturating_add(self.net_since_refresh)
            .max(0) as u64
    }

    /// Forget the estimate: the next check asks the allocator.
    pub fn invalidate(&mut self) {
        self.refreshed_ms = 0;
    }

    /// Used memory, refreshed when the estimate is old or says the limit is exceeded (at
    /// most once per millisecond then).
    fn current(&mut self, now_ms: u64, limit: u64) -> u64 {
        let estimate = self.estimate();
        let age = now_ms.saturating_sub(self.refreshed_ms);
        if self.refreshed_ms == 0 || age >= REFRESH_MS || (estimate > limit && age >= 1) {
            return self.refresh(now_ms);
        }
        estimate
    }
}

// ---- eviction -------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct PoolEntry {
    /// Higher is a better candidate.
    idle: u64,
    db: usize,
    key: SmallBytes,
}

/// Eviction state kept in the store.
#[derive(Debug, Default)]
pub struct Evictor {
    pub memory: MemoryTracker,
    /// Best candidates seen so far, ascending by idle score (Redis's `EvictionPoolLRU`).
    pool: Vec<PoolEntry>,
    /// Next database for the random policies.
    next_db: usize,
    pub evicted_keys: u64,
}

impl Evictor {
    pub fn new() -> Self {
        Evictor {
            memory: MemoryTracker::new(),
            ..Default::default()
        }
    }
}

/// Redis's `performEvictions`: if used memory is over `maxmemory`, evict keys by the policy
/// until it is not. Returns false when memory is still over the limit (OOM).
pub fn perform_evictions(store: &mut Store, now_ms: u64) -> bool {
    let limit = store.config.maxmemory;
    if limit == 0 {
        return true;
    }
    let used = store.evict.memory.current(now_ms, limit);
    if used <= limit {
        return true;
    }
    let policy = store.config.maxmemory_policy;
    if policy == MaxmemoryPolicy::NoEviction {
        return false;
    }
    let to_free = used - limit;
    let mut freed: u64 = 0;
    while freed < to_free {
        let Some((db, key)) = pick_victim(store, policy, now_ms) else {
            break;
        };
        let before = thread_net_allocated();
        let removed = store.dbs[db].remove(&key);
        let existed = removed.is_some();
        drop(removed);
        let released = before.saturating_sub(thread_net_allocated()).max(0) as u64;
        if !existed {
            continue;
        }
        freed = freed.saturating_add(released);
        store.evict.memory.net_since_refresh = store
            .evict
            .memory
            .net_since_refresh
            .saturating_sub(released as i64);
        store.evict.evicted_keys += 1;
        store.watch.touch(db, &key);
        store.feed.push_deletion(db, &key);
    }
    freed >= to_free
}

pub const OOM_ERROR: &str = "OOM command not allowed when used memory > 'maxmemory'.";

/// Redis's OOM check in `processCommand`: evict if needed, then refuse commands that may grow
/// memory (and, inside MULTI, anything but EXEC/DISCARD/QUIT/RESET) while still over the limit.
pub fn command_allowed(
    store: &mut Store,
    client: &crate::client::ClientState,
    cmd: &wire::Command,
    now_ms: u64,
) -> bool {
    use wire::CommandId;
    if perform_evictions(store, now_ms) {
        return true;
    }
    let control = matches!(
        cmd.id,
        CommandId::Exec | CommandId::Discard | CommandId::Quit | CommandId::Reset
    );
    if client.multi.is_some() && !control {
        return false;
    }
    if cmd.has(wire::command::flags::DENYOOM) {
        return false;
    }
    // EXEC is refused when it would run a command that is.
    let queued_denyoom = cmd.id == CommandId::Exec
        && client.multi.as_ref().is_some_and(|m| {
            m.queued.iter().any(|req| {
                wire::command::resolve(&req.args)
                    .is_ok_and(|c| c.has(wire::command::flags::DENYOOM))
            })
        });
    !queued_denyoom
}

fn pick_victim(
    store: &mut Store,
    policy: MaxmemoryPolicy,
    now_ms: u64,
) -> Option<(usize, SmallBytes)> {
    let volatile = policy.is_volatile();
    match policy {
        MaxmemoryPolicy::AllkeysRandom | MaxmemoryPolicy::VolatileRandom => {
            let count = store.dbs.len();
            for _ in 0..count {
                store.evict.next_db = (store.evict.next_db + 1) % count;
                let db = &store.dbs[store.evict.next_db];
                if candidates(db, volatile) == 0 {
                    continue;
                }
                if let Some(e) = sample(db, volatile, 1).into_iter().next() {
                    return Some((store.evict.next_db, e.key.clone()));
                }
            }
            None
        }
        _ => loop {
            let samples = store.config.maxmemory_samples as usize;
            let mut total = 0;
            for (index, db) in store.dbs.iter().enumerate() {
                let n = candidates(db, volatile);
                if n == 0 {
                    continue;
                }
                total += n;
                for entry in sample(db, volatile, samples) {
                    let idle = score(entry, policy, now_ms, &store.config);
                    pool_insert(&mut store.evict.pool, index, &entry.key, idle);
                }
            }
            if total == 0 {
                return None;
            }
            // Best first; entries whose key is gone or no longer qualifies are ghosts.
            while let Some(best) = store.evict.pool.pop() {
                let alive = store.dbs[best.db]
                    .peek_any(&best.key)
                    .is_some_and(|e| !volatile || e.expire_at().is_some());
                if alive {
                    return Some((best.db, best.key));
                }
            }
        },
    }
}

fn candidates(db: &Db, volatile: bool) -> usize {
    if volatile { db.expires_len() } else { db.len() }
}

/// The eviction score: idle time for LRU, 255 - frequency for LFU, time left reversed for TTL.
fn score(entry: &Entry, policy: MaxmemoryPolicy, now_ms: u64, config: &crate::Config) -> u64 {
    match policy {
        MaxmemoryPolicy::AllkeysLfu | MaxmemoryPolicy::VolatileLfu => {
            255 - lfu_decr_and_return(entry.access, now_ms, config.lfu_decay_time) as u64
        }
        MaxmemoryPolicy::VolatileTtl => u64::MAX - entry.expire_at().unwrap_or(u64::MAX),
        _ => idle_ms(entry.access, now_ms),
    }
}

/// Insert into the pool kept ascending by score, at most 16 entries: when full, a candidate
/// worse than all is dropped, otherwise the worst entry makes room.
fn pool_insert(pool: &mut Vec<PoolEntry>, db: usize, key: &[u8], idle: u64) {
    if pool.iter().any(|e| e.db == db && e.key.as_slice() == key) {
        return;
    }
    let at = pool
        .iter()
        .position(|e| e.idle >= idle)
        .unwrap_or(pool.len());
    let entry = PoolEntry {
        idle,
        db,
        key: SmallBytes::new(key),
    };
    if pool.len() < EVICTION_POOL_SIZE {
        pool.insert(at, entry);
    } else if at > 0 {
        pool.remove(0);
        pool.insert(at - 1, entry);
    }
}

/// Up to `count` entries from consecutive slots starting at a random one (Redis's
/// `dictGetSomeKeys` walks consecutive buckets the same way), volatile ones only if asked.
pub fn sample(db: &Db, volatile: bool, count: usize) -> Vec<&Entry> {
    let mut out = Vec::with_capacity(count);
    if count == 0 || candidates(db, volatile) == 0 {
        return out;
    }
    let slots = wire::slot::SLOT_COUNT;
    let mut rng = rand::rng();
    let start = rng.random_range(0..slots);
    for step in 0..slots {
        let slot = (start + step) % slots;
        let available = if volatile {
            db.slot_volatile(slot)
        } else {
            db.slot_len(slot)
        };
        if available == 0 {
            continue;
        }
        let len = db.slot_len(slot);
        let offset = rng.random_range(0..len);
        let entries = db
            .slot_entries(slot)
            .skip(offset)
            .chain(db.slot_entries(slot).take(offset))
            .filter(|e| !volatile || e.expire_at().is_some());
        for entry in entries {
            out.push(entry);
            if out.len() == count {
                return out;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lru_idle_wraps() {
        let now = 1_700_000_000_000u64;
        let stamp = lru_clock(now - 5000);
        assert_eq!(idle_ms(stamp, now), 5000);
        // Redis's formula counts one second less across the wrap.
        assert_eq!(
            idle_ms(LRU_CLOCK_MAX, (LRU_CLOCK_MAX as u64 + 3) * 1000),
            2000
        );
    }

    #[test]
    fn lfu_counter_grows_and_decays() {
        let now = 1_700_000_000_000u64;
        let clock = AccessClock::Lfu {
            log_factor: 0,
            decay_time: 1,
        };
        let mut access = clock.fresh(now);
        assert_eq!(lfu_decr_and_return(access, now, 1), LFU_INIT_VAL);
        for _ in 0..10 {
            clock.touch(&mut access, now);
        }
        // log_factor 0: every access counts.
        assert_eq!(lfu_decr_and_return(access, now, 1), LFU_INIT_VAL + 10);
        // Three minutes later with decay 1: three less.
        assert_eq!(
            lfu_decr_and_return(access, now + 180_000, 1),
            LFU_INIT_VAL + 7
        );
        assert_eq!(
            lfu_decr_and_return(access, now + 180_000, 0),
            LFU_INIT_VAL + 10
        );
        assert_eq!(lfu_decr_and_return(access, now + 100 * 60_000, 1), 0);
    }

    #[test]
    fn pool_keeps_best_sixteen() {
        let mut pool = Vec::new();
        for i in 0..40u64 {
            pool_insert(&mut pool, 0, format!("k{i}").as_bytes(), i % 20);
        }
        assert_eq!(pool.len(), EVICTION_POOL_SIZE);
        assert!(pool.windows(2).all(|w| w[0].idle <= w[1].idle));
        assert_eq!(pool.last().map(|e| e.idle), Some(19));
    }

    #[test]
    fn sampling_finds_volatile_keys() {
        let mut db = Db::new(0);
        for i in 0..50 {
            db.insert(
                format!("k{i}").as_bytes(),
                crate::types::Value::string(b"v"),
            );
        }
        db.set_expire(b"k7", Some(u64::MAX / 2));
        for _ in 0..20 {
            let got = sample(&db, true, 5);
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].key.as_slice(), b"k7");
        }
        assert_eq!(sample(&db, false, 5).len(), 5);
    }

    #[test]
    fn thread_counters_see_allocations() {
        let before = thread_net_allocated();
        let v = vec![0u8; 1 << 20];
        let after = thread_net_allocated();
        assert!(after - before >= 1 << 20, "{before} {after}");
        drop(v);
        assert!(thread_net_allocated() < after);
    }
}

//! Active expiry: the periodic cycle that removes expired keys nobody reads (Redis's
//! activeExpireCycle, slow variant), and the hand-off of expired keys to WATCH.
//!
//! Each database keeps a cursor over its slots. A cycle walks the slots that hold volatile
//! keys from that cursor, removes the expired keys found there, and keeps going while more
//! than 10% of the keys it checked had expired, within a time budget of 25% of a server tick.
//! The store lock is taken for chunks of about a millisecond so clients keep being served.

use std::time::{Duration, Instant};

use wire::slot::SLOT_COUNT;

use crate::keyspace::ExpireMode;
use crate::server::{Server, Store, unix_ms};

/// Volatile keys checked before deciding whether to go on with a database.
const KEYS_PER_LOOP: usize = 20;
/// Go on with a database while more than this percentage of the checked keys had expired.
const ACCEPTABLE_STALE_PERCENT: usize = 10;
/// Share of a tick (percent) one cycle may use.
const SLOW_TIME_PERCENT: u64 = 25;
/// Longest time the cycle holds the store lock at once.
const CHUNK: Duration = Duration::from_millis(1);

/// State of the active expiry cycle, kept in the store.
#[derive(Debug)]
pub struct ActiveExpire {
    /// `DEBUG SET-ACTIVE-EXPIRE 0|1`.
    pub enabled: bool,
    /// Next slot to visit, per database.
    cursors: Vec<usize>,
    /// Database the next cycle starts with, so that a cycle cut short by its time budget
    /// does not starve the databases after it.
    next_db: usize,
    /// Estimated percentage of expired keys among the volatile ones (INFO
    /// `expired_stale_perc`), smoothed over cycles as Redis does.
    pub stale_percent: f64,
    /// Cycles that stopped on their time budget (INFO `expired_time_cap_reached_count`).
    pub time_cap_reached: u64,
    /// Time spent in the cycle, microseconds (INFO `expire_cycle_cpu_milliseconds`).
    pub cpu_us: u64,
}

impl Default for ActiveExpire {
    fn default() -> Self {
        ActiveExpire {
            enabled: true,
            cursors: Vec::new(),
            next_db: 0,
            stale_percent: 0.0,
            time_cap_reached: 0,
            cpu_us: 0,
        }
    }
}

/// Keys removed because they expired invalidate the WATCHes on them and are propagated as
/// DEL. Called after every command and after each chunk of the active cycle.
pub fn drain_expired_log(store: &mut Store) {
    for db in 0..store.dbs.len() {
        if store.dbs[db].expired_log.is_empty() {
            continue;
        }
        let expired = std::mem::take(&mut store.dbs[db].expired_log);
        for key in &expired {
            store.watch.touch(db, key);
            store.feed.push_deletion(db, key);
        }
    }
}

/// Where a database stands after a chunk of work.
enum DbProgress {
    /// Few expired keys left, nothing volatile, or every slot visited this cycle.
    Done,
    /// More to do, but the chunk used its time.
    Paused,
}

/// Counts of one cycle.
#[derive(Debug, Default)]
struct CycleCounts {
    sampled: usize,
    expired: usize,
}

/// One active expiry cycle (run from the server cron).
pub fn active_expire_cycle(server: &Server) {
    let started = Instant::now();
    let (budget, db_count, first_db) = {
        let mut store = server.store.lock();
        if !store.active_expire.enabled {
            return;
        }
        let hz = u64::from(store.config.hz.max(1));
        let db_count = store.dbs.len();
        let expire = &mut store.active_expire;
        expire.cursors.resize(db_count, 0);
        if expire.next_db >= db_count {
            expire.next_db = 0;
        }
        (
            Duration::from_micros(1_000_000 * SLOW_TIME_PERCENT / 100 / hz),
            db_count,
            expire.next_db,
        )
    };
    let deadline = started + budget;
    let mut counts = CycleCounts::default();
    let mut timed_out = false;
    'dbs: for step in 0..db_count {
        let index = (first_db + step) % db_count;
        // Slots visited in this database during this cycle: one full turn at most.
        let mut walked = 0;
        loop {
            let mut store = server.store.lock();
            let chunk_end = (Instant::now() + CHUNK).min(deadline);
            let progress = expire_chunk(&mut store, index, &mut walked, chunk_end, &mut counts);
            drain_expired_log(&mut store);
            crate::propagate::deliver(&mut store);
            if matches!(progress, DbProgress::Done) {
                store.active_expire.next_db = (index + 1) % db_count;
                break;
            }
            drop(store);
            if Instant::now() >= deadline {
                timed_out = true;
                break 'dbs;
            }
        }
    }
    let mut store = server.store.lock();
    let expire = &mut store.active_expire;
    if timed_out {
        expire.time_cap_reached += 1;
    }
    if counts.sampled > 0 {
        let current = counts.expired as f64 * 100.0 / counts.sampled as f64;
        expire.stale_percent = current * 0.05 + expire.stale_percent * 0.95;
    }
    expire.cpu_us += started.elapsed().as_micros() as u64;
}

/// Expire keys of database `index` until it is done or `until` passes.
fn expire_chunk(
    store: &mut Store,
    index: usize,
    walked: &mut usize,
    until: Instant,
    counts: &mut CycleCounts,
) -> DbProgress {
    let db = &mut store.dbs[index];
    let cursor = &mut store.active_expire.cursors[index];
    loop {
        if db.expires_len() == 0 || db.expire_mode == ExpireMode::Hide {
            return DbProgress::Done;
        }
        let now = unix_ms();
        let (mut sampled, mut expired) = (0, 0);
        while sampled < KEYS_PER_LOOP && *walked < SLOT_COUNT {
            let slot = *cursor;
            *cursor = (slot + 1) % SLOT_COUNT;
            *walked += 1;
            let volatile = db.slot_volatile(slot);
            if volatile == 0 {
                continue;
            }
            sampled += volatile;
            for key in db.expired_in_slot(slot, now) {
                if db.expire_key(&key, now) {
                    expired += 1;
                }
            }
        }
        counts.sampled += sampled;
        counts.expired += expired;
        if sampled == 0
            || expired * 100 <= sampled * ACCEPTABLE_STALE_PERCENT
            || *walked >= SLOT_COUNT
        {
            return DbProgress::Done;
        }
        if Instant::now() >= until {
            return DbProgress::Paused;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::types::Value;

    fn store_with_volatile(keys: usize, expire_at: u64) -> Server {
        let server = Server::new(Config::default(), 0);
        {
            let mut store = server.store.lock();
            for i in 0..keys {
                let key = format!("key:{i}");
                store.dbs[3].insert(key.as_bytes(), Value::string(b"v"));
                store.dbs[3].set_expire(key.as_bytes(), Some(expire_at));
            }
        }
        std::sync::Arc::into_inner(server).expect("sole owner")
    }

    #[test]
    fn cycle_removes_expired_keys() {
        let server = store_with_volatile(5000, 1);
        for _ in 0..100 {
            active_expire_cycle(&server);
            if server.store.lock().dbs[3].is_empty() {
                break;
            }
        }
        let store = server.store.lock();
        assert_eq!(store.dbs[3].len(), 0);
        assert_eq!(store.dbs[3].expired_keys, 5000);
        assert!(store.dbs[3].expired_log.is_empty(), "log drained");
    }

    #[test]
    fn cycle_keeps_live_keys_and_respects_switch() {
        let server = store_with_volatile(100, unix_ms() + 3_600_000);
        active_expire_cycle(&server);
        assert_eq!(server.store.lock().dbs[3].len(), 100);

        let server = store_with_volatile(100, 1);
        server.store.lock().active_expire.enabled = false;
        active_expire_cycle(&server);
        assert_eq!(server.store.lock().dbs[3].len(), 100);
    }
}

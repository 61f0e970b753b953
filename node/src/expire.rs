//! Active expiry: the periodic cycle that removes expired keys nobody reads.

/// State of the active expiry cycle, kept in the store.
#[derive(Debug)]
pub struct ActiveExpire {
    /// `DEBUG SET-ACTIVE-EXPIRE 0|1`.
    pub enabled: bool,
}

impl Default for ActiveExpire {
    fn default() -> Self {
        ActiveExpire { enabled: true }
    }
}

//! Active expiry: the periodic cycle that removes expired keys nobody reads.

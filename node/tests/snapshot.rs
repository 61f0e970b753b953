//! One snapshot, several consumers: every subscriber receives the same bytes, and they hold
//! the keyspace of the instant the snapshot began, whatever is written meanwhile.

mod common;

use std::collections::BTreeMap;

use node::rdb::load::load_all;

fn strings(loaded: &node::rdb::load::Loaded) -> BTreeMap<(usize, Vec<u8>), Vec<u8>> {
    let mut out = BTreeMap::new();
    for (db, entries) in loaded.dbs.iter().enumerate() {
        for e in entries {
            let value = e.value.as_bytes().expect("string values").to_vec();
            out.insert((db, e.key.clone()), value);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_share_one_point_in_time_stream() {
    let ts = common::start("rdb-key-save-delay 20").await;
    let mut con = ts.conn(false).await;
    let mut before = BTreeMap::new();
    for i in 0..5000 {
        let (k, v) = (format!("key:{i}"), format!("v{i}"));
        let _: () = redis::cmd("SET")
            .arg(&k)
            .arg(&v)
            .query_async(&mut con)
            .await
            .unwrap();
        before.insert((0, k.into_bytes()), v.into_bytes());
    }
    let streams = {
        let mut store = ts.server.store.lock();
        let mut pending =
            node::snapshot::begin(&mut store, &Default::default(), node::server::unix_ms())
                .expect("no snapshot running");
        // Only one snapshot runs at a time.
        assert!(
            node::snapshot::begin(&mut store, &Default::default(), 0).is_err(),
            "a second snapshot started"
        );
        let streams = [pending.subscribe(), pending.subscribe()];
        pending.run(ts.server.clone());
        streams
    };
    let readers = streams.map(|stream| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            stream.write_to(&mut bytes).expect("complete stream");
            bytes
        })
    });
    for i in (0..5000).step_by(3) {
        let _: () = redis::cmd("SET")
            .arg(format!("key:{i}"))
            .arg("changed")
            .query_async(&mut con)
            .await
            .unwrap();
        let _: () = redis::cmd("DEL")
            .arg(format!("key:{}", i + 1))
            .query_async(&mut con)
            .await
            .unwrap();
    }
    let [a, b] = readers.map(|r| r.join().unwrap());
    assert_eq!(a, b, "the subscribers received different bytes");
    let config = ts.server.store.lock().config.clone();
    let loaded = load_all(&a, &config, true).expect("a valid RDB");
    assert_eq!(strings(&loaded), before);
    // The walk is over: a new snapshot may begin.
    let mut store = ts.server.store.lock();
    assert!(node::snapshot::begin(&mut store, &Default::default(), 0).is_ok());
}

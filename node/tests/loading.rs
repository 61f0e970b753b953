//! While the data set is loading, commands without the `loading` flag get `-LOADING` and INFO
//! reports the progress fields.

mod common;

#[tokio::test]
async fn commands_wait_for_loading() {
    let ts = common::start("").await;
    let mut con = ts.conn(false).await;
    ts.server.store.lock().persist.loading = Some(node::persist::Loading {
        started_unix: 1,
        started: std::time::Instant::now(),
        total_bytes: 1000,
        loaded_bytes: 250,
    });
    let err = redis::cmd("GET")
        .arg("k")
        .query_async::<redis::Value>(&mut con)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("LOADING"), "{err}");
    assert!(
        err.to_string()
            .contains("Redis is loading the dataset in memory")
    );
    // INFO has the loading flag and answers with the progress.
    let info: String = redis::cmd("INFO")
        .arg("persistence")
        .query_async(&mut con)
        .await
        .unwrap();
    for field in [
        "loading:1",
        "loading_total_bytes:1000",
        "loading_loaded_bytes:250",
        "loading_loaded_perc:25.00",
    ] {
        assert!(info.contains(field), "{field} missing in {info}");
    }
    ts.server.store.lock().persist.loading = None;
    let got: Option<String> = redis::cmd("GET")
        .arg("k")
        .query_async(&mut con)
        .await
        .unwrap();
    assert_eq!(got, None);
}

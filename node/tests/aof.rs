//! The AOF in-process: directives, INFO fields, and start-up loading of hand-made AOF
//! directories (torn tails, an unfinished MULTI, a legacy single file, bad files).

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{query, start};

fn config(dir: &Path, extra: &str) -> node::Config {
    let mut config = node::Config::default();
    config
        .apply_text(&format!(
            "dir {}\nappendonly yes\nsave \"\"\n{extra}",
            dir.display()
        ))
        .expect("config");
    config
}

/// Write an AOF directory: the manifest lines and the files' contents.
fn write_aof(dir: &Path, manifest: &str, files: &[(&str, &[u8])]) {
    let aof = dir.join("appendonlydir");
    std::fs::create_dir_all(&aof).unwrap();
    std::fs::write(aof.join("appendonly.aof.manifest"), manifest).unwrap();
    for (name, bytes) in files {
        std::fs::write(aof.join(name), bytes).unwrap();
    }
}

fn load(
    dir: &Path,
    extra: &str,
) -> (
    Arc<node::Server>,
    Result<Option<node::aof::LoadStats>, String>,
) {
    let server = node::Server::new(config(dir, extra), 0);
    let result = node::aof::load_at_startup(&server);
    (server, result)
}

fn get(server: &node::Server, db: usize, key: &str) -> Option<Vec<u8>> {
    let store = server.store.lock();
    store.dbs[db]
        .peek_any(key.as_bytes())
        .and_then(|e| e.value.as_bytes().ok().map(<[u8]>::to_vec))
}

const MANIFEST: &str =
    "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n";

const SET_A: &[u8] = b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n";

#[tokio::test]
async fn directives_have_redis_names_defaults_and_errors() {
    let server = start("").await;
    let mut con = server.conn(false).await;
    for (name, value) in [
        ("appendonly", "no"),
        ("appendfsync", "everysec"),
        ("appenddirname", "appendonlydir"),
        ("appendfilename", "appendonly.aof"),
        ("auto-aof-rewrite-percentage", "100"),
        ("auto-aof-rewrite-min-size", "67108864"),
        ("aof-load-truncated", "yes"),
        ("aof-use-rdb-preamble", "yes"),
        ("no-appendfsync-on-rewrite", "no"),
        ("aof-timestamp-enabled", "no"),
    ] {
        assert_eq!(
            query(&mut con, &["CONFIG", "GET", name]).await,
            format!("[\"{name}\", \"{value}\"]")
        );
    }
    assert_eq!(
        query(&mut con, &["CONFIG", "SET", "appendfsync", "always"]).await,
        "OK"
    );
    assert_eq!(
        query(&mut con, &["CONFIG", "SET", "appendfsync", "sometimes"]).await,
        "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no"
    );
    assert_eq!(
        query(&mut con, &["CONFIG", "SET", "appendfilename", "x.aof"]).await,
        "ERR CONFIG SET failed (possibly related to argument 'appendfilename') - can't set immutable config"
    );
    let mut config = node::Config::default();
    let err = config.apply_text("appenddirname a/b").unwrap_err();
    assert!(
        err.0
            .contains("appenddirname can't be a path, just a dirname"),
        "{err}"
    );
    assert_eq!(
        query(
            &mut con,
            &["CONFIG", "SET", "auto-aof-rewrite-min-size", "1mb"]
        )
        .await,
        "OK"
    );
    assert_eq!(
        query(&mut con, &["CONFIG", "GET", "auto-aof-rewrite-min-size"]).await,
        "[\"auto-aof-rewrite-min-size\", \"1048576\"]"
    );
}

#[tokio::test]
async fn info_persistence_has_the_aof_fields() {
    let data = tempfile::tempdir().unwrap();
    let server = start(&format!(
        "dir {}\nappendonly yes\nsave \"\"\naof-use-rdb-preamble no",
        data.path().display()
    ))
    .await;
    let mut con = server.conn(false).await;
    // The AOF loads behind -LOADING on a thread of its own.
    while query(&mut con, &["INFO", "persistence"])
        .await
        .contains("loading:1")
    {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    assert_eq!(query(&mut con, &["SET", "k", "v"]).await, "OK");
    let info = query(&mut con, &["INFO", "persistence"]).await;
    let fields: Vec<&str> = info
        .trim_matches('"')
        .split("\\r\\n")
        .filter_map(|l| l.split(':').next())
        .filter(|f| f.starts_with("aof_") || f.starts_with("module_fork"))
        .collect();
    assert_eq!(
        fields,
        [
            "aof_enabled",
            "aof_rewrite_in_progress",
            "aof_rewrite_scheduled",
            "aof_last_rewrite_time_sec",
            "aof_current_rewrite_time_sec",
            "aof_last_bgrewrite_status",
            "aof_rewrites",
            "aof_rewrites_consecutive_failures",
            "aof_last_write_status",
            "aof_last_cow_size",
            "module_fork_in_progress",
            "module_fork_last_cow_size",
            "aof_current_size",
            "aof_base_size",
            "aof_pending_rewrite",
            "aof_buffer_length",
            "aof_pending_bio_fsync",
            "aof_delayed_fsync",
        ]
    );
    assert!(info.contains("aof_enabled:1"), "{info}");
    // SELECT 0 (23 bytes) and the SET (27 bytes).
    assert!(info.contains("aof_current_size:50"), "{info}");
}

#[test]
fn a_torn_tail_is_cut_at_the_last_complete_command() {
    let data = tempfile::tempdir().unwrap();
    let torn = [SET_A, &b"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1"[..]].concat();
    write_aof(
        data.path(),
        MANIFEST,
        &[
            ("appendonly.aof.1.base.aof", b""),
            ("appendonly.aof.1.incr.aof", &torn),
        ],
    );
    let (_, refused) = load(data.path(), "aof-load-truncated no");
    assert!(
        refused.unwrap_err().starts_with("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You can: 1) Make a backup"),
    );
    let (server, loaded) = load(data.path(), "");
    let stats = loaded.unwrap().unwrap();
    assert!(stats.truncated);
    assert_eq!(stats.commands, 1);
    assert_eq!(get(&server, 0, "a").as_deref(), Some(&b"1"[..]));
    let incr = data.path().join("appendonlydir/appendonly.aof.1.incr.aof");
    assert_eq!(std::fs::read(incr).unwrap(), SET_A);
}

#[test]
fn an_unfinished_multi_is_reverted() {
    let data = tempfile::tempdir().unwrap();
    let multi = [
        SET_A,
        b"*1\r\n$5\r\nMULTI\r\n",
        b"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n",
    ]
    .concat();
    write_aof(
        data.path(),
        MANIFEST,
        &[
            ("appendonly.aof.1.base.aof", b""),
            ("appendonly.aof.1.incr.aof", &multi),
        ],
    );
    let (server, loaded) = load(data.path(), "");
    assert!(loaded.unwrap().unwrap().truncated);
    assert_eq!(get(&server, 0, "a").as_deref(), Some(&b"1"[..]));
    assert_eq!(get(&server, 0, "b"), None);
    let incr = data.path().join("appendonlydir/appendonly.aof.1.incr.aof");
    assert_eq!(std::fs::read(incr).unwrap(), SET_A);
}

#[test]
fn a_complete_transaction_and_selects_replay() {
    let data = tempfile::tempdir().unwrap();
    let base = b"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n9\r\n";
    let incr = [
        &b"#TS:1700000000\r\n"[..],
        b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$5\r\nMULTI\r\n",
        SET_A,
        b"*2\r\n$4\r\nINCR\r\n$1\r\na\r\n*1\r\n$4\r\nEXEC\r\n",
    ]
    .concat();
    write_aof(
        data.path(),
        MANIFEST,
        &[
            ("appendonly.aof.1.base.aof", base),
            ("appendonly.aof.1.incr.aof", &incr),
        ],
    );
    let (server, loaded) = load(data.path(), "");
    let stats = loaded.unwrap().unwrap();
    assert!(!stats.truncated);
    assert_eq!(stats.files, 2);
    assert_eq!(get(&server, 3, "x").as_deref(), Some(&b"9"[..]));
    assert_eq!(get(&server, 0, "a").as_deref(), Some(&b"2"[..]));
    assert_eq!(
        server.store.lock().dirty,
        0,
        "loading is not a change to save"
    );
}

#[test]
fn truncation_of_a_file_that_is_not_the_last_is_fatal() {
    let data = tempfile::tempdir().unwrap();
    write_aof(
        data.path(),
        MANIFEST,
        &[
            ("appendonly.aof.1.base.aof", &SET_A[..SET_A.len() - 3]),
            ("appendonly.aof.1.incr.aof", SET_A),
        ],
    );
    let (_, result) = load(data.path(), "");
    assert_eq!(
        result.unwrap_err(),
        "Fatal error: the truncated file is not the last file"
    );
}

#[test]
fn bad_files_fail_with_redis_messages() {
    let data = tempfile::tempdir().unwrap();
    write_aof(
        data.path(),
        MANIFEST,
        &[
            ("appendonly.aof.1.base.aof", b""),
            ("appendonly.aof.1.incr.aof", b"junk\r\n"),
        ],
    );
    assert!(load(data.path(), "").1.unwrap_err().starts_with(
        "Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup"
    ));
    write_aof(
        data.path(),
        MANIFEST,
        &[(
            "appendonly.aof.1.incr.aof",
            b"*2\r\n$7\r\nNOTACMD\r\n$1\r\na\r\n",
        )],
    );
    assert_eq!(
        load(data.path(), "").1.unwrap_err(),
        "Unknown command 'NOTACMD' reading the append only file appendonly.aof.1.incr.aof"
    );
    write_aof(data.path(), "file x seq 1 type q\n", &[]);
    assert_eq!(
        load(data.path(), "").1.unwrap_err(),
        "Unknown AOF file type"
    );
    write_aof(
        data.path(),
        "file appendonly.aof.1.base.aof seq 1 type b\nfile missing.aof seq 1 type i\n",
        &[("appendonly.aof.1.base.aof", SET_A)],
    );
    assert!(
        load(data.path(), "")
            .1
            .unwrap_err()
            .starts_with("The append log file missing.aof doesn't exist")
    );
}

#[test]
fn a_legacy_single_file_is_moved_into_the_directory() {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("appendonly.aof"), SET_A).unwrap();
    let (server, loaded) = load(data.path(), "");
    assert_eq!(loaded.unwrap().unwrap().commands, 1);
    assert_eq!(get(&server, 0, "a").as_deref(), Some(&b"1"[..]));
    assert!(!data.path().join("appendonly.aof").exists());
    let aof = data.path().join("appendonlydir");
    assert_eq!(std::fs::read(aof.join("appendonly.aof")).unwrap(), SET_A);
    assert_eq!(
        std::fs::read_to_string(aof.join("appendonly.aof.manifest")).unwrap(),
        "file appendonly.aof seq 1 type b\n"
    );
    // Appending then starts a first incr file next to it.
    node::aof::open_after_load(&server).unwrap();
    assert_eq!(
        std::fs::read_to_string(aof.join("appendonly.aof.manifest")).unwrap(),
        "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
}

#[test]
fn nothing_to_load_without_appendonly_or_files() {
    let data = tempfile::tempdir().unwrap();
    let server = node::Server::new(node::Config::default(), 0);
    assert_eq!(node::aof::load_at_startup(&server), Ok(None));
    let (_, result) = load(data.path(), "");
    assert_eq!(result, Ok(None));
}

#[test]
fn a_legacy_file_with_an_rdb_preamble_loads_its_tail_too() {
    let data = tempfile::tempdir().unwrap();
    let source = node::Server::new(node::Config::default(), 0);
    let preamble = {
        let mut store = source.store.lock();
        store.dbs[5].insert(b"from-rdb", node::types::Value::string(b"r"));
        node::snapshot::write_locked(&store, &node::snapshot::Options::default(), 0)
    };
    let file = [&preamble[..], SET_A].concat();
    std::fs::write(data.path().join("appendonly.aof"), &file).unwrap();
    let (server, loaded) = load(data.path(), "");
    assert_eq!(loaded.unwrap().unwrap().commands, 1);
    assert_eq!(get(&server, 5, "from-rdb").as_deref(), Some(&b"r"[..]));
    assert_eq!(get(&server, 0, "a").as_deref(), Some(&b"1"[..]));
    // A torn tail after the preamble is cut at the end of the last whole command.
    let torn = [&preamble[..], SET_A, &SET_A[..5]].concat();
    let aof = data.path().join("appendonlydir/appendonly.aof");
    std::fs::write(&aof, &torn).unwrap();
    let (_, loaded) = load(data.path(), "");
    assert!(loaded.unwrap().unwrap().truncated);
    assert_eq!(std::fs::read(&aof).unwrap(), file);
}

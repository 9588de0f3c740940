//! The README's quick start, run exactly as written against a demo server, so it never
//! rots: the block between `<!-- quick-start -->` markers goes to `bash -euo pipefail` in a
//! folder laid out like a checkout after the README's first command (`data/horrors.toml`,
//! `target/release/horrors`). Only the port differs: the block's `127.0.0.1:8080` is
//! pointed at the server this test started on a free port.

use std::path::Path;
use std::process::{Command, Stdio};

mod common;

use common::server::{Listening, BIN};

const README: &str = include_str!("../README.md");

fn quick_start() -> String {
    let start = README
        .find("<!-- quick-start -->")
        .expect("the README marks its quick start");
    let end = README
        .find("<!-- /quick-start -->")
        .expect("the quick start ends");
    let block = &README[start..end];
    let code = block
        .split_once("```sh\n")
        .expect("a sh block")
        .1
        .rsplit_once("```")
        .expect("the block closes")
        .0;
    code.to_string()
}

#[test]
fn the_quick_start_runs_as_written() {
    let script = quick_start();
    assert!(script.contains("127.0.0.1:8080"), "{script}");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("data")).unwrap();
    std::fs::create_dir_all(root.join("target/release")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/horrors.toml"),
        root.join("data/horrors.toml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(BIN, root.join("target/release/horrors")).unwrap();

    // The README's first command, with the default paths (cwd-relative), on a free port.
    let mut server = Command::new(BIN)
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .current_dir(root)
        .env_remove("HORRORS_DB")
        .env_remove("HORRORS_CONFIG")
        .env_remove("HORRORS_BIND")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let address = Listening::wait(&mut server).address;

    let script = script.replace("127.0.0.1:8080", &address);
    let output = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(root)
        .env_remove("HORRORS_DB")
        .env_remove("HORRORS_CONFIG")
        .output()
        .expect("bash runs");
    let _ = server.kill();
    let _ = server.wait();
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the quick start failed:\n{err}\n{out}"
    );

    // What it printed: a tick, a ranking with demo data, a trend with counts.
    let docs: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&out)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("not JSON documents ({e}): {out}"));
    assert_eq!(docs.len(), 3, "{out}");
    assert_eq!(docs[0]["horror"], "late-delivery");
    assert!(
        docs[1]["totals"]["count"].as_u64().unwrap() > 10,
        "the demo has ticks in the last 30 days"
    );
    let trend_total: u64 = docs[2]["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["count"].as_u64().unwrap())
        .sum();
    assert!(
        trend_total > 10,
        "the trend example shows demo data: {}",
        docs[2]
    );
    let svg = std::fs::read_to_string(root.join("pareto.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..80.min(svg.len())]
    );
    let zip = std::fs::read(root.join("review.zip")).unwrap();
    assert!(zip.starts_with(b"PK"), "the review is a ZIP");
}

//! `--peers` and `--node/--nodes/--coordinator` (issue 20): a sharded run of the command gives
//! the unsharded iterates, an interrupted sharded run resumes, two processes on the loopback
//! interface give them too, and bad settings are refused before any run.

use std::time::{Duration, Instant};

use crate::cli::{bilevel, results, scratch, stderr};
use crate::commands::run_ok;

fn x_of(dir: &std::path::Path) -> Vec<f64> {
    let runs = results(dir);
    let x = runs[0]["x"].as_array().unwrap();
    x.iter().map(|v| v.as_f64().unwrap()).collect()
}

fn gap(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max)
}

const RUN: [&str; 7] = [
    "hyperclean",
    "--solver",
    "ALT-PBGD",
    "--iters",
    "3",
    "--seeds",
    "1",
];

#[test]
fn two_local_peers_give_the_unsharded_iterates_and_resume_after_an_interrupt() {
    let one = x_of(&run_ok("shard_one", &RUN, &[]));
    let mut args = RUN.to_vec();
    args.extend(["--peers", "2"]);
    let two = x_of(&run_ok("shard_two", &args, &[]));
    println!("2 local peers: |x - x1| {:.1e}", gap(&one, &two));
    assert!(gap(&one, &two) <= 1e-10);

    let dir = scratch("shard_interrupted");
    let mut interrupted = vec!["run"];
    interrupted.extend(&args);
    interrupted.extend([
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
        "--interrupt-after",
        "2",
    ]);
    let o = bilevel(&interrupted);
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let checkpoint = dir.join("checkpoint.json");
    let o = bilevel(&["resume", checkpoint.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(gap(&one, &x_of(&dir)) <= 1e-10);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn two_processes_on_loopback_give_the_unsharded_iterates() {
    let one = x_of(&run_ok("shard_nodes_one", &RUN, &[]));
    let port = free_port().to_string();
    let mut coordinator = std::process::Command::new(env!("CARGO_BIN_EXE_bilevel"))
        .args(["coordinator", "--port", &port])
        .spawn()
        .unwrap();
    let nodes: Vec<_> = (0..2)
        .map(|k| {
            let dir = scratch(&format!("shard_node{k}"));
            let (node, data) = (k.to_string(), free_port().to_string());
            let coord = format!("127.0.0.1:{port}");
            let mut args = vec!["run"];
            args.extend(RUN);
            args.extend(["--nodes", "2", "--node", &node, "--coordinator", &coord]);
            args.extend([
                "--data-port",
                &data,
                "--quiet",
                "--out",
                dir.to_str().unwrap(),
            ]);
            let child = std::process::Command::new(env!("CARGO_BIN_EXE_bilevel"))
                .args(&args)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            (dir, child)
        })
        .collect();
    for (dir, child) in nodes {
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        println!(
            "node of 2 processes: |x - x1| {:.1e}",
            gap(&one, &x_of(&dir))
        );
        assert!(gap(&one, &x_of(&dir)) <= 1e-10);
    }
    let _ = coordinator.kill();
    let _ = coordinator.wait();
}

#[test]
fn bad_sharding_settings_are_refused_before_any_run() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["fig9", "--peers", "2"],
            "`shard` applies to hyperclean, table4",
        ),
        (
            &["hyperclean", "--peers", "0"],
            "--peers must be in 1..=256",
        ),
        (
            &["hyperclean", "--node", "0", "--nodes", "2"],
            "--coordinator, --data-port missing",
        ),
        (
            &[
                "hyperclean",
                "--node",
                "2",
                "--nodes",
                "2",
                "--coordinator",
                "h:1",
                "--data-port",
                "9",
            ],
            "--node 2 of --nodes 2",
        ),
        (
            &["hyperclean", "--host", "10.0.0.1"],
            "--host applies to a session across processes",
        ),
        (
            &["hyperclean", "--peers", "2", "--peer-timeout", "0"],
            "--peer-timeout must be",
        ),
        (
            &[
                "hyperclean",
                "--solver",
                "ITD",
                "--peers",
                "2",
                "--iters",
                "1",
                "--seeds",
                "1",
            ],
            "ITD",
        ),
    ];
    for (args, expected) in cases {
        let dir = scratch("shard_bad");
        let mut all = vec!["run"];
        all.extend_from_slice(args);
        all.extend(["--quiet", "--out", dir.to_str().unwrap()]);
        let o = bilevel(&all);
        assert!(!o.status.success(), "{args:?} was accepted");
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn an_unreachable_coordinator_is_an_error_within_the_timeout() {
    let dir = scratch("shard_unreachable");
    let data = free_port().to_string();
    let started = Instant::now();
    let mut args = vec!["run"];
    args.extend(RUN);
    args.extend([
        "--nodes",
        "2",
        "--node",
        "0",
        "--coordinator",
        "127.0.0.1:1",
    ]);
    args.extend(["--data-port", &data, "--peer-timeout", "2", "--quiet"]);
    args.extend(["--out", dir.to_str().unwrap()]);
    let o = bilevel(&args);
    println!("{} after {:?}", stderr(&o), started.elapsed());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no answer within 2s"), "{}", stderr(&o));
    assert!(started.elapsed() < Duration::from_secs(30));
}

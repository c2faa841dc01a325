//! Data-parallel solves (issue 20): the problem split over P = 1, 2, 4 local peers (threads
//! on the CPU device, all-reduce by burn-collective) must give the single-device iterates to
//! 1e-10 in f64, with every oracle kind (gradients, Hessian-vector products, ∇h), full batch
//! and minibatches, and from a checkpoint. Bad input: more shards than rows, an objective that
//! is not a sum over rows, ITD, a time budget, a peer that never joins, peers whose problems
//! differ.

use std::time::Duration;

use bilevel::core::shard::{Global, Peer, PeerOptions, Peers, Shardable, exclusive_session};
use bilevel::core::tensor::to_vec;
use bilevel::models::classify::digits;
use bilevel::models::grouped::GroupedRegression;
use bilevel::models::hyperclean::{Classifier, HyperCleaning};
use bilevel::models::representation::{Representation, RepresentationConfig};
use bilevel::prelude::*;

type B = NdArray<f64>;

/// Linear hyper-cleaning on 90 digits (25 % corrupted) with 41 validation rows: group sizes
/// that 2 and 4 do not divide.
fn cleaning() -> HyperCleaning<B> {
    let (tr, va, _) = digits().unwrap().split(90, 41, 0).unwrap();
    let (tr, _) = tr.corrupt(0.25, 1).unwrap();
    HyperCleaning::new(&tr, &va, Classifier::Linear, 1e-3, &Default::default()).unwrap()
}

/// Representation learning (eq. 69) on the embedded table, 16 hidden units.
fn representation(batch: Option<usize>) -> Representation<B> {
    let split = GroupedRegression::embedded()
        .unwrap()
        .split(0.8, 3)
        .unwrap();
    let cfg = RepresentationConfig {
        hidden: 16,
        batch,
        seed: 5,
    };
    Representation::from_split(&split, cfg, &Default::default()).unwrap()
}

fn largest_gap(a: &Tensor<B, 1>, b: &Tensor<B, 1>) -> f64 {
    to_vec(a)
        .iter()
        .zip(to_vec(b))
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max)
}

fn peers(count: usize) -> Peers<B> {
    Peers::local(vec![Default::default(); count]).options(
        PeerOptions::default()
            .timeout(Duration::from_secs(60))
            .check_every(5),
    )
}

/// Every peer count gives the single-device x and y_γ (and the same history) to 1e-10.
fn agrees_with_one_device<P, S>(problem: &P, method: S, iters: usize)
where
    P: Shardable<B> + Send,
    S: Solver<B> + Clone + Send,
{
    let options = SolveOptions::new(iters, 0.0);
    let single = solve(problem, &mut method.clone(), &options).unwrap();
    for count in [1, 2, 4] {
        let reports = peers(count).solve(problem, &method, &options).unwrap();
        assert_eq!(reports.len(), count);
        for (k, r) in reports.iter().enumerate() {
            let (dx, dy) = (
                largest_gap(&r.x, &single.x),
                largest_gap(&r.y_gamma, &single.y_gamma),
            );
            let df = (r.f - single.f).abs().max((r.g - single.g).abs());
            println!(
                "{}: {count} peers, peer {k}: |x - x1| {dx:.1e}, |y - y1| {dy:.1e}, |f, g - one device| {df:.1e}",
                r.solver
            );
            assert_eq!(r.iterations, single.iterations);
            assert!(
                dx <= 1e-10 && dy <= 1e-10 && df <= 1e-10,
                "{count} peers: {dx} {dy} {df}"
            );
            assert_eq!(r.history.len(), single.history.len());
        }
    }
}

#[test]
fn hyper_cleaning_shards_match_one_device_for_first_and_second_order_methods() {
    let p = cleaning();
    assert_eq!(p.batch_groups(), vec![("train", 90), ("val", 41)]);
    let inner = MinSolver::new(1.0).with_tol(0.0).with_max_iters(5);
    agrees_with_one_device(&p, AltPbgd::new(10.0, 10.0).with_inner(inner), 6);
    let aid = Aid::new(50.0)
        .with_inner(inner)
        .with_cg(ConjugateGradient::new().with_tol(1e-14).with_max_iters(5));
    agrees_with_one_device(&p, aid, 4);
    agrees_with_one_device(&p, PerturbedGd::new(0.5, 1.0), 6);
}

#[test]
fn representation_learning_shards_match_one_device_with_and_without_minibatches() {
    for batch in [None, Some(40)] {
        let p = representation(batch);
        let inner = MinSolver::new(0.05).with_tol(0.0).with_max_iters(2);
        agrees_with_one_device(&p, PbgdFree::new(0.05, 10.0).with_inner(inner), 5);
    }
}

#[test]
fn a_sharded_solve_resumes_from_a_single_device_checkpoint() {
    let p = cleaning();
    let method =
        AltPbgd::new(10.0, 10.0).with_inner(MinSolver::new(1.0).with_tol(0.0).with_max_iters(5));
    let whole = solve(&p, &mut method.clone(), &SolveOptions::new(8, 0.0)).unwrap();
    let mut saved: Vec<Checkpoint> = vec![];
    Executor::new(&p, method.clone())
        .options(SolveOptions::new(4, 0.0))
        .checkpoint(4, &mut saved)
        .run()
        .unwrap();
    let at_four = saved.last().expect("a checkpoint at iteration 4");
    let resumed = peers(2)
        .resume(&p, &method, &SolveOptions::new(8, 0.0), at_four)
        .unwrap();
    for r in &resumed {
        assert_eq!(r.iterations, 8);
        let gap = largest_gap(&r.x, &whole.x);
        println!("resumed on 2 peers from iteration 4: |x - x_whole| {gap:.1e}");
        assert!(gap <= 1e-10, "{gap}");
    }
}

#[bilevel(
    f = ln(mean(matmul(a, w) - t).powi(2) + 1.0),
    g = mean((matmul(a, w) - t).powi(2)) + 0.1 * norm2(w),
)]
/// A least-squares fit whose f is a function of a mean over rows: not a sum over shards.
struct LogOfMean {
    #[upper]
    s: Scalar,
    #[lower]
    w: Vector<d>,
    #[data(batch = rows)]
    a: Matrix<n, d>,
    #[data(batch = rows)]
    t: Vector<n>,
}

#[test]
fn unshardable_problems_and_settings_are_refused_with_their_reason() {
    let p = cleaning();
    let e = peers(100).solve(&p, &AltPbgd::new(1.0, 10.0), &SolveOptions::new(2, 0.0));
    let e = e.unwrap_err().to_string();
    assert!(
        e.contains("100 shards of a group of 90 rows") && e.contains("`train`"),
        "{e}"
    );
    let e = peers(0).solve(&p, &AltPbgd::new(1.0, 10.0), &SolveOptions::new(2, 0.0));
    assert!(e.unwrap_err().to_string().contains("at least one peer"));

    let device = Default::default();
    let a = Tensor::<B, 2>::from_floats([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], &device);
    let t = Tensor::<B, 1>::from_floats([1.0, 2.0, 3.0], &device);
    let log = LogOfMean::<B>::new(&device, a, t).unwrap();
    let e = log.shard(0, 2, &device).unwrap_err().to_string();
    assert!(
        e.contains("the upper objective f is not a sum over the rows")
            && e.contains("`powi` of a sum"),
        "{e}"
    );

    let itd = Itd::new(1.0, 3);
    let e = peers(2)
        .solve(&p, &itd, &SolveOptions::new(2, 0.0))
        .unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");
    let mut budget = SolveOptions::new(2, 0.0);
    budget.time_budget = Some(Duration::from_secs(5));
    let e = peers(2)
        .solve(&p, &AltPbgd::new(1.0, 10.0), &budget)
        .unwrap_err();
    assert!(e.to_string().contains("time budget"), "{e}");
}

#[test]
fn a_peer_that_never_joins_is_a_timeout_not_a_hang() {
    let _session = exclusive_session();
    let options = PeerOptions::default().timeout(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let e = Peer::<B>::join(0, 2, Default::default(), options).unwrap_err();
    println!("{e} after {:?}", started.elapsed());
    assert!(matches!(e, Error::Shard { peer: 0, .. }), "{e}");
    assert!(e.to_string().contains("no answer within 300ms"), "{e}");
    assert!(Peer::<B>::join(2, 2, Default::default(), PeerOptions::default()).is_err());
}

/// Two peers whose problems differ in shape: both get a typed error naming themselves, no
/// hang, and the next session works.
#[test]
fn peers_with_different_shapes_fail_with_a_typed_error() {
    let session = exclusive_session();
    let options = PeerOptions::default().timeout(Duration::from_secs(5));
    let outcomes: Vec<Result<Tensor<B, 1>>> = std::thread::scope(|s| {
        let handles: Vec<_> = [3usize, 4]
            .into_iter()
            .enumerate()
            .map(|(k, len)| {
                let options = options.clone();
                s.spawn(move || {
                    let peer = Peer::<B>::join(k, 2, Default::default(), options)?;
                    peer.all_reduce(Tensor::ones([len], &Default::default()))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (k, outcome) in outcomes.iter().enumerate() {
        let e = outcome.as_ref().unwrap_err();
        println!("peer {k}: {e}");
        assert!(matches!(e, Error::Shard { peer, .. } if *peer == k), "{e}");
    }
    assert!(outcomes.iter().any(|o| {
        o.as_ref()
            .unwrap_err()
            .to_string()
            .contains("different shapes")
    }));
    drop(session);
    let p = cleaning();
    let method = AltPbgd::new(10.0, 10.0);
    assert!(
        peers(2)
            .solve(&p, &method, &SolveOptions::new(2, 0.0))
            .is_ok()
    );
}

/// A free port on the loopback interface (bound, read and released).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// The method of the process test: ALT-PBGD, 6 iterations of 5 inner steps.
fn process_method() -> AltPbgd {
    AltPbgd::new(10.0, 10.0).with_inner(MinSolver::new(1.0).with_tol(0.0).with_max_iters(5))
}

/// Two processes on the loopback interface (this test binary started twice as nodes, with
/// the coordinator on a thread here) give the single-device iterates to 1e-10. It listens on
/// loopback ports and starts processes, so it runs on demand:
/// `cargo test --test solvers sharding::two_processes -- --ignored --nocapture`.
#[test]
#[ignore = "starts two processes and a coordinator on loopback ports"]
fn two_processes_on_loopback_match_one_device() {
    let coordinator = free_port();
    std::thread::spawn(move || bilevel::core::shard::serve_coordinator(coordinator));
    let dir = std::env::temp_dir().join(format!("bilevel-nodes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut children: Vec<std::process::Child> = (0..2)
        .map(|node| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "sharding::node_of_the_process_test", "--ignored"])
                .env("BILEVEL_NODE", node.to_string())
                .env("BILEVEL_COORDINATOR", format!("127.0.0.1:{coordinator}"))
                .env("BILEVEL_NODE_PORT", free_port().to_string())
                .env("BILEVEL_NODE_OUT", dir.join(format!("x{node}")))
                .spawn()
                .unwrap()
        })
        .collect();
    let started = std::time::Instant::now();
    for child in &mut children {
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "a node failed: {status}");
                break;
            }
            if started.elapsed() > Duration::from_secs(120) {
                children.iter_mut().for_each(|c| drop(c.kill()));
                panic!("the nodes did not finish within 120 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let p = cleaning();
    let single = solve(&p, &mut process_method(), &SolveOptions::new(6, 0.0)).unwrap();
    for node in 0..2 {
        let text = std::fs::read_to_string(dir.join(format!("x{node}"))).unwrap();
        let x: Vec<f64> = text
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        let gap = to_vec(&single.x)
            .iter()
            .zip(&x)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        println!("node {node} of 2 processes: |x - x1| {gap:.1e}");
        assert_eq!(x.len(), single.x.dims()[0]);
        assert!(gap <= 1e-10, "{gap}");
    }
}

/// One node of [`two_processes_on_loopback_match_one_device`] (does nothing when run alone).
#[test]
#[ignore = "a node of the process test"]
fn node_of_the_process_test() {
    let Ok(node) = std::env::var("BILEVEL_NODE") else {
        return;
    };
    let var = |k: &str| std::env::var(k).unwrap();
    let global = Global::new(
        node.parse().unwrap(),
        2,
        &var("BILEVEL_COORDINATOR"),
        "127.0.0.1",
        var("BILEVEL_NODE_PORT").parse().unwrap(),
    );
    let options = PeerOptions::default()
        .timeout(Duration::from_secs(60))
        .check_every(2)
        .global(global);
    let reports = Peers::local(vec![Default::default()])
        .options(options)
        .solve(&cleaning(), &process_method(), &SolveOptions::new(6, 0.0))
        .unwrap();
    let x: Vec<String> = to_vec(&reports[0].x)
        .iter()
        .map(|v| format!("{v:e}"))
        .collect();
    std::fs::write(var("BILEVEL_NODE_OUT"), x.join(" ")).unwrap();
}

/// Peers started with different method settings fail at the start, naming the setting; a
/// sharded solve in f32 agrees on its settings (the check compares numbers as f32 holds them).
#[test]
fn peers_with_different_settings_are_refused_and_f32_solves_run() {
    let session = exclusive_session();
    let p = cleaning();
    let outcomes: Vec<Result<Report<B>>> = std::thread::scope(|s| {
        let handles: Vec<_> = [10.0, 5.0]
            .into_iter()
            .enumerate()
            .map(|(k, eta)| {
                let shard = p.shard(k, 2, &Default::default()).unwrap();
                s.spawn(move || {
                    let options = PeerOptions::default().timeout(Duration::from_secs(5));
                    let peer = Peer::<B>::join(k, 2, Default::default(), options)?;
                    let exec = Executor::new(&shard, AltPbgd::new(eta, 10.0));
                    exec.options(SolveOptions::new(2, 0.0)).peer(&peer).run()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let e = outcomes[1].as_ref().unwrap_err().to_string();
    assert!(e.contains("method and options (hash"), "{e}");
    let e = outcomes[0].as_ref().unwrap_err().to_string();
    assert!(
        e.contains("another peer's problem or settings differ"),
        "{e}"
    );
    drop(session);
    let (tr, va, _) = digits().unwrap().split(40, 20, 0).unwrap();
    let p32 =
        HyperCleaning::<NdArray<f32>>::new(&tr, &va, Classifier::Linear, 1e-3, &Default::default())
            .unwrap();
    let reports = Peers::<NdArray<f32>>::local(vec![Default::default(); 2])
        .solve(&p32, &AltPbgd::new(10.0, 10.0), &SolveOptions::new(2, 0.0))
        .unwrap();
    assert_eq!(reports[0].iterations, 2);
}

//! Local peers: one thread per device in this process, each solving its shard.

use std::sync::{Mutex, MutexGuard};

use burn::tensor::backend::Backend;

use super::{Peer, PeerOptions, Shardable};
use crate::error::{Error, Result};
use crate::solver::{Checkpoint, Executor, Report, SolveOptions, Solver};

/// burn-collective keeps one local session per backend type in a process: sharded solves in
/// one process run one at a time.
static SESSION: Mutex<()> = Mutex::new(());

/// Holds this process's collective session until dropped: [`Peers`] takes it for each solve,
/// and code that makes its own [`Peer`]s in a process that may also run [`Peers`] (tests)
/// takes it around them. It is not held across processes.
pub fn exclusive_session() -> MutexGuard<'static, ()> {
    SESSION.lock().unwrap_or_else(|e| e.into_inner())
}

/// A data-parallel solve on local peers: one thread per device, each holding one shard of the
/// problem ([`Shardable::shard`]) and running the same method under [`super::Sharded`]
/// oracles.
///
/// ```ignore
/// let reports = Peers::local(vec![device.clone(); 4])
///     .options(PeerOptions::default().timeout(Duration::from_secs(30)))
///     .solve(&problem, &AltPbgd::new(0.1, 10.0), &SolveOptions::new(500, 1e-6))?;
/// ```
///
/// Every peer's report holds the same iterates; [`Peers::solve`] returns them in peer order.
#[derive(Debug, Clone)]
pub struct Peers<B: Backend> {
    devices: Vec<B::Device>,
    options: PeerOptions,
}

impl<B: Backend> Peers<B> {
    /// One peer per device (a device may repeat: several peers on one CPU); with
    /// [`PeerOptions::global`] these are this process's peers of a session across processes.
    pub fn local(devices: Vec<B::Device>) -> Self {
        Self {
            devices,
            options: PeerOptions::default(),
        }
    }

    /// The peers' waits and checks.
    #[must_use]
    pub fn options(mut self, options: PeerOptions) -> Self {
        self.options = options;
        self
    }

    /// The number of peers.
    pub fn count(&self) -> usize {
        self.devices.len()
    }

    /// Solves `problem` with `solver` on the peers; the reports of every peer, in order.
    pub fn solve<P, S>(
        &self,
        problem: &P,
        solver: &S,
        options: &SolveOptions,
    ) -> Result<Vec<Report<B>>>
    where
        P: Shardable<B> + Send,
        S: Solver<B> + Clone + Send,
    {
        self.run(problem, solver, options, None)
    }

    /// Continues a solve from `checkpoint` on the peers (a checkpoint of a sharded or of an
    /// unsharded solve of the same problem).
    pub fn resume<P, S>(
        &self,
        problem: &P,
        solver: &S,
        options: &SolveOptions,
        checkpoint: &Checkpoint,
    ) -> Result<Vec<Report<B>>>
    where
        P: Shardable<B> + Send,
        S: Solver<B> + Clone + Send,
    {
        self.run(problem, solver, options, Some(checkpoint))
    }

    fn run<P, S>(
        &self,
        problem: &P,
        solver: &S,
        options: &SolveOptions,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<Vec<Report<B>>>
    where
        P: Shardable<B> + Send,
        S: Solver<B> + Clone + Send,
    {
        let count = self.devices.len();
        if count == 0 {
            return Err(Error::Shard {
                peer: 0,
                reason: "no device was given: a sharded solve needs at least one peer".into(),
            });
        }
        let (first, total) = self.options.shards(count);
        let shards = (0..count)
            .map(|k| problem.shard(first + k, total, &self.devices[k]))
            .collect::<Result<Vec<P>>>()?;
        let _one_at_a_time = exclusive_session();
        let outcomes: Vec<Result<Report<B>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = shards
                .into_iter()
                .enumerate()
                .map(|(k, shard)| {
                    let (device, solver) = (self.devices[k].clone(), solver.clone());
                    let peer_options = self.options.clone();
                    scope.spawn(move || {
                        let peer = Peer::join(k, count, device, peer_options)?;
                        let exec = Executor::new(&shard, solver).options(options.clone());
                        let report = match checkpoint {
                            Some(c) => exec.peer(&peer).resume(c),
                            None => exec.peer(&peer).run(),
                        };
                        let left = peer.finish();
                        let report = report?;
                        left.map(|()| report)
                    })
                })
                .collect();
            handles
                .into_iter()
                .enumerate()
                .map(|(k, h)| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::Shard {
                            peer: k,
                            reason: "the peer's thread panicked".into(),
                        })
                    })
                })
                .collect()
        });
        first_cause(outcomes)
    }
}

/// Every report, or the error that caused the others: a peer's own failure before the
/// "session was reset" its failure caused on the other peers.
fn first_cause<B: Backend>(outcomes: Vec<Result<Report<B>>>) -> Result<Vec<Report<B>>> {
    let is_echo =
        |e: &Error| matches!(e, Error::Shard { reason, .. } if reason.contains("was reset"));
    let mut errors: Vec<Error> = vec![];
    let mut reports = vec![];
    for outcome in outcomes {
        match outcome {
            Ok(r) => reports.push(r),
            Err(e) => errors.push(e),
        }
    }
    match errors.iter().position(|e| !is_echo(e)) {
        Some(i) => Err(errors.swap_remove(i)),
        None if !errors.is_empty() => Err(errors.swap_remove(0)),
        None => Ok(reports),
    }
}

//! Data-parallel solves (DESIGN.md §3, issue 20): a problem whose objectives are sums (or
//! means) over the rows of its batched data groups is split into P shards, one per peer, each
//! holding its rows on its own device; x and y are replicated. Every oracle call is computed
//! per shard and combined with one all-reduce of burn's collective operations
//! (`burn-collective`), so every peer runs the same solver on the same reduced quantities and
//! the iterates stay identical across peers without being broadcast.
//!
//! * [`Shardable`]: a problem that can be split. The `#[bilevel]` macro implements it for
//!   every declaration with batch groups (`#[data(batch = train)]`): the group's fields keep
//!   the shard's rows, the variable blocks whose first extent counts the group's rows are read
//!   at them, a `mean` over the rows divides by the whole group's rows, and the terms that
//!   read no batched row count on the lead shard only ([`Problem::replica_weight`]).
//! * [`Peer`]: one member of a collective session (a thread with its device, or a process
//!   among nodes), with a bounded wait on every collective call.
//! * [`Sharded`]: the oracle decorator that all-reduces what the oracle it wraps computed on
//!   the shard; the executor puts it under every solve that has a peer.
//! * [`Peers`]: the builder that runs a solve on P local peers (threads, one device each).
//!
//! What is shardable: an objective that is linear in the sums over a group's rows, e.g.
//! `mean(loss(rows)) + λ‖y‖²` or `mean(rows of group a) + mean(rows of group b)`. What is
//! not: a sum over rows inside a nonlinear function (`log(mean(..))`), a product of two such
//! sums, a `logsumexp` or `softmax` across rows, a transpose of batched rows; `shard` refuses
//! those naming the objective. Coupled constraints never read batched rows (the macro refuses
//! it), so every shard computes the whole c. ITD is refused: its unrolled backward pass
//! differentiates the problem directly, outside the oracles. A time budget is refused: peers
//! stopping at different iterations would wait on each other.

mod local;
mod options;
mod oracle;
mod peer;

pub use local::{Peers, exclusive_session};
pub use options::{Global, PeerOptions};
pub use oracle::Sharded;
pub use peer::Peer;

use burn::tensor::backend::Backend;

use crate::error::{Error, Result};
use crate::problem::Problem;
use crate::solver::{IterState, SolveOptions, Solver};

pub use crate::batch::shard_rows;

/// A problem that splits into shards over the rows of its batched data groups.
pub trait Shardable<B: Backend>: Problem<B> + Sized {
    /// The batched data groups: their names and rows.
    fn batch_groups(&self) -> Vec<(&'static str, usize)>;

    /// Fails, naming the objective and the reason, when an objective is not a sum over the
    /// shards of its rows (see the module documentation).
    fn check_shardable(&self) -> Result<()>;

    /// Shard `k` of `count` on `device`: every batched group keeps the rows
    /// [`shard_rows`]`(.., k, count)` of its data, the other data are copied to `device`, and
    /// the terms that read no batched row count only on shard 0. The shards' objectives, and
    /// so their gradients and Hessian-vector products, add up to the whole problem's. Fails
    /// when an objective is not shardable or a group has fewer rows than `count`.
    fn shard(&self, k: usize, count: usize, device: &B::Device) -> Result<Self>;
}

/// Runs the coordinator of sessions across processes on `port` (all interfaces) until the
/// process is interrupted: the nodes of a [`Global`] session register with it and learn of
/// each other. Blocks; fails at once when the port is taken.
pub fn serve_coordinator(port: u16) -> Result<()> {
    quiet_network_logs();
    let refuse = |reason: String| Error::Shard { peer: 0, reason };
    std::net::TcpListener::bind(("0.0.0.0", port))
        .map_err(|e| refuse(format!("the coordinator cannot listen on port {port}: {e}")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| refuse(format!("cannot start the coordinator's runtime: {e}")))?;
    runtime.block_on(burn_collective::start_global_orchestrator(port));
    Ok(())
}

/// burn-communication's servers install a logger at INFO (a line per tensor transfer) unless
/// the program has one: install one at WARN first (no-op when the program has its own).
pub(crate) fn quiet_network_logs() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Refuses what a data-parallel solve cannot do: ITD (its unrolled backward pass reads the
/// problem, not the oracles) and a time budget (peers would stop at different iterations).
pub(crate) fn check_solve<B: Backend, S: Solver<B>, P: Problem<B>>(
    peer: Option<&Peer<B>>,
    solver: &S,
    options: &SolveOptions,
    problem: &P,
) -> Result<()> {
    let Some(peer) = peer else { return Ok(()) };
    if solver.kind() == "itd" {
        return Err(Error::Unsupported {
            solver: solver.name(),
            reason: "a sharded problem: ITD differentiates the problem through its unrolled \
                     steps outside the oracles, so the shards' terms are never summed; use AID \
                     or a penalty method"
                .into(),
        });
    }
    if options.time_budget.is_some() {
        return Err(Error::Shard {
            peer: peer.id(),
            reason: "a time budget cannot apply to a sharded solve: peers would stop at \
                     different iterations; bound the iterations instead"
                .into(),
        });
    }
    let settings = fingerprint(&(solver.kind(), solver.config(), options));
    peer.check_agree(&[
        ("dim x", problem.upper().dim() as f64),
        ("dim y", problem.lower().dim() as f64),
        ("number of constraints", problem.num_constraints() as f64),
        // 16 bits a number: exact in f32 too.
        (
            "method and options (hash, bits 48-63)",
            (settings >> 48) as f64,
        ),
        (
            "method and options (hash, bits 32-47)",
            ((settings >> 32) & 0xffff) as f64,
        ),
        (
            "method and options (hash, bits 16-31)",
            ((settings >> 16) & 0xffff) as f64,
        ),
        (
            "method and options (hash, bits 0-15)",
            (settings & 0xffff) as f64,
        ),
    ])
}

/// A 64-bit FNV-1a hash of `value`'s JSON.
fn fingerprint(value: &impl serde::Serialize) -> u64 {
    let text = serde_json::to_string(value).unwrap_or_default();
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// In a data-parallel solve, every `check_every` iterations: every peer holds peer 0's x and
/// y exactly.
pub(crate) fn check_agreement<B: Backend, S>(
    peer: Option<&Peer<B>>,
    state: &IterState<B, S>,
) -> Result<()> {
    match peer {
        Some(p)
            if p.options().check_every > 0
                && state.iter.is_multiple_of(p.options().check_every) =>
        {
            p.check_same("x", &state.x)?;
            p.check_same("y", &state.y_gamma)
        }
        _ => Ok(()),
    }
}

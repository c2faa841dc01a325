//! One member of a collective session: its id, the session's size, and bounded waits on
//! every collective call of `burn-collective`.
//!
//! burn-collective's calls block until every peer has made the same call. Each [`Peer`] runs
//! them on a worker thread of its own and waits for the answer at most
//! [`PeerOptions::timeout`]: a peer that never joins, or stops calling, gives
//! [`Error::Shard`] naming this peer and the call, never a hang. After a failed call the
//! session is reset (the other peers' pending calls fail too) and this peer refuses further
//! calls.

use std::cell::RefCell;
use std::sync::mpsc;
use std::time::Duration;

use burn::tensor::{Tensor, TensorPrimitive, backend::Backend};
use burn_collective::{CollectiveConfig, CollectiveError, PeerId, ReduceOperation};

use crate::error::{Error, Result};

/// The waits and checks of a peer.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerOptions {
    /// The longest wait for the other peers, at joining and at every collective call.
    pub timeout: Duration,
    /// Check, every this many iterations, that every peer holds peer 0's iterates bit for bit
    /// (one broadcast; 0: never). On by default in debug builds only.
    pub check_every: usize,
}

impl Default for PeerOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(60),
            check_every: if cfg!(debug_assertions) { 10 } else { 0 },
        }
    }
}

impl PeerOptions {
    /// The longest wait on the other peers (> 0).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Checks that the iterates agree across peers every `k` iterations (0: never).
    #[must_use]
    pub fn check_every(mut self, k: usize) -> Self {
        self.check_every = k;
        self
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// One peer of a collective session of `count` peers (see the module documentation).
pub struct Peer<B: Backend> {
    id: usize,
    count: usize,
    options: PeerOptions,
    jobs: mpsc::Sender<Job>,
    failed: RefCell<Option<String>>,
    _backend: std::marker::PhantomData<B>,
}

impl<B: Backend> std::fmt::Debug for Peer<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Peer {} of {}", self.id, self.count)
    }
}

impl<B: Backend> Peer<B> {
    /// Joins the local session of `count` peers as peer `id`, with `device`: returns once
    /// every peer has joined, or fails after `options.timeout`.
    pub fn join(id: usize, count: usize, device: B::Device, options: PeerOptions) -> Result<Self> {
        if count == 0 || id >= count || options.timeout.is_zero() {
            return Err(Error::Shard {
                peer: id,
                reason: format!(
                    "peer {id} of {count} with a timeout of {:?}: ids run over 0..count and \
                     the timeout must be positive",
                    options.timeout
                ),
            });
        }
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name(format!("bilevel-peer-{id}"))
            .spawn(move || queue.into_iter().for_each(|job| job()))
            .map_err(|e| Error::Shard {
                peer: id,
                reason: format!("cannot start the collective thread: {e}"),
            })?;
        let peer = Self {
            id,
            count,
            options,
            jobs,
            failed: RefCell::new(None),
            _backend: std::marker::PhantomData,
        };
        let config = CollectiveConfig::default().with_num_devices(count);
        let pid = peer.pid();
        peer.call("joining the session", move || {
            burn_collective::register::<B>(pid, device, config)
        })?;
        Ok(peer)
    }

    /// This peer's id.
    pub fn id(&self) -> usize {
        self.id
    }

    /// The peers in the session.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Its options.
    pub fn options(&self) -> &PeerOptions {
        &self.options
    }

    fn pid(&self) -> PeerId {
        PeerId::from(self.id)
    }

    /// The sum of `t` over every peer (each peer passes a tensor of the same shape).
    pub fn all_reduce(&self, t: Tensor<B, 1>) -> Result<Tensor<B, 1>> {
        let (pid, primitive) = (self.pid(), t.into_primitive().tensor());
        let summed = self.call("an all-reduce", move || {
            burn_collective::all_reduce::<B>(pid, primitive, ReduceOperation::Sum)
        })?;
        Ok(Tensor::from_primitive(TensorPrimitive::Float(summed)))
    }

    /// Peer 0's `t`, on every peer.
    pub fn broadcast(&self, t: Tensor<B, 1>) -> Result<Tensor<B, 1>> {
        let pid = self.pid();
        let sent = (self.id == 0).then(|| t.into_primitive().tensor());
        let got = self.call("a broadcast", move || {
            burn_collective::broadcast::<B>(pid, sent)
        })?;
        Ok(Tensor::from_primitive(TensorPrimitive::Float(got)))
    }

    /// Fails unless `t` (an iterate, `what`) is bit for bit peer 0's.
    pub fn check_same(&self, what: &str, t: &Tensor<B, 1>) -> Result<()> {
        let theirs = self.broadcast(t.clone())?;
        let (mine, theirs) = (crate::tensor::to_vec(t), crate::tensor::to_vec(&theirs));
        let differ = mine
            .iter()
            .zip(&theirs)
            .position(|(a, b)| a.to_bits() != b.to_bits());
        match differ {
            None if mine.len() == theirs.len() => Ok(()),
            at => Err(Error::Shard {
                peer: self.id,
                reason: format!(
                    "{what} differs from peer 0's (entry {}: {:?} here, {:?} on peer 0): the \
                     peers diverged",
                    at.unwrap_or(mine.len().min(theirs.len())),
                    at.map(|i| mine[i]),
                    at.map(|i| theirs[i]),
                ),
            }),
        }
    }

    /// Leaves the session (every peer must; the last one closes it).
    pub fn finish(self) -> Result<()> {
        let pid = self.pid();
        self.call("leaving the session", move || {
            burn_collective::finish_collective::<B>(pid)
        })
    }

    /// Runs `op` on the worker thread and waits for it at most the timeout.
    fn call<T: Send + 'static>(
        &self,
        what: &str,
        op: impl FnOnce() -> std::result::Result<T, CollectiveError> + Send + 'static,
    ) -> Result<T> {
        if let Some(reason) = self.failed.borrow().as_ref() {
            return Err(self.error(format!("{what} after an earlier failure: {reason}")));
        }
        let (tx, rx) = mpsc::sync_channel(1);
        let job: Job = Box::new(move || {
            // The waiting side may have timed out and gone: nothing to tell it then.
            let _ = tx.send(op());
        });
        let failure: String = match self.jobs.send(job) {
            Err(_) => "the collective thread has stopped".to_string(),
            Ok(()) => match rx.recv_timeout(self.options.timeout) {
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(e)) => describe(&e),
                Err(mpsc::RecvTimeoutError::Timeout) => format!(
                    "no answer within {:?}: a peer did not join, or stopped calling",
                    self.options.timeout
                ),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    "the collective thread stopped during the call".to_string()
                }
            },
        };
        let reason = format!("{what}: {failure}");
        *self.failed.borrow_mut() = Some(reason.clone());
        // Releases the other peers' pending calls (they fail) instead of leaving them waiting.
        burn_collective::reset_collective::<B>();
        Err(self.error(reason))
    }

    fn error(&self, reason: String) -> Error {
        Error::Shard {
            peer: self.id,
            reason,
        }
    }
}

/// A collective error in words.
fn describe(e: &CollectiveError) -> String {
    match e {
        CollectiveError::RegisterParamsMismatch => {
            "the peers joined with different session settings (peer counts differ)".into()
        }
        CollectiveError::MultipleRegister => "this peer id joined twice".into(),
        CollectiveError::AllReduceShapeMismatch => {
            "the peers' tensors have different shapes (their problems differ)".into()
        }
        CollectiveError::LocalServerMissing => "the session was reset (another peer failed)".into(),
        other => format!("{other:?}"),
    }
}

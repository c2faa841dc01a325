//! One member of a collective session: its id, the session's size, and bounded waits on
//! every collective call of `burn-collective`.
//!
//! burn-collective's calls block until every peer has made the same call. Each [`Peer`] runs
//! them on a worker thread of its own and waits for the answer at most
//! [`PeerOptions::timeout`]: a peer that never joins, or stops calling, gives
//! [`Error::Shard`] naming this peer and the call, never a hang. After a failed call the
//! session is reset (the other peers' pending calls fail too) and this peer refuses further
//! calls.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use burn::tensor::{Tensor, TensorPrimitive, backend::Backend};
use burn_collective::{CollectiveConfig, CollectiveError, PeerId, ReduceOperation};

use super::options::{Global, PeerOptions};
use crate::error::{Error, Result};

type Job = Box<dyn FnOnce() + Send>;

/// One peer of a collective session of `count` peers (see the module documentation).
pub struct Peer<B: Backend> {
    id: usize,
    count: usize,
    options: PeerOptions,
    jobs: mpsc::Sender<Job>,
    failed: Mutex<Option<String>>,
    left: AtomicBool,
    device: B::Device,
    waited: Mutex<Duration>,
    _backend: std::marker::PhantomData<B>,
}

impl<B: Backend> std::fmt::Debug for Peer<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Peer {} of {}", self.id, self.count)
    }
}

impl<B: Backend> Peer<B> {
    /// Joins the session as local peer `local` of the `count` peers of this process, with
    /// `device` (and, with [`PeerOptions::global`], as peer `node · count + local` of the
    /// session across processes): returns once every peer has joined, or fails after
    /// `options.timeout`.
    pub fn join(
        local: usize,
        count: usize,
        device: B::Device,
        options: PeerOptions,
    ) -> Result<Self> {
        let (first, total) = options.shards(count);
        let id = first + local;
        let bad_node = options.global.as_ref().is_some_and(|g| g.node >= g.nodes);
        if count == 0 || local >= count || options.timeout.is_zero() || bad_node {
            return Err(Error::Shard {
                peer: id,
                reason: format!(
                    "local peer {local} of {count} ({:?}) with a timeout of {:?}: local ids run \
                     over 0..count, node ranks over 0..nodes, and the timeout must be positive",
                    options.global, options.timeout
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
        let config = session_config(count, options.global.as_ref())?;
        if options.global.is_some() {
            super::quiet_network_logs();
        }
        let peer = Self {
            id,
            count: total,
            options,
            jobs,
            failed: Mutex::new(None),
            left: AtomicBool::new(false),
            device: device.clone(),
            waited: Mutex::new(Duration::ZERO),
            _backend: std::marker::PhantomData,
        };
        let pid = peer.pid();
        peer.call("joining the session", move || {
            burn_collective::register::<B>(pid, device, config)
        })?;
        Ok(peer)
    }

    /// This peer's id in the session (its shard).
    pub fn id(&self) -> usize {
        self.id
    }

    /// The peers in the session, over every process.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The time spent in collective calls since joining (waits for slower peers included).
    pub fn collective_time(&self) -> Duration {
        *lock(&self.waited)
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
        // burn-collective's ring across nodes cuts a tensor into one piece per node: pad a
        // shorter one (a value) with zeros.
        let (len, nodes) = (
            t.dims()[0],
            self.options.global.as_ref().map_or(1, |g| g.nodes),
        );
        let t = match nodes.saturating_sub(len) {
            0 => t,
            pad => Tensor::cat(vec![t.clone(), Tensor::zeros([pad], &t.device())], 0),
        };
        let (pid, primitive) = (self.pid(), t.into_primitive().tensor());
        let summed = self.call("an all-reduce", move || {
            burn_collective::all_reduce::<B>(pid, primitive, ReduceOperation::Sum)
        })?;
        let summed = Tensor::<B, 1>::from_primitive(TensorPrimitive::Float(summed));
        Ok(if summed.dims()[0] == len {
            summed
        } else {
            summed.narrow(0, 0, len)
        })
    }

    /// Peer 0's `t`, on every peer: an all-reduce where the other peers add zeros, which is
    /// exact (burn-collective 0.21 has no broadcast across processes).
    pub fn broadcast(&self, t: Tensor<B, 1>) -> Result<Tensor<B, 1>> {
        let sent = if self.id == 0 { t } else { t.zeros_like() };
        self.all_reduce(sent)
    }

    /// Fails unless `t` (an iterate, `what`) is exactly peer 0's.
    pub fn check_same(&self, what: &str, t: &Tensor<B, 1>) -> Result<()> {
        let theirs = self.broadcast(t.clone())?;
        let (mine, theirs) = (crate::tensor::to_vec(t), crate::tensor::to_vec(&theirs));
        let differ = mine.iter().zip(&theirs).position(|(a, b)| a != b);
        // Every peer stops, not only the one that diverged.
        let anywhere = self.any(differ.is_some() || mine.len() != theirs.len())?;
        match differ {
            None if anywhere && mine.len() == theirs.len() => Err(self.error(format!(
                "another peer's {what} differs from peer 0's: the peers diverged (that peer's \
                 error names the entry)"
            ))),
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

    /// Whether `flag` holds on any peer (an all-reduce of one number).
    pub fn any(&self, flag: bool) -> Result<bool> {
        let device = self.device.clone();
        let summed =
            self.all_reduce(crate::tensor::vector(&[f64::from(u8::from(flag))], &device))?;
        Ok(crate::tensor::scalar(&summed) > 0.5)
    }

    /// Fails unless every peer holds peer 0's `values` (named settings and sizes), naming the
    /// first that differs: peers started with different problems or settings.
    pub fn check_agree(&self, values: &[(&str, f64)]) -> Result<()> {
        // Both sides as the backend's floats hold them (f32 rounds large numbers).
        let numbers: Vec<f64> = values.iter().map(|(_, v)| *v).collect();
        let mine = crate::tensor::vector(&numbers, &self.device);
        let theirs = crate::tensor::to_vec(&self.broadcast(mine.clone())?);
        let mine = crate::tensor::to_vec(&mine);
        let differs = (0..values.len()).find(|&i| mine[i] != theirs[i]);
        // Every peer learns of a mismatch, not only the one that has it.
        let anywhere = self.any(differs.is_some())?;
        match differs {
            None if anywhere => Err(self.error(
                "another peer's problem or settings differ from peer 0's (that peer's error \
                 names which)"
                    .into(),
            )),
            None => Ok(()),
            Some(i) => Err(self.error(format!(
                "its {} is {}, peer 0's is {}: the peers were started with different \
                 problems or settings",
                values[i].0, mine[i], theirs[i]
            ))),
        }
    }

    /// Leaves the session (every peer must; the last one closes it). A peer dropped without
    /// it leaves on drop, ignoring errors, so that a later session of this process does not
    /// find it still registered.
    pub fn finish(self) -> Result<()> {
        self.leave()
    }

    fn leave(&self) -> Result<()> {
        if self.left.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
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
        if let Some(reason) = lock(&self.failed).as_ref() {
            return Err(self.error(format!("{what} after an earlier failure: {reason}")));
        }
        let (tx, rx) = mpsc::sync_channel(1);
        let job: Job = Box::new(move || {
            // The waiting side may have timed out and gone: nothing to tell it then.
            let _ = tx.send(op());
        });
        let started = std::time::Instant::now();
        let answer = self
            .jobs
            .send(job)
            .map(|()| rx.recv_timeout(self.options.timeout));
        *lock(&self.waited) += started.elapsed();
        let failure: String = match answer {
            Err(_) => "the collective thread has stopped".to_string(),
            Ok(answer) => match answer {
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
        *lock(&self.failed) = Some(reason.clone());
        // Releases the other peers' pending calls (they fail) instead of leaving them waiting;
        // a session whose server has already stopped panics here, and there is nothing to
        // release then.
        let _ = std::panic::catch_unwind(burn_collective::reset_collective::<B>);
        Err(self.error(reason))
    }

    fn error(&self, reason: String) -> Error {
        Error::Shard {
            peer: self.id,
            reason,
        }
    }
}

impl<B: Backend> Drop for Peer<B> {
    fn drop(&mut self) {
        // A failed peer has reset the session already (nothing is registered any more).
        if lock(&self.failed).is_none() {
            let _ = self.leave();
        }
    }
}

/// The value behind `m` (a lock poisoned by a panic elsewhere still holds a valid value).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// burn-collective's configuration of a session of `count` peers here (and `global`).
fn session_config(count: usize, global: Option<&Global>) -> Result<CollectiveConfig> {
    let config = CollectiveConfig::default().with_num_devices(count);
    let Some(g) = global else { return Ok(config) };
    let parse = |what: &str, a: &str| {
        a.parse().map_err(|e| Error::Shard {
            peer: g.node * count,
            reason: format!("the {what} address {a:?} is not valid: {e}"),
        })
    };
    Ok(config
        .with_num_nodes(g.nodes as u32)
        .with_global_address(parse("coordinator", &g.coordinator)?)
        .with_node_address(parse("node", &g.address)?)
        .with_data_service_port(g.port))
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

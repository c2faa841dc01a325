//! Independent solves side by side: ALT-PBGD's y_g and y_γ (eq. 18 and 20) and BLOCC's two
//! saddle problems (eq. 54 and 55) share nothing but x, so they run on two threads when the
//! oracle allows it ([`Oracle::concurrent`]) and the solves are long enough to pay for the
//! hand-off ([`Pace`]). Each solve does exactly the work it does alone, so the results are
//! the same either way.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use burn::tensor::backend::Backend;

use crate::error::Result;
use crate::oracle::Oracle;

/// A pair of solves shorter than this runs on one thread: handing one solve to another
/// thread costs tens of microseconds, more than it saves on small problems (Example 3's
/// pair takes ~0.2 ms; `cargo bench --bench solvers`).
const WORTH_A_THREAD: Duration = Duration::from_millis(1);

/// How long a solver's last pair of solves took: runtime state kept beside a solver's
/// settings, not configuration (not serialized; every `Pace` equals every other).
#[derive(Debug, Default)]
pub struct Pace(AtomicU64);

impl Pace {
    fn worth_a_thread(&self) -> bool {
        self.0.load(Ordering::Relaxed) >= WORTH_A_THREAD.as_nanos() as u64
    }

    fn record(&self, took: Duration) {
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.0.store(nanos, Ordering::Relaxed);
    }
}

impl Clone for Pace {
    fn clone(&self) -> Self {
        Self(AtomicU64::new(self.0.load(Ordering::Relaxed)))
    }
}

impl PartialEq for Pace {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// `(a(), b())`: on two threads of rayon's pool when `o` may be called concurrently and the
/// last pair (`pace`) took at least [`WORTH_A_THREAD`] (the current thread runs `a`; `b` runs
/// on an idle worker, or after `a` when none is idle), one after the other otherwise. The
/// first error, `a`'s before `b`'s, is returned.
pub(crate) fn both<B, O, RA, RB>(
    o: &O,
    pace: &Pace,
    a: impl FnOnce() -> Result<RA> + Send,
    b: impl FnOnce() -> Result<RB> + Send,
) -> Result<(RA, RB)>
where
    B: Backend,
    O: Oracle<B>,
    RA: Send,
    RB: Send,
{
    let started = Instant::now();
    let (ra, rb) = if o.concurrent() && pace.worth_a_thread() {
        let (ra, rb) = rayon::join(a, b);
        (ra?, rb?)
    } else {
        (a()?, b()?)
    };
    pace.record(started.elapsed());
    Ok((ra, rb))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;
    use std::thread::ThreadId;

    use burn::tensor::Tensor;

    use super::*;
    use crate::domain::Domain;
    use crate::lift::Lift;
    use crate::oracle::{Counting, Oracles};
    use crate::problem::{Init, Problem, Variable};

    type B = burn::backend::NdArray<f64>;

    /// f = g = ‖y‖²: only its oracle matters here.
    struct Plain {
        v: Variable,
    }

    impl Problem<B> for Plain {
        fn upper(&self) -> &Variable {
            &self.v
        }
        fn lower(&self) -> &Variable {
            &self.v
        }
        fn device(&self) -> <B as burn::tensor::backend::BackendTypes>::Device {
            Default::default()
        }
        fn f<T: Lift<B>>(&self, _: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
            Ok(y.powi_scalar(2).sum())
        }
        fn g<T: Lift<B>>(&self, _: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
            Ok(y.powi_scalar(2).sum())
        }
    }

    fn plain() -> Plain {
        let v = Variable::vector("v", 1, Domain::free(), Init::zeros()).expect("variable");
        Plain { v }
    }

    /// The threads `a` and `b` ran on; `a` waits (up to 5 s) for `b` to start when
    /// `wait_for_b`, so that a side-by-side run is seen as one.
    fn threads(o: &Oracles<'_, B, Plain>, pace: &Pace, wait_for_b: bool) -> (ThreadId, ThreadId) {
        let started = AtomicBool::new(false);
        let a = || {
            let deadline = Instant::now() + Duration::from_secs(5);
            while wait_for_b && !started.load(Ordering::SeqCst) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            Ok(std::thread::current().id())
        };
        let b = || {
            started.store(true, Ordering::SeqCst);
            Ok(std::thread::current().id())
        };
        both(o, pace, a, b).expect("both")
    }

    #[test]
    fn long_pairs_run_side_by_side_and_short_ones_on_one_thread() {
        let p = plain();
        let o = Counting::new(&p);
        let pace = Pace::default();
        // No pair measured yet (0 s): one thread, and the pair is recorded as short.
        let (a, b) = threads(&o, &pace, false);
        assert_eq!(a, b);
        assert!(!pace.worth_a_thread());
        pace.record(Duration::from_millis(2));
        let (a, b) = threads(&o, &pace, true);
        assert_ne!(a, b, "a pair after a 2 ms pair runs on two threads");
        pace.record(Duration::from_micros(200));
        let (a, b) = threads(&o, &pace, false);
        assert_eq!(a, b);
    }

    #[test]
    fn the_first_error_is_a_s_and_clones_keep_the_pace() {
        let p = plain();
        let o = Counting::new(&p);
        let pace = Pace::default();
        pace.record(Duration::from_millis(5));
        assert!(pace.clone().worth_a_thread() && pace == Pace::default());
        let fail = |what: &str| crate::error::Error::Observer {
            message: what.into(),
        };
        let out: Result<((), ())> = both(&o, &pace, || Err(fail("a")), || Err(fail("b")));
        assert!(out.unwrap_err().to_string().contains(": a"));
    }
}

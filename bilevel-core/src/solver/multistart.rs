//! Multistart: one solve from each of several starting points spread over the upper domain,
//! the best kept by the upper objective at the computed lower-level solution, f(x, y^g). A
//! bilevel problem's F(x) = f(x, y*(x)) is nonconvex in general even when both levels are
//! convex, so a first-order method finds the local minimum of the start's basin.

use burn::tensor::backend::Backend;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::{Auto, Executor, Report, SolveOptions, Solver};
use crate::config::Config;
use crate::error::{Error, Result, ensure_finite, ensure_len};
use crate::oracle::{AutodiffOracle, Objective, Oracle};
use crate::problem::Problem;
use crate::tensor::to_vec;

/// Where to start and how many times (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Config)]
pub struct Multistart {
    /// Starting points in all (≥ 1): the problem's own x0, the given `points`, then points
    /// drawn uniformly from the box hull of X.
    #[config(default = 8, check = at_least_one)]
    pub starts: usize,
    /// The seed of the drawn points.
    #[config(default = 0)]
    pub seed: u64,
    /// On a coordinate where X is unbounded, points are drawn within ± spread·max(1, |x0_i|)
    /// of x0 (> 0).
    #[config(default = 10.0, check = positive)]
    pub spread: f64,
    /// Starting points to try after x0, before drawn ones.
    #[config(default = Vec::new())]
    pub points: Vec<Vec<f64>>,
}

/// One run of a multistart.
#[derive(Debug)]
pub struct StartRun<B: Backend> {
    /// Its starting x.
    pub start: Vec<f64>,
    /// Its report, or why it failed.
    pub outcome: Result<Report<B>>,
    /// f(x, y^g) at its end (+∞ for a failed run).
    pub upper: f64,
}

/// Every run of a multistart, and the best one.
#[derive(Debug)]
pub struct MultistartReport<B: Backend> {
    /// The runs, in the order of their starting points.
    pub runs: Vec<StartRun<B>>,
    /// The index of the best run in `runs`.
    pub best: usize,
    /// The best run's report (a copy of `runs[best]`'s).
    pub report: Report<B>,
}

impl<B: Backend> MultistartReport<B> {
    /// The best run's report.
    pub fn best(&self) -> &Report<B> {
        &self.report
    }

    /// f(x, y^g) of the best run.
    pub fn best_upper(&self) -> f64 {
        self.runs[self.best].upper
    }
}

impl Multistart {
    /// The starting points: x0, the given points, then drawn ones (`starts` in all).
    pub fn points<B: Backend, P: Problem<B>>(&self, problem: &P) -> Result<Vec<Vec<f64>>> {
        let x0 = to_vec(&problem.x0()?);
        let (lo, hi) = problem.upper().domain().interval_hull(x0.len());
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        for (k, point) in self.points.iter().enumerate() {
            ensure_len(&format!("Multistart.points[{k}]"), x0.len(), point.len())?;
            ensure_finite(&format!("Multistart.points[{k}]"), point)?;
        }
        let mut out = vec![x0.clone()];
        out.extend(self.points.iter().cloned());
        while out.len() < self.starts {
            let point = (0..x0.len())
                .map(|i| {
                    let width = self.spread * x0[i].abs().max(1.0);
                    let a = lo[i].max(x0[i] - width);
                    let b = hi[i].min(x0[i] + width).max(a);
                    a + (b - a) * rng.random::<f64>()
                })
                .collect();
            out.push(point);
        }
        out.truncate(self.starts);
        Ok(out)
    }

    /// Runs `solver` from every starting point and keeps the best (feasible runs first, then
    /// the least f(x, y^g)). Fails only when every run fails: with the error they share when
    /// the lower level is infeasible everywhere, with the first run's error otherwise.
    pub fn run<B: Backend, P: Problem<B>, S: Solver<B> + Clone>(
        &self,
        problem: &P,
        solver: &S,
        options: &SolveOptions,
    ) -> Result<MultistartReport<B>> {
        self.validate()?;
        let oracle = AutodiffOracle::new(problem);
        let runs: Vec<StartRun<B>> = self
            .points(problem)?
            .into_iter()
            .map(|start| {
                let outcome = Executor::new(problem, solver.clone())
                    .options(options.clone())
                    .start(start.clone())
                    .run();
                let upper = match &outcome {
                    Ok(r) => oracle
                        .value(
                            &Objective::Upper,
                            &r.x,
                            r.y_g.as_ref().unwrap_or(&r.y_gamma),
                        )
                        .unwrap_or(f64::INFINITY),
                    Err(_) => f64::INFINITY,
                };
                StartRun {
                    start,
                    outcome,
                    upper,
                }
            })
            .collect();
        let (best, report) = best_run(&runs).ok_or_else(|| all_failed(&runs))?;
        Ok(MultistartReport { runs, best, report })
    }
}

/// The best run and a copy of its report: feasible runs (violation ≤ 1e-6) first, then the
/// least f(x, y^g).
fn best_run<B: Backend>(runs: &[StartRun<B>]) -> Option<(usize, Report<B>)> {
    let key = |r: &Report<B>, upper: f64| (r.max_violation.unwrap_or(0.0) > 1e-6, upper);
    runs.iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.outcome
                .as_ref()
                .ok()
                .map(|rep| (i, rep, key(rep, r.upper)))
        })
        .min_by(|(_, _, a), (_, _, b)| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
        .map(|(i, rep, _)| (i, rep.clone()))
}

/// The error when no run succeeded: [`Error::InfeasibleLower`] with the least violation
/// reached (and where) when every run found the lower level infeasible, else the first run's
/// error.
fn all_failed<B: Backend>(runs: &[StartRun<B>]) -> Error {
    let infeasible: Option<Vec<(f64, Vec<f64>)>> = runs
        .iter()
        .map(|r| match r.outcome.as_ref().map_err(Error::root) {
            Err(Error::InfeasibleLower { violation, x, .. }) => Some((*violation, x.clone())),
            _ => None,
        })
        .collect();
    let least = infeasible.and_then(|v| v.into_iter().min_by(|a, b| a.0.total_cmp(&b.0)));
    match least {
        Some((violation, x)) => Error::InfeasibleLower {
            tried: runs.len(),
            violation,
            x,
        },
        None => runs
            .iter()
            .find_map(|r| r.outcome.as_ref().err().cloned())
            .unwrap_or_else(|| Error::InvalidParameter {
                name: "Multistart.starts".into(),
                value: 0usize.into(),
                reason: "must be at least 1".into(),
            }),
    }
}

/// Solves `problem` with [`Auto`] at its defaults from [`Multistart`]'s default starting
/// points, under [`SolveOptions`] of 10 000 iterations and Auto's tolerance: the
/// "declare the problem, call solve()" entry point. The best run is
/// [`MultistartReport::best`].
pub fn solve_auto<B: Backend, P: Problem<B>>(problem: &P) -> Result<MultistartReport<B>> {
    let auto = Auto::default();
    Multistart::default().run(problem, &auto, &auto.options())
}

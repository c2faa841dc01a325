//! A suite of classic bilevel test problems with known optima (BOLIB 2019, Zhou, Zemkoho &
//! Tin), declared with `#[bilevel]`: strongly convex quadratic lower levels with and without
//! coupled constraints, boxes on y, nonlinear and bilinear coupled constraints, and linear
//! lower levels. [`SUITE`] lists each with its source, its optimum (x*, F*) and where our own
//! check (KKT enumeration of the lower level and a fine search over x, in f64) disagrees with
//! the published value; [`Entry::solve`] runs a method on it with multistart.

mod problems;

pub use problems::*;

use std::time::{Duration, Instant};

use bilevel_core::backend::NdArray;
use bilevel_core::problem::Problem;
use bilevel_core::solver::{Method, Multistart, SolveOptions, Solver};
use bilevel_core::tensor::to_vec;

/// The suite runs in f64 on the CPU backend.
pub type B64 = NdArray<f64>;

/// One problem of the suite.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// BOLIB's name.
    pub name: &'static str,
    /// The publication BOLIB takes it from.
    pub source: &'static str,
    /// What kind of problem it is.
    pub kind: &'static str,
    /// An optimal x (one of several where x* is not unique).
    pub x_star: &'static [f64],
    /// The optimal upper value F* = f(x*, y*(x*)), as we checked it.
    pub f_star: f64,
    /// Where our check disagrees with BOLIB's published value, or other remarks.
    pub note: &'static str,
    run: fn(&Method, &Multistart, &SolveOptions) -> bilevel_core::Result<Outcome>,
}

/// The result of [`Entry::solve`]: the best run of a multistart.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The method's name.
    pub method: String,
    /// The best x.
    pub x: Vec<f64>,
    /// f(x, y^g) there (y^g: the computed lower-level solution).
    pub f: f64,
    /// The final penalty γ.
    pub gamma: f64,
    /// Outer iterations of the best run.
    pub iterations: usize,
    /// Outer iterations of all runs.
    pub total_iterations: usize,
    /// Runs that failed (an error, not a worse optimum).
    pub failed_runs: usize,
    /// Wall time of the whole multistart.
    pub time: Duration,
}

impl Entry {
    /// Runs `method` on the problem from `multistart`'s starting points under `options`.
    pub fn solve(
        &self,
        method: &Method,
        multistart: &Multistart,
        options: &SolveOptions,
    ) -> bilevel_core::Result<Outcome> {
        (self.run)(method, multistart, options)
    }

    /// |F − F*| / max(1, |F*|).
    pub fn relative_gap(&self, f: f64) -> f64 {
        (f - self.f_star).abs() / self.f_star.abs().max(1.0)
    }
}

/// Builds `P` on the CPU and runs the multistart.
fn run<P: Problem<B64>>(
    problem: bilevel_core::Result<P>,
    method: &Method,
    multistart: &Multistart,
    options: &SolveOptions,
) -> bilevel_core::Result<Outcome> {
    let problem = problem?;
    let start = Instant::now();
    let runs = multistart.run(&problem, method, options)?;
    let best = runs.best();
    Ok(Outcome {
        method: Solver::<B64>::name(method),
        x: to_vec(&best.x),
        f: runs.best_upper(),
        gamma: best.gamma,
        iterations: best.iterations,
        total_iterations: runs
            .runs
            .iter()
            .filter_map(|r| r.outcome.as_ref().ok())
            .map(|r| r.iterations)
            .sum(),
        failed_runs: runs.runs.iter().filter(|r| r.outcome.is_err()).count(),
        time: start.elapsed(),
    })
}

/// An [`Entry`] for problem type `$t` (built with `new(&device)`).
macro_rules! entry {
    ($t:ident, $source:expr, $kind:expr, $x:expr, $f:expr, $note:expr) => {
        Entry {
            name: stringify!($t),
            source: $source,
            kind: $kind,
            x_star: &$x,
            f_star: $f,
            note: $note,
            run: |m, ms, o| run($t::<B64>::new(&Default::default()), m, ms, o),
        }
    };
}

/// The suite (14 problems, 1 to 4 variables).
pub const SUITE: [Entry; 14] = [
    entry!(
        LamparielloSagratella2017Ex32,
        "Lampariello & Sagratella 2017, Ex. 3.2",
        "quadratic",
        [0.5],
        0.5,
        ""
    ),
    entry!(
        MacalHurter1997,
        "Macal & Hurter 1997",
        "quadratic, badly scaled",
        [25051.0 / 2501.0],
        81.327_868_852,
        "BOLIB's f* = -0.333; we find -0.335931"
    ),
    entry!(
        HendersonQuandt1958,
        "Henderson & Quandt 1958",
        "quadratic, y >= 0",
        [280.0 / 3.0],
        -9800.0 / 3.0,
        ""
    ),
    entry!(
        DeSilva1978,
        "De Silva 1978",
        "box on y",
        [0.5, 0.5],
        -1.0,
        "the optimum is at a kink of F(x, y*(x))"
    ),
    entry!(
        FalkLiu1995,
        "Falk & Liu 1995",
        "box on y",
        [0.75, 0.75],
        -2.25,
        "BOLIB's F* = -2.1962 is F at x = y = (sqrt(3)/2, sqrt(3)/2), not optimal; we find -2.25 at (0.75, 0.75)"
    ),
    entry!(
        MuuQuy2003Ex1,
        "Muu & Quy 2003, Ex. 1",
        "linear coupled constraint",
        [11.0 / 13.0],
        -351.0 / 169.0,
        "BOLIB's f* = -0.5868; we find -100/169 = -0.591716"
    ),
    entry!(
        Outrata1990Ex1d,
        "Outrata 1990, Ex. 1(d)",
        "linear coupled constraints",
        [2.0, 0.0],
        -3.6,
        ""
    ),
    entry!(
        FloudasEtal2013,
        "Floudas et al. 2013",
        "linear coupled constraints, several local minima",
        [0.0, 0.0],
        0.0,
        "F* = 0 also at x = (0, 30)"
    ),
    entry!(
        SahinCiric1998Ex2,
        "Sahin & Ciric 1998, Ex. 2",
        "linear coupled constraints, several local minima",
        [1.0],
        5.0,
        "X cut to [0, 6] (lower level infeasible beyond)"
    ),
    entry!(
        Yezza1996Ex41,
        "Yezza 1996, Ex. 4.1",
        "linear coupled constraint",
        [3.0],
        0.5,
        "X cut to x >= 0 (lower level infeasible below)"
    ),
    entry!(
        Outrata1994Ex31,
        "Outrata 1994, Ex. 3.1",
        "nonlinear coupled constraint",
        [4.060406],
        3.207_700,
        "BOLIB's F* = 3.208 (rounded)"
    ),
    entry!(
        Outrata1990Ex2e,
        "Outrata 1990, Ex. 2(e)",
        "bilinear coupled constraint",
        [3.998535],
        0.897_460,
        "BOLIB's F* = 0.9 (rounded)"
    ),
    entry!(
        LamparielloSagratella2017Ex35,
        "Lampariello & Sagratella 2017, Ex. 3.5",
        "linear lower level, two local minima",
        [0.8],
        0.8,
        "starts at x = -0.5, in the basin of the local minimum F = 1"
    ),
    entry!(
        BenAyedBlair1990a,
        "Ben-Ayed & Blair 1990",
        "linear bilevel",
        [1.0],
        -2.5,
        ""
    ),
];

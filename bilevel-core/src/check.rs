//! Central finite-difference checks of every oracle — a `gradcheck` for bilevel problems.
//!
//! Use it in f64 (`NdArray<f64>`) on any hand-written or generated problem:
//!
//! * gradients of f, g, ⟨λ, c⟩, L_g and L_γ in both blocks, coordinate by coordinate,
//!   against `(φ(z + h eᵢ) − φ(z − h eᵢ)) / 2h`;
//! * ∇²_yy g·v and ∇²_yx g·u against central differences of the (checked) gradient
//!   ∇_y g along v and u, and ∇²_xy g·v against those of ∇_x g along v;
//! * the same products of γ⁻¹f + g, and of L_g when the problem has coupled constraints;
//! * ∇h, h = ‖∇_y g‖², against 2 ∇²_{·y} g ∇_y g by differences of the (checked) gradients.
//!
//! The differences are those of the [`FiniteDifferences`] oracle wrapped around the
//! [`AutodiffOracle`]; this module only chooses the points and directions and compares.
//!
//! The error of each comparison is `‖a − b‖₂ / max(‖a‖₂, ‖b‖₂, floor)` with
//! `floor` = [`FdOptions::floor`], a relative error wherever the derivative is not tiny.

use burn::tensor::{Tensor, backend::Backend};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::error::Result;
use crate::oracle::{AutodiffOracle, FiniteDifferences, Objective, Oracle, Wrt};
use crate::problem::Problem;
use crate::tensor::{to_vec, vector};

/// Settings of a finite-difference check.
#[derive(Debug, Clone)]
pub struct FdOptions {
    /// The difference step h (1e-5 suits f64; 1e-2 suits f32).
    pub step: f64,
    /// Seeds for the random directions v, u and multipliers λ; one round per seed.
    pub seeds: Vec<u64>,
    /// The penalty γ used for L_γ.
    pub gamma: f64,
    /// The denominator floor of the relative error.
    pub floor: f64,
}

impl Default for FdOptions {
    fn default() -> Self {
        Self {
            step: 1e-5,
            seeds: vec![1, 2, 3],
            gamma: 7.0,
            floor: 1e-8,
        }
    }
}

/// One comparison: which oracle, and its relative error.
#[derive(Debug, Clone, PartialEq)]
pub struct FdEntry {
    /// The oracle checked, e.g. `"grad_x f"` or `"hvp_yy g (seed 2)"`.
    pub oracle: String,
    /// The relative error (see the module docs).
    pub error: f64,
}

/// The outcome of [`check_oracles`].
#[derive(Debug, Clone, Default)]
pub struct FdReport {
    /// Every comparison made.
    pub entries: Vec<FdEntry>,
}

impl FdReport {
    /// The largest error, or 0 if nothing was compared.
    /// NaN if any error is NaN.
    pub fn max_error(&self) -> f64 {
        self.entries.iter().map(|e| e.error).fold(0.0, |m, e| {
            if e.is_nan() || m.is_nan() {
                f64::NAN
            } else {
                m.max(e)
            }
        })
    }

    /// The entries whose error exceeds `tol`, as readable lines (empty when all pass).
    /// NaN errors count as failures.
    pub fn failures(&self, tol: f64) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.error.is_nan() || e.error > tol)
            .map(|e| format!("{}: error {:.3e} > {tol:.1e}", e.oracle, e.error))
            .collect()
    }
}

fn rel_error(a: &[f64], b: &[f64], floor: f64) -> f64 {
    let norm = |v: &[f64]| v.iter().map(|t| t * t).sum::<f64>().sqrt();
    let diff: Vec<f64> = a.iter().zip(b).map(|(p, q)| p - q).collect();
    if a.len() != b.len() {
        return f64::INFINITY;
    }
    norm(&diff) / norm(a).max(norm(b)).max(floor)
}

fn normal_vec(n: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
    (0..n).map(|_| StandardNormal.sample(rng)).collect()
}

/// A block of a derivative on the host (empty when it was not computed).
fn host<B: Backend>(block: Option<Tensor<B, 1>>) -> Vec<f64> {
    block.map(|t| to_vec(&t)).unwrap_or_default()
}

/// The autodiff oracle and its finite differences at one point, and the comparisons so far.
struct Checker<'p, B: Backend, P: Problem<B>> {
    exact: AutodiffOracle<'p, B, P>,
    fd: FiniteDifferences<AutodiffOracle<'p, B, P>>,
    x: Tensor<B, 1>,
    y: Tensor<B, 1>,
    floor: f64,
    report: FdReport,
}

impl<B: Backend, P: Problem<B>> Checker<'_, B, P> {
    fn record(&mut self, oracle: String, a: &[f64], b: &[f64]) {
        let error = rel_error(a, b, self.floor);
        self.report.entries.push(FdEntry { oracle, error });
    }

    /// ∇_x φ and ∇_y φ against coordinate-wise central differences of φ.
    fn check_gradient(&mut self, name: &str, objective: &Objective<'_, B>) -> Result<()> {
        let (x, y) = (&self.x, &self.y);
        let a = self.exact.gradient(objective, x, y, Wrt::Both)?;
        let f = self.fd.gradient(objective, x, y, Wrt::Both)?;
        self.record(format!("grad_x {name}"), &host(a.x), &host(f.x));
        self.record(format!("grad_y {name}"), &host(a.y), &host(f.y));
        Ok(())
    }

    /// ∇²_yy φ·v, ∇²_xy φ·v, ∇²_yx φ·u and both blocks at once against central differences of
    /// the (checked) gradients along v and u.
    fn check_second_order(
        &mut self,
        name: &str,
        objective: &Objective<'_, B>,
        seed: u64,
    ) -> Result<()> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let device = self.x.device();
        let v = vector(&normal_vec(self.y.dims()[0], &mut rng), &device);
        let u = vector(&normal_vec(self.x.dims()[0], &mut rng), &device);
        let (x, y) = (&self.x, &self.y);
        let (e, f) = (&self.exact, &self.fd);
        let pairs = [
            (
                "hvp_yy",
                e.hvp_yy(objective, x, y, &v)?,
                f.hvp_yy(objective, x, y, &v)?,
            ),
            (
                "hvp_xy",
                e.hvp_xy(objective, x, y, &v)?,
                f.hvp_xy(objective, x, y, &v)?,
            ),
            (
                "hvp_yx",
                e.hvp_yx(objective, x, y, &u)?,
                f.hvp_yx(objective, x, y, &u)?,
            ),
        ];
        let (both_x, both_y) = e.hessian_vector(objective, x, y, &v, Wrt::Both)?;
        let (fd_yy, fd_xy) = (to_vec(&pairs[0].2), to_vec(&pairs[1].2));
        for (what, a, b) in pairs {
            self.record(
                format!("{what} {name} (seed {seed})"),
                &to_vec(&a),
                &to_vec(&b),
            );
        }
        let block = |b: &str| format!("hessian_vector (both) {b}-block {name} (seed {seed})");
        self.record(block("x"), &host(both_x), &fd_xy);
        self.record(block("y"), &host(both_y), &fd_yy);
        Ok(())
    }

    /// h = ‖∇_y g‖² and ∇h against 2 ∇²_{·y} g ∇_y g by differences of ∇g.
    fn check_grad_h(&mut self) -> Result<()> {
        let a = self.exact.grad_h(&self.x, &self.y)?;
        let f = self.fd.grad_h(&self.x, &self.y)?;
        self.record("h value".into(), &[a.value_f64()], &[f.value_f64()]);
        self.record("grad_x h".into(), &host(a.x), &host(f.x));
        self.record("grad_y h".into(), &host(a.y), &host(f.y));
        Ok(())
    }
}

/// Checks every oracle of `problem` at (x, y) against central finite differences.
///
/// Returns the report; compare [`FdReport::max_error`] or [`FdReport::failures`] with a
/// tolerance (1e-6 is reachable in f64 with the default step).
pub fn check_oracles<B: Backend, P: Problem<B>>(
    problem: &P,
    x: &[f64],
    y: &[f64],
    opts: &FdOptions,
) -> Result<FdReport> {
    crate::error::ensure_positive("finite-difference step", opts.step)?;
    crate::error::ensure_positive("relative-error floor", opts.floor)?;
    crate::error::ensure_positive("gamma", opts.gamma)?;
    if opts.seeds.is_empty() {
        return Err(crate::Error::InvalidParameter {
            name: "seeds".into(),
            value: 0usize.into(),
            reason: "at least one seed is needed, or no second-order product is checked".into(),
        });
    }
    let exact = AutodiffOracle::new(problem);
    let device = problem.device();
    let mut c = Checker {
        fd: FiniteDifferences::new(exact.clone(), opts.step)?,
        exact,
        x: vector(x, &device),
        y: vector(y, &device),
        floor: opts.floor,
        report: FdReport::default(),
    };
    problem.upper().check(&c.x)?;
    problem.lower().check(&c.y)?;
    let m = problem.num_constraints();
    c.check_gradient("f", &Objective::Upper)?;
    c.check_gradient("g", &Objective::Lower)?;
    let penalized = Objective::Penalized {
        gamma: opts.gamma,
        lambda: None,
    };
    c.check_gradient("f/gamma + g", &penalized)?;
    for &seed in &opts.seeds {
        c.check_second_order("g", &Objective::Lower, seed)?;
        c.check_second_order("f/gamma + g", &penalized, seed)?;
        if m > 0 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
            let lambda: Vec<f64> = normal_vec(m, &mut rng).iter().map(|v| v.abs()).collect();
            let lambda = vector(&lambda, &device);
            c.check_gradient(
                &format!("<lambda, c> (seed {seed})"),
                &Objective::ConstraintDot(&lambda),
            )?;
            c.check_gradient(
                &format!("L_g (seed {seed})"),
                &Objective::LowerLagrangian(&lambda),
            )?;
            let lg = Objective::Penalized {
                gamma: opts.gamma,
                lambda: Some(&lambda),
            };
            c.check_gradient(&format!("L_gamma (seed {seed})"), &lg)?;
            c.check_second_order("L_g", &Objective::LowerLagrangian(&lambda), seed)?;
        }
    }
    c.check_grad_h()?;
    Ok(c.report)
}

//! Central finite-difference checks of every oracle — a `gradcheck` for bilevel problems.
//!
//! Use it in f64 (`NdArray<f64>`) on any hand-written or generated problem:
//!
//! * gradients of f, g, ⟨λ, c⟩, L_g and L_γ in both blocks, coordinate by coordinate,
//!   against `(φ(z + h eᵢ) − φ(z − h eᵢ)) / 2h`;
//! * ∇²_yy g·v and ∇²_yx g·u against central differences of the (checked) gradient
//!   ∇_y g along v and u, and ∇²_xy g·v against those of ∇_x g along v;
//! * the same products of γ⁻¹f + g, and of L_g when the problem has coupled constraints;
//! * ∇h, h = ‖∇_y g‖², coordinate by coordinate against central differences of h.
//!
//! The error of each comparison is `‖a − b‖₂ / max(‖a‖₂, ‖b‖₂, floor)` with
//! `floor` = [`FdOptions::floor`], a relative error wherever the derivative is not tiny.

use burn::tensor::{Tensor, backend::Backend};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::error::Result;
use crate::oracle::{Objective, Oracles, Wrt};
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

/// A scalar function of (x, y) on the host.
type ScalarMap<'a> = &'a dyn Fn(&[f64], &[f64]) -> Result<f64>;
/// A vector function of (x, y) on the host.
type VectorMap<'a> = &'a dyn Fn(&[f64], &[f64]) -> Result<Vec<f64>>;

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

fn shifted(base: &[f64], dir: &[f64], t: f64) -> Vec<f64> {
    base.iter().zip(dir).map(|(b, d)| b + t * d).collect()
}

fn unit(n: usize, i: usize) -> Vec<f64> {
    let mut e = vec![0.0; n];
    e[i] = 1.0;
    e
}

struct Checker<'o, 'p, B: Backend, P: Problem<B>> {
    oracles: &'o Oracles<'p, B, P>,
    x: Vec<f64>,
    y: Vec<f64>,
    device: B::Device,
    opts: FdOptions,
    report: FdReport,
}

impl<B: Backend, P: Problem<B>> Checker<'_, '_, B, P> {
    fn t(&self, v: &[f64]) -> Tensor<B, 1> {
        vector(v, &self.device)
    }

    /// Central difference of a scalar map of (x, y) along the direction (dx, dy).
    fn fd_scalar(&self, phi: ScalarMap<'_>, dx: &[f64], dy: &[f64]) -> Result<f64> {
        let h = self.opts.step;
        let plus = phi(&shifted(&self.x, dx, h), &shifted(&self.y, dy, h))?;
        let minus = phi(&shifted(&self.x, dx, -h), &shifted(&self.y, dy, -h))?;
        Ok((plus - minus) / (2.0 * h))
    }

    /// Central difference of a vector map of (x, y) along (dx, dy).
    fn fd_vector(&self, map: VectorMap<'_>, dx: &[f64], dy: &[f64]) -> Result<Vec<f64>> {
        let h = self.opts.step;
        let plus = map(&shifted(&self.x, dx, h), &shifted(&self.y, dy, h))?;
        let minus = map(&shifted(&self.x, dx, -h), &shifted(&self.y, dy, -h))?;
        Ok(plus
            .iter()
            .zip(&minus)
            .map(|(p, m)| (p - m) / (2.0 * h))
            .collect())
    }

    /// The full gradient of a scalar map by coordinate-wise central differences.
    fn fd_gradient(&self, phi: ScalarMap<'_>) -> Result<(Vec<f64>, Vec<f64>)> {
        let (dx, dy) = (self.x.len(), self.y.len());
        let gx = (0..dx)
            .map(|i| self.fd_scalar(phi, &unit(dx, i), &vec![0.0; dy]))
            .collect::<Result<Vec<_>>>()?;
        let gy = (0..dy)
            .map(|i| self.fd_scalar(phi, &vec![0.0; dx], &unit(dy, i)))
            .collect::<Result<Vec<_>>>()?;
        Ok((gx, gy))
    }

    fn record(&mut self, oracle: String, a: &[f64], b: &[f64]) {
        let error = rel_error(a, b, self.opts.floor);
        self.report.entries.push(FdEntry { oracle, error });
    }

    fn check_gradient(&mut self, name: &str, objective: &Objective<'_, B>) -> Result<()> {
        let phi = |x: &[f64], y: &[f64]| self.oracles.value(objective, &self.t(x), &self.t(y));
        let (fx, fy) = self.fd_gradient(&phi)?;
        let g = self
            .oracles
            .gradient(objective, &self.t(&self.x), &self.t(&self.y), Wrt::Both)?;
        let (ax, ay) = (
            to_vec(&g.x.unwrap_or_else(|| self.t(&self.x).zeros_like())),
            to_vec(&g.y.unwrap_or_else(|| self.t(&self.y).zeros_like())),
        );
        self.record(format!("grad_x {name}"), &ax, &fx);
        self.record(format!("grad_y {name}"), &ay, &fy);
        Ok(())
    }

    fn check_second_order(
        &mut self,
        name: &str,
        objective: &Objective<'_, B>,
        seed: u64,
    ) -> Result<()> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (nx, ny) = (self.x.len(), self.y.len());
        let v = normal_vec(ny, &mut rng);
        let u = normal_vec(nx, &mut rng);
        let (x, y) = (self.t(&self.x), self.t(&self.y));
        let grad_y = |a: &[f64], b: &[f64]| {
            Ok(to_vec(&self.oracles.grad_y(
                objective,
                &self.t(a),
                &self.t(b),
            )?))
        };
        let grad_x = |a: &[f64], b: &[f64]| {
            Ok(to_vec(&self.oracles.grad_x(
                objective,
                &self.t(a),
                &self.t(b),
            )?))
        };
        let fd_yy = self.fd_vector(&grad_y, &vec![0.0; nx], &v)?;
        let fd_xy = self.fd_vector(&grad_x, &vec![0.0; nx], &v)?;
        let fd_yx = self.fd_vector(&grad_y, &u, &vec![0.0; ny])?;
        let yy = to_vec(&self.oracles.hvp_yy(objective, &x, &y, &self.t(&v))?);
        let xy = to_vec(&self.oracles.hvp_xy(objective, &x, &y, &self.t(&v))?);
        let yx = to_vec(&self.oracles.hvp_yx(objective, &x, &y, &self.t(&u))?);
        let (both_x, both_y) =
            self.oracles
                .hessian_vector(objective, &x, &y, &self.t(&v), Wrt::Both)?;
        self.record(format!("hvp_yy {name} (seed {seed})"), &yy, &fd_yy);
        self.record(format!("hvp_xy {name} (seed {seed})"), &xy, &fd_xy);
        self.record(format!("hvp_yx {name} (seed {seed})"), &yx, &fd_yx);
        let both_x = both_x.map(|t| to_vec(&t)).unwrap_or_default();
        let both_y = both_y.map(|t| to_vec(&t)).unwrap_or_default();
        self.record(
            format!("hessian_vector (both) x-block {name} (seed {seed})"),
            &both_x,
            &fd_xy,
        );
        self.record(
            format!("hessian_vector (both) y-block {name} (seed {seed})"),
            &both_y,
            &fd_yy,
        );
        Ok(())
    }

    fn check_grad_h(&mut self) -> Result<()> {
        let h = |a: &[f64], b: &[f64]| {
            let gy = to_vec(
                &self
                    .oracles
                    .grad_y(&Objective::Lower, &self.t(a), &self.t(b))?,
            );
            Ok(gy.iter().map(|v| v * v).sum())
        };
        let (fx, fy) = self.fd_gradient(&h)?;
        let g = self.oracles.grad_h(&self.t(&self.x), &self.t(&self.y))?;
        let value = g.value_f64();
        let direct = h(&self.x, &self.y)?;
        self.record("h value".into(), &[value], &[direct]);
        self.record(
            "grad_x h".into(),
            &to_vec(&g.x.unwrap_or_else(|| self.t(&self.x).zeros_like())),
            &fx,
        );
        self.record(
            "grad_y h".into(),
            &to_vec(&g.y.unwrap_or_else(|| self.t(&self.y).zeros_like())),
            &fy,
        );
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
    let oracles = Oracles::new(problem);
    let mut c = Checker {
        oracles: &oracles,
        x: x.to_vec(),
        y: y.to_vec(),
        device: problem.device(),
        opts: opts.clone(),
        report: FdReport::default(),
    };
    problem.upper().check(&c.t(x))?;
    problem.lower().check(&c.t(y))?;
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
            let lambda = c.t(&lambda);
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

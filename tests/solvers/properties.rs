//! Solvers never hand back garbage: over seeded random small problems (quadratic levels,
//! random box or sign domains, random coupled linear constraints, feasible or not) and random
//! settings (step sizes and penalties from 10⁻⁴ to 10², absurd ones included), every solve
//! ends in a termination or a typed error; it never panics, never returns a NaN or Inf in its
//! report, and never says `Tolerance` at a point outside its domains or violating its
//! constraints beyond `feasibility_tol`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use bilevel::core::burn::tensor::TensorData;
use bilevel::core::tensor::to_vec;
use bilevel::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

type B = NdArray<f64>;

/// f = ½‖y − t‖² + ½ρ‖x‖² + xᵀC y, g = ½ yᵀH y − yᵀJ x (H ≻ 0), c = A y + E x − b ≤ 0.
struct RandomQp {
    x: Variable,
    y: Variable,
    h: Tensor<B, 2>,
    j: Tensor<B, 2>,
    cm: Tensor<B, 2>,
    t: Tensor<B, 1>,
    rho: f64,
    /// (A, E, b) of the coupled constraints, if any.
    coupled: Option<(Tensor<B, 2>, Tensor<B, 2>, Tensor<B, 1>)>,
}

fn matrix(rng: &mut ChaCha8Rng, rows: usize, cols: usize, scale: f64) -> Tensor<B, 2> {
    let v: Vec<f64> = (0..rows * cols)
        .map(|_| scale * rng.random_range(-1.0..1.0))
        .collect();
    Tensor::from_data(TensorData::new(v, [rows, cols]), &Default::default())
}

fn domain(rng: &mut ChaCha8Rng, n: usize) -> Domain {
    match rng.random_range(0..3) {
        0 => Domain::free(),
        1 => Domain::non_negative(),
        _ => {
            let lo: Vec<f64> = (0..n).map(|_| rng.random_range(-2.0..0.5)).collect();
            let hi = lo.iter().map(|l| l + rng.random_range(0.1..3.0)).collect();
            Domain::boxed(lo, hi).unwrap()
        }
    }
}

impl RandomQp {
    fn new(rng: &mut ChaCha8Rng) -> Self {
        let (n, d) = (rng.random_range(1..=3), rng.random_range(1..=3));
        let a = matrix(rng, d, d, 1.0);
        let mu = 10f64.powf(rng.random_range(-2.0..0.5));
        let eye = Tensor::<B, 2>::eye(d, &Default::default());
        let h = a.clone().transpose().matmul(a) + eye.mul_scalar(mu);
        let start = |rng: &mut ChaCha8Rng| Init::Constant {
            value: rng.random_range(-1.0..1.0),
        };
        let (dx, dy) = (domain(rng, n), domain(rng, d));
        let coupled = rng.random_bool(0.5).then(|| {
            let m = rng.random_range(1..=2);
            let b: Vec<f64> = (0..m).map(|_| rng.random_range(-1.0..2.0)).collect();
            let b = Tensor::from_data(TensorData::new(b, [m]), &Default::default());
            (matrix(rng, m, d, 1.0), matrix(rng, m, n, 1.0), b)
        });
        Self {
            x: Variable::vector("x", n, dx, start(rng)).unwrap(),
            y: Variable::vector("y", d, dy, start(rng)).unwrap(),
            h,
            j: matrix(rng, d, n, 1.0),
            cm: matrix(rng, n, d, 0.5),
            t: matrix(rng, 1, d, 1.0).reshape([d]),
            rho: 10f64.powf(rng.random_range(-2.0..0.0)),
            coupled,
        }
    }
}

/// M v for a matrix on B lifted to T.
fn mv<T: Lift<B>>(m: &Tensor<B, 2>, v: Tensor<T, 1>) -> Tensor<T, 1> {
    let [rows, cols] = m.dims();
    T::lift(m.clone())
        .matmul(v.reshape([cols, 1]))
        .reshape([rows])
}

impl Problem<B> for RandomQp {
    fn upper(&self) -> &Variable {
        &self.x
    }
    fn lower(&self) -> &Variable {
        &self.y
    }
    fn device(&self) -> bilevel::core::burn::backend::ndarray::NdArrayDevice {
        Default::default()
    }
    fn f<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let fit = (y.clone() - T::lift(self.t.clone())).powi_scalar(2).sum();
        let reg = x.clone().powi_scalar(2).sum().mul_scalar(self.rho);
        let cross = (x * mv(&self.cm, y)).sum();
        Ok((fit + reg).mul_scalar(0.5) + cross)
    }
    fn g<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        let quad = (y.clone() * mv(&self.h, y.clone())).sum().mul_scalar(0.5);
        Ok(quad - (y * mv(&self.j, x)).sum())
    }
    fn num_constraints(&self) -> usize {
        self.coupled.as_ref().map_or(0, |(_, _, b)| b.dims()[0])
    }
    fn c<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Option<Tensor<T, 1>>> {
        Ok(self
            .coupled
            .as_ref()
            .map(|(a, e, b)| mv(a, y) + mv(e, x) - T::lift(b.clone())))
    }
}

/// 10^u for u uniform in [lo, hi].
fn log_uniform(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    10f64.powf(rng.random_range(lo..hi))
}

/// A method that takes `p` (coupled ones for constraints), with random settings.
fn method(rng: &mut ChaCha8Rng, coupled: bool) -> Method {
    let (eta, gamma) = (log_uniform(rng, -4.0, 2.0), log_uniform(rng, -2.0, 3.0));
    let inner = MinSolver::new(log_uniform(rng, -3.0, 1.0)).with_max_iters(200);
    let saddle = DescentAscent::new(log_uniform(rng, -3.0, 0.0), log_uniform(rng, -3.0, 0.0))
        .with_max_iters(200);
    if coupled {
        return match rng.random_range(0..3) {
            0 => Method::Blocc(Blocc::new(eta, gamma).with_saddle(saddle)),
            1 => Method::PbgdFree(PbgdFree::new(eta, gamma).with_saddle(saddle)),
            _ => Method::Auto(Auto::default()),
        };
    }
    match rng.random_range(0..6) {
        0 => Method::AltPbgd(AltPbgd::new(eta, gamma).with_inner(inner)),
        1 => Method::JntPbgd(JntPbgd::new(eta, gamma).with_inner(inner)),
        2 => Method::PbgdFree(PbgdFree::new(eta, gamma).with_inner(inner)),
        3 => Method::Aid(Aid::new(eta).with_inner(inner)),
        4 => Method::Bome(Bome::new(eta, log_uniform(rng, -2.0, 1.0))),
        _ => Method::Auto(Auto::default()),
    }
}

/// What is wrong with `report` as the answer of a solve of `p`, if anything.
fn garbage(p: &RandomQp, report: &Report<B>, tol: f64) -> Option<String> {
    let (x, y) = (to_vec(&report.x), to_vec(&report.y_gamma));
    let numbers = [report.f, report.g, report.gamma, report.metric];
    let optional = [report.f_gamma, report.lower_gap, report.max_violation];
    let finite = x.iter().chain(&y).chain(&numbers).all(|v| v.is_finite())
        && optional.iter().flatten().all(|v| v.is_finite());
    if !finite {
        return Some(format!(
            "a non-finite number in the report: x {x:?}, y {y:?}"
        ));
    }
    if report.termination != Termination::Tolerance {
        return None;
    }
    let inside = p.x.domain().contains(&x, tol).unwrap() && p.y.domain().contains(&y, tol).unwrap();
    let violation = report.max_violation.unwrap_or(f64::NEG_INFINITY);
    (!inside || violation > tol).then(|| {
        format!("Tolerance at x {x:?}, y {y:?} outside the domains or violating c by {violation}")
    })
}

#[test]
fn random_problems_and_settings_never_give_garbage() {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let mut options = SolveOptions::new(60, 1e-6);
    options.time_budget = Some(Duration::from_millis(300));
    let (mut bad, mut ends) = (vec![], std::collections::BTreeMap::new());
    for case in 0..80 {
        let p = RandomQp::new(&mut rng);
        let mut m = method(&mut rng, p.coupled.is_some());
        let name = format!("case {case} ({})", Solver::<B>::name(&m));
        match catch_unwind(AssertUnwindSafe(|| solve(&p, &mut m, &options))) {
            Err(_) => bad.push(format!("{name}: panicked")),
            Ok(Ok(r)) => {
                *ends.entry(format!("{:?}", r.termination)).or_insert(0) += 1;
                bad.extend(
                    garbage(&p, &r, options.feasibility_tol).map(|w| format!("{name}: {w}")),
                );
            }
            Ok(Err(e)) => {
                *ends
                    .entry(
                        format!("{:?}", e.root())
                            .chars()
                            .take_while(|c| c.is_alphanumeric())
                            .collect(),
                    )
                    .or_insert(0) += 1;
                if let Error::Diverged { last_x, last_y, .. } = &e
                    && !last_x.iter().chain(last_y).all(|v| v.is_finite())
                {
                    bad.push(format!("{name}: a diverged run kept a non-finite iterate"));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}\n(endings: {ends:?})", bad.join("\n"));
    // The sample covers both endings: solved runs and typed errors.
    assert!(ends.len() >= 3, "{ends:?}");
}

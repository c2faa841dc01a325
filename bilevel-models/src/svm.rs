//! SVM hyper-parameter tuning with coupled constraints (pbgd-free-efficient-penalty-blo.md
//! eq. 70, Table 7): the upper variable c ∈ ℝⁿ (one margin-violation bound per training sample,
//! c ≥ 0), the lower variables (w, b),
//!
//! ```text
//! min_c  (1/|D_val|) Σ_val exp(1 − l (zᵀw* + b*)) + ½‖c‖²
//! (w*, b*) = argmin_{w, b} ½‖w‖²  s.t.  1 − l_i (z_iᵀw + b) − c_i ≤ 0  for every training i.
//! ```
//!
//! c starts at 1, where (w, b) = 0 is feasible.

use bilevel_core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel_core::tensor::{to_vec, vector};
use bilevel_core::{DescentAscent, Multipliers, Problem, Report, Result, SaddleSolver};
use bilevel_macros::bilevel;

use crate::libsvm::Labelled;

#[bilevel(
    crate = bilevel_core,
    f = mean(exp(1.0 - l_val * (matmul(z_val, w) + b))) + 0.5 * norm2(c),
    g = 0.5 * norm2(w),
    c = 1.0 - l * (matmul(z, w) + b) - c,
)]
/// The SVM problem of eq. 70: margin bounds c ≥ 0 (one per training row, starting at 1),
/// the classifier (w, b) of the lower level, the exponential validation loss above it.
pub struct SvmTuning {
    #[upper(domain = nonneg, init = 1.0)]
    c: Vector<n>,
    #[lower]
    w: Vector<d>,
    #[lower]
    b: Scalar,
    #[data]
    z: Matrix<n, d>,
    #[data]
    l: Vector<n>,
    #[data]
    z_val: Matrix<m, d>,
    #[data]
    l_val: Vector<m>,
}

/// Features (n × d) and labels of a split, on the device.
fn tensors<B: Backend>(data: &Labelled, device: &B::Device) -> (Tensor<B, 2>, Tensor<B, 1>) {
    (
        Tensor::from_data(
            TensorData::new(data.features.clone(), [data.n, data.d]),
            device,
        ),
        vector(&data.labels, device),
    )
}

impl<B: Backend> SvmTuning<B> {
    /// The problem for `train` and `val` (same features; a mismatch is an error naming both).
    pub fn from_splits(train: &Labelled, val: &Labelled, device: &B::Device) -> Result<Self> {
        let ((z, l), (z_val, l_val)) = (tensors(train, device), tensors(val, device));
        Self::new(device, z, l, z_val, l_val)
    }

    /// Test accuracy of the classifier sign(zᵀw + b) on `test`.
    pub fn accuracy(&self, y: &Tensor<B, 1>, test: &Labelled) -> Result<f64> {
        bilevel_core::error::ensure_len("test features (vs training)", self.__size_d, test.d)?;
        bilevel_core::error::ensure_len(
            "test feature values",
            test.n * test.d,
            test.features.len(),
        )?;
        let layout = self.lower().layout();
        let (w, b): (Tensor<B, 1>, Tensor<B, 1>) = (layout.view(y, 0)?, layout.view(y, 1)?);
        let (z, l) = tensors::<B>(test, &self.__device);
        let scores = z.matmul(w.unsqueeze_dim::<2>(1)).squeeze_dim::<1>(1) + b;
        let margins = to_vec(&(scores * l));
        Ok(margins.iter().filter(|m| **m > 0.0).count() as f64 / test.n as f64)
    }
}

/// The exact lower-level solution (w, b)*(c) of the SVM QP for fixed c, by the interior-point
/// solver Clarabel (as the BLOCC authors check with cvxpy):
/// `min ½‖w‖²  s.t.  −l_i z_iᵀw − l_i b ≤ c_i − 1`. Returns (w, b) flattened like y, or `None`
/// when the QP is infeasible for this c (non-separable data with small margin bounds).
pub fn exact_lower(train: &Labelled, c: &[f64]) -> crate::Result<Option<Vec<f64>>> {
    use clarabel::algebra::CscMatrix;
    use clarabel::solver::{
        DefaultSettings, DefaultSolver, IPSolver, NonnegativeConeT, SolverStatus,
    };
    let (n, d) = (train.n, train.d);
    bilevel_core::error::ensure_len("margin bounds c", n, c.len())?;
    // P = diag(1, …, 1, 0) over (w, b), upper triangle in CSC form.
    let p = CscMatrix::new(
        d + 1,
        d + 1,
        (0..=d).chain(std::iter::once(d)).collect(),
        (0..d).collect(),
        vec![1.0; d],
    );
    let mut colptr = vec![0];
    let (mut rowval, mut nzval) = (vec![], vec![]);
    for j in 0..=d {
        for i in 0..n {
            let z = if j < d {
                train.features[i * d + j]
            } else {
                1.0
            };
            if z != 0.0 {
                rowval.push(i);
                nzval.push(-train.labels[i] * z);
            }
        }
        colptr.push(rowval.len());
    }
    let a = CscMatrix::new(n, d + 1, colptr, rowval, nzval);
    let b: Vec<f64> = c.iter().map(|ci| ci - 1.0).collect();
    let settings = DefaultSettings {
        verbose: false,
        ..DefaultSettings::default()
    };
    let cones = [NonnegativeConeT(n)];
    let mut solver =
        DefaultSolver::new(&p, &vec![0.0; d + 1], &a, &b, &cones, settings).map_err(|e| {
            crate::Error::Data {
                name: "SVM QP".into(),
                reason: format!("{e:?}"),
            }
        })?;
    solver.solve();
    match solver.solution.status {
        SolverStatus::Solved | SolverStatus::AlmostSolved => Ok(Some(solver.solution.x.clone())),
        SolverStatus::PrimalInfeasible | SolverStatus::AlmostPrimalInfeasible => Ok(None),
        status => Err(crate::Error::Data {
            name: "SVM QP".into(),
            reason: format!("Clarabel stopped with {status:?}"),
        }),
    }
}

/// The two methods of Table 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SvmMethod {
    /// PBGD-Free with the MaxMin solver (§5.2).
    PbgdFree,
    /// PBGD-BLOCC (Alg. 4).
    Blocc,
}

/// The method of multipliers used by `bilevel run table7 --maxmin augmented`: ρ = 10,
/// 50 FISTA steps × at most 20 multiplier updates per saddle solve, tolerance 1e-6. Its
/// `step_y` is replaced per training set by 1/(1 + ρ‖J_c‖_F²) ([`SvmSetting::maxmin`]).
pub fn augmented_default() -> SaddleSolver {
    Multipliers::new(1.0, 10.0)
        .with_inner_steps(50)
        .with_max_iters(20)
        .with_tol(1e-6)
        .into()
}

/// The Table 7 setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Table7Config {
    /// γ (15 in the issue; the paper's text says 20).
    pub gamma: f64,
    /// Outer iterations ("epochs"), at most.
    pub epochs: usize,
    /// Early stop when the upper objective changes by less than this.
    pub stall_tol: f64,
    /// The outer step on c.
    pub eta: f64,
    /// How the saddle problems (54) and (55) are solved (for the method of multipliers,
    /// `step_y` is set from the data, see [`SvmSetting::maxmin`]).
    pub maxmin: SaddleSolver,
    /// Training rows.
    pub train: usize,
    /// Validation rows (the rest is the test set).
    pub val: usize,
    /// Whether to use the quadratic feature expansion.
    pub quadratic: bool,
}

impl Default for Table7Config {
    /// γ = 15, 50 epochs, early stop at 1e-4, η = 0.01, MaxMin steps 0.1 (y) and 0.001 (λ),
    /// 200 inner steps; 500/150 split with quadratic features (the diabetes setting).
    fn default() -> Self {
        Self {
            gamma: 15.0,
            epochs: 50,
            stall_tol: 1e-4,
            eta: 0.01,
            maxmin: DescentAscent::new(0.1, 0.001)
                .with_tol(1e-6)
                .with_max_iters(200)
                .into(),
            train: 500,
            val: 150,
            quadratic: true,
        }
    }
}

/// One seed of Table 7.
#[derive(Debug, Clone, PartialEq)]
pub struct SvmRun {
    /// The split seed.
    pub seed: u64,
    /// Test accuracy.
    pub accuracy: f64,
    /// Wall time of the solve.
    pub seconds: f64,
    /// Outer iterations run.
    pub epochs: usize,
    /// ‖(w, b)_T − (w, b)*(c_T)‖ against Clarabel; `None` when the QP is infeasible at c_T.
    pub distance_to_qp: Option<f64>,
    /// The largest constraint value at the end.
    pub max_violation: f64,
}

impl SvmMethod {
    /// The method with the Table 7 hyper-parameters of `cfg` and the MaxMin solver `maxmin`
    /// (see [`SvmSetting::maxmin`]).
    pub fn solver(self, cfg: &Table7Config, maxmin: SaddleSolver) -> bilevel_core::Method {
        use bilevel_core::{Blocc, Method, MinSolver, PbgdFree};
        match self {
            SvmMethod::Blocc => Method::Blocc(Blocc::new(cfg.eta, cfg.gamma).with_saddle(maxmin)),
            SvmMethod::PbgdFree => Method::PbgdFree(
                PbgdFree::new(cfg.eta, cfg.gamma)
                    .with_inner(MinSolver::single_step(0.1))
                    .with_saddle(maxmin),
            ),
        }
    }
}

impl Table7Config {
    /// Table 7's data with this setting: the LIBSVM file at `path` as given (the paper's
    /// diabetes setting: quadratic features, 500/150 split), or with no file the embedded
    /// breast-cancer set with a 300/100 split and linear features. The command's `table7` and
    /// `examples/table7.rs` both start here.
    pub fn with_data(self, path: Option<&std::path::Path>) -> crate::Result<(Labelled, Self)> {
        match path {
            Some(path) => {
                let name = path.display().to_string();
                let text = std::fs::read_to_string(path).map_err(|e| crate::Error::Data {
                    name: name.clone(),
                    reason: format!("cannot read the file: {e}"),
                })?;
                Ok((crate::libsvm::parse(&name, &text)?, self))
            }
            None => Ok((
                breast_cancer()?,
                Self {
                    train: 300,
                    val: 100,
                    quadratic: false,
                    ..self
                },
            )),
        }
    }

    /// The driver options: `epochs` iterations, early stop at `stall_tol`.
    pub fn options(&self) -> bilevel_core::SolveOptions {
        bilevel_core::SolveOptions::new(self.epochs, 0.0).with_stall_tol(Some(self.stall_tol))
    }
}

/// One seeded split of a data set, and the problem on it.
#[derive(Debug)]
pub struct SvmSetting<B: Backend> {
    /// Training rows (the lower level).
    pub train: Labelled,
    /// Validation rows (the upper level).
    pub val: Labelled,
    /// Test rows (the reported accuracy).
    pub test: Labelled,
    /// Eq. 70 on train and validation.
    pub problem: SvmTuning<B>,
}

impl<B: Backend> SvmSetting<B> {
    /// The split of `data` by `seed` (after the quadratic expansion if `cfg.quadratic`).
    pub fn new(
        data: &Labelled,
        cfg: &Table7Config,
        seed: u64,
        device: &B::Device,
    ) -> crate::Result<Self> {
        let data = if cfg.quadratic {
            data.quadratic_features()
        } else {
            data.clone()
        };
        let (train, val, test) = data.split(cfg.train, cfg.val, seed)?;
        let problem = SvmTuning::<B>::from_splits(&train, &val, device)?;
        Ok(Self {
            train,
            val,
            test,
            problem,
        })
    }

    /// The saddle solver of `cfg.maxmin` for this training set: the method of multipliers
    /// takes the step 1/(1 + ρ‖J_c‖_F²), where ‖J_c‖_F² = Σ_i (‖z_i‖² + 1) over the training
    /// rows bounds the curvature the penalty adds; the other solvers are used as given.
    pub fn maxmin(&self, cfg: &Table7Config) -> SaddleSolver {
        match cfg.maxmin {
            SaddleSolver::Multipliers(m) => {
                let squares: f64 = self.train.features.iter().map(|v| v * v).sum();
                let frobenius = squares + self.train.n as f64;
                m.with_step_y(1.0 / (1.0 + m.rho * frobenius)).into()
            }
            other => other,
        }
    }

    /// `method` with the MaxMin solver of [`SvmSetting::maxmin`].
    pub fn solver(&self, method: SvmMethod, cfg: &Table7Config) -> bilevel_core::Method {
        method.solver(cfg, self.maxmin(cfg))
    }

    /// Test accuracy, the exact-QP distance and the constraint violation of a finished solve.
    pub fn evaluate(&self, report: &Report<B>, seed: u64, seconds: f64) -> crate::Result<SvmRun> {
        let got = to_vec(&report.y_gamma);
        let distance_to_qp = exact_lower(&self.train, &to_vec(&report.x))?.map(|exact| {
            got.iter()
                .zip(&exact)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>()
                .sqrt()
        });
        Ok(SvmRun {
            seed,
            accuracy: self.problem.accuracy(&report.y_gamma, &self.test)?,
            seconds,
            epochs: report.iterations,
            distance_to_qp,
            max_violation: report.max_violation.unwrap_or(f64::NAN),
        })
    }
}

/// Runs one method on one seeded split.
pub fn run_seed<B: Backend>(
    data: &Labelled,
    method: SvmMethod,
    cfg: &Table7Config,
    seed: u64,
    device: &B::Device,
) -> crate::Result<SvmRun> {
    let setting = SvmSetting::<B>::new(data, cfg, seed, device)?;
    let start = std::time::Instant::now();
    let mut solver = setting.solver(method, cfg);
    let report = bilevel_core::solve(&setting.problem, &mut solver, &cfg.options())?;
    setting.evaluate(&report, seed, start.elapsed().as_secs_f64())
}

/// Mean and (population) standard deviation.
pub fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    (
        mean,
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt(),
    )
}

/// The embedded default: Wisconsin breast cancer (569 × 30, scaled to [−1, 1]; see the file's
/// header), used when no data file is given. Its Table 7 setting: 300/100 split, linear features.
pub fn breast_cancer() -> crate::Result<Labelled> {
    crate::libsvm::parse(
        "breast_cancer (embedded)",
        include_str!("../data/breast_cancer.libsvm"),
    )
}

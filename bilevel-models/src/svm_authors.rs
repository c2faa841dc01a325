//! Table 7 (pbgd-free-efficient-penalty-blo.md §6.3, eq. 70) as the BLOCC authors' code runs
//! it, through the library's own solvers:
//!
//! * data: diabetes (768 × 8), features φ = [1, z, z², z_i z_j (i < j)] (45), a separate bias
//!   b; the per-seed splits (500 / 150 / 118 rows) and each method's initial c come from the
//!   authors' run ([`AuthorsInputs`], `data/table7_authors_inputs.json`, embedded);
//! * the problem [`SvmAuthors`]: g = ½(‖w‖² + b²) subject to 1 − c_i − l_i(φ_iᵀw + b) ≤ 0 over
//!   the training rows, f = Σ_val exp(1 − l(φᵀw + b)) + ½‖c‖² (a sum, not a mean), c ≥ 1e-4;
//!   start w = 0, b = 1, μ = 0;
//! * the saddle solves: T rounds of {T_y gradient steps on (w, b) with μ fixed, then
//!   μ ← max(μ + η_μ h, 1e-5)}, warm-started across epochs ([`DescentAscent`] with
//!   `primal_steps` and `lambda_floor`); PBGD-Free T = 10, T_y = 5 on L_F, BLOCC T = T_y = 20
//!   on L_g and L_F; then the step on c (PBGD-Free: ∇_c f = c; BLOCC: eq. 56, c + γμ_g − γμ_F);
//! * the read-out ([`stop_epoch`]): over the records k = 0..49 (after k updates), the first
//!   k ≥ 1 where the validation loss mean_val exp(1 − l(φᵀw_F + b_F)) changes by < 1e-4, else
//!   49; test accuracy and elapsed time at k.

use bilevel_core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel_core::solver::Observer;
use bilevel_core::solver::observer::History;
use bilevel_core::tensor::{to_vec, vector};
use bilevel_core::{
    AnyIterState, Blocc, DescentAscent, Executor, Method, ObserverMode, PbgdFree, SolveOptions,
    StartAt, Started,
};
use bilevel_macros::bilevel;

use crate::libsvm::Labelled;
use crate::svm::{SvmMethod, mean_std};
use crate::svm_inputs::{AuthorsHparams, AuthorsInputs};
use crate::{Error, Result};

#[bilevel(
    crate = bilevel_core,
    f = sum(exp(1.0 - l_val * (matmul(z_val, w) + b))) + 0.5 * norm2(c),
    g = 0.5 * (norm2(w) + b * b),
    c = 1.0 - c - l * (matmul(z, w) + b),
)]
/// The authors' form of eq. 70: b regularized in g, a sum over the validation rows in f,
/// c ≥ 1e-4, (w, b) starting at (0, 1). See the module documentation.
pub struct SvmAuthors {
    #[upper(domain = interval(0.0001, inf))]
    c: Vector<n>,
    #[lower]
    w: Vector<d>,
    #[lower(init = 1.0)]
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

/// The diabetes set of Table 7 (768 × 8, labels ±1, features in [−1, 1]; `data/README.md`),
/// embedded.
pub fn diabetes() -> Result<Labelled> {
    crate::libsvm::parse(
        "diabetes (embedded)",
        include_str!("../../data/diabetes.libsvm"),
    )
}

/// The margins l (φᵀw + b) of `data`'s rows for y = (w, b).
fn margins(data: &Labelled, y: &[f64]) -> Vec<f64> {
    let (w, b) = (&y[..data.d], y[data.d]);
    (0..data.n)
        .map(|i| {
            let row = &data.features[i * data.d..(i + 1) * data.d];
            let score: f64 = row.iter().zip(w).map(|(a, b)| a * b).sum();
            data.labels[i] * (score + b)
        })
        .collect()
}

/// The validation loss of the read-out: mean_val exp(1 − l(φᵀw + b)).
pub fn val_loss(val: &Labelled, y: &[f64]) -> f64 {
    let m = margins(val, y);
    m.iter().map(|v| (1.0 - v).exp()).sum::<f64>() / m.len() as f64
}

/// The share of `test`'s rows with l(φᵀw + b) > 0.
pub fn accuracy(test: &Labelled, y: &[f64]) -> f64 {
    let m = margins(test, y);
    m.iter().filter(|v| **v > 0.0).count() as f64 / m.len() as f64
}

/// The authors' read-out epoch: the first k ≥ 1 with |val_k − val_{k−1}| < `eps`, else the
/// last record.
pub fn stop_epoch(val: &[f64], eps: f64) -> usize {
    (1..val.len())
        .find(|&k| (val[k] - val[k - 1]).abs() < eps)
        .unwrap_or(val.len().saturating_sub(1))
}

/// One seed of one method.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorsRun {
    /// The seed.
    pub seed: u64,
    /// Test accuracy at the read-out epoch.
    pub accuracy: f64,
    /// Seconds from the start to the read-out epoch's record.
    pub seconds: f64,
    /// The read-out epoch k.
    pub stop_epoch: usize,
    /// The validation loss of every record k = 0, 1, ...
    pub val_loss: Vec<f64>,
}

/// One seed's problem and held-out rows, for one method.
#[derive(Debug)]
pub struct AuthorsSetting<B: Backend> {
    /// The problem, started at the method's c₀ of this seed.
    pub problem: Started<B, SvmAuthors<B>>,
    /// Validation rows (features φ).
    pub val: Labelled,
    /// Test rows (features φ).
    pub test: Labelled,
    /// The method.
    pub method: SvmMethod,
    /// Epochs: records k = 0..epochs−1 (the inputs' 50 unless changed).
    pub epochs: usize,
    hparams: AuthorsHparams,
    eps: f64,
}

fn matrix<B: Backend>(data: &Labelled, device: &B::Device) -> Tensor<B, 2> {
    Tensor::from_data(
        TensorData::new(data.features.clone(), [data.n, data.d]),
        device,
    )
}

impl<B: Backend> AuthorsSetting<B> {
    /// `method` on `seed`'s split of `data` (the raw diabetes rows) by `inputs`.
    pub fn new(
        data: &Labelled,
        inputs: &AuthorsInputs,
        method: SvmMethod,
        seed: u64,
        device: &B::Device,
    ) -> Result<Self> {
        inputs.check_against(data)?;
        let s = inputs.seed(seed)?;
        let phi = data.quadratic_features();
        let (train, val, test) = (
            phi.rows(&s.train_rows),
            phi.rows(&s.val_rows),
            phi.rows(&s.test_rows),
        );
        let problem = SvmAuthors::<B>::new(
            device,
            matrix(&train, device),
            vector(&train.labels, device),
            matrix(&val, device),
            vector(&val.labels, device),
        )?;
        let c0 = match method {
            SvmMethod::PbgdFree => &s.c0_pbgd_free,
            SvmMethod::Blocc => &s.c0_blocc,
        };
        Ok(Self {
            problem: problem.with_x0(c0)?,
            val,
            test,
            method,
            hparams: inputs.hparams(method).clone(),
            epochs: inputs.epochs,
            eps: inputs.eps,
        })
    }

    /// The method with the authors' settings.
    pub fn solver(&self) -> Method {
        let h = &self.hparams;
        let saddle = DescentAscent::new(h.step_y, h.step_mu)
            .with_tol(0.0)
            .with_max_iters(h.rounds)
            .with_primal_steps(h.primal_steps)
            .with_lambda_floor(1e-5);
        match self.method {
            SvmMethod::PbgdFree => {
                Method::PbgdFree(PbgdFree::new(h.eta, h.gamma).with_saddle(saddle))
            }
            SvmMethod::Blocc => Method::Blocc(Blocc::new(h.eta, h.gamma).with_saddle(saddle)),
        }
    }

    /// The records k = 0..epochs−1 are the start and the first epochs − 1 updates.
    pub fn options(&self) -> SolveOptions {
        SolveOptions::new(self.epochs.saturating_sub(1), 0.0)
    }

    /// The validation loss, test accuracy of a state's (w_F, b_F).
    pub fn measure(&self, y: &[f64]) -> (f64, f64) {
        (val_loss(&self.val, y), accuracy(&self.test, y))
    }

    /// The read-out of the records (val loss, test accuracy, seconds) k = 0, 1, ...
    pub fn read_out(&self, seed: u64, records: &[(f64, f64, f64)]) -> Result<AuthorsRun> {
        let val: Vec<f64> = records.iter().map(|r| r.0).collect();
        let k = stop_epoch(&val, self.eps);
        let (_, accuracy, seconds) = *records.get(k).ok_or_else(|| Error::Data {
            name: "Table 7 records".into(),
            reason: format!("no record of epoch {k} (seed {seed})"),
        })?;
        Ok(AuthorsRun {
            seed,
            accuracy,
            seconds,
            stop_epoch: k,
            val_loss: val,
        })
    }
}

/// Records (val loss, accuracy, seconds) per iteration.
struct Records<'a, B: Backend> {
    setting: &'a AuthorsSetting<B>,
    rows: History,
    records: Vec<(f64, f64, f64)>,
}

impl<B: Backend> Observer<B> for Records<'_, B> {
    fn iteration(&mut self, row: &bilevel_core::solver::HistoryRow) {
        Observer::<B>::iteration(&mut self.rows, row);
    }
    fn state(&mut self, state: &AnyIterState<B>) {
        let (val, acc) = self.setting.measure(&to_vec(&state.y_gamma));
        let seconds = self.rows.rows.last().map_or(0.0, |r| r.elapsed_s);
        self.records.push((val, acc, seconds));
    }
}

/// Runs `method` on `seed` as the authors do and reads the result out.
pub fn run_authors<B: Backend>(
    data: &Labelled,
    inputs: &AuthorsInputs,
    method: SvmMethod,
    seed: u64,
    device: &B::Device,
) -> Result<AuthorsRun> {
    use bilevel_core::Problem;
    let setting = AuthorsSetting::<B>::new(data, inputs, method, seed, device)?;
    let y0 = to_vec(&setting.problem.y0()?);
    let (val0, acc0) = setting.measure(&y0);
    let mut log = Records {
        setting: &setting,
        rows: History::default(),
        records: vec![(val0, acc0, 0.0)],
    };
    Executor::new(&setting.problem, setting.solver())
        .options(setting.options())
        .observe(&mut log, ObserverMode::Always)
        .run()?;
    let records = std::mem::take(&mut log.records);
    setting.read_out(seed, &records)
}

/// Mean ± population std of accuracy and seconds over `runs`.
pub fn summary(runs: &[AuthorsRun]) -> ((f64, f64), (f64, f64)) {
    let acc: Vec<f64> = runs.iter().map(|r| r.accuracy).collect();
    let sec: Vec<f64> = runs.iter().map(|r| r.seconds).collect();
    (mean_std(&acc), mean_std(&sec))
}

//! Representation learning (pbgd-free-efficient-penalty-blo.md §6.2.1, eq. 69): a shared
//! backbone x learned on one group of a regression table while the head y is fitted on the
//! other,
//!
//! ```text
//! min_{x,y} MSE(x, y; D1)   s.t.   y ∈ argmin_y MSE(x, y; D2)
//! ```
//!
//! with the backbone φ_x(z) = relu(W2ᵀ relu(W1ᵀ z + b1) + b2) (two fully connected layers,
//! hidden width 200 in the paper) and the linear head ŷ = wᵀφ_x(z) + c. D1 and D2 are the rows
//! with the two values of a binary column (`gender` for NLSY79). Each group is split 80/20
//! into training and test rows; features are standardized with the training statistics.
//!
//! The objectives read a seeded minibatch of each group per outer iteration when a batch
//! size is set ([`bilevel_core::batch`]); full batch otherwise.

use bilevel_core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel_core::ops::relu;
use bilevel_core::tensor::{scalar, to_vec};
use bilevel_core::{Batch, Problem};
use bilevel_macros::bilevel;

use crate::Result;
pub use crate::grouped::{GroupSplit, GroupedRegression, Rows};

/// The shape of the model and the sampling.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RepresentationConfig {
    /// Width of both backbone layers (the paper: 200).
    pub hidden: usize,
    /// Rows per minibatch in each group (`None`: full batch).
    pub batch: Option<usize>,
    /// Seed of the initial weights and of the minibatches.
    pub seed: u64,
}

impl Default for RepresentationConfig {
    fn default() -> Self {
        Self {
            hidden: 200,
            batch: None,
            seed: 0,
        }
    }
}

#[bilevel(
    crate = bilevel_core,
    let phi1 = relu(matmul(relu(matmul(z1, w1) + b1), w2) + b2),
    let phi2 = relu(matmul(relu(matmul(z2, w1) + b1), w2) + b2),
    f = mean((matmul(phi1, w) + c - t1).powi(2)),
    g = mean((matmul(phi2, w) + c - t2).powi(2)),
)]
/// The representation-learning problem of eq. 69: the backbone x (blocks `w1` d×h, `b1` h,
/// `w2` h×h, `b2` h; weights from a seeded N(0, 2/fan-in), biases 0) and the head y (`w` h
/// from N(0, 1/h), `c` 0), the MSE on D1 (`z1`, `t1`) above and on D2 (`z2`, `t2`) below,
/// each group read at its minibatch when one is set.
pub struct Representation {
    #[upper(init = normal(sqrt(2.0 / d), seed))]
    w1: Matrix<d, h>,
    #[upper]
    b1: Vector<h>,
    #[upper(init = normal(sqrt(2.0 / h), seed + 1))]
    w2: Matrix<h, h>,
    #[upper]
    b2: Vector<h>,
    #[lower(init = normal(sqrt(1.0 / h), seed + 2))]
    w: Vector<h>,
    #[lower]
    c: Scalar,
    #[data(batch = d1)]
    z1: Matrix<n1, d>,
    #[data(batch = d1)]
    t1: Vector<n1>,
    #[data(batch = d2)]
    z2: Matrix<n2, d>,
    #[data(batch = d2)]
    t2: Vector<n2>,
    #[data]
    seed: u64,
}

fn features<B: Backend>(rows: &Rows, device: &B::Device) -> Tensor<B, 2> {
    Tensor::from_data(
        TensorData::new(rows.features.clone(), [rows.n, rows.d]),
        device,
    )
}

fn targets<B: Backend>(rows: &Rows, device: &B::Device) -> Tensor<B, 1> {
    Tensor::from_data(TensorData::new(rows.targets.clone(), [rows.n]), device)
}

impl<B: Backend> Representation<B> {
    /// The problem on the training rows of `split`: hidden width, weight seed and minibatch
    /// size from `cfg` (a batch of at least a group's rows reads the whole group).
    pub fn from_split(
        split: &GroupSplit,
        cfg: RepresentationConfig,
        device: &B::Device,
    ) -> Result<Self> {
        let [g1, g2] = &split.train;
        let problem = Self::new(
            device,
            features(g1, device),
            targets(g1, device),
            features(g2, device),
            targets(g2, device),
            cfg.seed,
            cfg.hidden,
        )?;
        Ok(match cfg.batch {
            Some(size) => problem
                .with_d1_batch(size.min(g1.n), cfg.seed)?
                .with_d2_batch(size.min(g2.n), cfg.seed)?,
            None => problem,
        })
    }

    /// The predictions wᵀφ_x(z) + c for the rows of `z` (host evaluation, for test MSE).
    fn predict(
        &self,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        z: Tensor<B, 2>,
    ) -> bilevel_core::Result<Tensor<B, 1>> {
        let (lx, ly) = (self.upper().layout(), self.lower().layout());
        let layer = |input: Tensor<B, 2>, w: usize| -> bilevel_core::Result<Tensor<B, 2>> {
            let weight: Tensor<B, 2> = lx.view(x, w)?;
            let bias: Tensor<B, 1> = lx.view(x, w + 1)?;
            Ok(relu(input.matmul(weight) + bias.unsqueeze_dim::<2>(0)))
        };
        let phi = layer(layer(z, 0)?, 2)?;
        let w: Tensor<B, 1> = ly.view(y, 0)?;
        let c: Tensor<B, 1> = ly.view(y, 1)?;
        Ok(phi.matmul(w.unsqueeze_dim::<2>(1)).squeeze_dim::<1>(1) + c)
    }

    /// The test MSE of (x, y) on `rows` (features standardized like the training rows).
    pub fn test_mse(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>, rows: &Rows) -> Result<f64> {
        bilevel_core::error::ensure_len("test features", self.__size_d, rows.d)?;
        let prediction = self.predict(x, y, features::<B>(rows, &self.__device))?;
        Ok(rows.mse(&to_vec(&prediction)))
    }

    /// The MSE on D1's training rows at (x, y) (f on all rows, whatever batch this copy of the
    /// problem was selected for).
    pub fn full_f(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<f64> {
        let f = match self.select_batch(Batch::Full) {
            Some(full) => full.f::<B>(x.clone(), y.clone())?,
            None => self.f::<B>(x.clone(), y.clone())?,
        };
        Ok(scalar(&f))
    }
}

/// The methods of Table 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table4Method {
    /// PBGD-Free with one inner step on y^γ per iteration (fully single-loop, Alg. 3).
    PbgdFree,
    /// ALT-PBGD with two inner steps per level (F²SA).
    F2sa,
    /// ITD: K unrolled plain gradient steps on the head.
    Itd,
}

impl Table4Method {
    /// The three, in the paper's order.
    pub const ALL: [Table4Method; 3] = [
        Table4Method::PbgdFree,
        Table4Method::F2sa,
        Table4Method::Itd,
    ];

    /// The name printed in the table.
    pub fn name(&self) -> &'static str {
        match self {
            Table4Method::PbgdFree => "PBGD-Free (1 inner step)",
            Table4Method::F2sa => "F2SA (2 inner steps)",
            Table4Method::Itd => "ITD",
        }
    }
}

/// The settings of the Table 4 comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Table4Config {
    /// Adam's learning rate, for x and for the inner steps of the penalty methods (1e-3).
    pub lr: f64,
    /// The penalty γ of PBGD-Free and F²SA.
    pub gamma: f64,
    /// Outer iterations.
    pub iters: usize,
    /// The model and the minibatches (the seed is replaced by the run's seed).
    pub model: RepresentationConfig,
    /// ITD's unrolled steps K and their step size α.
    pub itd: (usize, f64),
}

impl Table4Config {
    /// Adam lr 1e-3, γ = 10, 2 000 iterations, 200 hidden units, minibatches of 256 rows per
    /// group, ITD with K = 10 steps of 1e-3.
    pub fn paper() -> Self {
        Self {
            lr: 1e-3,
            gamma: 10.0,
            iters: 2_000,
            model: RepresentationConfig {
                hidden: 200,
                batch: Some(256),
                seed: 0,
            },
            itd: (10, 1e-3),
        }
    }

    /// The solver of `method`, with Adam on every level it updates by a rule.
    pub fn solver(&self, method: Table4Method) -> bilevel_core::Method {
        use bilevel_core::{AltPbgd, Itd, MinSolver, PbgdFree, UpdateRule, Updates};
        let adam = UpdateRule::adam();
        let inner = |steps| MinSolver::new(self.lr).with_tol(0.0).with_max_iters(steps);
        match method {
            Table4Method::PbgdFree => PbgdFree::new(self.lr, self.gamma)
                .with_inner(inner(1))
                .with_update(adam)
                .with_lower_update(adam)
                .into(),
            Table4Method::F2sa => AltPbgd::new(self.lr, self.gamma)
                .with_inner(inner(2))
                .with_update(adam)
                .with_lower_update(adam)
                .into(),
            Table4Method::Itd => Itd::new(self.lr, self.itd.0)
                .with_inner_step(self.itd.1)
                .with_update(adam)
                .into(),
        }
    }
}

/// One seed of one method: the test MSE on D1 and D2 and the wall time of the solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Table4Run {
    /// Test MSE of (x_T, y_T) on D1's and D2's test rows.
    pub test_mse: [f64; 2],
    /// The same at the initial model.
    pub initial_mse: [f64; 2],
    /// Seconds in the solve.
    pub seconds: f64,
    /// Outer iterations done.
    pub iterations: usize,
}

/// One seed's setting: the 80/20 split of each group (by `seed`) and the model on the
/// training rows (weights and minibatches seeded by `seed`).
#[derive(Debug)]
pub struct Table4Setting<B: Backend> {
    /// The split.
    pub split: GroupSplit,
    /// The problem on the training rows.
    pub problem: Representation<B>,
}

impl<B: Backend> Table4Setting<B> {
    /// See the type.
    pub fn new(
        data: &GroupedRegression,
        cfg: &Table4Config,
        seed: u64,
        device: &B::Device,
    ) -> Result<Self> {
        let split = data.split(0.8, seed)?;
        let model = RepresentationConfig { seed, ..cfg.model };
        let problem = Representation::<B>::from_split(&split, model, device)?;
        Ok(Self { split, problem })
    }

    /// The test MSE of (x, y) on D1's and D2's test rows.
    pub fn test_mse(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<[f64; 2]> {
        Ok([
            self.problem.test_mse(x, y, &self.split.test[0])?,
            self.problem.test_mse(x, y, &self.split.test[1])?,
        ])
    }

    /// The test MSE at the initial model (x₀, y₀).
    pub fn initial_mse(&self) -> Result<[f64; 2]> {
        self.test_mse(&self.problem.x0()?, &self.problem.y0()?)
    }
}

/// Splits `data` by `seed` (80/20), builds the model (weights and minibatches seeded by
/// `seed`), solves with `method` and measures the test MSE.
pub fn run_seed<B: Backend>(
    data: &GroupedRegression,
    method: Table4Method,
    cfg: &Table4Config,
    seed: u64,
    device: &B::Device,
) -> Result<Table4Run> {
    let setting = Table4Setting::<B>::new(data, cfg, seed, device)?;
    let initial_mse = setting.initial_mse()?;
    let mut options = bilevel_core::SolveOptions::new(cfg.iters, 0.0);
    options.record_every = cfg.iters.max(1);
    let report = bilevel_core::solve(&setting.problem, &mut cfg.solver(method), &options)?;
    Ok(Table4Run {
        test_mse: setting.test_mse(&report.x, &report.y_gamma)?,
        initial_mse,
        seconds: report.wall_time.as_secs_f64(),
        iterations: report.iterations,
    })
}

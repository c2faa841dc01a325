//! The problem abstraction (DESIGN.md §3): variables with named blocks and domains, the
//! objectives f and g and the coupled constraints c, generic over the backend.
//!
//! The bilevel problem is
//!
//! ```text
//! min_{x ∈ X}  f(x, y*(x))   with   y*(x) ∈ argmin_{y ∈ Y, c(x, y) ≤ 0}  g(x, y)
//! ```
//!
//! (pbgd-free-efficient-penalty-blo.md eq. 1 without, and §5 with coupled constraints).

use burn::tensor::{Tensor, backend::Backend};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::batch::Batch;
use crate::domain::Domain;
use crate::error::{Error, Result, ensure_finite, ensure_len};
use crate::layout::Layout;
use crate::lift::Lift;
use crate::tensor::{to_vec, vector};

/// How the initial value of a variable is chosen. The result is projected onto the domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Init {
    /// Every entry equal to `value`.
    Constant {
        /// The value.
        value: f64,
    },
    /// Explicit values, one per entry of the flat variable.
    Values {
        /// The values.
        values: Vec<f64>,
    },
    /// Independent uniform entries in `[lo, hi)` from a seeded generator.
    Uniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
        /// Seed of the generator.
        seed: u64,
    },
    /// Independent normal entries with mean 0 and standard deviation `std`, seeded.
    Normal {
        /// Standard deviation.
        std: f64,
        /// Seed of the generator.
        seed: u64,
    },
}

impl Init {
    /// All zeros.
    pub fn zeros() -> Self {
        Init::Constant { value: 0.0 }
    }

    /// The `dim` initial values on the host, or an error naming what is wrong.
    pub fn values(&self, dim: usize, what: &str) -> Result<Vec<f64>> {
        let v = match self {
            Init::Constant { value } => vec![*value; dim],
            Init::Values { values } => {
                ensure_len(&format!("initial value of {what}"), dim, values.len())?;
                values.clone()
            }
            Init::Uniform { lo, hi, seed } => {
                if !(lo.is_finite() && hi.is_finite() && lo < hi && (hi - lo).is_finite()) {
                    return Err(Error::InvalidParameter {
                        name: format!("uniform initialization of {what}"),
                        value: (hi - lo).into(),
                        reason: "needs finite bounds with lo < hi".into(),
                    });
                }
                let mut rng = ChaCha8Rng::seed_from_u64(*seed);
                (0..dim).map(|_| rng.random_range(*lo..*hi)).collect()
            }
            Init::Normal { std, seed } => {
                if !(std.is_finite() && *std >= 0.0) {
                    return Err(Error::InvalidParameter {
                        name: format!("normal initialization of {what}"),
                        value: (*std).into(),
                        reason: "the standard deviation must be finite and >= 0".into(),
                    });
                }
                let mut rng = ChaCha8Rng::seed_from_u64(*seed);
                (0..dim)
                    .map(|_| {
                        let z: f64 = StandardNormal.sample(&mut rng);
                        std * z
                    })
                    .collect::<Vec<f64>>()
            }
        };
        ensure_finite(&format!("initial value of {what}"), &v)?;
        Ok(v)
    }
}

/// One level's variable: its name, its blocks, its domain and its initial value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variable {
    name: String,
    layout: Layout,
    domain: Domain,
    init: Init,
}

impl Variable {
    /// A variable; fails if the domain or the initial value does not fit the layout.
    pub fn new(
        name: impl Into<String>,
        layout: Layout,
        domain: Domain,
        init: Init,
    ) -> Result<Self> {
        let name = name.into();
        domain.check_dim(layout.dim(), &format!("variable `{name}`"))?;
        init.values(layout.dim(), &format!("variable `{name}`"))?;
        Ok(Self {
            name,
            layout,
            domain,
            init,
        })
    }

    /// A variable with one vector block of the same name and length `n`.
    pub fn vector(name: impl Into<String>, n: usize, domain: Domain, init: Init) -> Result<Self> {
        let name = name.into();
        Self::new(name.clone(), Layout::vector(name, n)?, domain, init)
    }

    /// The variable's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its named blocks.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Its domain.
    pub fn domain(&self) -> &Domain {
        &self.domain
    }

    /// Its initialization rule.
    pub fn init(&self) -> &Init {
        &self.init
    }

    /// Dimension of the flat variable.
    pub fn dim(&self) -> usize {
        self.layout.dim()
    }

    /// The initial point on `device`, projected onto the domain.
    pub fn initial<B: Backend>(&self, device: &B::Device) -> Result<Tensor<B, 1>> {
        let values = self
            .init
            .values(self.dim(), &format!("variable `{}`", self.name))?;
        self.domain.project(vector(&values, device))
    }

    /// Checks that `t` has this variable's dimension.
    pub fn check<B: Backend>(&self, t: &Tensor<B, 1>) -> Result<()> {
        ensure_len(
            &format!("variable `{}`", self.name),
            self.dim(),
            t.dims()[0],
        )
    }
}

/// A bilevel problem: `min_x f(x, y*(x))`, `y*(x) = argmin_{y ∈ Y, c(x,y) ≤ 0} g(x, y)`.
///
/// Implemented by the `#[bilevel]` macro or by hand. The objectives are generic over the
/// backend `T` they are evaluated on, so that the oracles can differentiate them once
/// (`Autodiff<B>`) or twice (`Autodiff<Autodiff<B>>`); data the problem owns lives on `B` and is
/// brought in with [`Lift::lift`]. Objectives return one-element tensors; the constraints a
/// vector of [`Problem::num_constraints`] entries, each required to be `≤ 0`.
pub trait Problem<B: Backend>: Sync {
    /// The upper-level variable x with its domain X.
    fn upper(&self) -> &Variable;

    /// The lower-level variable y with its domain Y.
    fn lower(&self) -> &Variable;

    /// The device the problem's data lives on.
    fn device(&self) -> B::Device;

    /// The upper-level objective f(x, y), a one-element tensor.
    fn f<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>>;

    /// The lower-level objective g(x, y), a one-element tensor.
    fn g<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>>;

    /// The number m of coupled constraints (0 when there are none).
    fn num_constraints(&self) -> usize {
        0
    }

    /// The coupled constraints c(x, y) ∈ ℝᵐ, required `≤ 0`; `None` when m = 0.
    fn c<T: Lift<B>>(&self, _x: Tensor<T, 1>, _y: Tensor<T, 1>) -> Result<Option<Tensor<T, 1>>> {
        Ok(None)
    }

    /// The objectives `want` selects, at one point: f, g and c (`None` where not wanted, and
    /// c `None` when m = 0). The oracles evaluate every combined objective (L_γ = f/γ + g +
    /// ⟨λ, c⟩, L_g = g + ⟨λ, c⟩) through this method, so that a problem may build one graph
    /// for all of them: `#[bilevel]` views each block once for the objectives that share it.
    /// The default calls [`Problem::f`], [`Problem::g`] and [`Problem::c`].
    fn parts<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>, want: Want) -> Result<Parts<T>> {
        Ok(Parts {
            f: want.f.then(|| self.f(x.clone(), y.clone())).transpose()?,
            g: want.g.then(|| self.g(x.clone(), y.clone())).transpose()?,
            c: if want.c { self.c(x, y)? } else { None },
        })
    }

    /// A copy of the problem that reads only the rows of `batch` (the minibatch of an outer
    /// iteration; [`crate::batch`]), sharing the data; `None` when the problem reads all its
    /// rows whatever the batch (the default: problems without minibatches). The executor's
    /// [`Batched`](crate::oracle::Batched) oracle holds the copy; the problem is not changed.
    #[must_use = "the selection is a copy of the problem; the problem itself reads all rows"]
    fn select_batch(&self, _batch: Batch) -> Option<Self>
    where
        Self: Sized,
    {
        None
    }

    /// The weight of the terms that every shard of a sharded problem computes alike (those
    /// that read no batched row, and the coupled constraints' ⟨λ, c⟩): 1 on the lead shard
    /// and on an unsharded problem, 0 on the other shards, so that the shards' objectives add
    /// up to the whole problem's ([`crate::shard`]).
    fn replica_weight(&self) -> f64 {
        1.0
    }

    /// The initial upper-level point x₀ (by default from the variable's [`Init`]).
    fn x0(&self) -> Result<Tensor<B, 1>> {
        self.upper().initial(&self.device())
    }

    /// The initial lower-level point y₀ (by default from the variable's [`Init`]).
    fn y0(&self) -> Result<Tensor<B, 1>> {
        self.lower().initial(&self.device())
    }
}

/// Which objectives a [`Problem::parts`] call computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Want {
    /// The upper objective f.
    pub f: bool,
    /// The lower objective g.
    pub g: bool,
    /// The coupled constraints c.
    pub c: bool,
}

/// The objectives of one [`Problem::parts`] call, each where wanted.
#[derive(Debug, Clone)]
pub struct Parts<T: Backend> {
    /// f(x, y), a one-element tensor.
    pub f: Option<Tensor<T, 1>>,
    /// g(x, y), a one-element tensor.
    pub g: Option<Tensor<T, 1>>,
    /// c(x, y) ∈ ℝᵐ (`None` also when m = 0).
    pub c: Option<Tensor<T, 1>>,
}

/// Evaluates f, g and c once at the initial point and checks shapes and finiteness, so that a
/// malformed problem fails with a clear error before any solver runs.
pub fn check_problem<B: Backend, P: Problem<B>>(problem: &P) -> Result<()> {
    let (x, y) = (problem.x0()?, problem.y0()?);
    problem.upper().check(&x)?;
    problem.lower().check(&y)?;
    for (what, value) in [
        ("upper objective f", problem.f::<B>(x.clone(), y.clone())?),
        ("lower objective g", problem.g::<B>(x.clone(), y.clone())?),
    ] {
        ensure_len(what, 1, value.dims()[0])?;
        ensure_finite(&format!("{what} at the initial point"), &to_vec(&value))?;
    }
    let m = problem.num_constraints();
    match problem.c::<B>(x, y)? {
        Some(c) => {
            ensure_len("coupled constraints c", m, c.dims()[0])?;
            ensure_finite("coupled constraints c at the initial point", &to_vec(&c))
        }
        None if m == 0 => Ok(()),
        None => Err(Error::DimensionMismatch {
            what: "coupled constraints c (num_constraints > 0 but c returned None)".into(),
            expected: m,
            got: 0,
        }),
    }
}

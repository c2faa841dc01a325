//! Pieces shared by the penalty methods: the penalty schedule γ_t and the hypergradient
//! estimate of eq. 21.

use burn::tensor::{Tensor, backend::Backend};
use serde::de::{self, MapAccess, Visitor, value::MapAccessDeserializer};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::update::Moment;
use super::{InnerOutcome, IterState, MinSolver};
use crate::config::{Validate, check};
use crate::error::{Error, Result};
use crate::oracle::{Objective, Oracle};
use crate::problem::Problem;

/// Fails unless the problem has coupled constraints; returns their number.
pub fn require_constraints<B: Backend, O: Oracle<B>>(solver: &str, o: &O) -> Result<usize> {
    match o.problem().num_constraints() {
        0 => Err(Error::Unsupported {
            solver: solver.into(),
            reason: "the problem has no coupled constraints; use ALT-PBGD, JNT-PBGD or PBGD-Free"
                .into(),
        }),
        m => Ok(m),
    }
}

/// Fails if the problem has coupled constraints, which the uncoupled methods would ignore.
pub fn forbid_constraints<B: Backend, O: Oracle<B>>(solver: &str, o: &O) -> Result<()> {
    if o.problem().num_constraints() > 0 {
        return Err(Error::Unsupported {
            solver: solver.into(),
            reason:
                "the problem has coupled constraints c(x, y) <= 0, which this method would ignore; \
                     use Blocc, or PbgdFree with a saddle solver (PbgdFree::with_saddle)"
                    .into(),
        });
    }
    Ok(())
}

/// Fails if the lower domain is not free: methods built on ∇_y g = 0 at y*(x) (AID's eq. 1,
/// ITD's unprojected steps) do not hold on a bounded lower level.
pub fn require_free_lower<B: Backend, O: Oracle<B>>(solver: &str, why: &str, o: &O) -> Result<()> {
    if !o.problem().lower().domain().is_free() {
        return Err(Error::Unsupported {
            solver: solver.into(),
            reason: format!("{why}; the lower domain is not free"),
        });
    }
    Ok(())
}

/// y_t^g of eq. 18: `inner` on g(x_t, ·), warm-started from the previous y^g (from y^γ at the
/// first iteration), continuing the update rule's moment of y^g.
pub fn lower_solution<B: Backend, O: Oracle<B>, S>(
    inner: &MinSolver,
    oracles: &O,
    state: &IterState<B, S>,
    moment: &mut Moment<B>,
) -> Result<InnerOutcome<B>> {
    let warm = state.y_g.clone().unwrap_or_else(|| state.y_gamma.clone());
    inner.run_with(oracles, &Objective::Lower, &state.x, warm, moment)
}

/// The penalty γ over the outer iterations: constant, or increased to γ_max as V-PBGD does.
///
/// In files a constant penalty is a bare number (`"gamma": 100`); a schedule is a table tagged
/// by `kind` (`{"kind": "linear", "start": 1, "max": 100, "iters": 50}`), and so is
/// `{"kind": "constant", "gamma": 100}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(
    remote = "Self",
    tag = "kind",
    rename_all = "snake_case",
    deny_unknown_fields
)]
pub enum PenaltySchedule {
    /// γ_t = gamma.
    Constant {
        /// The penalty.
        gamma: f64,
    },
    /// γ_t = start + (max − start) · min(t / iters, 1).
    Linear {
        /// γ_0.
        start: f64,
        /// γ_max.
        max: f64,
        /// Iterations to reach γ_max.
        iters: usize,
    },
    /// γ_t = min(start · factor^t, max).
    Geometric {
        /// γ_0.
        start: f64,
        /// The growth factor (> 1).
        factor: f64,
        /// γ_max.
        max: f64,
    },
}

impl PenaltySchedule {
    /// A constant penalty.
    pub fn constant(gamma: f64) -> Self {
        PenaltySchedule::Constant { gamma }
    }

    /// γ_t at outer iteration t.
    pub fn at(&self, t: usize) -> f64 {
        match *self {
            PenaltySchedule::Constant { gamma } => gamma,
            PenaltySchedule::Linear { start, max, iters } => {
                start + (max - start) * (t as f64 / iters as f64).min(1.0)
            }
            PenaltySchedule::Geometric { start, factor, max } => {
                (start * factor.powf(t as f64)).min(max)
            }
        }
    }
}

impl From<f64> for PenaltySchedule {
    /// A constant penalty γ.
    fn from(gamma: f64) -> Self {
        PenaltySchedule::constant(gamma)
    }
}

impl Serialize for PenaltySchedule {
    /// A constant penalty as a bare number, a schedule as its tagged table.
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match *self {
            PenaltySchedule::Constant { gamma } => serializer.serialize_f64(gamma),
            _ => PenaltySchedule::serialize(self, serializer),
        }
    }
}

impl<'de> Deserialize<'de> for PenaltySchedule {
    /// A number (a constant penalty) or a table tagged by `kind`, whose errors are serde's
    /// (an unknown kind lists the valid ones).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(ScheduleVisitor)
    }
}

/// Reads a [`PenaltySchedule`] from a number or a tagged table.
struct ScheduleVisitor;

impl<'de> Visitor<'de> for ScheduleVisitor {
    type Value = PenaltySchedule;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(
            "a penalty (a number) or a schedule tagged by `kind` (constant, linear, geometric)",
        )
    }

    fn visit_f64<E: de::Error>(self, gamma: f64) -> std::result::Result<Self::Value, E> {
        Ok(PenaltySchedule::constant(gamma))
    }

    fn visit_i64<E: de::Error>(self, gamma: i64) -> std::result::Result<Self::Value, E> {
        self.visit_f64(gamma as f64)
    }

    fn visit_u64<E: de::Error>(self, gamma: u64) -> std::result::Result<Self::Value, E> {
        self.visit_f64(gamma as f64)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Value, A::Error> {
        PenaltySchedule::deserialize(MapAccessDeserializer::new(map))
    }
}

impl Validate for PenaltySchedule {
    /// Checks that every γ_t is positive and finite and the schedule increases.
    fn validate_at(&self, path: &str) -> Result<()> {
        let field = |name: &str| format!("{path}.{name}");
        match *self {
            PenaltySchedule::Constant { gamma } => check::positive(path, gamma),
            PenaltySchedule::Linear { start, max, iters } => {
                check::positive(&field("start"), start)?;
                check::positive(&field("max"), max)?;
                check::at_least_one(&field("iters"), iters)?;
                check::holds(max >= start, &field("max"), max, "must be >= start")
            }
            PenaltySchedule::Geometric { start, factor, max } => {
                check::positive(&field("start"), start)?;
                check::positive(&field("max"), max)?;
                check::holds(
                    factor >= 1.0 && factor.is_finite(),
                    &field("factor"),
                    factor,
                    "must be a finite number >= 1",
                )?;
                check::holds(max >= start, &field("max"), max, "must be >= start")
            }
        }
    }
}

/// The penalized lower objective γ⁻¹f + g of eq. 20.
pub fn penalized<'a, B: Backend>(gamma: f64) -> Objective<'a, B> {
    Objective::Penalized {
        gamma,
        lambda: None,
    }
}

/// The estimate of ∇F_γ(x) of eq. 21:
/// `g_t = ∇_x f(x, y_γ) + γ (∇_x g(x, y_γ) − ∇_x g(x, y_g))`,
/// computed as γ ∇_x(γ⁻¹f + g)(x, y_γ) − γ ∇_x g(x, y_g) (two gradient calls).
pub fn hypergradient<B: Backend, O: Oracle<B>>(
    oracles: &O,
    x: &Tensor<B, 1>,
    y_gamma: &Tensor<B, 1>,
    y_g: &Tensor<B, 1>,
    gamma: f64,
) -> Result<Tensor<B, 1>> {
    lagrangian_hypergradient(oracles, x, (y_gamma, None), (y_g, None), gamma)
}

/// Eq. 56 (eq. 21 when neither level has multipliers, or they are empty):
/// `g_t = γ ∇_x L_γ(x, y_γ, λ_γ) − γ ∇_x L_g(x, y_g, λ_g)` with L_γ = γ⁻¹f + g + ⟨λ_γ, c⟩ and
/// L_g = g + ⟨λ_g, c⟩.
pub fn lagrangian_hypergradient<B: Backend, O: Oracle<B>>(
    oracles: &O,
    x: &Tensor<B, 1>,
    (y_gamma, lambda_gamma): (&Tensor<B, 1>, Option<&Tensor<B, 1>>),
    (y_g, lambda_g): (&Tensor<B, 1>, Option<&Tensor<B, 1>>),
    gamma: f64,
) -> Result<Tensor<B, 1>> {
    let penalized = Objective::Penalized {
        gamma,
        lambda: lambda_gamma.filter(|l| l.dims()[0] > 0),
    };
    let lower = lambda_g
        .filter(|l| l.dims()[0] > 0)
        .map_or(Objective::Lower, Objective::LowerLagrangian);
    let at_gamma = oracles.grad_x(&penalized, x, y_gamma)?;
    let at_g = oracles.grad_x(&lower, x, y_g)?;
    Ok((at_gamma - at_g).mul_scalar(gamma))
}

/// The stopping metric of a single-loop method (F²SA, single-loop PBGD-Free): the x step's
/// metric and the projected-gradient residuals ‖G‖ of the single inner steps, whichever is
/// largest. With one inner step per outer step the inner iterates are far from their solutions
/// early on and the hypergradient is not yet meaningful: x may sit still (at a bound of X, say)
/// while y still moves, and the x step alone would stop the run there.
pub fn single_loop_metric(x_metric: f64, inner_residuals: &[f64]) -> f64 {
    inner_residuals.iter().fold(x_metric, |m, r| m.max(*r))
}

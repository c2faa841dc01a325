//! The kinds of oracle calls: which function of (x, y) ([`Objective`]), with respect to what
//! ([`Wrt`]), what comes back ([`Gradient`]), and the call counts ([`CallCounts`]).

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

use crate::tensor::scalar;

/// A scalar function of (x, y) built from the problem's objectives.
///
/// λ are Lagrange multipliers for the coupled constraints (length m, λ ≥ 0 in the methods
/// that use them), γ > 0 the penalty parameter.
pub enum Objective<'a, B: Backend> {
    /// The upper objective f(x, y).
    Upper,
    /// The lower objective g(x, y).
    Lower,
    /// ⟨λ, c(x, y)⟩; its gradient is the Jacobian-transpose product J_cᵀλ.
    ConstraintDot(&'a Tensor<B, 1>),
    /// L_g = g + ⟨λ, c⟩ (pbgd-free-efficient-penalty-blo.md §5, the lower Lagrangian).
    LowerLagrangian(&'a Tensor<B, 1>),
    /// L_γ = γ⁻¹ f + g + ⟨λ, c⟩ (the penalized Lagrangian; λ = `None` means no constraint term,
    /// which gives γ⁻¹ f + g, pbgd-free-efficient-penalty-blo.md eq. 5 divided by γ).
    Penalized {
        /// The penalty parameter γ > 0.
        gamma: f64,
        /// Multipliers, or `None` for no constraint term.
        lambda: Option<&'a Tensor<B, 1>>,
    },
}

impl<B: Backend> Objective<'_, B> {
    /// Fails unless the objective's own parameters are valid (γ > 0): checked once per oracle
    /// call, not per evaluation of the objective.
    pub(crate) fn check(&self) -> crate::error::Result<()> {
        match self {
            Objective::Penalized { gamma, .. } => crate::error::ensure_positive("gamma", *gamma),
            _ => Ok(()),
        }
    }

    pub(super) fn describe(&self) -> &'static str {
        match self {
            Objective::Upper => "f",
            Objective::Lower => "g",
            Objective::ConstraintDot(_) => "<lambda, c>",
            Objective::LowerLagrangian(_) => "L_g = g + <lambda, c>",
            Objective::Penalized { .. } => "L_gamma = f/gamma + g + <lambda, c>",
        }
    }
}

/// Which blocks to differentiate with respect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Wrt {
    /// Only x.
    X,
    /// Only y.
    Y,
    /// Both.
    Both,
}

impl Wrt {
    pub(crate) fn x(self) -> bool {
        matches!(self, Wrt::X | Wrt::Both)
    }
    pub(crate) fn y(self) -> bool {
        matches!(self, Wrt::Y | Wrt::Both)
    }
}

/// A value with its partial gradients (the blocks not asked for are `None`).
#[derive(Debug, Clone)]
pub struct Gradient<B: Backend> {
    /// The value, a one-element tensor on the device.
    pub value: Tensor<B, 1>,
    /// ∇_x, if asked for.
    pub x: Option<Tensor<B, 1>>,
    /// ∇_y, if asked for.
    pub y: Option<Tensor<B, 1>>,
}

impl<B: Backend> Gradient<B> {
    /// The value read back to the host.
    pub fn value_f64(&self) -> f64 {
        scalar(&self.value)
    }
}

/// The x- and y-blocks of a derivative; a block not asked for is `None`.
pub type BlockPair<B> = (Option<Tensor<B, 1>>, Option<Tensor<B, 1>>);

/// A kind of oracle call, as [`Counting`](super::Counting) counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// A function value or the constraint vector (no derivative).
    Value,
    /// A first-order gradient (one backward pass).
    Gradient,
    /// A Hessian-vector or mixed second-order product (one nested double backward).
    HessianVector,
    /// The gradient of h = ‖∇_y g‖².
    GradH,
}

/// How many times each kind of oracle was called.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCounts {
    /// Function values (no derivative).
    pub values: u64,
    /// First-order gradient evaluations (one backward pass each).
    pub gradients: u64,
    /// Hessian-vector and mixed second-order products (one nested double backward each).
    pub hessian_vector: u64,
    /// Gradients of h = ‖∇_y g‖².
    pub grad_h: u64,
}

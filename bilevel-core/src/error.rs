//! The error type of `bilevel-core`.

/// Everything that can go wrong when a problem is declared, checked or evaluated.
///
/// Each variant names what is wrong and, where possible, how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A vector had the wrong number of entries.
    #[error("{what}: expected {expected} entries, got {got}")]
    DimensionMismatch {
        /// What was being checked (e.g. "upper variable x", "box lower bound").
        what: String,
        /// The length the declaration implies.
        expected: usize,
        /// The length that was supplied.
        got: usize,
    },
    /// A tensor had a shape other than the declared one.
    #[error("{name}: declared shape {declared:?}, supplied shape {supplied:?}")]
    ShapeMismatch {
        /// The name of the field or block.
        name: String,
        /// The declared shape.
        declared: Vec<usize>,
        /// The shape that was supplied.
        supplied: Vec<usize>,
    },
    /// Two fields of a declaration that bind the same named size to different extents
    /// (e.g. `z: Matrix<n, d>` with 500 rows and `labels: Labels<n>` with 499).
    #[error(
        "size `{size}` is {first_value} by {first_field} but {second_value} by {second_field}; \
         every field that names `{size}` must have the same extent there"
    )]
    SizeMismatch {
        /// The size name.
        size: String,
        /// The field that bound it first.
        first_field: String,
        /// The extent it bound.
        first_value: usize,
        /// The field that disagrees.
        second_field: String,
        /// Its extent.
        second_value: usize,
    },
    /// Class labels that are not integers in `0..classes`.
    #[error("{what}: label {index} is {value}, but labels must be integers in 0..{classes}")]
    BadLabel {
        /// The field or data concerned.
        what: String,
        /// The row of the first offending label.
        index: usize,
        /// The offending label.
        value: f64,
        /// The number of classes.
        classes: usize,
    },
    /// A NaN or an infinity where a finite number is required.
    #[error("{what}: entry {index} is {value}, but a finite number is required")]
    NonFinite {
        /// What was being checked.
        what: String,
        /// The (flat) index of the first offending entry.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A box with a lower bound above its upper bound at some coordinate.
    #[error(
        "empty box: at coordinate {index} the lower bound {lo} exceeds the upper bound {hi}; \
         every coordinate needs lo <= hi"
    )]
    EmptyBox {
        /// The coordinate.
        index: usize,
        /// Its lower bound.
        lo: f64,
        /// Its upper bound.
        hi: f64,
    },
    /// A ball whose radius is not a positive finite number.
    #[error("ball radius must be a positive finite number, got {radius}")]
    NonPositiveRadius {
        /// The radius that was given.
        radius: f64,
    },
    /// A simplex whose total is not a positive finite number.
    #[error("simplex total must be a positive finite number, got {total}")]
    NonPositiveSimplexTotal {
        /// The total that was given.
        total: f64,
    },
    /// Named blocks or domain parts whose sizes do not add up to the variable's dimension.
    #[error("block layout of {what}: {reason}")]
    BlockLayout {
        /// The variable or domain concerned.
        what: String,
        /// What does not add up.
        reason: String,
    },
    /// A block name that the layout does not contain.
    #[error("no block named `{name}` in {what}; known blocks: {known:?}")]
    UnknownBlock {
        /// The name asked for.
        name: String,
        /// The layout searched.
        what: String,
        /// The names that exist.
        known: Vec<String>,
    },
    /// A numeric parameter outside its valid range (a step size, a penalty, a tolerance...).
    #[error("invalid parameter `{name}` = {value}: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: String,
        /// The value given (a number, or a count printed as an integer).
        value: crate::config::Value,
        /// The valid range.
        reason: String,
    },
    /// A derivative or value came out NaN or infinite during an evaluation.
    #[error(
        "{what} is not finite at the given point (NaN or Inf); check the inputs and the objective's domain (log of a non-positive number, overflow in exp, ...)"
    )]
    NonFiniteEvaluation {
        /// Which oracle.
        what: String,
    },
    /// An objective or constraint could not be evaluated (burn rejected an operation, e.g. two
    /// data tensors whose runtime shapes do not fit the expression).
    #[error(
        "{what} could not be evaluated: {message}; check the shapes of the data against the expression"
    )]
    Expression {
        /// What was being evaluated.
        what: String,
        /// burn's message.
        message: String,
    },
    /// The Lagrange multipliers grew without bound: the lower-level set at x is empty, has no
    /// strictly feasible point (no multiplier need exist), or has one and the MaxMin steps are
    /// too large; `lower_set` says which ([`LowerSet`](crate::solver::LowerSet)).
    #[error(
        "the Lagrange multipliers grew without bound (norm {lambda_norm:.3e} > limit {limit:.1e} \
         after {iteration} inner steps, largest violation {violation:.3e}): {lower_set}"
    )]
    Infeasible {
        /// ‖λ‖ when the limit was hit.
        lambda_norm: f64,
        /// The limit.
        limit: f64,
        /// Inner steps taken.
        iteration: usize,
        /// max_i c_i(x, y) at that point.
        violation: f64,
        /// What the constraints leave of the lower-level set at that x.
        lower_set: crate::solver::LowerSet,
    },
    /// Conjugate gradient met a direction of non-positive curvature: ∇²_yy g is not positive
    /// definite there (a nonconvex lower level), so the linear system of AID has no reliable
    /// solution.
    #[error(
        "conjugate gradient broke down at step {iteration}: curvature pᵀ∇²_yy g p = {curvature:.3e} \
         is not positive; the lower level is not strongly convex here (use the perturbed GD \
         method, or a smaller inner step so that y is nearer a minimizer)"
    )]
    NonPositiveCurvature {
        /// The CG step.
        iteration: usize,
        /// pᵀHp.
        curvature: f64,
    },
    /// h(x0, y0) = ‖∇_y g(x0, y0)‖² is too large for the chosen α (Algorithm 1's warm start).
    #[error(
        "h(x0, y0) = {h:.3e} exceeds alpha² C0 = {bound:.3e}: warm-start y0 (e.g. \
         PerturbedGd::warm_start, gradient descent on g(x0, ·)) or increase C0"
    )]
    WarmStartNeeded {
        /// h(x0, y0).
        h: f64,
        /// α² C0.
        bound: f64,
    },
    /// A data-parallel solve failed: a peer did not join or answer in time, the peers'
    /// problems or settings differ, or a problem cannot be split ([`crate::shard`]).
    #[error("peer {peer}: {reason}")]
    Shard {
        /// The peer that saw the failure.
        peer: usize,
        /// What went wrong.
        reason: String,
    },
    /// A solver was given a problem it does not handle.
    #[error("{solver} cannot solve this problem: {reason}")]
    Unsupported {
        /// The solver.
        solver: String,
        /// Why, and what to use instead.
        reason: String,
    },
    /// An observer failed (e.g. a checkpoint could not be written); the solve stopped.
    #[error("observer failed: {message}")]
    Observer {
        /// What went wrong.
        message: String,
    },
    /// A checkpoint does not belong to this solve (another solver, problem or version).
    #[error("cannot resume from this checkpoint: {reason}")]
    Checkpoint {
        /// Why.
        reason: String,
    },
    /// A minimization ran off to −∞ (or its iterate to infinity): the objective is unbounded
    /// below at this x (a lower level with no minimizer).
    #[error(
        "{what} is unbounded below at x = {x:?} (value {value:.3e}): the lower level has no \
         minimizer there; bound y (a domain) or make g coercive in y"
    )]
    Unbounded {
        /// The objective.
        what: String,
        /// Its value when the run was stopped.
        value: f64,
        /// The upper-level point.
        x: Vec<f64>,
    },
    /// The coupled constraints c(x, y) ≤ 0 have no y ∈ Y at any of the points tried.
    #[error(
        "the lower level is infeasible: no y in Y satisfies c(x, y) <= 0 at the {tried} point(s) \
         tried; the smallest largest violation is {violation:.3e} at x = {x:?}"
    )]
    InfeasibleLower {
        /// Points tried.
        tried: usize,
        /// max_i c_i(x, y) at the least infeasible point found.
        violation: f64,
        /// That x.
        x: Vec<f64>,
    },
    /// An error after at least one iteration: the error, and where the solve had got to (the
    /// last iterate, the method's values such as multipliers, the history). Divergence is
    /// [`Error::Diverged`] instead. [`Error::root`] is the error itself.
    #[error(
        "{solver} stopped at iteration {iteration}: {source}; the last iterate (iteration {}) and \
         the history are kept in the error",
        .partial.iterations
    )]
    Stopped {
        /// The solver's name.
        solver: String,
        /// The iteration that failed.
        iteration: usize,
        /// What failed.
        source: Box<Error>,
        /// Where the solve had got to.
        partial: Box<Partial>,
    },
    /// The time budget ran out during an oracle call. The executor ends the solve with
    /// [`Termination::TimeBudget`](crate::solver::Termination::TimeBudget) at the last complete
    /// iterate; only code that sets a deadline on a [`Counting`](crate::oracle::Counting)
    /// oracle by hand sees this error.
    #[error("the time budget ran out during an oracle call")]
    OutOfTime,
    /// A start point given at run time ([`crate::StartAt`]) outside its variable's domain.
    #[error(
        "the start point of variable `{variable}` is outside its domain (its projection is \
         {distance:.3e} away); give a point inside the domain"
    )]
    StartOutsideDomain {
        /// The variable's name.
        variable: String,
        /// The Euclidean distance from the point to its projection onto the domain.
        distance: f64,
    },
    /// A solve produced NaN/Inf or blew up. Carries the iteration and the last finite iterate.
    #[error(
        "{solver} diverged at iteration {iteration}: {reason}; the last finite iterate (iteration \
         {last_iteration}) is kept in the error; try a smaller step size or a smaller penalty"
    )]
    Diverged {
        /// The solver's name.
        solver: String,
        /// The iteration at which the divergence was detected.
        iteration: usize,
        /// What was seen (NaN, Inf, a norm above the threshold).
        reason: String,
        /// The iteration of the last finite iterate.
        last_iteration: usize,
        /// The last finite upper-level iterate x.
        last_x: Vec<f64>,
        /// The last finite lower-level iterate y (y_γ where the method has both).
        last_y: Vec<f64>,
    },
}

/// Where a solve had got to when an error stopped it ([`Error::Stopped`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Partial {
    /// Iterations completed.
    pub iterations: usize,
    /// The last upper-level iterate x.
    pub x: Vec<f64>,
    /// The last lower-level iterate y (y_γ where the method has both).
    pub y: Vec<f64>,
    /// The method's reported values there (multipliers λ_g, λ_γ, a KKT residual, ...).
    pub values: crate::solver::Values,
    /// The history recorded up to there.
    pub history: Vec<crate::solver::HistoryRow>,
}

impl Error {
    /// The error itself, under any [`Error::Stopped`] wrapping.
    pub fn root(&self) -> &Error {
        match self {
            Error::Stopped { source, .. } => source.root(),
            other => other,
        }
    }

    /// Where the solve had got to, for an error after at least one iteration.
    pub fn partial(&self) -> Option<&Partial> {
        match self {
            Error::Stopped { partial, .. } => Some(partial),
            _ => None,
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Fails with [`Error::NonFinite`] naming the first non-finite entry of `values`.
pub fn ensure_finite(what: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFinite {
            what: what.to_string(),
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// Fails with [`Error::DimensionMismatch`] unless `got == expected`.
pub fn ensure_len(what: &str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::DimensionMismatch {
            what: what.to_string(),
            expected,
            got,
        })
    }
}

/// Fails with [`Error::InvalidParameter`] unless `value` is finite and strictly positive.
pub fn ensure_positive(name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: name.to_string(),
            value: value.into(),
            reason: "must be a finite number > 0".to_string(),
        })
    }
}

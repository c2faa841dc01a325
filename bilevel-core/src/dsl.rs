//! Support for the code the `#[bilevel]` macro generates: assembling a level's variable from
//! its declared blocks, checking data against declared shapes, counting constraints. Usable by
//! hand-written problems too.

use burn::tensor::{Tensor, backend::Backend};

use crate::domain::Domain;
use crate::error::{Error, Result, ensure_finite};
use crate::layout::{Block, Layout};
use crate::problem::{Init, Problem, Variable};
use crate::tensor::to_vec;

/// One declared block: name, shape (`[]` for a scalar), domain and initial value.
#[derive(Debug, Clone)]
pub struct BlockSpec {
    /// The block's name.
    pub name: &'static str,
    /// Its shape.
    pub shape: &'static [usize],
    /// Its domain.
    pub domain: Domain,
    /// Its initial value.
    pub init: Init,
}

/// The variable of one level from its blocks, in order: the layout, the product of the
/// blocks' domains (or the single domain), and the concatenated initial values.
pub fn variable(level: &str, blocks: Vec<BlockSpec>) -> Result<Variable> {
    let name = blocks.iter().map(|b| b.name).collect::<Vec<_>>().join(", ");
    let layout = Layout::new(
        blocks
            .iter()
            .map(|b| Block::new(b.name, b.shape))
            .collect::<Result<_>>()?,
    )?;
    let mut values = Vec::with_capacity(layout.dim());
    let mut parts = Vec::with_capacity(blocks.len());
    for b in blocks {
        let len: usize = b.shape.iter().product();
        values.extend(b.init.values(len, &format!("{level} block `{}`", b.name))?);
        parts.push((len, b.domain));
    }
    let domain = if parts.iter().all(|(_, d)| d.is_free()) {
        Domain::free()
    } else if parts.len() == 1 {
        parts.remove(0).1
    } else {
        Domain::product(parts)?
    };
    Variable::new(
        format!("{level} ({name})"),
        layout,
        domain,
        Init::Values { values },
    )
}

/// Checks a data tensor against its declared shape (`None` = any extent) and for NaN/Inf.
pub fn check_data<B: Backend, const D: usize>(
    name: &str,
    declared: &[Option<usize>],
    t: &Tensor<B, D>,
) -> Result<()> {
    let supplied = t.dims().to_vec();
    let fits = declared.len().max(1) == D
        && declared
            .iter()
            .zip(&supplied)
            .all(|(d, s)| d.is_none_or(|d| d == *s));
    if !fits {
        return Err(Error::ShapeMismatch {
            name: format!("data field `{name}`"),
            declared: declared.iter().map(|d| d.unwrap_or(0)).collect(),
            supplied,
        });
    }
    if supplied.contains(&0) {
        return Err(Error::ShapeMismatch {
            name: format!("data field `{name}` (empty)"),
            declared: declared.iter().map(|d| d.unwrap_or(0)).collect(),
            supplied,
        });
    }
    ensure_finite(&format!("data field `{name}`"), &to_vec(t))
}

/// Runs `f`, turning a panic inside burn (a shape error at runtime) into [`Error::Expression`].
/// Generated constructors evaluate the objectives once through this, so that a data shape that
/// does not fit the expression is an error, not a panic later in a solver.
pub fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "an operation panicked".into());
        Err(Error::Expression {
            what: what.to_string(),
            message,
        })
    })
}

/// The number of coupled constraints, by evaluating c at the initial point.
pub fn count_constraints<B: Backend, P: Problem<B>>(problem: &P) -> Result<usize> {
    let (x, y) = (problem.x0()?, problem.y0()?);
    Ok(problem.c::<B>(x, y)?.map_or(0, |c| c.dims()[0]))
}

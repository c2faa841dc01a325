//! Support for the code the `#[bilevel]` macro generates: assembling a level's variable from
//! its declared blocks, binding named sizes from data ([`Sizes`]), checking data against
//! declared shapes, class labels ([`Labels`]), counting constraints. Usable by hand-written
//! problems too.

mod labels;
mod sizes;

pub use labels::{Labels, indices, one_hot};
pub use sizes::{Dim, Sizes};

use burn::tensor::backend::Backend;

use crate::domain::Domain;
use crate::error::{Error, Result};
use crate::layout::{Block, Layout};
use crate::problem::{Init, Problem, Variable};

/// One declared block: name, shape (`[]` for a scalar), domain and initial value.
#[derive(Debug, Clone)]
pub struct BlockSpec {
    /// The block's name.
    pub name: &'static str,
    /// Its shape (named sizes already resolved).
    pub shape: Vec<usize>,
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
            .map(|b| Block::new(b.name, &b.shape))
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

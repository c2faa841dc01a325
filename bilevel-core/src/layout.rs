//! Named blocks of a flat variable: a weight `[d, k]` and a bias `[k]` stored one after the
//! other in one 1-D tensor (DESIGN.md §3). Solvers see the flat vector; objectives take views.

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One named block of a variable: its name and shape (`[]` for a scalar).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawBlock")]
pub struct Block {
    name: String,
    shape: Vec<usize>,
}

/// A block as read from a configuration file, before validation.
#[derive(Deserialize)]
struct RawBlock {
    name: String,
    shape: Vec<usize>,
}

impl TryFrom<RawBlock> for Block {
    type Error = Error;
    fn try_from(raw: RawBlock) -> Result<Self> {
        Block::new(raw.name, &raw.shape)
    }
}

/// The most numbers a variable (all its blocks) may hold: 2²⁸, 2 GiB in f64.
pub const MAX_VARIABLE_LEN: usize = 1 << 28;

impl Block {
    /// A block called `name` with the given shape; every extent must be positive.
    pub fn new(name: impl Into<String>, shape: &[usize]) -> Result<Self> {
        let name = name.into();
        if name.is_empty() {
            return Err(Error::BlockLayout {
                what: "a block".into(),
                reason: "block names must not be empty".into(),
            });
        }
        if let Some(axis) = shape.iter().position(|&s| s == 0) {
            return Err(Error::BlockLayout {
                what: format!("block `{name}`"),
                reason: format!(
                    "extent {axis} of shape {shape:?} is zero; extents must be positive"
                ),
            });
        }
        let len = shape.iter().try_fold(1usize, |a, &s| a.checked_mul(s));
        if len.is_none_or(|l| l > MAX_VARIABLE_LEN) {
            return Err(Error::BlockLayout {
                what: format!("block `{name}`"),
                reason: format!(
                    "shape {shape:?} holds more than {MAX_VARIABLE_LEN} numbers, the most a \
                     variable may have"
                ),
            });
        }
        Ok(Self {
            name,
            shape: shape.to_vec(),
        })
    }

    /// The block's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The block's shape (`[]` for a scalar).
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The number of entries (1 for a scalar).
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Always false: blocks have positive extents.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// The blocks of one level's variable, in storage order.
///
/// Serialized as the list of its blocks; deserialization validates like [`Layout::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Block>", into = "Vec<Block>")]
pub struct Layout {
    blocks: Vec<Block>,
    offsets: Vec<usize>,
    dim: usize,
}

impl TryFrom<Vec<Block>> for Layout {
    type Error = Error;
    fn try_from(blocks: Vec<Block>) -> Result<Self> {
        Layout::new(blocks)
    }
}

impl From<Layout> for Vec<Block> {
    fn from(layout: Layout) -> Self {
        layout.blocks
    }
}

impl Layout {
    /// A layout from blocks with distinct names; at least one block.
    pub fn new(blocks: Vec<Block>) -> Result<Self> {
        if blocks.is_empty() {
            return Err(Error::BlockLayout {
                what: "a variable".into(),
                reason: "a variable needs at least one block".into(),
            });
        }
        for (i, b) in blocks.iter().enumerate() {
            if blocks[..i].iter().any(|p| p.name == b.name) {
                return Err(Error::BlockLayout {
                    what: format!("block `{}`", b.name),
                    reason: "the name is used twice".into(),
                });
            }
        }
        let mut offsets = Vec::with_capacity(blocks.len());
        let mut dim = 0;
        for b in &blocks {
            offsets.push(dim);
            dim += b.len();
        }
        if dim > MAX_VARIABLE_LEN {
            return Err(Error::BlockLayout {
                what: "a variable".into(),
                reason: format!(
                    "its blocks hold {dim} numbers, more than {MAX_VARIABLE_LEN}, the most a \
                     variable may have"
                ),
            });
        }
        Ok(Self {
            blocks,
            offsets,
            dim,
        })
    }

    /// A layout with one vector block `name` of length `n`.
    pub fn vector(name: impl Into<String>, n: usize) -> Result<Self> {
        Self::new(vec![Block::new(name, &[n])?])
    }

    /// Total number of entries: the dimension of the flat variable.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The blocks in storage order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The index of block `name` in storage order.
    pub fn index_of(&self, name: &str) -> Result<usize> {
        self.blocks
            .iter()
            .position(|b| b.name == name)
            .ok_or_else(|| Error::UnknownBlock {
                name: name.to_string(),
                what: "the layout".into(),
                known: self.blocks.iter().map(|b| b.name.clone()).collect(),
            })
    }

    /// The position of block `name` in the flat vector, as `start..end`.
    pub fn range(&self, name: &str) -> Result<std::ops::Range<usize>> {
        let i = self.index_of(name)?;
        Ok(self.offsets[i]..self.offsets[i] + self.blocks[i].len())
    }

    /// The block `index` of the flat variable `flat`, reshaped to `D` dimensions.
    ///
    /// `D` must equal the block's rank, except that a scalar block may be viewed with `D = 1`.
    /// Generated code calls this with indices it validated; hand-written problems use
    /// [`Layout::view_by_name`].
    pub fn view<T: Backend, const D: usize>(
        &self,
        flat: &Tensor<T, 1>,
        index: usize,
    ) -> Result<Tensor<T, D>> {
        let block = self.blocks.get(index).ok_or_else(|| Error::BlockLayout {
            what: "a view".into(),
            reason: format!("block index {index} out of {} blocks", self.blocks.len()),
        })?;
        let start = self.offsets[index];
        let mut shape = [1usize; D];
        if block.shape.is_empty() && D == 1 {
            shape[0] = 1;
        } else if block.shape.len() == D {
            shape.copy_from_slice(&block.shape);
        } else {
            return Err(Error::BlockLayout {
                what: format!("block `{}`", block.name),
                reason: format!("has rank {}, viewed with rank {D}", block.shape.len()),
            });
        }
        let got = flat.dims()[0];
        if got != self.dim {
            return Err(Error::DimensionMismatch {
                what: "flat variable".into(),
                expected: self.dim,
                got,
            });
        }
        Ok(flat
            .clone()
            .slice(start..start + block.len())
            .reshape(shape))
    }

    /// Like [`Layout::view`], finding the block by name.
    pub fn view_by_name<T: Backend, const D: usize>(
        &self,
        flat: &Tensor<T, 1>,
        name: &str,
    ) -> Result<Tensor<T, D>> {
        let index = self.index_of(name)?;
        self.view(flat, index)
    }
}

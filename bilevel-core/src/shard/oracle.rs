//! The data-parallel oracle decorator: the oracle it wraps answers for one shard, and each
//! call's result is all-reduced (a sum) across the peers.

use burn::tensor::{Tensor, backend::Backend};

use super::Peer;
use crate::error::Result;
use crate::oracle::{BlockPair, Call, Gradient, Objective, Oracle, Wrt};
use crate::tensor::scalar;

/// Sums what the wrapped oracle computes on this peer's shard over every peer (one
/// all-reduce per call; the value and the blocks travel in one tensor). Without a peer it
/// passes every call through unchanged. The coupled constraints are not reduced: every shard
/// computes the whole c.
pub struct Sharded<'a, B: Backend, O> {
    inner: O,
    peer: Option<&'a Peer<B>>,
}

impl<'a, B: Backend, O: Oracle<B>> Sharded<'a, B, O> {
    /// `inner` reduced across `peer`'s session (`None`: unsharded, a pass-through).
    pub fn new(inner: O, peer: Option<&'a Peer<B>>) -> Self {
        Self { inner, peer }
    }

    /// The wrapped oracle.
    pub fn inner(&self) -> &O {
        &self.inner
    }

    /// The wrapped oracle, mutably (to select a minibatch).
    pub fn inner_mut(&mut self) -> &mut O {
        &mut self.inner
    }

    /// The sums over the peers of `parts` (the `None` blocks stay `None`), in one all-reduce.
    fn reduce<const N: usize>(
        peer: &Peer<B>,
        parts: [Option<Tensor<B, 1>>; N],
    ) -> Result<[Option<Tensor<B, 1>>; N]> {
        let lens = parts.each_ref().map(|p| p.as_ref().map(|t| t.dims()[0]));
        let present: Vec<Tensor<B, 1>> = parts.into_iter().flatten().collect();
        let summed = peer.all_reduce(Tensor::cat(present, 0))?;
        let mut start = 0;
        Ok(lens.map(|len| {
            len.map(|n| {
                start += n;
                summed.clone().narrow(0, start - n, n)
            })
        }))
    }
}

impl<B: Backend, O: Oracle<B>> Oracle<B> for Sharded<'_, B, O> {
    type Problem = O::Problem;

    fn problem(&self) -> &O::Problem {
        self.inner.problem()
    }

    fn value(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
    ) -> Result<f64> {
        let v = self.inner.value(objective, x, y)?;
        let Some(peer) = self.peer else {
            return Ok(v);
        };
        let [sum] = Self::reduce(peer, [Some(crate::tensor::vector(&[v], &x.device()))])?;
        Ok(sum.map_or(v, |s| scalar(&s)))
    }

    fn constraints(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Tensor<B, 1>> {
        self.inner.constraints(x, y)
    }

    fn gradient(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        wrt: Wrt,
    ) -> Result<Gradient<B>> {
        let g = self.inner.gradient(objective, x, y, wrt)?;
        let Some(peer) = self.peer else {
            return Ok(g);
        };
        let [value, gx, gy] = Self::reduce(peer, [Some(g.value), g.x, g.y])?;
        Ok(Gradient {
            value: value.expect("the value is always reduced"),
            x: gx,
            y: gy,
        })
    }

    fn second_order(
        &self,
        objective: &Objective<'_, B>,
        x: &Tensor<B, 1>,
        y: &Tensor<B, 1>,
        outer: Wrt,
        dir: &Tensor<B, 1>,
        inner: Wrt,
    ) -> Result<BlockPair<B>> {
        let (hx, hy) = self
            .inner
            .second_order(objective, x, y, outer, dir, inner)?;
        let Some(peer) = self.peer else {
            return Ok((hx, hy));
        };
        let [hx, hy] = Self::reduce(peer, [hx, hy])?;
        Ok((hx, hy))
    }

    /// h = ‖∇_y g‖² is not a sum over shards: ∇_y g is reduced first, then the
    /// Hessian-vector product along it (∇h = 2 ∇²_{·y} g ∇_y g, Remark 3.1 of
    /// perturbed-gd-convex-qp-nonconvex-blo.md).
    fn grad_h(&self, x: &Tensor<B, 1>, y: &Tensor<B, 1>) -> Result<Gradient<B>> {
        if self.peer.is_none() {
            return self.inner.grad_h(x, y);
        }
        let gy = self.grad_y(&Objective::Lower, x, y)?;
        let (hx, hy) = self.second_order(&Objective::Lower, x, y, Wrt::Y, &gy, Wrt::Both)?;
        Ok(Gradient {
            value: gy.powi_scalar(2).sum(),
            x: hx.map(|h| h.mul_scalar(2.0)),
            y: hy.map(|h| h.mul_scalar(2.0)),
        })
    }

    fn record(&self, call: Call) -> Result<()> {
        self.inner.record(call)
    }

    fn concurrent(&self) -> bool {
        self.peer.is_none() && self.inner.concurrent()
    }
}

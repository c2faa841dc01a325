//! Moving constant tensors into the (possibly nested) autodiff backends the oracles evaluate on.
//!
//! The objectives of a [`Problem`](crate::Problem) are generic over a backend `T: Lift<B>`.
//! The oracles evaluate them on `B` (values), `Autodiff<B>` (first derivatives) and
//! `Autodiff<Autodiff<B>>` (Hessian-vector products, DESIGN.md §2). Data a problem owns lives
//! on `B`; [`Lift::lift`] wraps it as an untracked constant of `T` without copying it.

use burn::backend::Autodiff;
use burn::tensor::{Int, Tensor, backend::Backend};

/// A backend that the data of a problem on `B` can be lifted into: `B` itself,
/// `Autodiff<B>` or `Autodiff<Autodiff<B>>`.
pub trait Lift<B: Backend>: Backend<Device = B::Device, FloatElem = B::FloatElem> {
    /// The tensor `t` as an untracked constant of this backend (no copy).
    fn lift<const D: usize>(t: Tensor<B, D>) -> Tensor<Self, D>;

    /// An integer tensor (row indices) of `B` as one of this backend (no copy).
    fn lift_int<const D: usize>(t: Tensor<B, D, Int>) -> Tensor<Self, D, Int>;
}

impl<B: Backend> Lift<B> for B {
    fn lift<const D: usize>(t: Tensor<B, D>) -> Tensor<B, D> {
        t
    }
    fn lift_int<const D: usize>(t: Tensor<B, D, Int>) -> Tensor<B, D, Int> {
        t
    }
}

impl<B: Backend> Lift<B> for Autodiff<B> {
    fn lift<const D: usize>(t: Tensor<B, D>) -> Tensor<Self, D> {
        Tensor::from_inner(t)
    }
    fn lift_int<const D: usize>(t: Tensor<B, D, Int>) -> Tensor<Self, D, Int> {
        Tensor::from_primitive(t.into_primitive())
    }
}

impl<B: Backend> Lift<B> for Autodiff<Autodiff<B>> {
    fn lift<const D: usize>(t: Tensor<B, D>) -> Tensor<Self, D> {
        Tensor::from_inner(Tensor::from_inner(t))
    }
    fn lift_int<const D: usize>(t: Tensor<B, D, Int>) -> Tensor<Self, D, Int> {
        Tensor::from_primitive(t.into_primitive())
    }
}

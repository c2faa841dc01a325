//! Small conversions between host vectors (`f64`) and 1-D tensors, used at the edges of the
//! library (configuration, reports, checks). Solvers keep their iterates on the device.

use burn::tensor::{Tensor, TensorData, backend::Backend};

use crate::error::{Result, ensure_finite};

/// A 1-D tensor on `device` holding `values` (converted to the backend's float type).
pub fn vector<B: Backend>(values: &[f64], device: &B::Device) -> Tensor<B, 1> {
    Tensor::from_data(TensorData::new(values.to_vec(), [values.len()]), device)
}

/// Like [`vector`], but fails with a clear error if any entry is NaN or infinite.
pub fn finite_vector<B: Backend>(
    what: &str,
    values: &[f64],
    device: &B::Device,
) -> Result<Tensor<B, 1>> {
    ensure_finite(what, values)?;
    Ok(vector(values, device))
}

/// The entries of a tensor of any rank, in row-major order, as `f64`.
pub fn to_vec<B: Backend, const D: usize>(t: &Tensor<B, D>) -> Vec<f64> {
    t.to_data()
        .convert::<f64>()
        .into_vec::<f64>()
        .expect("a float tensor converted to f64 holds f64 values")
}

/// The single entry of a one-element tensor as `f64`.
pub fn scalar<B: Backend, const D: usize>(t: &Tensor<B, D>) -> f64 {
    to_vec(t).first().copied().unwrap_or(f64::NAN)
}

/// The Euclidean inner product of two vectors, as a one-element tensor.
pub fn dot<B: Backend>(a: Tensor<B, 1>, b: Tensor<B, 1>) -> Tensor<B, 1> {
    (a * b).sum()
}

/// The squared Euclidean norm of a vector, as a one-element tensor.
pub fn norm2_sq<B: Backend>(a: Tensor<B, 1>) -> Tensor<B, 1> {
    a.powi_scalar(2).sum()
}

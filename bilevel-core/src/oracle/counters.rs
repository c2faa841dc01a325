//! The oracles' call counters (interior mutability: the oracles are shared by reference).

use std::cell::Cell;

use super::kinds::CallCounts;

/// One counter per kind of call.
#[derive(Default)]
pub(super) struct Counters {
    pub values: Cell<u64>,
    pub gradients: Cell<u64>,
    pub hessian_vector: Cell<u64>,
    pub grad_h: Cell<u64>,
}

/// Adds one to `c`.
pub(super) fn bump(c: &Cell<u64>) {
    c.set(c.get() + 1)
}

impl Counters {
    /// The counts so far.
    pub fn counts(&self) -> CallCounts {
        CallCounts {
            values: self.values.get(),
            gradients: self.gradients.get(),
            hessian_vector: self.hessian_vector.get(),
            grad_h: self.grad_h.get(),
        }
    }

    /// Sets every count back to zero.
    pub fn reset(&self) {
        for c in [
            &self.values,
            &self.gradients,
            &self.hessian_vector,
            &self.grad_h,
        ] {
            c.set(0);
        }
    }
}

//! Problems of perturbed-gd-convex-qp-nonconvex-blo.md App. C.1, declared once in the DSL and
//! shared by the DSL tests and the second-order solver tests.
#![allow(dead_code)]

use bilevel::prelude::*;

#[bilevel(
    f = (dot(c, x) + dot(d, y)).sin() + (norm2(x + y) + 1.0).ln(),
    g = 0.5 * norm2(matmul(h, y) - x),
)]
/// App. C.1.1: strongly convex lower level, d = 20.
pub struct C11 {
    #[upper(init = normal(0.5, 3))]
    x: Vector<20>,
    #[lower]
    y: Vector<20>,
    #[data]
    c: Vector<20>,
    #[data]
    d: Vector<20>,
    #[data]
    h: Matrix<20, 20>,
}

#[bilevel(
    f = (dot(c, x) + dot(d, y)).sin() + (norm2(x + y) + 1.0).ln(),
    g = (0.5 * norm2(matmul(h, y) - x)).cos(),
)]
/// App. C.1.3: the nonconvex lower level cos(½‖Hy − x‖²).
pub struct C13 {
    #[upper(init = normal(0.1, 3))]
    x: Vector<20>,
    #[lower]
    y: Vector<20>,
    #[data]
    c: Vector<20>,
    #[data]
    d: Vector<20>,
    #[data]
    h: Matrix<20, 20>,
}

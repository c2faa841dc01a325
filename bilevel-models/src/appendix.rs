//! The problems of perturbed-gd-convex-qp-nonconvex-blo.md App. C.1, declared with
//! `#[bilevel]`; their sizes come from the data (the paper: d = 20 for C.1.1 and C.1.3).

use bilevel_macros::bilevel;

#[bilevel(
    crate = bilevel_core,
    f = (dot(c, x) + dot(d, y)).sin() + (norm2(x + y) + 1.0).ln(),
    g = 0.5 * norm2(matmul(h, y) - x),
)]
/// App. C.1.1: a strongly convex lower level ½‖Hy − x‖², the upper level
/// sin(cᵀx + dᵀy) + ln(‖x + y‖² + 1); x starts at a seeded N(0, 0.5²) draw.
pub struct C11 {
    #[upper(init = normal(0.5, 3))]
    x: Vector<n>,
    #[lower]
    y: Vector<n>,
    #[data]
    c: Vector<n>,
    #[data]
    d: Vector<n>,
    #[data]
    h: Matrix<n, n>,
}

#[bilevel(crate = bilevel_core, f = norm2(y - y0), g = norm2(y - matmul(a, softmax(x))))]
/// App. C.1.2, coreset selection: f = ‖y − y₀‖², g = ‖y − A softmax(x)‖².
pub struct Coreset {
    #[upper]
    x: Vector<k>,
    #[lower]
    y: Vector<p>,
    #[data]
    a: Matrix<p, k>,
    #[data]
    y0: Vector<p>,
}

#[bilevel(
    crate = bilevel_core,
    f = (dot(c, x) + dot(d, y)).sin() + (norm2(x + y) + 1.0).ln(),
    g = (0.5 * norm2(matmul(h, y) - x)).cos(),
)]
/// App. C.1.3: the nonconvex lower level cos(½‖Hy − x‖²); x starts at a seeded N(0, 0.1²)
/// draw.
pub struct C13 {
    #[upper(init = normal(0.1, 3))]
    x: Vector<n>,
    #[lower]
    y: Vector<n>,
    #[data]
    c: Vector<n>,
    #[data]
    d: Vector<n>,
    #[data]
    h: Matrix<n, n>,
}

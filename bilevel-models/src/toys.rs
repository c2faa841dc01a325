//! The toy problems of pbgd-free-efficient-penalty-blo.md (scalar x and y), declared with
//! `#[bilevel]`: Example 1 (the PBGD-Free counterexample), Example 2 (flatness), Example 3
//! (Fig. 3 and Fig. 9) and Example 4 (coupled constraints, Fig. 10). Each starts at the
//! `(x0, y0)` given to `new`, projected onto its domain.

use bilevel_macros::bilevel;

#[bilevel(
    crate = bilevel_core,
    f = (1.0 - y).exp() / (2.0 + (4.0 * x).cos()) + 0.5 * ((4.0 * x - 2.0).powi(2) + 1.0).ln() + x.powi(2),
    g = 2.0 * (y - x).powi(2) + x / 2.0 * (x + y).sin().powi(2),
)]
/// Example 3 (§6.1.1): X = Y = [0, 3],
/// f = e^{1−y} / (2 + cos 4x) + ½ ln((4x − 2)² + 1) + x², g = 2(y − x)² + (x/2) sin²(x + y).
/// The paper starts at (0, 0).
pub struct Example3 {
    #[upper(domain = interval(0.0, 3.0), init = x0)]
    x: Scalar,
    #[lower(domain = interval(0.0, 3.0), init = y0)]
    y: Scalar,
    #[data]
    x0: f64,
    #[data]
    y0: f64,
}

#[bilevel(crate = bilevel_core, f = x.powi(2) + 10.0 * y, g = (y - x + 1.0).powi(2))]
/// Example 1 (§4): f = x² + 10y, g = (y − x + 1)², unconstrained.
pub struct Example1 {
    #[upper(init = x0)]
    x: Scalar,
    #[lower(init = y0)]
    y: Scalar,
    #[data]
    x0: f64,
    #[data]
    y0: f64,
}

#[bilevel(
    crate = bilevel_core,
    let d = y - x,
    f = (d.sin() + 2.0) * d.powi(2) + 10.0 * (-d.powi(2) / (2.0 * 0.005 * 0.005)).exp() * (100.0 * d).sin(),
    g = d.powi(2),
)]
/// Example 2 (§4.2): g = (y − x)², f = (sin(y − x) + 2)(y − x)² + 10 exp(−(y − x)²/(2·0.005²))
/// sin(100(y − x)); x ∈ [−10, 10], y free; both start at x0 (y_g*(x0) = x0).
pub struct Example2 {
    #[upper(domain = interval(-10.0, 10.0), init = x0)]
    x: Scalar,
    #[lower(init = x0)]
    y: Scalar,
    #[data]
    x0: f64,
}

#[bilevel(
    crate = bilevel_core,
    f = (2.0 - y).exp() / (2.0 + (4.0 * x).cos()) + 0.5 * ((4.0 * x - 2.0).powi(2) + 1.0).ln() + x.powi(2),
    g = (y - 2.0 * x).powi(2),
    c = y - x,
)]
/// Example 4 (§6.1.2, Fig. 10): X = [0, 3], Y(x) = {y ∈ [0, 3] : y − x ≤ 0}; y*(x) = x.
/// The paper starts at (0, 0).
pub struct Example4 {
    #[upper(domain = interval(0.0, 3.0), init = x0)]
    x: Scalar,
    #[lower(domain = interval(0.0, 3.0), init = y0)]
    y: Scalar,
    #[data]
    x0: f64,
    #[data]
    y0: f64,
}

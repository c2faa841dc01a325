//! The problems of the classic suite, declared with `#[bilevel]` as BOLIB states them
//! (Zhou, Zemkoho & Tin, BOLIB 2019, in the Julia transcription `cinaral/BOLIB.jl`), with
//! BOLIB's constraints `G ≥ 0`, `g ≥ 0` written as domains and `c(x, y) ≤ 0`. Each doc comment
//! gives the optimum; [`super::SUITE`] records it with the source and our own check.

use bilevel_macros::bilevel;

#[bilevel(crate = bilevel_core, f = x.powi(2) + y.powi(2), g = (x + y - 1.0).powi(2))]
/// Lampariello & Sagratella 2017, Ex. 3.2: y*(x) = 1 − x; x* = 0.5, F* = 0.5.
pub struct LamparielloSagratella2017Ex32 {
    #[upper(init = 1.0)]
    x: Scalar,
    #[lower(init = 1.0)]
    y: Scalar,
}

#[bilevel(
    crate = bilevel_core,
    f = (x - 1.0).powi(2) + (y - 1.0).powi(2),
    g = 0.5 * y.powi(2) + (500.0 - 50.0 * x) * y,
)]
/// Macal & Hurter 1997 (badly scaled: y*(x) = 50x − 500): x* = 25051/2501, F* = 81.327869.
pub struct MacalHurter1997 {
    #[upper(init = 1.0)]
    x: Scalar,
    #[lower(init = 1.0)]
    y: Scalar,
}

#[bilevel(
    crate = bilevel_core,
    f = 0.5 * x.powi(2) + 0.5 * x * y - 95.0 * x,
    g = y.powi(2) + 0.5 * x * y - 100.0 * y,
)]
/// Henderson & Quandt 1958 (a Stackelberg duopoly; y ≥ 0): x* = 280/3, F* = −9800/3.
pub struct HendersonQuandt1958 {
    #[upper(domain = interval(0.0, 200.0), init = 0.0)]
    x: Scalar,
    #[lower(domain = nonneg, init = 0.0)]
    y: Scalar,
}

#[bilevel(
    crate = bilevel_core,
    f = (x1 - 1.0).powi(2) + (x2 - 1.0).powi(2) + y1.powi(2) + y2.powi(2) - 2.0,
    g = (x1 - y1).powi(2) + (x2 - y2).powi(2),
)]
/// De Silva 1978 (a box on y): x* = y* = (0.5, 0.5), F* = −1.
pub struct DeSilva1978 {
    #[upper(init = 0.0)]
    x1: Scalar,
    #[upper(init = 0.0)]
    x2: Scalar,
    #[lower(domain = interval(0.5, 1.5), init = 1.0)]
    y1: Scalar,
    #[lower(domain = interval(0.5, 1.5), init = 1.0)]
    y2: Scalar,
}

#[bilevel(
    crate = bilevel_core,
    f = (x1 - 1.5).powi(2) + (x2 - 1.5).powi(2) + y1.powi(2) + y2.powi(2) - 4.5,
    g = (x1 - y1).powi(2) + (x2 - y2).powi(2),
)]
/// Falk & Liu 1995 (a box on y): x* = y* = (0.75, 0.75), F* = −2.25 (BOLIB: −2.1962).
pub struct FalkLiu1995 {
    #[upper(init = 0.0)]
    x1: Scalar,
    #[upper(init = 0.0)]
    x2: Scalar,
    #[lower(domain = interval(0.5, 1.5), init = 1.0)]
    y1: Scalar,
    #[lower(domain = interval(0.5, 1.5), init = 1.0)]
    y2: Scalar,
}

#[bilevel(
    crate = bilevel_core,
    f = x.powi(2) - 4.0 * x + y1.powi(2) + y2.powi(2),
    g = y1.powi(2) + 0.5 * y2.powi(2) + y1 * y2 + (1.0 - 3.0 * x) * y1 + (1.0 + x) * y2,
    c = 2.0 * y1 + y2 - 2.0 * x - 1.0,
)]
/// Muu & Quy 2003, Ex. 1 (a linear coupled constraint): x* = 11/13, y* = (10/13, 0),
/// F* = −351/169.
pub struct MuuQuy2003Ex1 {
    #[upper(domain = interval(0.0, 2.0), init = 2.0)]
    x: Scalar,
    #[lower(domain = nonneg, init = 0.0)]
    y1: Scalar,
    #[lower(domain = nonneg, init = 0.0)]
    y2: Scalar,
}

#[bilevel(
    crate = bilevel_core,
    f = 0.5 * (y1 - 3.0).powi(2) + 0.5 * (y2 - 4.0).powi(2) + 0.1 * x1.powi(2) + 0.1 * x2.powi(2) - 12.5,
    g = 0.5 * y1.powi(2) + 3.0 * y1 * y2 + 5.0 * y2.powi(2) - x1 * y1 - x2 * y2,
    c = [-0.333 * y1 + y2 - 2.0, y1 - 0.333 * y2 - 2.0],
)]
/// Outrata 1990, Ex. 1(d) (linear coupled constraints, ∇²g of condition number ~120):
/// x* = (2, 0), y* = (2, 0), F* = −3.6.
pub struct Outrata1990Ex1d {
    #[upper(init = 6.0)]
    x1: Scalar,
    #[upper(init = -3.0)]
    x2: Scalar,
    #[lower(domain = nonneg, init = 3.0)]
    y1: Scalar,
    #[lower(domain = nonneg, init = 3.0)]
    y2: Scalar,
}

#[bilevel(
    crate = bilevel_core,
    f = 2.0 * x1 + 2.0 * x2 - 3.0 * y1 - 3.0 * y2 - 60.0,
    g = (y1 - x1 + 20.0).powi(2) + (y2 - x2 + 20.0).powi(2),
    c = [2.0 * y1 - x1 + 10.0, 2.0 * y2 - x2 + 10.0, x1 + x2 + y1 - 2.0 * y2 - 40.0],
)]
/// Floudas et al. 2013 (Aiyoshi & Shimizu's problem with the coupling constraint in the lower
/// level): F* = 0 at x = (0, 0) and at x = (0, 30); local minima F = 5 at (25, 30) and F = 10 at
/// (20, 0). X is cut to x1 ≤ 40, where the lower level is feasible.
pub struct FloudasEtal2013 {
    #[upper(domain = interval(0.0, 40.0), init = 10.0)]
    x1: Scalar,
    #[upper(domain = interval(0.0, 50.0), init = 10.0)]
    x2: Scalar,
    #[lower(domain = interval(-10.0, 20.0), init = 20.0)]
    y1: Scalar,
    #[lower(domain = interval(-10.0, 20.0), init = 20.0)]
    y2: Scalar,
}

#[bilevel(
    crate = bilevel_core,
    f = (x - 3.0).powi(2) + (y - 2.0).powi(2),
    g = (y - 5.0).powi(2),
    c = [y - 2.0 * x - 1.0, x - 2.0 * y + 2.0, x + 2.0 * y - 14.0],
)]
/// Sahin & Ciric 1998, Ex. 2: x* = 1, y* = 3, F* = 5; local minima F = 9 at x = 3 and
/// F = 9.8 at x = 4.4. X is cut to [0, 6], where the lower level is feasible.
pub struct SahinCiric1998Ex2 {
    #[upper(domain = interval(0.0, 6.0), init = 2.5)]
    x: Scalar,
    #[lower(init = 3.0)]
    y: Scalar,
}

#[bilevel(
    crate = bilevel_core,
    f = 0.5 * (y - x + 2.0).powi(2) + 0.5 * (y - 2.0).powi(2),
    g = 0.5 * y.powi(2) - y + x,
    c = y - x,
)]
/// Yezza 1996, Ex. 4.1: y*(x) = min(1, x); x* = 3, y* = 1, F* = 0.5. X is cut to x ≥ 0, where
/// the lower level is feasible.
pub struct Yezza1996Ex41 {
    #[upper(domain = nonneg, init = 0.5)]
    x: Scalar,
    #[lower(domain = nonneg, init = 0.5)]
    y: Scalar,
}

#[bilevel(
    crate = bilevel_core,
    f = 0.5 * (y1 - 3.0).powi(2) + 0.5 * (y2 - 4.0).powi(2),
    g = (0.5 + 0.1 * x) * y1.powi(2) + (0.5 + 0.05 * x) * y2.powi(2) - (1.333 * x + 3.0) * y1 - x * y2,
    c = [-0.333 * y1 + y2 + 0.1 * x - 1.0, y1.powi(2) + y2.powi(2) - 0.1 * x - 9.0],
)]
/// Outrata 1994, Ex. 3.1 (a nonlinear coupled constraint): x* = 4.060406,
/// y* = (2.682244, 1.487147), F* = 3.207700.
pub struct Outrata1994Ex31 {
    #[upper(domain = interval(0.0, 10.0), init = 0.0)]
    x: Scalar,
    #[lower(domain = nonneg, init = 0.0)]
    y1: Scalar,
    #[lower(domain = nonneg, init = 0.0)]
    y2: Scalar,
}

#[bilevel(
    crate = bilevel_core,
    f = 0.5 * (y1 - 3.0).powi(2) + 0.5 * (y2 - 4.0).powi(2),
    g = 0.5 * (x + 1.0) * y1.powi(2) + 0.5 * y2.powi(2) - (1.333 * x + 3.0) * y1 - x * y2,
    c = [y2 + (0.1 * x - 0.333) * y1 - x, y1 - (0.1 * x + 0.333) * y2 - 2.0],
)]
/// Outrata 1990, Ex. 2(e) (a bilinear coupled constraint): x* = 3.998535,
/// y* = (1.665009, 3.887223), F* = 0.897460.
pub struct Outrata1990Ex2e {
    #[upper(domain = nonneg, init = 0.0)]
    x: Scalar,
    #[lower(domain = nonneg, init = 0.0)]
    y1: Scalar,
    #[lower(domain = nonneg, init = 0.0)]
    y2: Scalar,
}

#[bilevel(crate = bilevel_core, f = x.powi(2) + y.powi(2), g = -y, c = 2.0 * x + y - 2.0)]
/// Lampariello & Sagratella 2017, Ex. 3.5 (a linear lower level, y*(x) = min(1, 2 − 2x)):
/// x* = 0.8, F* = 0.8; a local minimum F = 1 at x = 0, where this start leads.
pub struct LamparielloSagratella2017Ex35 {
    #[upper(domain = interval(-1.0, 1.0), init = -0.5)]
    x: Scalar,
    #[lower(domain = interval(0.0, 1.0), init = 0.0)]
    y: Scalar,
}

#[bilevel(
    crate = bilevel_core,
    f = -1.5 * x - 6.0 * y1 - y2,
    g = -y1 - 5.0 * y2,
    c = [x + 3.0 * y1 + y2 - 5.0, 2.0 * x + y1 + 3.0 * y2 - 5.0],
)]
/// Ben-Ayed & Blair 1990 (a linear bilevel problem): y*(x) = (0, (5 − 2x)/3); x* = 1,
/// F* = −2.5.
pub struct BenAyedBlair1990a {
    #[upper(domain = interval(0.0, 1.0), init = 0.0)]
    x: Scalar,
    #[lower(domain = nonneg, init = 0.0)]
    y1: Scalar,
    #[lower(domain = nonneg, init = 0.0)]
    y2: Scalar,
}

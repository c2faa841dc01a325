use bilevel::prelude::*;

#[bilevel(let s = 2.0 * r, let r = y - x, f = x, g = s.powi(2))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Scalar,
}

fn main() {}

use bilevel::prelude::*;

#[bilevel(let r = y - x, let unused = 2.0 * y, f = x, g = r.powi(2))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Scalar,
}

fn main() {}

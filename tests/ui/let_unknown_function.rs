use bilevel::prelude::*;

#[bilevel(let r = cube(y - x), f = x, g = r.powi(2))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Scalar,
}

fn main() {}

use bilevel::prelude::*;

#[bilevel(let x = 2.0 * y, f = x, g = (y - x).powi(2))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Scalar,
}

fn main() {}

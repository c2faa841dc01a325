use bilevel::prelude::*;

#[bilevel(f = x + y, g = x.powi(2))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Scalar,
}

fn main() {}

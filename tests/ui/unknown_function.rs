use bilevel::prelude::*;

#[bilevel(f = x.powi(2) + y.frobnicate(), g = (y - x).powi(2))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Scalar,
}

fn main() {}

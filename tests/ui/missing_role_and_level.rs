use bilevel::prelude::*;

#[bilevel(f = x + y, g = (y - x).powi(2))]
struct P {
    #[upper]
    x: Scalar,
    y: Scalar,
}

fn main() {}

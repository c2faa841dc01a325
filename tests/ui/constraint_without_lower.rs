use bilevel::prelude::*;

#[bilevel(f = x + y, g = (y - x).powi(2), c = x - 1.0)]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Scalar,
}

fn main() {}

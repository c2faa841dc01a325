use bilevel::prelude::*;

#[bilevel(f = x + y, g = (y - x).powi(2.5))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Scalar,
}

fn main() {}

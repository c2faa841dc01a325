use bilevel::prelude::*;

#[bilevel(f = x + y, g = (y - x).powi(2), h = x)]
struct P {
    #[upper(domain = cube(1.0), start = 0.0)]
    x: Scalar,
    #[lower]
    y: Scalar,
}

fn main() {}

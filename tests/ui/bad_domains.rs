use bilevel::prelude::*;

#[bilevel(f = x + y, g = (y - x).powi(2))]
struct P {
    #[upper(domain = interval(2.0, 1.0))]
    x: Scalar,
    #[lower(domain = ball(-1.0))]
    y: Scalar,
}

fn main() {}

use bilevel::prelude::*;

#[bilevel(f = x, g = (y - lam * x).powi(2))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Scalar,
    #[data(batch = train)]
    lam: f64,
}

fn main() {}

use bilevel::prelude::*;

#[bilevel(f = x, g = (y[t] - x).powi(2).sum())]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Vector<3>,
    #[data]
    t: Vector<n>,
}

fn main() {}

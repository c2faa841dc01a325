use bilevel::prelude::*;

#[bilevel(f = x, g = norm2(y - x))]
struct P {
    #[upper]
    x: Scalar,
    #[lower(init = normal(1.0, 0.5))]
    y: Vector<3>,
}

fn main() {}

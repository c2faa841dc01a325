use bilevel::prelude::*;

#[bilevel(f = x + y)]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Scalar,
}

fn main() {}

use bilevel::prelude::*;

const N: usize = 3;

#[bilevel(f = sum(x) + sum(y), g = norm2(y))]
struct P {
    #[upper]
    x: Vector<N>,
    #[lower]
    y: Vector<2>,
}

fn main() {}

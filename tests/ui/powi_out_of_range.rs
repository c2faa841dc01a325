use bilevel::prelude::*;

#[bilevel(f = sum(x), g = norm2(y - x.powi(3000000000)))]
struct P {
    #[upper]
    x: Vector<2>,
    #[lower]
    y: Vector<2>,
}

fn main() {}

use bilevel::prelude::*;

#[bilevel(f = sum(x) + sum(y), g = norm2(y - x))]
struct P {
    #[upper(domain = boxed([0.0, 0.0, 0.0], [1.0, 1.0, 1.0]))]
    x: Vector<2>,
    #[lower(domain = ball(1.0, [0.0, 0.0, 0.0]))]
    y: Vector<2>,
}

fn main() {}

use bilevel::prelude::*;

#[bilevel(f = sum(x), g = norm2(y - x) + sum(device))]
struct P {
    #[upper]
    x: Vector<2>,
    #[lower]
    y: Vector<2>,
    #[data]
    device: Vector<2>,
}

fn main() {}

use bilevel::prelude::*;

#[bilevel(f = sum(x), g = (y - x).powi(2))]
struct P {
    #[upper]
    x: Vector<3>,
    #[lower]
    y: Vector<3>,
}

fn main() {}

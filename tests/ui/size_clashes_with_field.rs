use bilevel::prelude::*;

#[bilevel(f = sum(x) + sum(y), g = norm2(y - x))]
struct P {
    #[upper]
    x: Vector<y>,
    #[lower]
    y: Vector<3>,
}

fn main() {}

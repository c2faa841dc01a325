use bilevel::prelude::*;

#[bilevel(f = x, g = norm2(sum(a * w, 2)) + x * norm2(w))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    w: Matrix<3, 2>,
    #[data]
    a: Matrix<3, 2>,
}

fn main() {}

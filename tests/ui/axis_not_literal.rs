use bilevel::prelude::*;

#[bilevel(f = x, g = norm2(mean(a * w, k)) + x * norm2(w))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    w: Matrix<3, 2>,
    #[data]
    a: Matrix<3, 2>,
    #[data]
    k: usize,
}

fn main() {}

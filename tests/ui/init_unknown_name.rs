use bilevel::prelude::*;

#[bilevel(f = x, g = norm2(matmul(a, w)) + x * norm2(w))]
struct P {
    #[upper]
    x: Scalar,
    #[lower(init = normal(sqrt(2.0 / q), 1))]
    w: Matrix<d, 2>,
    #[data]
    a: Matrix<n, d>,
}

fn main() {}

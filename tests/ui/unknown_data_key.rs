use bilevel::prelude::*;

#[bilevel(f = x, g = norm2(matmul(a, y)) + x * sum(y))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Vector<d>,
    #[data(group = train)]
    a: Matrix<n, d>,
}

fn main() {}

use bilevel::prelude::*;

#[bilevel(
    f = x,
    g = mean((matmul(a, y) - x).powi(2)),
    c = matmul(a, y) - 1.0,
)]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Vector<d>,
    #[data(batch = train)]
    a: Matrix<n, d>,
}

fn main() {}

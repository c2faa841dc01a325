use bilevel::prelude::*;

#[bilevel(f = x, g = mean((matmul(a, y) - t).powi(2)) + x * sum(y))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Vector<d>,
    #[data(batch = train)]
    a: Matrix<n, d>,
    #[data(batch = train)]
    t: Vector<m>,
}

fn main() {}

use bilevel::prelude::*;

#[bilevel(f = x, g = sum((matmul(a, y) - t).powi(2)) / n + x * sum(y))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Vector<d>,
    #[data(batch = train)]
    a: Matrix<n, d>,
    #[data(batch = train)]
    t: Vector<n>,
}

fn main() {}

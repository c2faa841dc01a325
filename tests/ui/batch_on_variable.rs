use bilevel::prelude::*;

#[bilevel(f = x, g = mean((matmul(a, y) - x).powi(2)))]
struct P {
    #[upper]
    x: Scalar,
    #[lower(batch = train)]
    y: Vector<d>,
    #[data(batch = train)]
    a: Matrix<n, d>,
}

fn main() {}

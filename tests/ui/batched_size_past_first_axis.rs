use bilevel::prelude::*;

#[bilevel(f = x, g = mean((matmul(a, y) - x).powi(2)) + sum(matmul(z, y)))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Vector<d>,
    #[data(batch = train)]
    a: Matrix<n, d>,
    #[data]
    z: Matrix<d, n>,
}

fn main() {}

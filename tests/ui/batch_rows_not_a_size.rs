use bilevel::prelude::*;

#[bilevel(f = x, g = mean(matmul(a, y)).powi(2) + x * sum(y))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    y: Vector<2>,
    #[data(batch = t)]
    a: Matrix<5, 2>,
}

fn main() {}

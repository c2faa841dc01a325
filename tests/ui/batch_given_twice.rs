use bilevel::prelude::*;

#[bilevel(f = sum(x), g = mean(matmul(a, y)) + norm2(y))]
struct P {
    #[upper]
    x: Vector<2>,
    #[lower]
    y: Vector<2>,
    #[data(batch = train, batch = val)]
    a: Matrix<n, 2>,
}

fn main() {}

use bilevel::prelude::*;

#[bilevel(f = sum(x), g = mean(sigmoid(x) * matmul(a, w)) + sum(x[pos]) + norm2(w))]
struct P {
    #[upper]
    x: Vector<n>,
    #[lower]
    w: Vector<2>,
    #[data(batch = train)]
    a: Matrix<n, 2>,
    #[data]
    pos: Labels<m, n>,
}

fn main() {}

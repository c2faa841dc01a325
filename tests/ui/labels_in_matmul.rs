use bilevel::prelude::*;

#[bilevel(f = x, g = mean(matmul(labels, w)) + x * norm2(w))]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    w: Matrix<k, 2>,
    #[data]
    labels: Labels<n, k>,
}

fn main() {}

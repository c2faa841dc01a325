use bilevel::prelude::*;

#[bilevel(
    let l = labels,
    f = x,
    g = mean(cross_entropy(matmul(a, w), l)) + x * norm2(w),
)]
struct P {
    #[upper]
    x: Scalar,
    #[lower]
    w: Matrix<d, k>,
    #[data]
    a: Matrix<n, d>,
    #[data]
    labels: Labels<n, k>,
}

fn main() {}

use bilevel::prelude::*;

#[bilevel(f = x, g = mean(cross_entropy(matmul(a, w), labels)) + x * sum(exp(labels)))]
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

use bilevel::prelude::*;

#[bilevel(
    f = norm2(w),
    g = mean(sigmoid(x) * matmul(a, w)) + norm2(upper),
)]
struct P {
    #[upper]
    x: Vector<n>,
    #[lower]
    w: Vector<2>,
    #[data(batch = train)]
    a: Matrix<n, 2>,
}

fn main() {}

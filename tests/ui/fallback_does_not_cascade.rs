use bilevel::prelude::*;

#[bilevel(
    f = mean(cross_entropy(matmul(a, w), labels)),
    g = mean(cross_entropy(matmul(a, w), labels)) + x * norm2(w) + cube(x),
)]
struct Classifier {
    #[upper]
    x: Scalar,
    #[lower(init = normal(sqrt(2.0 / d), seed + 1))]
    w: Matrix<d, k>,
    #[data(batch = train)]
    a: Matrix<n, d>,
    #[data(batch = train)]
    labels: Labels<n, k>,
    #[data]
    seed: u64,
}

fn dims<P: Problem<NdArray<f64>>>(p: &P) -> usize {
    p.upper().dim() + p.lower().dim()
}

fn main() {
    let device = Default::default();
    let a = Tensor::<NdArray<f64>, 2>::zeros([4, 3], &device);
    let p = Classifier::<NdArray<f64>>::new(&device, a, vec![0usize, 1, 2, 0], 7u64, 3).unwrap();
    let _ = dims(&p);
}

use bilevel::prelude::*;

#[bilevel(f = sum(x), g = norm2(y - x))]
struct P {
    #[upper]
    x: Vector<n>,
    #[lower]
    y: Vector<n>,
    #[data]
    a: Vector<n>,
    #[data]
    labels: Labels<n, k, j>,
}

fn needs_problem<Q: Problem<NdArray<f64>>>(_: &Q) {}

fn main() {
    let device = Default::default();
    let a = Tensor::<NdArray<f64>, 1>::zeros([3], &device);
    let p = P::<NdArray<f64>>::new(&device, a, vec![0usize, 1, 2]).unwrap();
    needs_problem(&p);
}

//! A bilevel problem written by hand against the `Problem` trait, its oracles, and a
//! finite-difference check of every derivative.
//!
//! Run: `cargo run --example hand_written`

use bilevel::prelude::*;

/// A toy problem: f = x² + y², g = (y − x)², x ∈ [−1, 1], y free.
struct Toy {
    x: Variable,
    y: Variable,
}

impl<B: Backend> Problem<B> for Toy {
    fn upper(&self) -> &Variable {
        &self.x
    }
    fn lower(&self) -> &Variable {
        &self.y
    }
    fn device(&self) -> B::Device {
        Default::default()
    }
    fn f<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        Ok(x.powi_scalar(2).sum() + y.powi_scalar(2).sum())
    }
    fn g<T: Lift<B>>(&self, x: Tensor<T, 1>, y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
        Ok((y - x).powi_scalar(2).sum())
    }
}

fn main() -> Result<()> {
    let toy = Toy {
        x: Variable::vector(
            "x",
            1,
            Domain::interval(-1.0, 1.0)?,
            Init::Constant { value: 0.5 },
        )?,
        y: Variable::vector("y", 1, Domain::free(), Init::zeros())?,
    };
    let oracles = Oracles::<NdArray<f64>, _>::new(&toy);
    let (x, y) = (toy.x0()?, toy.y0()?);
    let gy = oracles.grad_y(&Objective::Lower, &x, &y)?; // ∇_y g = 2(y − x) = −1
    let hxy = oracles.hvp_xy(&Objective::Lower, &x, &y, &gy)?; // ∇²_xy g · v = −2v = 2
    let (gy, hxy) = (gy.into_scalar(), hxy.into_scalar());
    println!(
        "grad_y g = {gy}, hvp_xy g = {hxy}, calls: {:?}",
        oracles.counts()
    );
    assert_eq!((gy, hxy), (-1.0, 2.0));

    let report = bilevel::core::check::check_oracles::<NdArray<f64>, _>(
        &toy,
        &[0.5],
        &[0.0],
        &Default::default(),
    )?;
    println!(
        "finite-difference check: {} comparisons, max error {:.1e}",
        report.entries.len(),
        report.max_error()
    );
    assert!(report.failures(1e-6).is_empty());
    Ok(())
}

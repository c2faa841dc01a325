//! Examples 1–4 of pbgd-free-efficient-penalty-blo.md, hand-written (scalar x and y).

use bilevel::core::burn::tensor::{Tensor, backend::Backend};
use bilevel::core::{Domain, Init, Lift, Problem, Result, Variable};

/// A scalar variable with a domain, starting at `start` (projected onto the domain).
fn scalar_var(name: &str, domain: Domain, start: f64) -> Result<Variable> {
    Variable::vector(name, 1, domain, Init::Constant { value: start })
}

macro_rules! toy {
    ($(#[$doc:meta])* $name:ident, |$x:ident, $y:ident| f = $f:expr, g = $g:expr $(, c = $c:expr)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            x: Variable,
            y: Variable,
        }
        impl<B: Backend> Problem<B> for $name {
            fn upper(&self) -> &Variable {
                &self.x
            }
            fn lower(&self) -> &Variable {
                &self.y
            }
            fn device(&self) -> B::Device {
                Default::default()
            }
            fn f<T: Lift<B>>(&self, $x: Tensor<T, 1>, $y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
                Ok($f)
            }
            fn g<T: Lift<B>>(&self, $x: Tensor<T, 1>, $y: Tensor<T, 1>) -> Result<Tensor<T, 1>> {
                Ok($g)
            }
            $(
                fn num_constraints(&self) -> usize {
                    1
                }
                fn c<T: Lift<B>>(
                    &self,
                    $x: Tensor<T, 1>,
                    $y: Tensor<T, 1>,
                ) -> Result<Option<Tensor<T, 1>>> {
                    Ok(Some($c))
                }
            )?
        }
    };
}

toy!(
    /// Example 3 (§6.1.1): X = Y = [0, 3],
    /// f = e^{1−y} / (2 + cos 4x) + ½ ln((4x − 2)² + 1) + x², g = 2(y − x)² + (x/2) sin²(x + y).
    Example3,
    |x, y| f = y.clone().neg().add_scalar(1.0).exp() / x.clone().mul_scalar(4.0).cos().add_scalar(2.0)
        + x.clone().mul_scalar(4.0).sub_scalar(2.0).powi_scalar(2).add_scalar(1.0).log().mul_scalar(0.5)
        + x.powi_scalar(2),
    g = (y.clone() - x.clone()).powi_scalar(2).mul_scalar(2.0)
        + x.clone().mul_scalar(0.5) * (x + y).sin().powi_scalar(2)
);

impl Example3 {
    /// Starting at (x0, y0), projected onto [0, 3]²; the paper starts at (0, 0).
    pub fn new(x0: f64, y0: f64) -> Result<Self> {
        let box03 = || Domain::interval(0.0, 3.0);
        Ok(Self {
            x: scalar_var("x", box03()?, x0)?,
            y: scalar_var("y", box03()?, y0)?,
        })
    }
}

toy!(
    /// Example 1 (§4): f = x² + 10y, g = (y − x + 1)², unconstrained.
    Example1,
    |x, y| f = x.powi_scalar(2) + y.mul_scalar(10.0),
    g = (y - x).add_scalar(1.0).powi_scalar(2)
);

impl Example1 {
    /// Starting at (x0, y0).
    pub fn new(x0: f64, y0: f64) -> Result<Self> {
        Ok(Self {
            x: scalar_var("x", Domain::free(), x0)?,
            y: scalar_var("y", Domain::free(), y0)?,
        })
    }
}

toy!(
    /// Example 2 (§4.2): g = (y − x)², f = (sin(y − x) + 2)(y − x)² + 10 exp(−(y − x)²/(2·0.005²)) sin(100(y − x)).
    Example2,
    |x, y| f = {
        let d = y - x;
        (d.clone().sin().add_scalar(2.0)) * d.clone().powi_scalar(2)
            + d.clone().powi_scalar(2).mul_scalar(-1.0 / (2.0 * 0.005 * 0.005)).exp().mul_scalar(10.0)
                * d.mul_scalar(100.0).sin()
    },
    g = (y - x).powi_scalar(2)
);

impl Example2 {
    /// x ∈ [−10, 10] starting at x0; y free, starting at y_g*(x0) = x0.
    pub fn new(x0: f64) -> Result<Self> {
        Ok(Self {
            x: scalar_var("x", Domain::interval(-10.0, 10.0)?, x0)?,
            y: scalar_var("y", Domain::free(), x0)?,
        })
    }
}

toy!(
    /// Example 4 (§6.1.2): X = Y = [0, 3], f = e^{2−y} / (2 + cos 4x) + ½ ln((4x − 2)² + 1) + x²,
    /// g = (y − 2x)², one coupled constraint c = y − x ≤ 0.
    Example4,
    |x, y| f = y.clone().neg().add_scalar(2.0).exp() / x.clone().mul_scalar(4.0).cos().add_scalar(2.0)
        + x.clone().mul_scalar(4.0).sub_scalar(2.0).powi_scalar(2).add_scalar(1.0).log().mul_scalar(0.5)
        + x.powi_scalar(2),
    g = (y - x.mul_scalar(2.0)).powi_scalar(2),
    c = y - x
);

impl Example4 {
    /// Starting at (x0, y0), projected onto [0, 3]².
    pub fn new(x0: f64, y0: f64) -> Result<Self> {
        let box03 = || Domain::interval(0.0, 3.0);
        Ok(Self {
            x: scalar_var("x", box03()?, x0)?,
            y: scalar_var("y", box03()?, y0)?,
        })
    }
}

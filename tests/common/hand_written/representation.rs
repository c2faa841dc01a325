//! Representation learning (eq. 69), hand-written: a two-layer ReLU backbone x and a linear
//! head y, the MSE on group D1 above and on D2 below, each group read at its seeded minibatch
//! when a batch size is set.

use bilevel::core::burn::tensor::{Tensor, TensorData, backend::Backend};
use bilevel::core::ops::relu;
use bilevel::core::{Batch, Block, Domain, Init, Layout, Lift, Minibatch, Problem, Variable};
use bilevel::models::data::normal;
use bilevel::models::representation::{GroupSplit, RepresentationConfig, Rows};
use bilevel::models::{Error, Result};

/// One group's training rows on the device, with its minibatch sampler.
#[derive(Debug, Clone)]
struct Group<B: Backend> {
    features: Tensor<B, 2>,
    targets: Tensor<B, 1>,
    batch: Minibatch<B>,
}

impl<B: Backend> Group<B> {
    fn new(
        name: &str,
        rows: &Rows,
        cfg: &RepresentationConfig,
        stream: u64,
        device: &B::Device,
    ) -> Result<Self> {
        Ok(Self {
            features: Tensor::from_data(
                TensorData::new(rows.features.clone(), [rows.n, rows.d]),
                device,
            ),
            targets: Tensor::from_data(TensorData::new(rows.targets.clone(), [rows.n]), device),
            batch: Minibatch::new(name, rows.n, cfg.batch, cfg.seed, stream, device)?,
        })
    }
}

/// The representation-learning problem of eq. 69 on the training rows of a [`GroupSplit`].
#[derive(Debug, Clone)]
pub struct Representation<B: Backend> {
    x: Variable,
    y: Variable,
    d1: Group<B>,
    d2: Group<B>,
    device: B::Device,
}

impl<B: Backend> Representation<B> {
    /// The problem: backbone x (blocks `W1` d×H, `b1` H, `W2` H×H, `b2` H; weights from a
    /// seeded N(0, 2/fan-in), biases 0) and head y (`w` H from N(0, 1/H), `c` 0).
    pub fn new(split: &GroupSplit, cfg: RepresentationConfig, device: &B::Device) -> Result<Self> {
        let (d, h) = (split.train[0].d, cfg.hidden);
        if d == 0 || h == 0 {
            return Err(Error::Data {
                name: "representation model".into(),
                reason: format!("needs features and hidden units (d = {d}, hidden = {h})"),
            });
        }
        let mut backbone = normal(d * h, (2.0 / d as f64).sqrt(), cfg.seed);
        backbone.extend(std::iter::repeat_n(0.0, h));
        backbone.extend(normal(h * h, (2.0 / h as f64).sqrt(), cfg.seed + 1));
        backbone.extend(std::iter::repeat_n(0.0, h));
        let mut head = normal(h, (1.0 / h as f64).sqrt(), cfg.seed + 2);
        head.push(0.0);
        let x = Variable::new(
            "backbone",
            Layout::new(vec![
                Block::new("W1", &[d, h])?,
                Block::new("b1", &[h])?,
                Block::new("W2", &[h, h])?,
                Block::new("b2", &[h])?,
            ])?,
            Domain::free(),
            Init::Values { values: backbone },
        )?;
        let y = Variable::new(
            "head",
            Layout::new(vec![Block::new("w", &[h])?, Block::new("c", &[1])?])?,
            Domain::free(),
            Init::Values { values: head },
        )?;
        Ok(Self {
            x,
            y,
            d1: Group::new("group D1", &split.train[0], &cfg, 1, device)?,
            d2: Group::new("group D2", &split.train[1], &cfg, 2, device)?,
            device: device.clone(),
        })
    }

    /// The predictions wᵀφ_x(z) + c for the rows of `z`.
    fn predict<T: Lift<B>>(
        &self,
        x: &Tensor<T, 1>,
        y: &Tensor<T, 1>,
        z: Tensor<T, 2>,
    ) -> bilevel::core::Result<Tensor<T, 1>> {
        let (lx, ly) = (self.x.layout(), self.y.layout());
        let layer = |input: Tensor<T, 2>, w: usize| -> bilevel::core::Result<Tensor<T, 2>> {
            let weight: Tensor<T, 2> = lx.view(x, w)?;
            let bias: Tensor<T, 1> = lx.view(x, w + 1)?;
            Ok(relu(input.matmul(weight) + bias.unsqueeze_dim::<2>(0)))
        };
        let phi = layer(layer(z, 0)?, 2)?;
        let w: Tensor<T, 1> = ly.view(y, 0)?;
        let c: Tensor<T, 1> = ly.view(y, 1)?;
        Ok(phi.matmul(w.unsqueeze_dim::<2>(1)).squeeze_dim::<1>(1) + c)
    }

    /// The mean squared error on the selected rows of `group`.
    fn mse<T: Lift<B>>(
        &self,
        x: &Tensor<T, 1>,
        y: &Tensor<T, 1>,
        group: &Group<B>,
    ) -> bilevel::core::Result<Tensor<T, 1>> {
        let z = T::lift(group.batch.take(&group.features));
        let t = T::lift(group.batch.take(&group.targets));
        Ok((self.predict(x, y, z)? - t).powi_scalar(2).mean())
    }
}

impl<B: Backend> Problem<B> for Representation<B> {
    fn upper(&self) -> &Variable {
        &self.x
    }
    fn lower(&self) -> &Variable {
        &self.y
    }
    fn device(&self) -> B::Device {
        self.device.clone()
    }
    /// MSE on D1 (eq. 69's upper level).
    fn f<T: Lift<B>>(
        &self,
        x: Tensor<T, 1>,
        y: Tensor<T, 1>,
    ) -> bilevel::core::Result<Tensor<T, 1>> {
        self.mse(&x, &y, &self.d1)
    }
    /// MSE on D2 (eq. 69's lower level).
    fn g<T: Lift<B>>(
        &self,
        x: Tensor<T, 1>,
        y: Tensor<T, 1>,
    ) -> bilevel::core::Result<Tensor<T, 1>> {
        self.mse(&x, &y, &self.d2)
    }
    fn select_batch(&self, batch: Batch) -> Option<Self> {
        let mut p = self.clone();
        p.d1.batch = self.d1.batch.selected(batch);
        p.d2.batch = self.d2.batch.selected(batch);
        Some(p)
    }
}

//! The oracle suite on an f32 backend (wgpu, Flex): central finite differences with a looser
//! tolerance, and agreement with the f64 CPU oracles (which `oracles_fd` checks to 1e-6).
//! Shared by `oracles_wgpu.rs` and `oracles_flex.rs`.

use bilevel_core::check::{FdOptions, check_oracles};
use bilevel_core::prelude::*;
use bilevel_core::tensor::{to_vec, vector};

use crate::common::{Coupled, Net, Smooth, normal};

type C = NdArray<f64>;

/// f32 differences: step 1e-2, errors relative to max(‖·‖, 1e-2).
fn fd_f32<W: Backend, P: Problem<W>>(problem: &P, x: &[f64], y: &[f64]) {
    let opts = FdOptions {
        step: 1e-2,
        floor: 1e-2,
        seeds: vec![1, 2],
        ..FdOptions::default()
    };
    let report = check_oracles(problem, x, y, &opts).unwrap();
    let failures = report.failures(3e-2);
    assert!(
        failures.is_empty(),
        "{} f32 finite differences:\n{}",
        W::name(&problem.device()),
        failures.join("\n")
    );
}

/// Every oracle's output at (x, y) with fixed directions, as host vectors.
fn outputs<Bk: Backend, P: Problem<Bk>>(
    p: &P,
    x: &[f64],
    y: &[f64],
) -> Vec<(&'static str, Vec<f64>)> {
    let d = p.device();
    let o = Oracles::new(p);
    let (xt, yt) = (vector::<Bk>(x, &d), vector::<Bk>(y, &d));
    let v = vector::<Bk>(&normal(y.len(), 1.0, 9), &d);
    let u = vector::<Bk>(&normal(x.len(), 1.0, 10), &d);
    let pen = Objective::Penalized {
        gamma: 3.0,
        lambda: None,
    };
    let g = Objective::Lower;
    let mut out = vec![
        (
            "grad_x f",
            to_vec(&o.grad_x(&Objective::Upper, &xt, &yt).unwrap()),
        ),
        (
            "grad_y f",
            to_vec(&o.grad_y(&Objective::Upper, &xt, &yt).unwrap()),
        ),
        ("grad_x g", to_vec(&o.grad_x(&g, &xt, &yt).unwrap())),
        ("grad_y g", to_vec(&o.grad_y(&g, &xt, &yt).unwrap())),
        ("grad_y L_gamma", to_vec(&o.grad_y(&pen, &xt, &yt).unwrap())),
        ("hvp_yy g", to_vec(&o.hvp_yy(&g, &xt, &yt, &v).unwrap())),
        ("hvp_xy g", to_vec(&o.hvp_xy(&g, &xt, &yt, &v).unwrap())),
        ("hvp_yx g", to_vec(&o.hvp_yx(&g, &xt, &yt, &u).unwrap())),
    ];
    let h = o.grad_h(&xt, &yt).unwrap();
    out.push(("grad_x h", to_vec(&h.x.unwrap())));
    out.push(("grad_y h", to_vec(&h.y.unwrap())));
    if p.num_constraints() > 0 {
        let lambda = vector::<Bk>(&vec![0.7; p.num_constraints()], &d);
        let lg = Objective::LowerLagrangian(&lambda);
        out.push(("grad_x L_g", to_vec(&o.grad_x(&lg, &xt, &yt).unwrap())));
        out.push(("hvp_yy L_g", to_vec(&o.hvp_yy(&lg, &xt, &yt, &v).unwrap())));
    }
    out
}

fn agree<W: Backend, P: Problem<W>, Q: Problem<C>>(f32: &P, cpu: &Q, x: &[f64], y: &[f64]) {
    let (low_out, cpu_out) = (outputs(f32, x, y), outputs(cpu, x, y));
    assert_eq!(low_out.len(), cpu_out.len());
    for ((name, a), (cpu_name, b)) in low_out.into_iter().zip(cpu_out) {
        assert_eq!((name, a.len()), (cpu_name, b.len()));
        let num: f64 = a
            .iter()
            .zip(&b)
            .map(|(p, q)| (p - q).powi(2))
            .sum::<f64>()
            .sqrt();
        let den: f64 = b.iter().map(|q| q * q).sum::<f64>().sqrt().max(1e-3);
        assert!(
            num / den < 1e-4,
            "{name}: {} f32 vs ndarray f64 relative error {:.2e}",
            W::name(&f32.device()),
            num / den
        );
    }
}

/// The oracle suite on the f32 backend `W`: finite differences and agreement with the f64
/// CPU oracles on the three test problems.
pub fn oracles_match<W: Backend>() {
    let device = Default::default();
    let cpu = Default::default();
    let (x, y) = (normal(3, 0.8, 100), normal(4, 0.8, 200));
    fd_f32(&Smooth::<W>::new(&device), &x, &y);
    agree(&Smooth::<W>::new(&device), &Smooth::<C>::new(&cpu), &x, &y);

    let (x, y) = (normal(9, 0.8, 300), normal(6, 0.8, 400));
    fd_f32(&Net::<W>::new(&device), &x, &y);
    agree(&Net::<W>::new(&device), &Net::<C>::new(&cpu), &x, &y);

    let (x, y) = (normal(2, 0.8, 500), normal(3, 0.8, 600));
    fd_f32(&Coupled::<W>::new(&device), &x, &y);
    agree(
        &Coupled::<W>::new(&device),
        &Coupled::<C>::new(&cpu),
        &x,
        &y,
    );
}

/// Projections on `W` against the CPU's, including a point whose squared distance
/// overflows f32.
pub fn projections_match<W: Backend>() {
    let device = Default::default();
    let cpu = Default::default();
    let d = Domain::product(vec![
        (3, Domain::ball(vec![0.5], 1.0).unwrap()),
        (5, Domain::simplex()),
        (
            4,
            Domain::boxed(vec![-1.0, 0.0, -2.0, 0.5], vec![1.0]).unwrap(),
        ),
    ])
    .unwrap();
    let t = normal(12, 2.0, 7);
    let a = to_vec(&d.project(vector::<W>(&t, &device)).unwrap());
    let b = to_vec(&d.project(vector::<C>(&t, &cpu)).unwrap());
    assert_eq!(a.len(), 12);
    for (p, q) in a.iter().zip(&b) {
        assert!((p - q).abs() < 1e-5, "{a:?} vs {b:?}");
    }
    // Far outside the ball, where ‖t − c‖² overflows f32.
    let ball = Domain::ball_at_origin(2.0).unwrap();
    let p = to_vec(&ball.project(vector::<W>(&[3e20, -4e20], &device)).unwrap());
    assert!(
        (p[0] - 1.2).abs() < 1e-5 && (p[1] + 1.6).abs() < 1e-5,
        "{p:?}"
    );
}

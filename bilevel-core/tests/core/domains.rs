//! Projections: the result is feasible, projecting twice changes nothing, no feasible point is
//! closer (many random feasible points, and the variational inequality ⟨t − p, z − p⟩ ≤ 0),
//! and the closed form where one exists. Invalid domains are typed errors.

use crate::common::normal;
use bilevel_core::prelude::*;
use bilevel_core::tensor::{to_vec, vector};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

type B = NdArray<f64>;
const TOL: f64 = 1e-10;

fn project(d: &Domain, t: &[f64]) -> Vec<f64> {
    to_vec(&d.project(vector::<B>(t, &Default::default())).unwrap())
}

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| (p - q).powi(2)).sum()
}

/// Feasible, idempotent, and optimal against `feasible` sample points.
fn assert_projection(d: &Domain, t: &[f64], feasible: &[Vec<f64>]) -> Vec<f64> {
    let p = project(d, t);
    assert!(
        d.contains(&p, 1e-9).unwrap(),
        "projection {p:?} of {t:?} is infeasible"
    );
    let pp = project(d, &p);
    assert!(
        dist2(&p, &pp).sqrt() < TOL,
        "not idempotent: {p:?} -> {pp:?}"
    );
    let best = dist2(t, &p);
    for z in feasible {
        assert!(
            d.contains(z, 1e-9).unwrap(),
            "sampler produced an infeasible point {z:?}"
        );
        assert!(
            dist2(t, z) >= best - 1e-9,
            "feasible {z:?} is closer to {t:?} than {p:?}"
        );
        let vi: f64 = (0..t.len()).map(|i| (t[i] - p[i]) * (z[i] - p[i])).sum();
        assert!(vi <= 1e-9, "variational inequality fails: {vi}");
    }
    p
}

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

fn sample_box(lo: &[f64], hi: &[f64], n: usize, r: &mut ChaCha8Rng) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let (l, h) = (
                lo[i.min(lo.len() - 1)].max(-50.0),
                hi[i.min(hi.len() - 1)].min(50.0),
            );
            r.random_range(l..=h)
        })
        .collect()
}

#[test]
fn box_projection_is_the_clamp_and_optimal() {
    let lo = vec![-1.0, 0.0, f64::NEG_INFINITY, 2.0, -3.0];
    let hi = vec![1.0, 0.5, 4.0, f64::INFINITY, -3.0];
    let d = Domain::boxed(lo.clone(), hi.clone()).unwrap();
    let mut r = rng(1);
    for seed in 0..20 {
        let t = normal(5, 4.0, seed);
        let feasible: Vec<_> = (0..200).map(|_| sample_box(&lo, &hi, 5, &mut r)).collect();
        let p = assert_projection(&d, &t, &feasible);
        for i in 0..5 {
            assert!((p[i] - t[i].max(lo[i]).min(hi[i])).abs() < TOL);
        }
    }
    let uniform = Domain::interval(-0.5, 0.25).unwrap();
    let t = normal(7, 2.0, 99);
    let feasible: Vec<_> = (0..200)
        .map(|_| sample_box(&[-0.5], &[0.25], 7, &mut r))
        .collect();
    let p = assert_projection(&uniform, &t, &feasible);
    assert!(
        p.iter()
            .zip(&t)
            .all(|(a, b)| (a - b.clamp(-0.5, 0.25)).abs() < TOL)
    );
}

#[test]
fn non_negative_projection_is_the_positive_part() {
    let d = Domain::non_negative();
    let mut r = rng(2);
    for seed in 0..20 {
        let t = normal(6, 2.0, seed);
        let feasible: Vec<_> = (0..200)
            .map(|_| (0..6).map(|_| r.random_range(0.0..5.0)).collect())
            .collect();
        let p = assert_projection(&d, &t, &feasible);
        assert!(p.iter().zip(&t).all(|(a, b)| (a - b.max(0.0)).abs() < TOL));
    }
}

#[test]
fn ball_projection_is_the_radial_shrink() {
    let center = vec![1.0, -2.0, 0.5];
    let radius = 1.5;
    let d = Domain::ball(center.clone(), radius).unwrap();
    let mut r = rng(3);
    for seed in 0..20 {
        let t = normal(3, 3.0, seed);
        let feasible: Vec<_> = (0..300)
            .map(|_| {
                let dir = normal(3, 1.0, r.random());
                let n = dist2(&dir, &[0.0; 3]).sqrt();
                let rad = radius * r.random::<f64>().powf(1.0 / 3.0);
                (0..3).map(|i| center[i] + rad * dir[i] / n).collect()
            })
            .collect();
        let p = assert_projection(&d, &t, &feasible);
        let dist = dist2(&t, &center).sqrt();
        let scale = (radius / dist).min(1.0);
        for i in 0..3 {
            assert!((p[i] - (center[i] + scale * (t[i] - center[i]))).abs() < TOL);
        }
    }
    // The center itself and points inside stay put; a broadcast center works.
    assert_eq!(project(&d, &center), center);
    let unit = Domain::ball_at_origin(1.0).unwrap();
    let p = project(&unit, &[3.0, 4.0]);
    assert!((p[0] - 0.6).abs() < TOL && (p[1] - 0.8).abs() < TOL);
}

/// Reference simplex projection by bisection on the threshold θ: Σ max(tᵢ − θ, 0) = total.
fn simplex_by_bisection(t: &[f64], total: f64) -> Vec<f64> {
    let mass = |theta: f64| t.iter().map(|v| (v - theta).max(0.0)).sum::<f64>();
    let (mut lo, mut hi) = (
        t.iter().cloned().fold(f64::INFINITY, f64::min) - total,
        t.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
    );
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mass(mid) > total {
            lo = mid
        } else {
            hi = mid
        }
    }
    let theta = 0.5 * (lo + hi);
    t.iter().map(|v| (v - theta).max(0.0)).collect()
}

#[test]
fn simplex_projection_matches_bisection_and_is_optimal() {
    let mut r = rng(4);
    for (total, n) in [(1.0, 5), (2.5, 8), (1.0, 1), (0.3, 3)] {
        let d = Domain::simplex_with_total(total).unwrap();
        for seed in 0..20 {
            let t = normal(n, 1.5, seed + 1000 * n as u64);
            let feasible: Vec<Vec<f64>> = (0..300)
                .map(|_| {
                    let e: Vec<f64> = (0..n)
                        .map(|_| -r.random::<f64>().max(1e-300).ln())
                        .collect();
                    let s: f64 = e.iter().sum();
                    e.iter().map(|v| total * v / s).collect()
                })
                .collect();
            let p = assert_projection(&d, &t, &feasible);
            let reference = simplex_by_bisection(&t, total);
            assert!(
                dist2(&p, &reference).sqrt() < 1e-9,
                "{p:?} vs {reference:?}"
            );
        }
    }
    // Ties and an already-feasible point.
    let d = Domain::simplex();
    let p = project(&d, &[0.5, 0.5, 0.5, 0.5]);
    assert!(p.iter().all(|v| (v - 0.25).abs() < TOL));
    let inside = [0.2, 0.3, 0.5];
    assert!(dist2(&project(&d, &inside), &inside) < TOL);
}

#[test]
fn product_projects_each_part() {
    let d = Domain::product(vec![
        (2, Domain::ball_at_origin(1.0).unwrap()),
        (3, Domain::simplex()),
        (1, Domain::interval(0.0, 1.0).unwrap()),
        (2, Domain::free()),
    ])
    .unwrap();
    let t = [3.0, 4.0, 0.9, 0.9, -0.3, 7.0, 1.5, -2.5];
    let p = project(&d, &t);
    let expected = [0.6, 0.8, 0.5, 0.5, 0.0, 1.0, 1.5, -2.5];
    assert!(dist2(&p, &expected).sqrt() < TOL, "{p:?}");
    let mut r = rng(5);
    let feasible: Vec<Vec<f64>> = (0..300)
        .map(|_| {
            let a: f64 = r.random_range(0.0..std::f64::consts::TAU);
            let rad: f64 = r.random::<f64>().sqrt();
            let (s1, s2) = (r.random::<f64>(), r.random::<f64>());
            let (lo, hi) = (s1.min(s2), s1.max(s2));
            vec![
                rad * a.cos(),
                rad * a.sin(),
                lo,
                hi - lo,
                1.0 - hi,
                r.random(),
                r.random_range(-9.0..9.0),
                r.random_range(-9.0..9.0),
            ]
        })
        .collect();
    assert_projection(&d, &t, &feasible);
}

#[test]
fn invalid_domains_are_typed_errors() {
    assert!(matches!(
        Domain::interval(f64::INFINITY, f64::INFINITY),
        Err(Error::EmptyBox { .. })
    ));
    assert!(matches!(
        Domain::interval(f64::NEG_INFINITY, f64::NEG_INFINITY),
        Err(Error::EmptyBox { .. })
    ));
    let empty = Domain::simplex().project(vector::<B>(&[], &Default::default()));
    assert!(matches!(empty, Err(Error::BlockLayout { .. })), "{empty:?}");
    let e = Domain::boxed(vec![0.0, 2.0], vec![1.0, 1.0]).unwrap_err();
    assert_eq!(
        e,
        Error::EmptyBox {
            index: 1,
            lo: 2.0,
            hi: 1.0
        }
    );
    assert!(matches!(
        Domain::interval(f64::NAN, 1.0),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        Domain::boxed(vec![0.0; 2], vec![1.0; 3]),
        Err(Error::DimensionMismatch { .. })
    ));
    for radius in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            Domain::ball_at_origin(radius),
            Err(Error::NonPositiveRadius { .. })
        ));
    }
    assert!(matches!(
        Domain::ball(vec![f64::INFINITY], 1.0),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        Domain::simplex_with_total(0.0),
        Err(Error::NonPositiveSimplexTotal { .. })
    ));
    let bad_part = Domain::product(vec![(
        2,
        Domain::boxed(vec![0.0; 3], vec![1.0; 3]).unwrap(),
    )]);
    assert!(
        matches!(bad_part, Err(Error::DimensionMismatch { .. })),
        "{bad_part:?}"
    );
    // A layout that does not add up: parts cover 3 entries, the variable has 4.
    let d = Domain::product(vec![(1, Domain::free()), (2, Domain::non_negative())]).unwrap();
    let e = d
        .project(vector::<B>(&[1.0; 4], &Default::default()))
        .unwrap_err();
    assert!(matches!(e, Error::BlockLayout { .. }), "{e}");
    assert!(e.to_string().contains("cover 3 entries"), "{e}");
    let e = Variable::vector("y", 4, d, Init::zeros()).unwrap_err();
    assert!(e.to_string().contains("variable `y`"), "{e}");
}

#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
struct Config {
    domain: Domain,
    layout: Layout,
}

#[test]
fn domains_and_layouts_round_trip_through_toml_with_validation() {
    let domain = Domain::product(vec![
        (2, Domain::ball(vec![1.0], 2.0).unwrap()),
        (1, Domain::simplex()),
        (
            2,
            Domain::boxed(vec![0.0, f64::NEG_INFINITY], vec![f64::INFINITY, 3.0]).unwrap(),
        ),
    ])
    .unwrap();
    let layout = Layout::new(vec![
        Block::new("w", &[2, 2]).unwrap(),
        Block::new("b", &[1]).unwrap(),
    ])
    .unwrap();
    let config = Config { domain, layout };
    let text = toml::to_string(&config).unwrap();
    let back: Config = toml::from_str(&text).unwrap();
    assert_eq!(back, config, "{text}");
    // Invalid files are rejected with the validation error, not accepted or panicking.
    let bad_ball = "[domain]\nkind = \"ball\"\ncenter = [0.0]\nradius = -1.0\n[[layout]]\nname = \"v\"\nshape = [2]\n";
    let e = toml::from_str::<Config>(bad_ball).unwrap_err().to_string();
    assert!(e.contains("radius"), "{e}");
    let zero_extent = "[domain]\nkind = \"free\"\n[[layout]]\nname = \"v\"\nshape = [0]\n";
    let e = toml::from_str::<Config>(zero_extent)
        .unwrap_err()
        .to_string();
    assert!(e.contains("zero"), "{e}");
    let twice = "[domain]\nkind = \"free\"\n[[layout]]\nname = \"v\"\nshape = [1]\n[[layout]]\nname = \"v\"\nshape = [2]\n";
    let e = toml::from_str::<Config>(twice).unwrap_err().to_string();
    assert!(e.contains("used twice"), "{e}");
}

#[test]
fn as_box_gives_the_bounds_of_exact_boxes_only() {
    let inf = f64::INFINITY;
    assert_eq!(
        Domain::free().as_box(2),
        Some((vec![-inf; 2], vec![inf; 2]))
    );
    assert_eq!(
        Domain::non_negative().as_box(1),
        Some((vec![0.0], vec![inf]))
    );
    let parts = vec![
        (1, Domain::interval(-1.0, 2.0).unwrap()),
        (2, Domain::non_negative()),
    ];
    let product = Domain::product(parts).unwrap();
    assert_eq!(
        product.as_box(3),
        Some((vec![-1.0, 0.0, 0.0], vec![2.0, inf, inf]))
    );
    assert_eq!(Domain::simplex().as_box(3), None);
    assert_eq!(Domain::ball_at_origin(1.0).unwrap().as_box(2), None);
    let with_ball = vec![
        (1, Domain::free()),
        (2, Domain::ball_at_origin(1.0).unwrap()),
    ];
    assert_eq!(Domain::product(with_ball).unwrap().as_box(3), None);
}

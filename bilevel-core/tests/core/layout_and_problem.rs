//! Block layouts, variables and problem checks: bad declarations are typed errors.

use crate::common::Smooth;
use bilevel_core::check_problem;
use bilevel_core::prelude::*;
use bilevel_core::tensor::{to_vec, vector};

type B = NdArray<f64>;

#[test]
fn layouts_offset_blocks_and_view_them_with_their_shapes() {
    let l = Layout::new(vec![
        Block::new("w", &[2, 3]).unwrap(),
        Block::new("b", &[3]).unwrap(),
        Block::new("s", &[]).unwrap(),
    ])
    .unwrap();
    assert_eq!(l.dim(), 10);
    assert_eq!(l.range("b").unwrap(), 6..9);
    let flat = vector::<B>(
        &(0..10).map(f64::from).collect::<Vec<_>>(),
        &Default::default(),
    );
    let w: Tensor<B, 2> = l.view_by_name(&flat, "w").unwrap();
    assert_eq!(w.dims(), [2, 3]);
    assert_eq!(to_vec(&w), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    let s: Tensor<B, 1> = l.view(&flat, 2).unwrap();
    assert_eq!(to_vec(&s), vec![9.0]);
}

#[test]
fn bad_layouts_are_typed_errors() {
    assert!(matches!(
        Block::new("w", &[2, 0]),
        Err(Error::BlockLayout { .. })
    ));
    assert!(matches!(
        Block::new("", &[2]),
        Err(Error::BlockLayout { .. })
    ));
    let dup = Layout::new(vec![
        Block::new("a", &[1]).unwrap(),
        Block::new("a", &[2]).unwrap(),
    ]);
    assert!(dup.unwrap_err().to_string().contains("used twice"));
    assert!(matches!(
        Layout::new(vec![]),
        Err(Error::BlockLayout { .. })
    ));
    let l = Layout::vector("v", 3).unwrap();
    let flat = vector::<B>(&[1.0, 2.0, 3.0], &Default::default());
    let e = l.view_by_name::<B, 1>(&flat, "nope").unwrap_err();
    assert!(matches!(e, Error::UnknownBlock { .. }), "{e}");
    let e = l.view::<B, 2>(&flat, 0).unwrap_err();
    assert!(e.to_string().contains("rank"), "{e}");
    let wrong = vector::<B>(&[1.0, 2.0], &Default::default());
    assert!(matches!(
        l.view::<B, 1>(&wrong, 0),
        Err(Error::DimensionMismatch {
            expected: 3,
            got: 2,
            ..
        })
    ));
}

#[test]
fn initial_values_are_validated_and_projected() {
    let d = Domain::interval(0.0, 1.0).unwrap();
    let v = Variable::vector(
        "x",
        3,
        d.clone(),
        Init::Values {
            values: vec![-1.0, 0.5, 2.0],
        },
    )
    .unwrap();
    assert_eq!(
        to_vec(&v.initial::<B>(&Default::default()).unwrap()),
        vec![0.0, 0.5, 1.0]
    );
    let e = Variable::vector(
        "x",
        3,
        d.clone(),
        Init::Values {
            values: vec![0.0; 2],
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::DimensionMismatch {
                expected: 3,
                got: 2,
                ..
            }
        ),
        "{e}"
    );
    let e = Variable::vector(
        "x",
        2,
        d.clone(),
        Init::Values {
            values: vec![0.0, f64::NAN],
        },
    )
    .unwrap_err();
    assert!(matches!(e, Error::NonFinite { index: 1, .. }), "{e}");
    let e = Variable::vector(
        "x",
        2,
        d.clone(),
        Init::Uniform {
            lo: 1.0,
            hi: 0.0,
            seed: 1,
        },
    )
    .unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    // Seeded random initial values are reproducible.
    let a = Init::Normal { std: 1.0, seed: 7 }.values(5, "x").unwrap();
    assert_eq!(
        a,
        Init::Normal { std: 1.0, seed: 7 }.values(5, "x").unwrap()
    );
    assert_ne!(
        a,
        Init::Normal { std: 1.0, seed: 8 }.values(5, "x").unwrap()
    );
}

#[test]
fn check_problem_accepts_a_valid_problem() {
    let p = Smooth::<B>::new(&Default::default());
    check_problem(&p).unwrap();
}

//! Solver configurations as validated data (issue 15): builders with documented defaults, one
//! validation step before any iteration with errors that name the field, its value and the
//! valid range, and one serde-tagged `Method` that files read, with unknown names and fields
//! refused.

use bilevel::models::toys::{Example3, Example4};
use bilevel::prelude::*;

type B = NdArray<f64>;

/// The error message of solving Example 3 (or Example 4 for coupled methods) with `method`.
fn refusal(method: impl Into<Method>) -> String {
    let method = method.into();
    let options = SolveOptions::new(5, 0.0);
    let e = match method {
        Method::Blocc(_) => {
            let p = Example4::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
            solve(&p, &mut method.clone(), &options).unwrap_err()
        }
        _ => {
            let p = Example3::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
            solve(&p, &mut method.clone(), &options).unwrap_err()
        }
    };
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    e.to_string()
}

#[test]
fn out_of_range_fields_are_refused_with_their_path_value_and_range() {
    let inner = MinSolver::new(0.1);
    let cases: Vec<(Method, &str)> = vec![
        (
            AltPbgd::new(0.0, 10.0).into(),
            "`AltPbgd.eta` = 0.0: must be a finite number > 0",
        ),
        (AltPbgd::new(0.1, -1.0).into(), "`AltPbgd.gamma` = -1.0"),
        (
            AltPbgd::new(0.1, 10.0)
                .with_inner(inner.with_max_iters(0))
                .into(),
            "`AltPbgd.inner_g.max_iters` = 0: must be at least 1",
        ),
        (
            AltPbgd::new(0.1, 10.0)
                .with_inner_gamma(inner.with_tol(f64::NAN))
                .into(),
            "`AltPbgd.inner_gamma.tol` = NaN",
        ),
        (
            JntPbgd::new(0.1, 10.0)
                .with_update(UpdateRule::momentum(1.0))
                .into(),
            "`JntPbgd.update.beta` = 1.0: must be in [0, 1)",
        ),
        (
            PbgdFree::new(0.1, 10.0)
                .with_gamma(PenaltySchedule::Linear {
                    start: 10.0,
                    max: 1.0,
                    iters: 5,
                })
                .into(),
            "`PbgdFree.gamma.max` = 1.0: must be >= start",
        ),
        (
            Aid::new(0.1)
                .with_cg(ConjugateGradient::new().with_max_iters(0))
                .into(),
            "`Aid.cg.max_iters` = 0",
        ),
        (
            Itd::new(0.1, 0).into(),
            "`Itd.steps` = 0: must be at least 1",
        ),
        (
            Bome::new(0.1, 0.5).with_inner_steps(-0.1, 3).into(),
            "`Bome.inner.step` = -0.1",
        ),
        (
            PerturbedGd::new(0.1, 1.0)
                .with_rho(Rho::WarmStart { c0: 0.0 })
                .into(),
            "`PerturbedGd.rho.c0` = 0.0",
        ),
        (
            Blocc::new(0.1, 10.0)
                .with_saddle(Multipliers::new(0.1, 1.0).with_inner_steps(0))
                .into(),
            "`Blocc.inner_g.inner_steps` = 0: must be at least 1",
        ),
        (
            Blocc::new(0.1, 10.0)
                .with_saddle(DescentAscent::new(0.1, 0.1).accelerated(1.5))
                .into(),
            "`Blocc.inner_g.momentum` = 1.5: must be in [0, 1)",
        ),
    ];
    for (method, expected) in cases {
        let message = refusal(method);
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }
    let p = Example3::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let e = solve(&p, &mut AltPbgd::new(0.1, 10.0), &SolveOptions::new(0, 0.0)).unwrap_err();
    assert!(
        e.to_string().contains("`SolveOptions.max_iters` = 0"),
        "{e}"
    );
    let e = solve(
        &p,
        &mut AltPbgd::new(0.1, 10.0),
        &SolveOptions::new(5, 0.0)
            .with_stall_tol(Some(1e-3))
            .with_record_every(0),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("`SolveOptions.record_every` = 0"),
        "{e}"
    );
}

#[test]
fn builders_set_one_field_and_keep_the_documented_defaults() {
    let m = MinSolver::new(0.2);
    assert_eq!((m.step, m.tol, m.max_iters), (0.2, 1e-8, 1000));
    assert_eq!(m.rule, UpdateRule::Gradient);
    let alt = AltPbgd::new(0.1, 10.0).single_loop(0.05);
    assert_eq!(alt.gamma, PenaltySchedule::constant(10.0));
    assert_eq!(alt.inner_g, MinSolver::single_step(0.05));
    assert_eq!(alt.inner_gamma.max_iters, 1);
    let cg = ConjugateGradient::default();
    assert_eq!((cg.tol, cg.max_iters), (1e-10, 100));
    let itd = Itd::new(0.1, 5);
    assert_eq!((itd.inner_step, itd.warm_start), (0.1, true));
}

#[test]
fn methods_read_from_files_with_defaults_and_round_trip() {
    let text = r#"{"method": "alt-pbgd", "eta": 0.1, "gamma": {"kind": "constant", "gamma": 10.0},
                   "inner_g": {"step": 0.2, "max_iters": 50}}"#;
    let m: Method = serde_json::from_str(text).unwrap();
    let expected: Method = AltPbgd::new(0.1, 10.0)
        .with_inner_g(MinSolver::new(0.2).with_max_iters(50))
        .into();
    assert_eq!(m, expected);
    let blocc: Method = Blocc::new(0.01, 15.0)
        .with_saddle(Multipliers::new(0.1, 10.0).with_inner_steps(50))
        .into();
    let back: Method = serde_json::from_str(&serde_json::to_string(&blocc).unwrap()).unwrap();
    assert_eq!(back, blocc);
}

/// A constant penalty is a bare number in files (integer or not); schedules keep their tag,
/// and an unknown kind or field is a serde error listing the valid ones.
#[test]
fn a_constant_penalty_is_a_bare_number_in_files() {
    let read = |text: &str| serde_json::from_str::<Method>(text);
    let expected: Method = AltPbgd::new(0.1, 100.0).into();
    let bare = read(r#"{"method": "alt-pbgd", "eta": 0.1, "gamma": 100}"#).unwrap();
    assert_eq!(bare, expected);
    let tagged =
        r#"{"method": "alt-pbgd", "eta": 0.1, "gamma": {"kind": "constant", "gamma": 100.0}}"#;
    assert_eq!(read(tagged).unwrap(), expected);
    let written = serde_json::to_string(&expected).unwrap();
    assert!(written.contains(r#""gamma":100.0"#), "{written}");
    let toml_text = "method = \"jnt-pbgd\"\neta = 0.1\ngamma = 1e3\n";
    let from_toml: Method = toml::from_str(toml_text).unwrap();
    assert_eq!(from_toml, JntPbgd::new(0.1, 1e3).into());
    let linear = PenaltySchedule::Linear {
        start: 1.0,
        max: 100.0,
        iters: 50,
    };
    let m: Method = AltPbgd::new(0.1, 1.0).with_gamma(linear).into();
    let back = read(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(back, m);
    let e = read(r#"{"method": "alt-pbgd", "eta": 0.1, "gamma": {"kind": "cubic"}}"#).unwrap_err();
    assert!(e.to_string().contains("`linear`"), "{e}");
    let e = read(r#"{"method": "alt-pbgd", "eta": 0.1, "gamma": {"kind": "constant", "gama": 1}}"#)
        .unwrap_err();
    assert!(e.to_string().contains("unknown field `gama`"), "{e}");
    let e = read(r#"{"method": "alt-pbgd", "eta": 0.1, "gamma": "big"}"#).unwrap_err();
    assert!(e.to_string().contains("a penalty (a number)"), "{e}");
}

#[test]
fn unknown_methods_fields_and_missing_requirements_are_serde_errors_that_list_the_valid_ones() {
    let e = serde_json::from_str::<Method>(r#"{"method": "alt-pbdg", "eta": 0.1}"#).unwrap_err();
    let m = e.to_string();
    assert!(m.contains("unknown variant `alt-pbdg`"), "{m}");
    assert!(
        m.contains("`alt-pbgd`") && m.contains("`blocc`") && m.contains("`itd`"),
        "{m}"
    );
    let e = serde_json::from_str::<Method>(r#"{"method": "aid", "eta": 0.1, "etta": 0.2}"#)
        .unwrap_err();
    let m = e.to_string();
    assert!(
        m.contains("unknown field `etta`, expected one of `eta`, `inner`, `cg`"),
        "{m}"
    );
    let e = serde_json::from_str::<Method>(r#"{"method": "itd", "eta": 0.1}"#).unwrap_err();
    assert!(e.to_string().contains("missing field `steps`"), "{e}");
    let e =
        serde_json::from_str::<SaddleSolver>(r#"{"kind": "newton", "step_y": 0.1}"#).unwrap_err();
    assert!(e.to_string().contains("`descent-ascent`"), "{e}");
}

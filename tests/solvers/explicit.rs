//! `Auto::explicit`: the fixed-setting method an Auto run ends with keeps Auto's answer as its
//! fixed point, and reaches it from the run's start.

use bilevel::models::toys::{Example1, Example4};
use bilevel::prelude::*;

type B = NdArray<f64>;

/// Runs Auto from x0, writes out its explicit method, runs that from Auto's answer (it must
/// stay within 1e-5) and from x0 (it must end within 1e-3 of Auto's x); returns Auto's x and
/// the method.
fn explicit_runs<P: Problem<B>>(p: &P, x0: f64, iters: usize) -> (f64, Method) {
    let auto = Auto::default();
    let report = Executor::new(p, auto.clone())
        .options(auto.options())
        .start(vec![x0])
        .run()
        .unwrap();
    let x_auto = report.x.clone().into_scalar();
    let method = auto.explicit(p, &report).unwrap();
    let run_from = |x: f64| {
        let r = Executor::new(p, method.clone())
            .options(SolveOptions::new(iters, 1e-9))
            .start(vec![x])
            .run()
            .unwrap();
        r.x.into_scalar()
    };
    let (stay, from_start) = (run_from(x_auto), run_from(x0));
    eprintln!("auto {x_auto}, explicit from it {stay}, from x0 {from_start}: {method:?}");
    let written = serde_json::to_string(&method).unwrap();
    assert_eq!(serde_json::from_str::<Method>(&written).unwrap(), method);
    for key in ["step_g", "step_gamma", "rho_g", "rho_gamma", "eta"] {
        assert!(
            report.values.number(key).is_some(),
            "{key} not in the report"
        );
    }
    assert!(
        (stay - x_auto).abs() < 1e-5,
        "moved from {x_auto} to {stay}"
    );
    assert!((from_start - x_auto).abs() < 1e-3, "from x0: {from_start}");
    (x_auto, method)
}

/// Example 1 (free lower level): ALT-PBGD at Auto's final γ; x* = −5.
#[test]
fn the_explicit_method_of_a_free_lower_level_is_alt_pbgd_with_autos_answer() {
    let p = Example1::<B>::new(&Default::default(), 3.0, 0.0).unwrap();
    let (x_auto, method) = explicit_runs(&p, 3.0, 2_000);
    let Method::AltPbgd(alt) = &method else {
        panic!("expected ALT-PBGD, got {method:?}");
    };
    assert!(alt.eta > 0.0 && alt.inner_g.step > 0.0 && alt.inner_gamma.step > 0.0);
    assert!((x_auto + 5.0).abs() < 1e-3, "Auto's x = {x_auto}");
}

/// Example 4 (coupled y ≤ x): PBGD-BLOCC with the method of multipliers at Auto's γ and ρ.
#[test]
fn the_explicit_method_of_coupled_constraints_is_blocc_with_autos_answer() {
    let p = Example4::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let (_, method) = explicit_runs(&p, 0.0, 2_000);
    let Method::Blocc(blocc) = &method else {
        panic!("expected PBGD-BLOCC, got {method:?}");
    };
    assert!(matches!(blocc.inner_g, SaddleSolver::Multipliers(_)));
}

/// Another method's report has no explicit configuration: an error, not a panic.
#[test]
fn a_report_of_another_method_has_no_explicit_configuration() {
    let p = Example1::<B>::new(&Default::default(), 3.0, 0.0).unwrap();
    let mut alt = AltPbgd::new(0.1, 10.0);
    let report = solve(&p, &mut alt, &SolveOptions::new(5, 1e-6)).unwrap();
    let err = Auto::default().explicit(&p, &report).unwrap_err();
    assert!(err.to_string().contains("lacks Auto's values"), "{err}");
}

/// An Auto report of a problem with a coupled constraint, given with a problem without one: an
/// error naming both counts.
#[test]
fn a_report_of_another_problem_is_refused() {
    let coupled = Example4::<B>::new(&Default::default(), 0.0, 0.0).unwrap();
    let auto = Auto::default();
    let report = solve(&coupled, &mut auto.clone(), &SolveOptions::new(3, 1e-6)).unwrap();
    let free = Example1::<B>::new(&Default::default(), 3.0, 0.0).unwrap();
    let err = auto.explicit(&free, &report).unwrap_err();
    assert!(
        err.to_string().contains("1 multipliers, the problem 0"),
        "{err}"
    );
}

//! The classic suite (issue 16): `Auto` at its default settings, with the default multistart,
//! solves every problem to |F − F*| ≤ 1e-3·max(1, |F*|), F* being the optimum we checked
//! independently (KKT enumeration of the lower level and a fine search over x; see
//! bilevel-models/src/classic). One test per problem, so a failure names its problem.

use bilevel::core::solver::Method;
use bilevel::models::classic::{Entry, SUITE};
use bilevel::prelude::*;

fn solves(name: &str) {
    let entry: &Entry = SUITE.iter().find(|e| e.name == name).expect("in the suite");
    let auto = Auto::default();
    let method: Method = auto.clone().into();
    let outcome = entry
        .solve(&method, &Multistart::default(), &auto.options())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let gap = entry.relative_gap(outcome.f);
    eprintln!(
        "{name}: x {:?} F {:.6} F* {:.6} gap {gap:.1e} gamma {:e} iterations {} ({} in all) {:?}",
        outcome.x,
        outcome.f,
        entry.f_star,
        outcome.gamma,
        outcome.iterations,
        outcome.total_iterations,
        outcome.time
    );
    assert!(
        gap <= 1e-3,
        "{name}: F = {} against F* = {}",
        outcome.f,
        entry.f_star
    );
    assert_eq!(outcome.failed_runs, 0, "{name}: some starts failed");
}

macro_rules! suite_tests {
    ($($test:ident => $name:literal),+ $(,)?) => {
        $(#[test]
        fn $test() {
            solves($name);
        })+

        /// Every problem of the suite has a test here.
        #[test]
        fn every_problem_has_a_test() {
            let tested = [$($name),+];
            for e in SUITE.iter() {
                assert!(tested.contains(&e.name), "{} has no test", e.name);
            }
        }
    };
}

suite_tests! {
    lampariello_sagratella_2017_ex32 => "LamparielloSagratella2017Ex32",
    macal_hurter_1997 => "MacalHurter1997",
    henderson_quandt_1958 => "HendersonQuandt1958",
    de_silva_1978 => "DeSilva1978",
    falk_liu_1995 => "FalkLiu1995",
    muu_quy_2003_ex1 => "MuuQuy2003Ex1",
    outrata_1990_ex1d => "Outrata1990Ex1d",
    floudas_etal_2013 => "FloudasEtal2013",
    sahin_ciric_1998_ex2 => "SahinCiric1998Ex2",
    yezza_1996_ex41 => "Yezza1996Ex41",
    outrata_1994_ex31 => "Outrata1994Ex31",
    outrata_1990_ex2e => "Outrata1990Ex2e",
    lampariello_sagratella_2017_ex35 => "LamparielloSagratella2017Ex35",
    ben_ayed_blair_1990a => "BenAyedBlair1990a",
}

//! Temporary.
use bilevel::core::solver::Method;
use bilevel::models::classic::SUITE;
use bilevel::prelude::*;
fn main() {
    let only: Option<String> = std::env::args().nth(1);
    for e in SUITE.iter() {
        if only.as_ref().is_some_and(|o| !e.name.contains(o.as_str())) { continue; }
        let m: Method = Auto::default().into();
        let r = e.solve(&m, &Multistart::default().with_starts(3), &SolveOptions::new(2000, 1e-6));
        match r {
            Ok(o) => println!("{:32} x {:?} F {:.6} F* {:.6} gap {:.1e} gamma {:e} it {} tot {} failed {} {:?}", e.name, o.x, o.f, e.f_star, e.relative_gap(o.f), o.gamma, o.iterations, o.total_iterations, o.failed_runs, o.time),
            Err(err) => println!("{:32} error {err}", e.name),
        }
    }
}

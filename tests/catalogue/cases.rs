//! The catalogue's cases of the library itself: solver configurations and run options out of
//! range, methods read from TOML, problems a method does not handle (infeasible ones
//! included), checkpoints of another solve or malformed, oracles at bad points, start points,
//! domains. The files and the models' data are in `cases_files.rs`, the command in
//! `cases_cli.rs`, the inputs that panicked or were accepted before this catalogue (and the
//! absurd sizes) in `cases_fixed.rs`.

use std::time::Duration;

use bilevel::core::check::{FdOptions, check_oracles};
use bilevel::core::tensor::vector;
use bilevel::core::{AutodiffOracle, FiniteDifferences};
use bilevel::models::toys::{Example1, Example3, Example4};
use bilevel::prelude::*;

use crate::{Case, Failure, Outcome, lib};

/// The backend of every case.
pub type B = NdArray<f64>;

/// A case: its name, the error's variant, a fragment of its message, and the input.
pub fn case(
    name: &'static str,
    kind: &'static str,
    fragment: &'static str,
    run: fn() -> Outcome,
) -> Case {
    Case {
        name,
        kind,
        fragment,
        run,
    }
}

/// A library result as an outcome (`Ok` when the input was accepted).
pub fn via_lib<T>(r: bilevel::core::Result<T>) -> Outcome {
    r.map(drop).map_err(lib)
}

/// An error that is neither the library's nor the command's (serde's, a setup step's).
pub fn failure(kind: &str, e: impl std::fmt::Display) -> Failure {
    Failure {
        kind: kind.into(),
        message: e.to_string(),
    }
}

/// The device.
pub fn dev() -> bilevel::core::burn::backend::ndarray::NdArrayDevice {
    Default::default()
}

/// Example 1 (f = x² + 10y, g = (y − x + 1)², free) from (x0, y0).
pub fn example1(x0: f64, y0: f64) -> Result<Example1<B>, Failure> {
    Example1::<B>::new(&dev(), x0, y0).map_err(lib)
}

/// `solver` on Example 1 from (1, 0), five iterations at most.
fn refuse<S: Solver<B>>(mut solver: S) -> Outcome {
    let p = example1(1.0, 0.0)?;
    via_lib(solve(&p, &mut solver, &SolveOptions::new(5, 0.0)))
}

/// ALT-PBGD on Example 1 under `options`.
fn under(options: SolveOptions) -> Outcome {
    let p = example1(1.0, 0.0)?;
    via_lib(solve(&p, &mut AltPbgd::new(0.1, 10.0), &options))
}

/// A method read from TOML, then validated as a solve would.
fn method_toml(text: &str) -> Outcome {
    let method: Method = toml::from_str(text).map_err(|e| failure("toml", e))?;
    via_lib(<Method as Solver<B>>::validate(&method))
}

/// Example 1 from (1, 0) and the checkpoint ALT-PBGD (η = 0.1, γ = 10) hands over after one
/// iteration.
fn checkpoint() -> Result<(Example1<B>, Checkpoint), Failure> {
    let p = example1(1.0, 0.0)?;
    let mut saved: Option<Checkpoint> = None;
    Executor::new(&p, AltPbgd::new(0.1, 10.0))
        .options(SolveOptions::new(1, 0.0))
        .checkpoint(1, &mut saved)
        .run()
        .map_err(lib)?;
    let cp = saved.ok_or_else(|| failure("setup", "no checkpoint was written"))?;
    Ok((p, cp))
}

/// That checkpoint, changed by `edit`, resumed with `solver` (two iterations at most).
pub fn resume<S: Solver<B>>(solver: S, edit: fn(&mut Checkpoint)) -> Outcome {
    let (p, mut cp) = checkpoint()?;
    edit(&mut cp);
    let exec = Executor::new(&p, solver).options(SolveOptions::new(2, 0.0));
    via_lib(exec.resume(&cp))
}

/// A checkpoint read from JSON.
fn checkpoint_json(text: &str) -> Outcome {
    serde_json::from_str::<Checkpoint>(text)
        .map(drop)
        .map_err(|e| failure("json", e))
}

/// A problem whose lower level is empty at every x (in a module of its own: the declaration's
/// generated code sees none of the short constants below).
mod infeasible {
    use bilevel::prelude::*;

    #[bilevel(f = (x - 1.0).powi(2) + y.powi(2), g = (y - x).powi(2), c = 4.0 - y)]
    /// Y = [0, 3], but c(x, y) = 4 − y ≤ 0 needs y ≥ 4: no y is feasible at any x.
    pub struct NoFeasibleY {
        #[upper(domain = interval(0.0, 3.0))]
        x: Scalar,
        #[lower(domain = interval(0.0, 3.0))]
        y: Scalar,
    }
}

/// The variant names the cases expect, short so that each case stays on three lines.
pub const P: &str = "InvalidParameter";
const T: &str = "toml";
const J: &str = "json";
const U: &str = "Unsupported";
pub const C: &str = "Checkpoint";
pub const D: &str = "DimensionMismatch";
pub const N: &str = "NonFinite";
const E: &str = "EmptyBox";
pub const L: &str = "BlockLayout";

/// The library's cases.
pub fn all() -> Vec<Case> {
    let mut cases = configurations();
    cases.extend(problems());
    cases.extend(points());
    cases
}

/// Solver configurations (γ, η, steps ≤ 0 or not finite), run options, methods from TOML.
fn configurations() -> Vec<Case> {
    vec![
        case("AltPbgd η = 0", P, "`AltPbgd.eta` = 0.0", || {
            refuse(AltPbgd::new(0.0, 10.0))
        }),
        case("AltPbgd γ = −1", P, "`AltPbgd.gamma` = -1.0", || {
            refuse(AltPbgd::new(0.1, -1.0))
        }),
        case("AltPbgd γ = NaN", P, "`AltPbgd.gamma` = NaN", || {
            refuse(AltPbgd::new(0.1, f64::NAN))
        }),
        case("inner step −1", P, "`AltPbgd.inner_g.step`", || {
            refuse(AltPbgd::new(0.1, 10.0).with_inner_g(MinSolver::new(-1.0)))
        }),
        case("Adam ε = 0", P, "`AltPbgd.update.eps` = 0.0", || {
            let adam = UpdateRule::Adam {
                beta1: 0.9,
                beta2: 0.999,
                eps: 0.0,
            };
            refuse(AltPbgd::new(0.1, 10.0).with_update(adam))
        }),
        case("JntPbgd η < 0", P, "`JntPbgd.eta` = -0.1", || {
            refuse(JntPbgd::new(-0.1, 10.0))
        }),
        case("JntPbgd γ = ∞", P, "`JntPbgd.gamma` = inf", || {
            refuse(JntPbgd::new(0.1, f64::INFINITY))
        }),
        case("PbgdFree η = NaN", P, "`PbgdFree.eta` = NaN", || {
            refuse(PbgdFree::new(f64::NAN, 10.0))
        }),
        case("γ factor 0.5", P, "`PbgdFree.gamma.factor`", || {
            let gamma = PenaltySchedule::Geometric {
                start: 1.0,
                factor: 0.5,
                max: 10.0,
            };
            refuse(PbgdFree::new(0.1, 1.0).with_gamma(gamma))
        }),
        case("Blocc η = 0", P, "`Blocc.eta` = 0.0", || {
            refuse(Blocc::new(0.0, 10.0))
        }),
        case("Blocc η_λ < 0", P, "`Blocc.inner_g.step_lambda`", || {
            refuse(Blocc::new(0.1, 10.0).with_saddle(DescentAscent::new(0.1, -1.0)))
        }),
        case("Blocc ρ = 0", P, "`Blocc.inner_g.rho` = 0.0", || {
            refuse(Blocc::new(0.1, 10.0).with_saddle(Multipliers::new(0.1, 0.0)))
        }),
        case("perturbed step 0", P, "`PerturbedGd.step` = 0.0", || {
            refuse(PerturbedGd::new(0.0, 1.0))
        }),
        case("Aid η = ∞", P, "`Aid.eta` = inf", || {
            refuse(Aid::new(f64::INFINITY))
        }),
        case("CG tol = 0", P, "`Aid.cg.tol` = 0.0", || {
            refuse(Aid::new(0.1).with_cg(ConjugateGradient::new().with_tol(0.0)))
        }),
        case("ITD inner step 0", P, "`Itd.inner_step` = 0.0", || {
            refuse(Itd::new(0.1, 3).with_inner_step(0.0))
        }),
        case("BOME step NaN", P, "`Bome.step` = NaN", || {
            refuse(Bome::new(f64::NAN, 0.5))
        }),
        case("Auto γ factor 1", P, "`Auto.gamma_factor` = 1.0", || {
            refuse(Auto::default().with_gamma_factor(1.0))
        }),
        case("no starts", P, "`Multistart.starts` = 0", || {
            via_lib(Multistart::default().with_starts(0).validate())
        }),
        case("0 iterations", P, "`SolveOptions.max_iters` = 0", || {
            under(SolveOptions::new(0, 0.0))
        }),
        case("tol < 0", P, "`SolveOptions.tol` = -1.0", || {
            under(SolveOptions::new(5, -1.0))
        }),
        case("blow-up 0", P, "`SolveOptions.blowup` = 0.0", || {
            under(SolveOptions::new(5, 0.0).with_blowup(0.0))
        }),
        case("time budget 0", P, "`SolveOptions.time_budget`", || {
            under(SolveOptions::new(5, 0.0).with_time_budget(Some(Duration::ZERO)))
        }),
        case("stall tol NaN", P, "`SolveOptions.stall_tol`", || {
            under(SolveOptions::new(5, 0.0).with_stall_tol(Some(f64::NAN)))
        }),
        case("TOML method", T, "unknown variant `newton`", || {
            method_toml("method = \"newton\"\neta = 0.1\n")
        }),
        case("TOML no method", T, "missing field `method`", || {
            method_toml("eta = 0.1\ngamma = 10.0\n")
        }),
        case("TOML unknown key", T, "unknown field `etta`", || {
            method_toml("method = \"aid\"\neta = 0.1\netta = 0.2\n")
        }),
        case("TOML η string", T, "invalid type", || {
            method_toml("method = \"aid\"\neta = \"fast\"\n")
        }),
        case("TOML ITD", T, "missing field `steps`", || {
            method_toml("method = \"itd\"\neta = 0.1\n")
        }),
        case("TOML γ string", T, "a penalty (a number)", || {
            method_toml("method = \"alt-pbgd\"\neta = 0.1\ngamma = \"big\"\n")
        }),
        case("TOML steps < 0", T, "integer `-3`", || {
            method_toml("method = \"itd\"\neta = 0.1\nsteps = -3\n")
        }),
        case("TOML syntax", T, "TOML parse error", || {
            method_toml("method = \neta = 0.1\n")
        }),
        case("TOML η < 0", P, "`AltPbgd.eta` = -1.0", || {
            method_toml("method = \"alt-pbgd\"\neta = -1.0\ngamma = 10.0\n")
        }),
        case("TOML η = nan", P, "`AltPbgd.eta` = NaN", || {
            method_toml("method = \"alt-pbgd\"\neta = nan\ngamma = 10.0\n")
        }),
        case("TOML saddle step 0", P, "`Blocc.inner_g.step_y`", || {
            method_toml(
                "method = \"blocc\"\neta = 0.1\ngamma = 10.0\n\
                 inner_g = { kind = \"descent-ascent\", step_y = 0.0, step_lambda = 0.1 }\n",
            )
        }),
    ]
}

/// Problems a method does not handle, an infeasible lower level, checkpoints of another solve
/// or malformed.
fn problems() -> Vec<Case> {
    const W: &str = "WarmStartNeeded";
    const I: &str = "Infeasible";
    vec![
        case("BOME, boxed domains", U, "for free domains", || {
            let p = Example3::<B>::new(&dev(), 0.0, 0.0).map_err(lib)?;
            via_lib(solve(
                &p,
                &mut Bome::new(0.1, 0.5),
                &SolveOptions::new(5, 0.0),
            ))
        }),
        case("perturbed GD, boxes", U, "unconstrained x and y", || {
            let p = Example3::<B>::new(&dev(), 0.0, 0.0).map_err(lib)?;
            let mut solver = PerturbedGd::new(0.1, 1.0);
            via_lib(solve(&p, &mut solver, &SolveOptions::new(5, 0.0)))
        }),
        case("AID, boxed y", U, "lower domain is not free", || {
            let p = Example3::<B>::new(&dev(), 0.0, 0.0).map_err(lib)?;
            via_lib(solve(&p, &mut Aid::new(0.1), &SolveOptions::new(5, 0.0)))
        }),
        case("ALT-PBGD, c(x, y)", U, "this method would ignore", || {
            let p = Example4::<B>::new(&dev(), 0.0, 0.0).map_err(lib)?;
            via_lib(solve(
                &p,
                &mut AltPbgd::new(0.1, 10.0),
                &SolveOptions::new(5, 0.0),
            ))
        }),
        case("BLOCC, no c(x, y)", U, "no coupled constraints", || {
            refuse(Blocc::new(0.1, 10.0))
        }),
        case("h(x0, y0) too large", W, "warm-start y0", || {
            let p = example1(1.0, 5.0)?;
            let mut solver = PerturbedGd::new(0.1, 1.0).with_rho(Rho::WarmStart { c0: 1.0 });
            via_lib(solve(&p, &mut solver, &SolveOptions::new(5, 0.0)))
        }),
        case("no feasible y", I, "grew without bound", || {
            let p = infeasible::NoFeasibleY::<B>::new(&dev()).map_err(lib)?;
            let saddle = DescentAscent::new(0.1, 0.1).with_lambda_limit(1.0);
            let mut solver = Blocc::new(0.1, 10.0).with_saddle(saddle);
            via_lib(solve(&p, &mut solver, &SolveOptions::new(5, 0.0)))
        }),
        case("cp of another method", C, "by method `alt-pbgd`", || {
            resume(JntPbgd::new(0.1, 10.0), |_| {})
        }),
        case("cp of another η", C, "another configuration", || {
            resume(AltPbgd::new(0.2, 10.0), |_| {})
        }),
        case("cp of another problem", C, "another problem", || {
            let (_, cp) = checkpoint()?;
            let other = example1(2.0, 0.0)?;
            let exec = Executor::new(&other, AltPbgd::new(0.1, 10.0));
            via_lib(exec.options(SolveOptions::new(2, 0.0)).resume(&cp))
        }),
        case("cp x of length 2", C, "checkpoint x: expected 1", || {
            resume(AltPbgd::new(0.1, 10.0), |cp| cp.state.x = vec![0.0, 0.0])
        }),
        case("cp without y_g", C, "no `y_g`", || {
            resume(AltPbgd::new(0.1, 10.0), |cp| cp.state.y_g = None)
        }),
        case("cp without moments", C, "no `moments.x.steps`", || {
            resume(AltPbgd::new(0.1, 10.0), |cp| {
                cp.state.own = Default::default()
            })
        }),
        case("cp JSON cut short", J, "EOF while parsing", || {
            checkpoint_json(r#"{"method": "alt-pbgd", "config": {"eta": 0.1"#)
        }),
        case("method as cp", J, "missing field `config`", || {
            checkpoint_json(r#"{"method": "alt-pbgd", "eta": 0.1, "gamma": 10.0}"#)
        }),
    ]
}

/// Oracles at bad points, start points, domains and variables (NaN/±∞, lo > hi, zero sizes).
fn points() -> Vec<Case> {
    const F: &str = "NonFiniteEvaluation";
    const O: &str = "StartOutsideDomain";
    vec![
        case("x of length 2", D, "`upper (x)`: expected 1", || {
            let p = example1(1.0, 0.0)?;
            let (x, y) = (
                vector::<B>(&[1.0, 2.0], &dev()),
                vector::<B>(&[0.0], &dev()),
            );
            via_lib(Oracles::new(&p).value(&Objective::Upper, &x, &y))
        }),
        case("f at x = NaN", F, "value of f is not finite", || {
            let p = example1(1.0, 0.0)?;
            let (x, y) = (
                vector::<B>(&[f64::NAN], &dev()),
                vector::<B>(&[0.0], &dev()),
            );
            via_lib(Oracles::new(&p).value(&Objective::Upper, &x, &y))
        }),
        case("L_γ with γ = 0", P, "`gamma` = 0.0", || {
            let p = example1(1.0, 0.0)?;
            let (x, y) = (vector::<B>(&[1.0], &dev()), vector::<B>(&[0.0], &dev()));
            let penalized = Objective::Penalized {
                gamma: 0.0,
                lambda: None,
            };
            via_lib(Oracles::new(&p).value(&penalized, &x, &y))
        }),
        case("<λ, c> without c", P, "no coupled constraints", || {
            let p = example1(1.0, 0.0)?;
            let (x, y) = (vector::<B>(&[1.0], &dev()), vector::<B>(&[0.0], &dev()));
            let lambda = vector::<B>(&[1.0], &dev());
            via_lib(Oracles::new(&p).value(&Objective::ConstraintDot(&lambda), &x, &y))
        }),
        case("2 multipliers for 1 c", D, "Lagrange multipliers", || {
            let p = Example4::<B>::new(&dev(), 0.0, 0.0).map_err(lib)?;
            let (x, y) = (vector::<B>(&[0.0], &dev()), vector::<B>(&[0.0], &dev()));
            let lambda = vector::<B>(&[1.0, 1.0], &dev());
            via_lib(Oracles::new(&p).value(&Objective::LowerLagrangian(&lambda), &x, &y))
        }),
        case("v of length 3", D, "space of y", || {
            let p = example1(1.0, 0.0)?;
            let (x, y) = (vector::<B>(&[1.0], &dev()), vector::<B>(&[0.0], &dev()));
            let v = vector::<B>(&[1.0, 1.0, 1.0], &dev());
            via_lib(Oracles::new(&p).hvp_yy(&Objective::Lower, &x, &y, &v))
        }),
        case("FD step 0", P, "finite-difference step", || {
            let p = example1(1.0, 0.0)?;
            via_lib(FiniteDifferences::new(
                AutodiffOracle::<B, Example1<B>>::new(&p),
                0.0,
            ))
        }),
        case("check without seeds", P, "at least one seed", || {
            let p = example1(1.0, 0.0)?;
            let options = FdOptions {
                seeds: vec![],
                ..FdOptions::default()
            };
            via_lib(check_oracles(&p, &[1.0], &[0.0], &options))
        }),
        case("x0 of length 2", D, "variable `upper (x)`", || {
            via_lib(example1(1.0, 0.0)?.with_x0(&[1.0, 2.0]))
        }),
        case("y0 = −∞", N, "variable `lower (y)`", || {
            via_lib(example1(1.0, 0.0)?.with_y0(&[f64::NEG_INFINITY]))
        }),
        case("x0 outside X", O, "outside its domain", || {
            let p = Example3::<B>::new(&dev(), 0.0, 0.0).map_err(lib)?;
            via_lib(p.with_x0(&[5.0]))
        }),
        case("start NaN", N, "the start point: entry 0", || {
            let p = example1(1.0, 0.0)?;
            via_lib(
                Executor::new(&p, AltPbgd::new(0.1, 10.0))
                    .start(vec![f64::NAN])
                    .run(),
            )
        }),
        case("lo > hi", E, "empty box", || {
            via_lib(Domain::interval(2.0, 1.0))
        }),
        case("lo = NaN", N, "box lower bound", || {
            via_lib(Domain::interval(f64::NAN, 1.0))
        }),
        case("[+∞, +∞]", E, "lower bound inf", || {
            via_lib(Domain::interval(f64::INFINITY, f64::INFINITY))
        }),
        case("bounds of 2 and 3", D, "(vs lower bound)", || {
            via_lib(Domain::boxed(vec![0.0; 2], vec![1.0; 3]))
        }),
        case("ball radius 0", "NonPositiveRadius", "ball radius", || {
            via_lib(Domain::ball_at_origin(0.0))
        }),
        case("ball center NaN", N, "ball center", || {
            via_lib(Domain::ball(vec![f64::NAN], 1.0))
        }),
        case(
            "simplex NaN",
            "NonPositiveSimplexTotal",
            "simplex total",
            || via_lib(Domain::simplex_with_total(f64::NAN)),
        ),
        case("product part of 0", L, "part 0 has length 0", || {
            via_lib(Domain::product(vec![(0, Domain::free())]))
        }),
        case("box read, lo > hi", E, "empty box", || {
            let text = r#"{"kind": "box", "lo": [1.0], "hi": [0.0]}"#;
            let spec: DomainSpec = serde_json::from_str(text).map_err(|e| failure(J, e))?;
            via_lib(Domain::try_from(spec))
        }),
        case("zero extent", L, "shape [3, 0]", || {
            via_lib(Block::new("w", &[3, 0]))
        }),
        case("box of 3 for 2", D, "domain of variable `z`", || {
            let domain = Domain::boxed(vec![0.0; 3], vec![1.0; 3]).map_err(lib)?;
            via_lib(Variable::vector("z", 2, domain, Init::zeros()))
        }),
        case("initial value NaN", N, "initial value of variable", || {
            let init = Init::Constant { value: f64::NAN };
            via_lib(Variable::vector("z", 2, Domain::free(), init))
        }),
    ]
}

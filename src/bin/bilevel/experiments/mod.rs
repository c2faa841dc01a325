//! The experiments the command runs: each one is a problem from the papers, the solvers that
//! apply to it, default settings, the summary columns and the figures.

mod c1;
mod example1;
mod fig1;
mod fig10;
mod fig4;
mod fig5;
mod fig9;
mod hyperclean;
mod table4;
mod table7;
mod table7_authors;

use std::collections::BTreeMap;
use std::path::PathBuf;

use bilevel::core::burn::tensor::backend::Backend as BurnBackend;
use bilevel::core::tensor::to_vec;
use bilevel::core::{
    AltPbgd, AnyIterState, Auto, Blocc, JntPbgd, Method, MinSolver, PbgdFree, SaddleSolver,
};

use crate::choice::{BackendName, SolverName, names as list};
use crate::config::{Config, File, Overrides, Setting};
use crate::context::RunCtx;
use crate::error::{CliError, CliResult};
use crate::plot::PlotSpec;
use crate::plot::contour::Landscape;
use crate::plot::curves::Curves;
use crate::record::{Backend, RunRecord};

/// One experiment of the command.
pub trait Experiment: Sync {
    /// The name `bilevel run` takes.
    fn name(&self) -> &'static str;
    /// One line: what it reproduces.
    fn description(&self) -> &'static str;
    /// The solvers it accepts (the first ones are the defaults, see [`Experiment::defaults`]).
    fn solvers(&self) -> &'static [SolverName];
    /// The paper's settings.
    fn defaults(&self) -> Config;
    /// Summary columns: (header, key of [`RunRecord::values`]).
    fn summary_columns(&self) -> Vec<(&'static str, &'static str)>;
    /// The figures.
    fn plots(&self) -> Vec<PlotSpec>;
    /// Runs `ctx.spec` on `backend`; `None` when interrupted.
    fn execute(&self, backend: Backend, ctx: &mut RunCtx<'_>) -> CliResult<Option<RunRecord>>;
    /// The experiment-specific keys it reads, of `data`, `maxmin`, `classifier`, `fraction`
    /// (any other one given is refused by name).
    fn keys(&self) -> &'static [&'static str] {
        &[]
    }
    /// Landscape figures (contours with the runs' trajectories), computed on `backend`.
    fn landscapes(&self, _backend: Backend, _cfg: &Config) -> CliResult<Vec<Landscape>> {
        Ok(vec![])
    }
    /// Curve figures (functions of x, curves in the plane) with the runs' trajectories.
    fn curves(&self, _backend: Backend, _cfg: &Config) -> CliResult<Vec<Curves>> {
        Ok(vec![])
    }
    /// Checks what only the experiment knows (its data file, its ranges) before any run.
    fn check(&self, _cfg: &Config) -> CliResult<()> {
        Ok(())
    }
    /// Settings that follow from other choices, applied after the defaults, the file and the
    /// flags (table7's `--protocol authors` takes the authors' γ and η for the default grid).
    fn derive(&self, _cfg: &mut Config) {}
    /// Whether solvers without `methods` settings run on the γ × η grid (else every solver
    /// needs its settings, and `gamma`/`eta` do not apply).
    fn uses_grid(&self) -> bool {
        true
    }
    /// Whether runs of `methods` (a solver with all its settings) apply.
    fn takes_methods(&self) -> bool {
        true
    }
}

static ALL: [&dyn Experiment; 10] = [
    &fig9::Fig9,
    &fig10::Fig10,
    &example1::Example1,
    &table7::Table7,
    &hyperclean::Hyperclean,
    &table4::Table4,
    &c1::C1,
    &fig5::Fig5,
    &fig1::Fig1,
    &fig4::Fig4,
];

/// The experiment called `name`, or an error that lists the valid names.
pub fn find(name: &str) -> CliResult<&'static dyn Experiment> {
    ALL.iter()
        .copied()
        .find(|e| e.name() == name)
        .ok_or_else(|| CliError::Unknown {
            what: "experiment",
            name: name.to_string(),
            valid: names(),
        })
}

/// The valid experiment names, comma-separated.
pub fn names() -> String {
    let mut all: Vec<&str> = ALL.iter().map(|e| e.name()).collect();
    all.push(crate::classic::NAME);
    all.join(", ")
}

/// What `bilevel list` prints.
pub fn listing() -> String {
    let mut out = String::from("experiments:\n");
    for e in ALL {
        out.push_str(&format!("  {:<10} {}\n", e.name(), e.description()));
        out.push_str(&format!("  {:<10} solvers: {}\n", "", list(e.solvers())));
    }
    out.push_str(&format!(
        "  {:<10} {}\n  {:<10} solver: auto (with multistart)\n",
        crate::classic::NAME,
        crate::classic::DESCRIPTION,
        ""
    ));
    out.push_str(&format!("backends: {}\n", Backend::compiled().join(", ")));
    out
}

/// The configuration of a run: the experiment's defaults, then the file, then the flags;
/// checked against what the experiment accepts. The experiment is the one named on the
/// command line, else in the file.
pub fn resolve(
    experiment: Option<&str>,
    file: Option<&std::path::Path>,
    flags: &Overrides,
) -> CliResult<Config> {
    let file = File::read(file)?;
    let name = experiment
        .or(file.experiment())
        .ok_or_else(|| CliError::NoExperiment { valid: names() })?
        .to_string();
    let exp = find(&name)?;
    let mut cfg = exp.defaults();
    file.apply(&mut cfg);
    flags.apply(&mut cfg);
    exp.derive(&mut cfg);
    validate(&cfg, exp)?;
    Ok(cfg)
}

/// Checks every value of `cfg` against what `exp` accepts; messages list the valid choices.
pub fn validate(cfg: &Config, exp: &dyn Experiment) -> CliResult<()> {
    if let Some(s) = cfg.solvers.iter().find(|s| !exp.solvers().contains(s)) {
        return Err(CliError::Invalid {
            key: "solvers",
            reason: format!(
                "{s} does not apply to {}; valid: {}",
                exp.name(),
                list(exp.solvers())
            ),
        });
    }
    if let Some(key) = cfg
        .experiment_keys()
        .into_iter()
        .find(|k| !exp.keys().contains(k))
    {
        let takers: Vec<&str> = ALL
            .iter()
            .filter(|e| e.keys().contains(&key))
            .map(|e| e.name())
            .collect();
        return Err(CliError::Invalid {
            key,
            reason: format!(
                "does not apply to {}; `{key}` applies to {}",
                exp.name(),
                takers.join(", ")
            ),
        });
    }
    validate_settings(cfg, exp)?;
    cfg.check_ranges()?;
    Backend::of(cfg.backend)?;
    exp.check(cfg)
}

/// Checks the `methods` entries and the γ × η grid against what `exp` takes.
fn validate_settings(cfg: &Config, exp: &dyn Experiment) -> CliResult<()> {
    let invalid = |key, reason: String| Err(CliError::Invalid { key, reason });
    let methods = cfg.methods.as_deref().unwrap_or_default();
    if !methods.is_empty() && !exp.takes_methods() {
        return invalid(
            "methods",
            format!("does not apply: {} runs on the γ × η grid only", exp.name()),
        );
    }
    if let Some(m) = methods.iter().find(|m| !exp.solvers().contains(&m.solver)) {
        return invalid(
            "methods",
            format!(
                "{} does not apply to {}; valid: {}",
                m.solver,
                exp.name(),
                list(exp.solvers())
            ),
        );
    }
    if exp.uses_grid() {
        return Ok(());
    }
    if let Some(s) = cfg.solvers.iter().find(|s| cfg.settings_of(**s).is_empty()) {
        return invalid(
            "methods",
            format!(
                "{s} has no settings: {} needs a [[methods]] entry per solver",
                exp.name()
            ),
        );
    }
    let grid = [
        ("gamma", !cfg.gammas.is_empty()),
        (
            "eta",
            !(cfg.etas.is_empty() && cfg.etas_over_gamma.is_empty()),
        ),
    ];
    match grid.iter().find(|(_, given)| *given) {
        Some((key, _)) => invalid(
            key,
            format!(
                "does not apply to {}: each of its methods has its own settings (the \
                 [[methods]] entries of DIR/config.toml; edit them and pass --config)",
                exp.name()
            ),
        ),
        None => Ok(()),
    }
}

/// A configuration with the fields every experiment sets; the rest at common defaults.
fn config(
    name: &str,
    solvers: &[SolverName],
    gammas: &[f64],
    etas: &[f64],
    iters: usize,
    tol: f64,
) -> Config {
    Config {
        experiment: name.into(),
        solvers: solvers.to_vec(),
        gammas: gammas.to_vec(),
        etas: etas.to_vec(),
        etas_over_gamma: vec![],
        iters,
        tol,
        seeds: 1,
        backend: BackendName::Ndarray,
        out: PathBuf::from("results").join(name),
        checkpoint_every: 100,
        data: None,
        maxmin: None,
        protocol: None,
        classifier: None,
        fraction: None,
        methods: None,
        shard: None,
    }
}

/// A configuration whose runs are `methods` (each solver with all its settings), no grid.
fn config_of_methods(name: &str, methods: Vec<Setting>, iters: usize, tol: f64) -> Config {
    let mut solvers: Vec<SolverName> = vec![];
    for m in &methods {
        if !solvers.contains(&m.solver) {
            solvers.push(m.solver);
        }
    }
    Config {
        methods: Some(methods),
        ..config(name, &solvers, &[], &[], iters, tol)
    }
}

/// The penalty-based solver `name` with step η, penalty γ, the inner solver for
/// minimizations and the MaxMin solver for coupled constraints.
fn penalty_solver(
    name: SolverName,
    eta: f64,
    gamma: f64,
    inner: MinSolver,
    maxmin: Option<SaddleSolver>,
) -> CliResult<Method> {
    let with_maxmin = |s: PbgdFree| match maxmin {
        Some(m) => s.with_saddle(m),
        None => s,
    };
    Ok(match (name, maxmin) {
        (SolverName::AltPbgd, None) => Method::AltPbgd(AltPbgd::new(eta, gamma).with_inner(inner)),
        (SolverName::F2sa, None) => {
            Method::AltPbgd(AltPbgd::new(eta, gamma).single_loop(inner.step))
        }
        (SolverName::JntPbgd, None) => Method::JntPbgd(JntPbgd::new(eta, gamma).with_inner(inner)),
        (SolverName::PbgdFree, _) => {
            Method::PbgdFree(with_maxmin(PbgdFree::new(eta, gamma).with_inner(inner)))
        }
        (SolverName::Blocc, Some(m)) => Method::Blocc(Blocc::new(eta, gamma).with_saddle(m)),
        (SolverName::Auto, _) => Method::Auto(Auto::default()),
        (other, _) => {
            return Err(CliError::Invalid {
                key: "solvers",
                reason: format!("{other} does not apply to this experiment"),
            });
        }
    })
}

/// Checks that every `methods` entry's problem is one of `known`.
fn check_problems(cfg: &Config, known: &[&str]) -> CliResult<()> {
    match cfg
        .methods
        .iter()
        .flatten()
        .find(|m| !known.contains(&m.problem.as_str()))
    {
        Some(m) => Err(CliError::Invalid {
            key: "methods",
            reason: format!(
                "problem {:?} of {} is not one of {}",
                m.problem,
                m.solver,
                known.join(", ")
            ),
        }),
        None => Ok(()),
    }
}

/// The extras of a problem with scalar x and y: their values.
fn scalar_xy<B: BurnBackend>(state: &AnyIterState<B>) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    if let [x] = to_vec(&state.x)[..] {
        m.insert("x".to_string(), x);
    }
    if let [y] = to_vec(&state.y_gamma)[..] {
        m.insert("y".to_string(), y);
    }
    m
}

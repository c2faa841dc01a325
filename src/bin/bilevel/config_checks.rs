//! The range and size checks of a resolved [`Config`]: values every experiment needs in range,
//! and bounds on the lists, seeds and plan so that a typo cannot fill the memory.

use crate::config::Config;
use crate::error::{CliError, CliResult};

/// The most values a list of the configuration (γ, η, methods) may hold.
const MAX_LIST: usize = 1_000;
/// The most seeds.
const MAX_SEEDS: u64 = 10_000;
/// The most runs a plan may have.
const MAX_RUNS: usize = 1_000_000;

impl Config {
    /// Checks the values every experiment needs in range (the experiment checks the rest).
    pub fn check_ranges(&self) -> CliResult<()> {
        let positive = |key, v: &[f64]| match v.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
            Some(bad) => Err(CliError::Invalid {
                key,
                reason: format!("must be finite and > 0, got {bad}"),
            }),
            None => Ok(()),
        };
        positive("gamma", &self.gammas)?;
        positive("eta", &self.etas)?;
        positive("etas_over_gamma", &self.etas_over_gamma)?;
        let invalid = |key, reason: &str| {
            Err(CliError::Invalid {
                key,
                reason: reason.into(),
            })
        };
        if self.solvers.is_empty() {
            return invalid("solvers", "is empty: select at least one solver");
        }
        let on_grid = self.solvers.iter().any(|s| self.settings_of(*s).is_empty());
        if on_grid && (self.gammas.is_empty() || self.etas.len() + self.etas_over_gamma.len() == 0)
        {
            return invalid(
                "gammas/etas",
                "need at least one gamma and one eta for the solvers without `methods` settings",
            );
        }
        for setting in self.methods.iter().flatten() {
            setting.check()?;
        }
        if self.iters == 0 {
            return invalid("iters", "must be at least 1, got 0");
        }
        if self.seeds == 0 {
            return invalid(
                "seeds",
                "must be at least 1 (runs use seeds 0, ..., seeds − 1), got 0",
            );
        }
        self.check_sizes()?;
        if let Some(s) = &self.shard {
            s.check()?;
            if self.solvers.contains(&crate::choice::SolverName::Itd) {
                return invalid(
                    "shard",
                    "ITD cannot run sharded (its unrolled backward pass differentiates the \
                     problem outside the oracles); select the other solvers with --solver",
                );
            }
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(CliError::Invalid {
                key: "tol",
                reason: format!("must be finite and >= 0, got {}", self.tol),
            });
        }
        Ok(())
    }

    /// Bounds the lists and the plan, so that a typo (`--seeds 1000000000`) is an error, not a
    /// plan that fills the memory.
    fn check_sizes(&self) -> CliResult<()> {
        let too_many = |key, reason: String| Err(CliError::Invalid { key, reason });
        let lists = [
            ("gamma", self.gammas.len()),
            ("eta", self.etas.len()),
            ("etas_over_gamma", self.etas_over_gamma.len()),
            ("methods", self.methods.as_ref().map_or(0, Vec::len)),
        ];
        for (key, n) in lists {
            if n > MAX_LIST {
                return too_many(
                    key,
                    format!("has {n} values; at most {MAX_LIST} are accepted"),
                );
            }
        }
        if self.seeds > MAX_SEEDS {
            let s = self.seeds;
            return too_many("seeds", format!("must be at most {MAX_SEEDS}, got {s}"));
        }
        let seeds = usize::try_from(self.seeds).unwrap_or(usize::MAX);
        let solves = self.solves().len();
        let runs = solves.saturating_mul(seeds);
        if runs > MAX_RUNS {
            let reason = format!(
                "is {seeds}: with {solves} solves the plan would have {runs} runs, at most \
                 {MAX_RUNS}"
            );
            return too_many("seeds", reason);
        }
        Ok(())
    }
}

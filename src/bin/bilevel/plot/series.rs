//! What a line panel draws: the runs grouped by method (seeds together), each group's mean
//! and ± one standard deviation per recorded iteration, and the group's colour.

use plotters::style::RGBColor;

use super::Panel;
use crate::choice::SolverName;
use crate::record::RunRecord;

/// One method's line: its mean and, over several seeds, its ± std band.
#[derive(Debug, Clone)]
pub struct Series {
    /// The legend text.
    pub name: String,
    /// The colour: the solver's, lighter for its second, third, ... setting.
    pub color: RGBColor,
    /// (x, mean y) per recorded iteration.
    pub mean: Vec<(f64, f64)>,
    /// (x, low, high) per recorded iteration; empty for a single run.
    pub band: Vec<(f64, f64, f64)>,
}

/// One colour per solver (matplotlib's tab10, in `SolverName::ALL` order), kept across all
/// figures.
const TAB10: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (23, 23, 23),
    (227, 119, 194),
    (140, 86, 75),
    (188, 189, 34),
    (23, 190, 207),
];

/// The colour of `solver`'s `shade`-th setting: the solver's own colour, then alternately
/// darker and lighter.
pub fn color(solver: SolverName, shade: usize) -> RGBColor {
    let i = SolverName::ALL
        .iter()
        .position(|s| *s == solver)
        .unwrap_or(0);
    let (r, g, b) = TAB10[i % TAB10.len()];
    let t = (0.3 * shade.div_ceil(2) as f64).min(0.6);
    let lighter = |c: u8| (f64::from(c) + t * (255.0 - f64::from(c))).round() as u8;
    let darker = |c: u8| (f64::from(c) * (1.0 - t)).round() as u8;
    match shade % 2 {
        1 => RGBColor(darker(r), darker(g), darker(b)),
        _ => RGBColor(lighter(r), lighter(g), lighter(b)),
    }
}

/// The runs grouped by method (the label without the seed), in plan order.
pub fn groups<'r>(runs: &[&'r RunRecord]) -> Vec<(String, Vec<&'r RunRecord>)> {
    let mut out: Vec<(String, Vec<&RunRecord>)> = vec![];
    for r in runs {
        let name = r.spec.label(1);
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, g)) => g.push(r),
            None => out.push((name, vec![r])),
        }
    }
    out
}

/// The series of every group for `panel` against `x` (`iteration` or `time`). Values that
/// are not finite (or not positive on a log axis) are left out; statistics of a log panel are
/// taken on log10 values (a geometric mean and band).
pub fn series(runs: &[&RunRecord], x: &str, panel: &Panel) -> Vec<Series> {
    colored_groups(runs)
        .into_iter()
        .map(|(name, group, color)| {
            let (mean, band) = statistics(&group, x, panel);
            Series {
                name,
                color,
                mean,
                band,
            }
        })
        .collect()
}

/// A method's runs and its colour (see [`groups`], [`color`]).
pub type ColoredGroup<'r> = (String, Vec<&'r RunRecord>, RGBColor);

/// The runs grouped by method, each group with its colour: the solver's, a shade of it for
/// the solver's second, third, ... group.
pub fn colored_groups<'r>(runs: &[&'r RunRecord]) -> Vec<ColoredGroup<'r>> {
    let mut seen: Vec<SolverName> = vec![];
    groups(runs)
        .into_iter()
        .map(|(name, group)| {
            let solver = group[0].spec.solver;
            let shade = seen.iter().filter(|s| **s == solver).count();
            seen.push(solver);
            (name, group, color(solver, shade))
        })
        .collect()
}

/// Per history row: the mean x, and the mean and mean ± std of y over the runs that have it.
type Stats = (Vec<(f64, f64)>, Vec<(f64, f64, f64)>);

fn statistics(group: &[&RunRecord], x: &str, panel: &Panel) -> Stats {
    let rows = group.iter().map(|r| r.history.len()).max().unwrap_or(0);
    type Map = fn(f64) -> f64;
    let (to, from): (Map, Map) = if panel.log10 {
        (f64::log10, |v| 10f64.powf(v))
    } else {
        (|v| v, |v| v)
    };
    let (mut mean, mut band) = (vec![], vec![]);
    for i in 0..rows {
        let pts: Vec<(f64, f64)> = group
            .iter()
            .filter(|r| i < r.history.len())
            .filter_map(|r| Some((r.history_value(i, x)?, to(r.history_value(i, panel.key)?))))
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .collect();
        if pts.is_empty() {
            continue;
        }
        let n = pts.len() as f64;
        let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
        let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
        mean.push((mx, from(my)));
        if group.len() > 1 && pts.len() > 1 {
            let var = pts.iter().map(|p| (p.1 - my).powi(2)).sum::<f64>() / (n - 1.0);
            let sd = var.sqrt();
            band.push((mx, from(my - sd), from(my + sd)));
        }
    }
    (mean, band)
}

//! Curve figures: functions of one variable, or parametric curves, drawn as lines or markers
//! in panels side by side, with the runs' trajectories (two history columns per recorded
//! iteration, seed 0) drawn over them, start and end marked. The legend below lists the
//! curves, then the methods in their colours.

use std::ops::Range;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart::{draw_legend, draw_mesh, legend_height_of, range};
use super::contour::trajectory;
use super::series::{ColoredGroup, Series, colored_groups};
use super::{DrawError, Figure, write_figure};
use crate::error::CliResult;
use crate::record::RunRecord;

/// One curve.
#[derive(Debug, Clone)]
pub struct Curve {
    /// The legend text (curves of one name share a legend entry).
    pub name: String,
    /// Its points, in drawing order.
    pub points: Vec<(f64, f64)>,
    /// Its colour.
    pub color: RGBColor,
    /// Drawn as separate markers (else as a line).
    pub markers: bool,
}

/// One panel: curves, and the trajectories of the runs it shows.
#[derive(Debug, Clone)]
pub struct CurvePanel {
    /// The panel's title.
    pub title: String,
    /// The axis labels.
    pub labels: (&'static str, &'static str),
    /// The curves.
    pub curves: Vec<Curve>,
    /// The history columns of the runs' trajectories (x axis, y axis).
    pub columns: (&'static str, &'static str),
    /// Only the runs on this problem (`RunSpec::problem`); every run when `None`.
    pub problem: Option<&'static str>,
    /// One unit is as long on both axes (for curves in the plane).
    pub square: bool,
    /// The axis ranges to show (a zoom; what lies outside is clipped), else all of every curve
    /// and path.
    pub view: Option<(Range<f64>, Range<f64>)>,
}

/// A curve figure.
#[derive(Debug, Clone)]
pub struct Curves {
    /// The file name without extension.
    pub file: &'static str,
    /// The title.
    pub title: String,
    /// The panels.
    pub panels: Vec<CurvePanel>,
}

/// `curves` with the runs of `records` drawn over them.
struct Drawn<'a> {
    curves: &'a Curves,
    groups: Vec<ColoredGroup<'a>>,
}

/// Draws `curves` with the trajectories of seed 0 of every run; returns the files written.
pub fn draw(dir: &Path, curves: &Curves, records: &[RunRecord]) -> CliResult<Vec<PathBuf>> {
    let runs: Vec<&RunRecord> = records.iter().filter(|r| r.spec.seed == 0).collect();
    let groups = colored_groups(&runs);
    write_figure(dir, &Drawn { curves, groups })
}

impl Drawn<'_> {
    /// The legend: every curve name once, then the methods.
    fn legend(&self) -> Vec<Series> {
        let entry = |name: &str, color| Series {
            name: name.to_string(),
            color,
            mean: vec![],
            band: vec![],
        };
        let mut out: Vec<Series> = vec![];
        for c in self.curves.panels.iter().flat_map(|p| &p.curves) {
            if !out.iter().any(|s| s.name == c.name) {
                out.push(entry(&c.name, c.color));
            }
        }
        out.extend(self.groups.iter().map(|(name, _, c)| entry(name, *c)));
        out
    }

    /// The trajectories `panel` shows: each method's seed-0 run, with its colour.
    fn paths(&self, panel: &CurvePanel) -> Vec<(Vec<(f64, f64)>, RGBColor)> {
        self.groups
            .iter()
            .filter(|(_, g, _)| panel.problem.is_none_or(|p| g[0].spec.problem() == p))
            .map(|(_, g, c)| (trajectory(g[0], panel.columns), *c))
            .filter(|(path, _)| !path.is_empty())
            .collect()
    }
}

impl Figure for Drawn<'_> {
    fn file(&self) -> &str {
        self.curves.file
    }
    fn size(&self) -> (u32, u32) {
        let width = 520 * self.curves.panels.len() as u32;
        let names: Vec<String> = self.legend().into_iter().map(|s| s.name).collect();
        (width, 480 + legend_height_of(&names, width))
    }
    fn render<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| -> DrawError { Box::new(e) };
        root.fill(&WHITE).map_err(err)?;
        let root = root
            .titled(&self.curves.title, ("sans-serif", 22))
            .map_err(err)?;
        let legend = self.legend();
        let names: Vec<String> = legend.iter().map(|s| s.name.clone()).collect();
        let (w, h) = root.dim_in_pixel();
        let (top, below) = root.split_vertically(h - legend_height_of(&names, w));
        let areas = top.split_evenly((1, self.curves.panels.len()));
        for (area, panel) in areas.iter().zip(&self.curves.panels) {
            draw_panel(area, panel, &self.paths(panel))?;
        }
        draw_legend(&below, &legend).map_err(err)?;
        root.present().map_err(err)
    }
}

/// The axis ranges of a panel: its view, else every curve point and path point with a margin;
/// a square panel takes the larger span on both axes.
fn ranges(panel: &CurvePanel, paths: &[(Vec<(f64, f64)>, RGBColor)]) -> (Range<f64>, Range<f64>) {
    if let Some(view) = &panel.view {
        return view.clone();
    }
    let points = || {
        let curves = panel.curves.iter().flat_map(|c| c.points.iter());
        curves.chain(paths.iter().flat_map(|p| p.0.iter())).copied()
    };
    let (x, y) = (
        range(points().map(|p| p.0), false),
        range(points().map(|p| p.1), false),
    );
    if !panel.square {
        return (x, y);
    }
    let half = 0.5 * (x.end - x.start).max(y.end - y.start);
    let around = |r: Range<f64>| {
        let mid = 0.5 * (r.start + r.end);
        mid - half..mid + half
    };
    (around(x), around(y))
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &CurvePanel,
    paths: &[(Vec<(f64, f64)>, RGBColor)],
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| -> DrawError { Box::new(e) };
    let (x_range, y_range) = ranges(panel, paths);
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x_range.clone(), y_range.clone())
        .map_err(err)?;
    draw_mesh(&mut chart, panel.labels, RGBColor(238, 238, 238)).map_err(err)?;
    let view = (x_range, y_range);
    let inside = |p: &&(f64, f64)| {
        (view.0.start..=view.0.end).contains(&p.0) && (view.1.start..=view.1.end).contains(&p.1)
    };
    for c in &panel.curves {
        if c.markers {
            let marks = c.points.iter().filter(inside);
            let marks = marks.map(|p| Circle::new(*p, 4, c.color.filled()));
            chart.draw_series(marks).map_err(err)?;
        } else {
            for piece in clip(&c.points, &view) {
                let line = LineSeries::new(piece, c.color.stroke_width(2));
                chart.draw_series(line).map_err(err)?;
            }
        }
    }
    for (path, color) in paths {
        for piece in clip(path, &view) {
            let line = LineSeries::new(piece, color.stroke_width(2));
            chart.draw_series(line).map_err(err)?;
        }
        let ends = [path.first(), path.last()]
            .into_iter()
            .flatten()
            .filter(inside);
        let marks = ends.map(|p| Cross::new(*p, 6, color.stroke_width(2)));
        chart.draw_series(marks).map_err(err)?;
    }
    Ok(())
}

/// The parts of the polyline `points` inside the rectangle `view` (plotters would draw the
/// outside parts along the border).
fn clip(points: &[(f64, f64)], view: &(Range<f64>, Range<f64>)) -> Vec<Vec<(f64, f64)>> {
    let mut pieces: Vec<Vec<(f64, f64)>> = vec![];
    let mut open = false;
    for w in points.windows(2) {
        let Some((a, b)) = clip_segment(w[0], w[1], view) else {
            open = false;
            continue;
        };
        match pieces.last_mut() {
            Some(piece) if open && a == w[0] => piece.push(b),
            _ => pieces.push(vec![a, b]),
        }
        open = b == w[1];
    }
    pieces
}

/// The part of the segment p–q inside `view` (Liang–Barsky), if any.
fn clip_segment(
    p: (f64, f64),
    q: (f64, f64),
    (x, y): &(Range<f64>, Range<f64>),
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    let sides = [
        (-dx, p.0 - x.start),
        (dx, x.end - p.0),
        (-dy, p.1 - y.start),
        (dy, y.end - p.1),
    ];
    for (den, num) in sides {
        if den == 0.0 {
            if num < 0.0 {
                return None;
            }
        } else if den < 0.0 {
            t0 = t0.max(num / den);
        } else {
            t1 = t1.min(num / den);
        }
    }
    let at = |t: f64| (p.0 + t * dx, p.1 + t * dy);
    (t0 <= t1).then(|| (at(t0), at(t1)))
}

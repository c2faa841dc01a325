//! Landscape figures: contour lines of functions of (x, y) on a grid (marching squares, levels
//! at quantiles of the grid values), each function in its colour, with the runs' trajectories
//! (their `x` and `y` per recorded iteration) drawn over them, start and end marked.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart::{draw_legend, draw_mesh, legend_height_of};
use super::series::{Series, colored_groups, groups};
use super::{DrawError, Figure, write_figure};
use crate::error::CliResult;
use crate::record::RunRecord;

/// A function sampled on an n × n grid.
#[derive(Debug, Clone)]
pub struct Field {
    /// The legend text.
    pub name: String,
    /// Values, row by row of y (index `j * n + i` is (x_i, y_j)); non-finite ones are gaps.
    pub values: Vec<f64>,
    /// Its contour colour.
    pub color: RGBColor,
}

/// One landscape figure.
#[derive(Debug, Clone)]
pub struct Landscape {
    /// The file name without extension.
    pub file: &'static str,
    /// The title.
    pub title: String,
    /// The x range of the grid.
    pub x: (f64, f64),
    /// The y range of the grid.
    pub y: (f64, f64),
    /// Grid points per axis.
    pub n: usize,
    /// The functions drawn.
    pub fields: Vec<Field>,
    /// Labelled points (the start, the solution), drawn as black crosses with their label.
    pub marks: Vec<(String, (f64, f64))>,
}

impl Landscape {
    /// The grid's points per axis: `n` values from lo to hi.
    pub fn axis((lo, hi): (f64, f64), n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
            .collect()
    }
}

/// Contour levels: `k` quantiles of the finite values (strictly inside their range).
fn levels(values: &[f64], k: usize) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    if v.len() < 2 {
        return vec![];
    }
    let mut out: Vec<f64> = (1..=k).map(|q| v[(q * (v.len() - 1)) / (k + 1)]).collect();
    out.dedup();
    out
}

/// The segments of level `l` in the grid cell with lower-left corner (i, j).
fn cell_segments(
    f: &Field,
    xs: &[f64],
    ys: &[f64],
    (i, j): (usize, usize),
    l: f64,
) -> Vec<[(f64, f64); 2]> {
    let n = xs.len();
    let at = |a: usize, b: usize| f.values[b * n + a];
    // Corners counter-clockwise from lower left, and the edges between them.
    let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
    let vals = corners.map(|(a, b)| at(a, b));
    if vals.iter().any(|v| !v.is_finite()) {
        return vec![];
    }
    let mut points = vec![];
    for e in 0..4 {
        let (p, q) = (e, (e + 1) % 4);
        let (vp, vq) = (vals[p], vals[q]);
        if (vp < l) != (vq < l) {
            let t = (l - vp) / (vq - vp);
            let (ap, bp) = corners[p];
            let (aq, bq) = corners[q];
            let x = xs[ap] + t * (xs[aq] - xs[ap]);
            let y = ys[bp] + t * (ys[bq] - ys[bp]);
            points.push((x, y));
        }
    }
    points.chunks_exact(2).map(|c| [c[0], c[1]]).collect()
}

/// The (`x`, `y`) history values of each recorded row of `run`.
pub(super) fn trajectory(run: &RunRecord, (x, y): (&str, &str)) -> Vec<(f64, f64)> {
    (0..run.history.len())
        .filter_map(|i| Some((run.history_value(i, x)?, run.history_value(i, y)?)))
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect()
}

/// A landscape with the runs drawn over it.
struct Drawn<'a> {
    land: &'a Landscape,
    runs: Vec<&'a RunRecord>,
}

impl Figure for Drawn<'_> {
    fn file(&self) -> &str {
        self.land.file
    }
    fn size(&self) -> (u32, u32) {
        (720, 640)
    }
    fn render<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        render(root, self.land, &self.runs)
    }
}

/// Draws `land` with the trajectories of seed 0 of every run; returns the files written.
pub fn draw(dir: &Path, land: &Landscape, records: &[RunRecord]) -> CliResult<Vec<PathBuf>> {
    let runs: Vec<&RunRecord> = records.iter().filter(|r| r.spec.seed == 0).collect();
    write_figure(dir, &Drawn { land, runs })
}

/// The legend entries: the fields, then one per method (its colour as in every figure).
fn legend(land: &Landscape, runs: &[&RunRecord]) -> Vec<Series> {
    let entry = |name: String, color| Series {
        name,
        color,
        mean: vec![],
        band: vec![],
    };
    let mut out: Vec<Series> = land
        .fields
        .iter()
        .map(|f| entry(f.name.clone(), f.color))
        .collect();
    out.extend(
        colored_groups(runs)
            .into_iter()
            .map(|(name, _, c)| entry(name, c)),
    );
    out
}

fn render<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    land: &Landscape,
    runs: &[&RunRecord],
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| -> DrawError { Box::new(e) };
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(&land.title, ("sans-serif", 22)).map_err(err)?;
    let entries = legend(land, runs);
    let names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
    let (w, h) = root.dim_in_pixel();
    let (top, below) = root.split_vertically(h - legend_height_of(&names, w));
    let mut chart = ChartBuilder::on(&top)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(land.x.0..land.x.1, land.y.0..land.y.1)
        .map_err(err)?;
    let labels = ("x (upper-level variable)", "y (lower-level variable)");
    draw_mesh(&mut chart, labels, WHITE).map_err(err)?;
    let xs = Landscape::axis(land.x, land.n);
    let ys = Landscape::axis(land.y, land.n);
    for f in &land.fields {
        let mut segments = vec![];
        for l in levels(&f.values, 12) {
            for j in 0..land.n - 1 {
                for i in 0..land.n - 1 {
                    segments.extend(cell_segments(f, &xs, &ys, (i, j), l));
                }
            }
        }
        let style = f.color.mix(0.6).stroke_width(1);
        let lines = segments
            .into_iter()
            .map(|s| PathElement::new(s.to_vec(), style));
        chart.draw_series(lines).map_err(err)?;
    }
    for (line, (_, group)) in entries[land.fields.len()..].iter().zip(groups(runs)) {
        let path = trajectory(group[0], ("x", "y"));
        let style = line.color.stroke_width(3);
        chart
            .draw_series(LineSeries::new(path.clone(), style))
            .map_err(err)?;
        let ends = [path.first(), path.last()].into_iter().flatten();
        chart
            .draw_series(ends.map(|p| Circle::new(*p, 5, line.color.filled())))
            .map_err(err)?;
    }
    for (label, p) in &land.marks {
        chart
            .draw_series([Cross::new(*p, 7, BLACK.stroke_width(2))])
            .map_err(err)?;
        let at = (
            p.0 + 0.01 * (land.x.1 - land.x.0),
            p.1 - 0.015 * (land.y.1 - land.y.0),
        );
        let font = ("sans-serif", 14).into_font();
        chart
            .draw_series([Text::new(label.clone(), at, font)])
            .map_err(err)?;
    }
    draw_legend(&below, &entries).map_err(err)?;
    root.present().map_err(err)
}

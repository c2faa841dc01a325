//! Drawing a line figure: panels side by side (a log axis where the panel asks for one), each
//! method a line with its ± std band, and one legend below the panels so it covers no data.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use super::series::{Series, series};
use super::{DrawError, PlotSpec};
use crate::record::RunRecord;

/// Height of one legend row, pixels.
const LEGEND_ROW: u32 = 22;

/// The legend entries per row and the rows for `names` across `width` pixels.
fn legend_layout(names: &[String], width: u32) -> (usize, u32) {
    let widest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0) as u32;
    let entry = 40 + 8 * widest;
    let per_row = (width.saturating_sub(20) / entry.max(1)).max(1) as usize;
    (per_row, names.len().div_ceil(per_row) as u32)
}

/// The extra height the legend takes below the panels.
pub fn legend_height(runs: &[&RunRecord], width: u32) -> u32 {
    let names: Vec<String> = super::series::groups(runs)
        .into_iter()
        .map(|g| g.0)
        .collect();
    legend_height_of(&names, width)
}

/// The height a legend of `names` takes across `width` pixels.
pub fn legend_height_of(names: &[String], width: u32) -> u32 {
    legend_layout(names, width).1 * LEGEND_ROW + 12
}

/// Draws `spec` for `runs` on `root`.
pub fn render<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    spec: &PlotSpec,
    runs: &[&RunRecord],
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| -> DrawError { Box::new(e) };
    root.fill(&WHITE).map_err(err)?;
    let seeds = super::series::groups(runs)
        .iter()
        .map(|g| g.1.len())
        .max()
        .unwrap_or(1);
    let title = match seeds {
        1 => spec.title.to_string(),
        k => format!("{} (mean ± std over {k} seeds)", spec.title),
    };
    let root = root.titled(&title, ("sans-serif", 22)).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    let (top, legend) = root.split_vertically(h - legend_height(runs, w));
    let areas = top.split_evenly((1, spec.panels.len()));
    let mut first = vec![];
    for (area, panel) in areas.iter().zip(&spec.panels) {
        let lines = series(runs, spec.x, panel);
        let x = range(lines.iter().flat_map(|s| s.mean.iter().map(|p| p.0)), false);
        let ys = lines.iter().flat_map(|s| {
            let band = s.band.iter().flat_map(|b| [b.1, b.2]);
            s.mean.iter().map(|p| p.1).chain(band)
        });
        let ys: Vec<f64> = ys.collect();
        // A log axis only across more than a decade and a half: plotters labels decades only.
        let log = panel.log10 && {
            let r = range(ys.iter().copied(), true);
            r.end / r.start > 30.0
        };
        let y = range(ys.into_iter(), log);
        let x_desc = if spec.x == "time" {
            "time (s)"
        } else {
            "iteration"
        };
        if log {
            draw_panel(area, x, y.log_scale(), (x_desc, panel.label), &lines)?;
        } else {
            draw_panel(area, x, y, (x_desc, panel.label), &lines)?;
        }
        if first.is_empty() {
            first = lines;
        }
    }
    draw_legend(&legend, &first).map_err(err)?;
    root.present().map_err(err)
}

/// The range of `values` with a margin (a factor on a log axis), widened when they coincide.
pub(super) fn range(values: impl Iterator<Item = f64>, log: bool) -> Range<f64> {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && (!log || *v > 0.0))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return if log { 0.1..10.0 } else { 0.0..1.0 };
    }
    if log {
        let pad = (hi / lo).powf(0.04).max(1.05);
        return lo / pad..hi * pad;
    }
    let pad = ((hi - lo) * 0.05).max(1e-9 * lo.abs().max(1.0));
    lo - pad..hi + pad
}

/// One panel: the bands, then the mean lines, on axes `x` and `y`.
fn draw_panel<DB: DrawingBackend, Y>(
    area: &DrawingArea<DB, Shift>,
    x: Range<f64>,
    y: Y,
    (x_desc, y_desc): (&str, &str),
    lines: &[Series],
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| -> DrawError { Box::new(e) };
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    draw_mesh(&mut chart, (x_desc, y_desc), RGBColor(238, 238, 238)).map_err(err)?;
    for s in lines.iter().filter(|s| s.band.len() > 1) {
        let upper = s.band.iter().map(|b| (b.0, b.2));
        let lower = s.band.iter().rev().map(|b| (b.0, b.1));
        let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
        chart
            .draw_series(std::iter::once(Polygon::new(
                outline,
                s.color.mix(0.2).filled(),
            )))
            .map_err(err)?;
    }
    for s in lines {
        let style = s.color.stroke_width(2);
        chart
            .draw_series(LineSeries::new(s.mean.iter().copied(), style))
            .map_err(err)?;
    }
    Ok(())
}

/// The axes every panel shares: their labels, ticks without float noise ([`tick`]) and the
/// minor grid lines in `light`.
pub fn draw_mesh<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    (x_desc, y_desc): (&str, &str),
    light: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .label_style(("sans-serif", 14))
        .light_line_style(light)
        .draw()
}

/// A tick label without float noise: 10 not 10.0, 0.3 not 0.30000000000000004, 1e-5 not
/// 9.999999998e-6, 0 not -2.2e-16.
pub fn tick(v: &f64) -> String {
    // A linear axis' tick at 0 comes out as ±2e-16 or so.
    let v = if v.abs() < 1e-15 { 0.0 } else { *v };
    if v == 0.0 || (1e-3..1e5).contains(&v.abs()) {
        let digits = 5 - v.abs().log10().floor().max(-3.0) as i32;
        let scale = 10f64.powi(digits);
        return format!("{}", (v * scale).round() / scale);
    }
    let s = format!("{v:.1e}");
    s.replace(".0e", "e")
}

/// The legend below the panels: a line swatch and the method's name, row by row.
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lines: &[Series],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let names: Vec<String> = lines.iter().map(|s| s.name.clone()).collect();
    let (w, _) = area.dim_in_pixel();
    let (per_row, _) = legend_layout(&names, w);
    let widest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0) as i32;
    let entry = 40 + 8 * widest;
    for (i, s) in lines.iter().enumerate() {
        let (row, col) = ((i / per_row) as i32, (i % per_row) as i32);
        let (x, y) = (
            20 + col * entry,
            6 + row * LEGEND_ROW as i32 + LEGEND_ROW as i32 / 2,
        );
        area.draw(&PathElement::new(
            vec![(x, y), (x + 26, y)],
            s.color.stroke_width(3),
        ))?;
        area.draw(&Text::new(
            s.name.clone(),
            (x + 32, y - 8),
            ("sans-serif", 15).into_font(),
        ))?;
    }
    Ok(())
}

//! Line plots of run histories (plotters), as PNG and SVG. The PNG text is drawn with the
//! embedded DejaVu Sans (assets/), so no system font is needed.

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{CliError, CliResult};
use crate::record::RunRecord;

/// What drawing a figure fails with (plotters' error of the backend).
type DrawError = Box<dyn std::error::Error + Send + Sync>;

/// One panel: a history value against the figure's x axis.
#[derive(Debug, Clone, Copy)]
pub struct Panel {
    /// The history key (`metric`, `f`, `g`, or an experiment's extra such as `accuracy`).
    pub key: &'static str,
    /// The axis label.
    pub label: &'static str,
    /// Plot log10 of the value.
    pub log10: bool,
}

/// One figure: panels side by side, one line per run.
#[derive(Debug, Clone)]
pub struct PlotSpec {
    /// The file name without extension.
    pub file: &'static str,
    /// The title.
    pub title: &'static str,
    /// `iteration` or `time` (seconds).
    pub x: &'static str,
    /// The panels.
    pub panels: Vec<Panel>,
    /// Draw only seed 0 of each (solver, γ, η) (the papers' single-run figures).
    pub first_seed_only: bool,
}

static FONT: Once = Once::new();

fn register_font() {
    FONT.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../../assets/DejaVuSans.ttf");
        // The embedded file is a valid TrueType font; a failure would only lose the PNG text.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, bytes);
    });
}

/// Draws the figures `plots`; returns the files written.
pub fn draw_all(dir: &Path, plots: &[PlotSpec], records: &[RunRecord]) -> CliResult<Vec<PathBuf>> {
    register_font();
    let mut files = vec![];
    for spec in plots {
        let runs: Vec<&RunRecord> = records
            .iter()
            .filter(|r| !spec.first_seed_only || r.spec.seed == 0)
            .filter(|r| !r.history.is_empty())
            .collect();
        if runs.is_empty() {
            continue;
        }
        let size = (560 * spec.panels.len() as u32, 440);
        let png = dir.join(format!("{}.png", spec.file));
        let svg = dir.join(format!("{}.svg", spec.file));
        let failed = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CliError::Plot { path, source }
        };
        render(
            BitMapBackend::new(&png, size).into_drawing_area(),
            spec,
            &runs,
        )
        .map_err(failed(&png))?;
        render(SVGBackend::new(&svg, size).into_drawing_area(), spec, &runs)
            .map_err(failed(&svg))?;
        files.push(png);
        files.push(svg);
    }
    Ok(files)
}

/// The (x, y) points of one run for one panel; non-finite values are left out.
fn points(run: &RunRecord, x: &str, panel: &Panel) -> Vec<(f64, f64)> {
    (0..run.history.len())
        .filter_map(|i| {
            let xv = run.history_value(i, x)?;
            let yv = run.history_value(i, panel.key)?;
            let yv = if panel.log10 { yv.log10() } else { yv };
            (xv.is_finite() && yv.is_finite()).then_some((xv, yv))
        })
        .collect()
}

/// The smallest and largest of `values`, widened when they coincide.
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(1e-9 * lo.abs().max(1.0));
    (lo - pad, hi + pad)
}

fn render<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    spec: &PlotSpec,
    runs: &[&RunRecord],
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| -> DrawError { Box::new(e) };
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(spec.title, ("sans-serif", 22)).map_err(err)?;
    let areas = root.split_evenly((1, spec.panels.len()));
    for (area, panel) in areas.iter().zip(&spec.panels) {
        let series: Vec<(String, Vec<(f64, f64)>)> = runs
            .iter()
            .map(|r| (r.label.clone(), points(r, spec.x, panel)))
            .collect();
        let (x0, x1) = range(series.iter().flat_map(|(_, p)| p.iter().map(|q| q.0)));
        let (y0, y1) = range(series.iter().flat_map(|(_, p)| p.iter().map(|q| q.1)));
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        let y_desc = if panel.log10 {
            format!("log10 {}", panel.label)
        } else {
            panel.label.to_string()
        };
        let x_desc = if spec.x == "time" {
            "time (s)"
        } else {
            "iteration"
        };
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(err)?;
        for (i, (label, pts)) in series.into_iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(pts, color.stroke_width(2)))
                .map_err(err)?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(err)?;
    }
    root.present().map_err(err)
}

//! Figures of run histories (plotters), as PNG and SVG: line panels against iterations or
//! time, one colour per solver across all figures, mean ± std bands over seeds, log axes where
//! asked, the legend below the panels. The PNG text is drawn with the embedded DejaVu Sans
//! (assets/), so no system font is needed.

mod chart;
pub mod contour;
pub mod curves;
mod series;

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::atomic;
use crate::error::{CliError, CliResult, io_error};
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
    /// A log axis (the papers' choice for residuals and gaps).
    pub log10: bool,
}

impl Panel {
    /// `key` on a linear axis labelled `label`.
    pub fn linear(key: &'static str, label: &'static str) -> Self {
        Self {
            key,
            label,
            log10: false,
        }
    }

    /// `key` on a log axis labelled `label`.
    pub fn log(key: &'static str, label: &'static str) -> Self {
        Self {
            key,
            label,
            log10: true,
        }
    }
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
    /// Draw only seed 0 of each (solver, γ, η) (the papers' single-run figures); else each
    /// method's mean over seeds with a ± std band.
    pub first_seed_only: bool,
    /// Only the runs on this problem (experiments with several, see `RunSpec::problem`).
    pub problem: Option<&'static str>,
}

impl PlotSpec {
    /// A figure of every seed: each method's mean with a ± std band.
    pub fn bands(
        file: &'static str,
        title: &'static str,
        x: &'static str,
        panels: Vec<Panel>,
    ) -> Self {
        Self {
            file,
            title,
            x,
            panels,
            first_seed_only: false,
            problem: None,
        }
    }

    /// The same for the runs on `problem` only.
    pub fn of_problem(self, problem: &'static str) -> Self {
        Self {
            problem: Some(problem),
            ..self
        }
    }
}

static FONT: Once = Once::new();

pub(crate) fn register_font() {
    FONT.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../../../assets/DejaVuSans.ttf");
        // The embedded file is a valid TrueType font; a failure would only lose the PNG text.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, bytes);
    });
}

/// A figure that can be drawn on any plotters backend.
pub(crate) trait Figure {
    /// The file name without extension.
    fn file(&self) -> &str;
    /// (width, height) in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws the figure on `root`.
    fn render<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static;
}

/// Writes `figure` as `dir/FILE.png` and `dir/FILE.svg`, crash-safely (each drawn in full
/// before it replaces the old file); returns the two files.
pub(crate) fn write_figure(dir: &Path, figure: &impl Figure) -> CliResult<Vec<PathBuf>> {
    register_font();
    let png = dir.join(format!("{}.png", figure.file()));
    let svg = dir.join(format!("{}.svg", figure.file()));
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CliError::Plot { path, source }
    };
    let size = figure.size();
    let partial = atomic::partial_path(&png);
    figure
        .render(BitMapBackend::new(&partial, size).into_drawing_area())
        .map_err(failed(&png))?;
    atomic::commit(&partial, &png).map_err(|e| io_error("write", &png, e))?;
    let mut text = String::new();
    figure
        .render(SVGBackend::with_string(&mut text, size).into_drawing_area())
        .map_err(failed(&svg))?;
    atomic::write(&svg, text.as_bytes()).map_err(|e| io_error("write", &svg, e))?;
    Ok(vec![png, svg])
}

/// A line figure of `spec` over `runs`.
struct Lines<'a> {
    spec: &'a PlotSpec,
    runs: Vec<&'a RunRecord>,
}

impl Figure for Lines<'_> {
    fn file(&self) -> &str {
        self.spec.file
    }
    fn size(&self) -> (u32, u32) {
        let width = 560 * self.spec.panels.len() as u32;
        (width, 440 + chart::legend_height(&self.runs, width))
    }
    fn render<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        chart::render(root, self.spec, &self.runs)
    }
}

/// Draws the figures `plots`; returns the files written.
pub fn draw_all(dir: &Path, plots: &[PlotSpec], records: &[RunRecord]) -> CliResult<Vec<PathBuf>> {
    let mut files = vec![];
    for spec in plots {
        let runs: Vec<&RunRecord> = records
            .iter()
            .filter(|r| !spec.first_seed_only || r.spec.seed == 0)
            .filter(|r| spec.problem.is_none_or(|p| r.spec.problem() == p))
            .filter(|r| !r.history.is_empty())
            .collect();
        if !runs.is_empty() {
            files.extend(write_figure(dir, &Lines { spec, runs })?);
        }
    }
    Ok(files)
}

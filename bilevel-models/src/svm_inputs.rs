//! The inputs of the BLOCC authors' Table 7 run (`data/table7_authors_inputs.json`, embedded):
//! per seed the split (0-based lines of diabetes.libsvm) and each method's float32 initial c,
//! and the hyper-parameters of both methods. Checked against the data before any run: rows in
//! range and used once, split sizes as `meta.split` says, c₀ of the training size and finite.

use serde::Deserialize;

use crate::libsvm::Labelled;
use crate::svm::SvmMethod;
use crate::{Error, Result};

/// One method's settings in the authors' code.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuthorsHparams {
    /// γ.
    #[serde(rename = "gam")]
    pub gamma: f64,
    /// The step on c.
    pub eta: f64,
    /// Saddle rounds T (multiplier updates per epoch).
    #[serde(rename = "T")]
    pub rounds: usize,
    /// Gradient steps on (w, b) per round, T_y.
    #[serde(rename = "Ty")]
    pub primal_steps: usize,
    /// The step on (w, b) (the authors' eta1g = eta1F).
    #[serde(rename = "eta1F")]
    pub step_y: f64,
    /// The step on μ (the authors' eta2g = eta2F).
    #[serde(rename = "eta2F")]
    pub step_mu: f64,
    /// The g-copy's step on (w, b); must equal `step_y` (one saddle solver serves both).
    #[serde(rename = "eta1g")]
    pub step_y_g: f64,
    /// The g-copy's step on μ; must equal `step_mu`.
    #[serde(rename = "eta2g")]
    pub step_mu_g: f64,
}

#[derive(Debug, Deserialize)]
struct Hparams {
    pbgd_free: AuthorsHparams,
    blocc: AuthorsHparams,
}

#[derive(Debug, Deserialize)]
struct Meta {
    epochs: usize,
    eps: f64,
    split: [usize; 3],
    hparams: Hparams,
}

/// One seed's split and initial c.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SeedInputs {
    /// The seed.
    pub seed: u64,
    /// Training rows (0-based lines of the data file).
    pub train_rows: Vec<usize>,
    /// Validation rows.
    pub val_rows: Vec<usize>,
    /// Test rows.
    pub test_rows: Vec<usize>,
    /// PBGD-Free's c₀ (float32 values, one per training row).
    #[serde(deserialize_with = "as_f32")]
    pub c0_pbgd_free: Vec<f64>,
    /// BLOCC's c₀.
    #[serde(deserialize_with = "as_f32")]
    pub c0_blocc: Vec<f64>,
}

/// Numbers rounded to float32, as the authors' tensors hold them (null → NaN, refused later).
fn as_f32<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<f64>, D::Error> {
    let v: Vec<Option<f64>> = Vec::deserialize(d)?;
    Ok(v.into_iter()
        .map(|x| x.map_or(f64::NAN, |x| f64::from(x as f32)))
        .collect())
}

#[derive(Debug, Deserialize)]
struct File {
    meta: Meta,
    seeds: Vec<SeedInputs>,
}

/// The authors' inputs (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorsInputs {
    /// Epochs (records k = 0..epochs−1).
    pub epochs: usize,
    /// The read-out threshold on the change of the validation loss.
    pub eps: f64,
    /// Train, validation and test sizes.
    pub split: [usize; 3],
    /// PBGD-Free's settings.
    pub pbgd_free: AuthorsHparams,
    /// BLOCC's settings.
    pub blocc: AuthorsHparams,
    /// Per seed.
    pub seeds: Vec<SeedInputs>,
}

fn bad(name: &str, reason: String) -> Error {
    Error::Data {
        name: name.to_string(),
        reason,
    }
}

impl AuthorsInputs {
    /// The embedded file.
    pub fn embedded() -> Result<Self> {
        Self::parse(
            "table7_authors_inputs.json (embedded)",
            include_str!("../../data/table7_authors_inputs.json"),
        )
    }

    /// Parses `text` (the file `name`); checks what does not need the data.
    pub fn parse(name: &str, text: &str) -> Result<Self> {
        let file: File = serde_json::from_str(text).map_err(|e| bad(name, e.to_string()))?;
        let inputs = Self {
            epochs: file.meta.epochs,
            eps: file.meta.eps,
            split: file.meta.split,
            pbgd_free: file.meta.hparams.pbgd_free,
            blocc: file.meta.hparams.blocc,
            seeds: file.seeds,
        };
        inputs.check(name)?;
        Ok(inputs)
    }

    fn check(&self, name: &str) -> Result<()> {
        if self.epochs < 2 || !(self.eps.is_finite() && self.eps >= 0.0) {
            let reason = format!(
                "meta: epochs {} (≥ 2) and eps {} (≥ 0)",
                self.epochs, self.eps
            );
            return Err(bad(name, reason));
        }
        for (label, h) in [("pbgd_free", &self.pbgd_free), ("blocc", &self.blocc)] {
            if h.step_y != h.step_y_g || h.step_mu != h.step_mu_g {
                let reason = format!(
                    "meta.hparams.{label}: the g-copy's steps must equal the F-copy's (one saddle solver serves both)"
                );
                return Err(bad(name, reason));
            }
        }
        for s in &self.seeds {
            for (field, c0) in [("c0_pbgd_free", &s.c0_pbgd_free), ("c0_blocc", &s.c0_blocc)] {
                let field = format!("seed {}: {field}", s.seed);
                bilevel_core::error::ensure_len(&field, s.train_rows.len(), c0.len())?;
                bilevel_core::error::ensure_finite(&field, c0)?;
            }
        }
        Ok(())
    }

    /// Checks every seed's split against `data` (diabetes: as many rows as the split sizes'
    /// sum, 8 features): row numbers in range, no row twice, sizes as `split`.
    pub fn check_against(&self, data: &Labelled) -> Result<()> {
        let rows = self.split.iter().try_fold(0usize, |a, &b| a.checked_add(b));
        if rows != Some(data.n) || data.d != 8 {
            let rows = rows.map_or("more than usize::MAX".to_string(), |r| r.to_string());
            let reason = format!(
                "the authors' splits cover diabetes' {rows} rows × 8 features; the data has {} × {}",
                data.n, data.d
            );
            return Err(bad("Table 7 data", reason));
        }
        for s in &self.seeds {
            let mut seen = vec![false; data.n];
            let parts = [
                ("train_rows", &s.train_rows),
                ("val_rows", &s.val_rows),
                ("test_rows", &s.test_rows),
            ];
            for ((field, rows), size) in parts.into_iter().zip(self.split) {
                let name = format!("Table 7 inputs, seed {}, {field}", s.seed);
                if rows.len() != size {
                    return Err(bad(
                        &name,
                        format!("{} rows, the split says {size}", rows.len()),
                    ));
                }
                for &r in rows {
                    if r >= data.n {
                        return Err(bad(
                            &name,
                            format!("row {r} is past the data's {} rows", data.n),
                        ));
                    }
                    if std::mem::replace(&mut seen[r], true) {
                        return Err(bad(&name, format!("row {r} is used twice")));
                    }
                }
            }
        }
        Ok(())
    }

    /// The inputs of `seed`.
    pub fn seed(&self, seed: u64) -> Result<&SeedInputs> {
        self.seeds.iter().find(|s| s.seed == seed).ok_or_else(|| {
            let have: Vec<u64> = self.seeds.iter().map(|s| s.seed).collect();
            bad(
                "Table 7 inputs",
                format!("no seed {seed}; the file has seeds {have:?}"),
            )
        })
    }

    /// `method`'s settings.
    pub fn hparams(&self, method: SvmMethod) -> &AuthorsHparams {
        match method {
            SvmMethod::PbgdFree => &self.pbgd_free,
            SvmMethod::Blocc => &self.blocc,
        }
    }
}

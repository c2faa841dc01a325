//! The names a configuration chooses from — solvers, backends, MaxMin solvers — as enums, so
//! that files, flags and checkpoints read and write the same typed values and an unknown name
//! is refused with the valid ones listed.

use std::fmt;
use std::str::FromStr;

use bilevel::core::Method;
use serde::{Deserialize, Serialize};

use crate::error::CliError;

/// An enum of names: `Display`, `FromStr` (an unknown name lists the valid ones) and serde as
/// the same strings.
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident ($what:literal) { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name files and flags use.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = CliError;
            fn from_str(s: &str) -> Result<Self, CliError> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    CliError::Unknown { what: $what, name: s.to_string(), valid: names(Self::ALL) }
                })
            }
        }
    };
}

/// The names of `values`, comma-separated.
pub fn names<T: fmt::Display>(values: &[T]) -> String {
    values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

choice! {
    /// A solver of the papers' experiments (each experiment accepts some of them).
    SolverName("solver") {
        /// ALT-PBGD (pbgd-free-efficient-penalty-blo.md Alg. 1) with an inner solve per level.
        AltPbgd = "ALT-PBGD",
        /// F²SA: ALT-PBGD with one inner step per level.
        F2sa = "F2SA",
        /// JNT-PBGD.
        JntPbgd = "JNT-PBGD",
        /// PBGD-Free (Alg. 3).
        PbgdFree = "PBGD-Free",
        /// PBGD-BLOCC (coupled constraints).
        Blocc = "BLOCC",
        /// `Auto` with its defaults: it sets γ, η and the inner solves itself, so it runs once
        /// per seed whatever the γ and η lists.
        Auto = "Auto",
        /// Perturbed GD with the convex-QP step (perturbed-gd-convex-qp-nonconvex-blo.md Alg. 1).
        PerturbedGd = "PerturbedGD",
        /// AID: implicit differentiation with conjugate gradient.
        Aid = "AID",
        /// ITD: differentiation through K unrolled inner steps.
        Itd = "ITD",
        /// BOME: the value-function method with a dynamic barrier.
        Bome = "BOME",
    }
}

impl SolverName {
    /// Whether `method` is a configuration of this solver (F²SA is ALT-PBGD's single-loop
    /// form, so both names accept an ALT-PBGD method).
    pub fn accepts(self, method: &Method) -> bool {
        matches!(
            (self, method),
            (SolverName::AltPbgd | SolverName::F2sa, Method::AltPbgd(_))
                | (SolverName::JntPbgd, Method::JntPbgd(_))
                | (SolverName::PbgdFree, Method::PbgdFree(_))
                | (SolverName::Blocc, Method::Blocc(_))
                | (SolverName::Auto, Method::Auto(_))
                | (SolverName::PerturbedGd, Method::PerturbedGd(_))
                | (SolverName::Aid, Method::Aid(_))
                | (SolverName::Itd, Method::Itd(_))
                | (SolverName::Bome, Method::Bome(_))
        )
    }
}

choice! {
    /// A burn backend, by the name `--backend` takes.
    BackendName("backend") {
        /// burn's NdArray on the CPU, in f64.
        Ndarray = "ndarray",
        /// burn's wgpu (Vulkan, Metal, DirectX), in f32 (feature `wgpu`).
        Wgpu = "wgpu",
        /// burn's Flex on the CPU (gemm, SIMD), in f32 (feature `flex`, on by default).
        Flex = "flex",
    }
}

choice! {
    /// The MaxMin (lower-level saddle) solver of experiments with coupled constraints.
    MaxMin("maxmin") {
        /// Simultaneous gradient descent–ascent (the papers' choice).
        DescentAscent = "descent-ascent",
        /// The method of multipliers with adaptive ρ.
        Augmented = "augmented",
    }
}

choice! {
    /// How table7 runs: this library's protocol, or the BLOCC authors' code's.
    Protocol("protocol") {
        /// c₀ = 1, simultaneous descent–ascent, b unregularized, a mean over the validation rows.
        Ours = "ours",
        /// The authors' splits, c₀, block descent–ascent and read-out (`svm_authors`).
        Authors = "authors",
    }
}

choice! {
    /// The lower-level classifier of hyper-cleaning.
    Classifier("classifier") {
        /// Logits a W + b (convex lower level).
        Linear = "linear",
        /// One hidden ReLU layer of 32 units (nonconvex lower level).
        Mlp = "mlp",
    }
}

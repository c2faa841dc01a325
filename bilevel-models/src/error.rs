//! The error type of `bilevel-models`.

/// What can go wrong when a model is built from data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error of the core library (shapes, domains, evaluation).
    #[error(transparent)]
    Core(#[from] bilevel_core::Error),
    /// A dataset that cannot be used as given.
    #[error("dataset `{name}`: {reason}")]
    Data {
        /// The dataset or field.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

//! # bilevel-macros
//!
//! Home of the `#[bilevel]` procedural macro (DESIGN.md §4), which will turn a bilevel
//! problem written in plain math into a type implementing `bilevel_core::Problem`.
//!
//! Status: not implemented yet — this crate exports nothing. Until it lands, problems are
//! written by hand against the `Problem` trait (see `bilevel_core::Problem` and the models in
//! `bilevel-models`). The facade crate `bilevel` does not depend on this crate yet.
#![warn(missing_docs)]

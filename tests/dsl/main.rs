//! Integration tests of the #[bilevel] DSL: declared problems, operators, models, compile errors.

#[path = "../common/mod.rs"]
mod common;

mod dsl;
mod dsl_appendix;
mod dsl_models;
mod dsl_ops;
mod dsl_parts;
mod dsl_ui;

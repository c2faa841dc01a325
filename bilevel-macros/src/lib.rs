//! # bilevel-macros
//!
//! The `#[bilevel]` attribute: declare a bilevel problem in plain math; get a type that
//! implements `bilevel::core::Problem<B>` for every backend `B`. Use it through the facade
//! crate (`use bilevel::prelude::*;`), whose docs hold the full DSL reference.
//!
//! ```ignore
//! #[bilevel(
//!     f = (1.0 - y).exp() / (2.0 + (4.0 * x).cos()) + 0.5 * ((4.0 * x - 2.0).powi(2) + 1.0).ln() + x.powi(2),
//!     g = 2.0 * (y - x).powi(2) + x / 2.0 * (x + y).sin().powi(2),
//! )]
//! pub struct Example3 {
//!     #[upper(domain = interval(0.0, 3.0), init = 0.0)]
//!     x: Scalar,
//!     #[lower(domain = interval(0.0, 3.0), init = 0.0)]
//!     y: Scalar,
//! }
//! ```
//!
//! Pipeline (as in thiserror-impl and serde_derive): parse (`parse.rs`) into an IR that keeps
//! spans (`ir.rs`), type-check and translate the expressions (`expr.rs`), generate the items
//! (`codegen.rs`). Every mistake is collected and reported at its span; a declaration with
//! errors still yields the struct, so that one mistake does not cascade.
#![warn(missing_docs)]

mod codegen;
mod expr;
mod ir;
mod parse;

use proc_macro::TokenStream;

/// Declares a bilevel problem. See the `bilevel` crate's DSL reference.
#[proc_macro_attribute]
pub fn bilevel(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(item as syn::ItemStruct);
    let mut errors = parse::Errors::default();
    let generated = parse::declaration(attr.into(), &item, &mut errors).and_then(|decl| {
        if errors.is_empty() {
            codegen::generate(&decl, &mut errors)
        } else {
            None
        }
    });
    match generated {
        Some(tokens) if errors.is_empty() => tokens.into(),
        _ => {
            let mut out = codegen::fallback(&item.vis, &item.ident);
            out.extend(errors.into_compile_errors());
            out.into()
        }
    }
}

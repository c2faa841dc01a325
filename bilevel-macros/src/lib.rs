//! # bilevel-macros
//!
//! The `#[bilevel]` attribute: declare a bilevel problem in plain math; get a type that
//! implements `Problem<B>` of `bilevel-core` for every backend `B`. Use it through the facade
//! crate (`use bilevel::prelude::*;`), whose docs hold the full DSL reference; inside the
//! workspace (or with `bilevel-core` as a direct dependency) say where the core crate is with
//! `#[bilevel(crate = bilevel_core, ..)]`.
//!
//! ```ignore
//! #[bilevel(
//!     let logits = matmul(a, w) + b,
//!     f = mean(cross_entropy(matmul(a_val, w) + b, labels_val)),
//!     g = mean(sigmoid(x) * cross_entropy(logits, labels)) + 0.001 * (norm2(w) + norm2(b)),
//! )]
//! pub struct HyperCleaning {
//!     #[upper] x: Vector<n>,
//!     #[lower] w: Matrix<d, k>,
//!     #[lower] b: Vector<k>,
//!     #[data] a: Matrix<n, d>,
//!     #[data] labels: Labels<n, k>,
//!     #[data] a_val: Matrix<m, d>,
//!     #[data] labels_val: Labels<m, k>,
//! }
//! ```
//!
//! Pipeline (as in thiserror-impl and serde_derive): parse (`parse.rs`, `fields.rs`) into an
//! IR that keeps spans (`ir.rs`), resolve sizes and batch groups (`scope.rs`), type-check and
//! translate the expressions (`expr.rs`, `funcs.rs`), generate the items (`codegen.rs`,
//! `construct.rs`, `settings.rs`). Every mistake is collected and reported at its span; a declaration with
//! errors still yields the type, `new` and stub trait items, so that one mistake does not
//! cascade.
#![warn(missing_docs)]

mod arith;
mod codegen;
mod config;
mod construct;
mod expr;
mod fields;
mod funcs;
mod ir;
mod parse;
mod scope;
mod settings;
mod shard;
mod split;

use proc_macro::TokenStream;

/// Declares a bilevel problem. See the `bilevel` crate's DSL reference.
#[proc_macro_attribute]
pub fn bilevel(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(item as syn::ItemStruct);
    let mut errors = parse::Errors::default();
    let decl = parse::declaration(attr.into(), &item, &mut errors);
    let generated = decl.as_ref().and_then(|decl| {
        let scope = scope::scope(decl, &mut errors);
        if errors.is_empty() {
            codegen::generate(decl, &scope, &mut errors)
        } else {
            None
        }
    });
    match generated {
        Some(tokens) if errors.is_empty() => tokens.into(),
        _ => {
            let mut out = construct::fallback(&item, decl.as_ref());
            out.extend(errors.into_compile_errors());
            out.into()
        }
    }
}

/// Solver configurations as validated data (used inside `bilevel-core`): `new(required)`,
/// `with_*` builders, `Default`, a `Deserialize` that fills defaults and refuses unknown
/// fields, and `Validate`. Field attributes: `#[config(default = expr)]`,
/// `#[config(check = positive | non_negative | unit | at_least_one | finite | nested)]`,
/// `#[config(into)]`; on the struct, `#[config(extra = method)]`.
#[proc_macro_derive(Config, attributes(config))]
pub fn derive_config(item: TokenStream) -> TokenStream {
    config::derive(syn::parse_macro_input!(item as syn::DeriveInput)).into()
}

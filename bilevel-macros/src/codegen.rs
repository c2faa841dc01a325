//! Code generation of the objectives: block views, intermediate values, the value of f, g
//! and c, and the `Problem` implementation that holds them.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::construct;
use crate::expr::{Translator, Ty, Typed};
use crate::ir::{Decl, Level};
use crate::parse::Errors;
use crate::scope::Scope;
use crate::split::Split;

/// The `let` bindings of the blocks an objective reads, viewed from the flat variables (and
/// read at the minibatch's rows where the block's first extent is a batched size).
fn views(decl: &Decl, scope: &Scope, all: &BTreeSet<String>) -> TokenStream {
    let mut out = TokenStream::new();
    let core = &decl.core;
    for level in [Level::Upper, Level::Lower] {
        let (var, flat) = match level {
            Level::Upper => (quote!(__upper), quote!(__x)),
            Level::Lower => (quote!(__lower), quote!(__y)),
        };
        for (index, b) in decl.blocks.iter().filter(|b| b.level == level).enumerate() {
            if !all.contains(&b.name.to_string()) {
                continue;
            }
            let name = &b.name;
            let rank = b.shape.len().max(1);
            out.extend(quote! {
                let #name: #core::burn::tensor::Tensor<T, #rank> =
                    self.#var.layout().view::<T, #rank>(&#flat, #index)?;
            });
            if let Some(g) = scope.group_of_shape(&b.shape) {
                let batch = format_ident!("__batch_{}", scope.groups[g].name);
                out.extend(quote!(let #name = self.#batch.take_rows(#name);));
            }
        }
    }
    out
}

/// The intermediate values among `all`, in declaration order.
fn values(tr: &Translator, all: &BTreeSet<String>) -> TokenStream {
    let lets = tr.lets.iter().filter(|l| all.contains(&l.name.to_string()));
    let lines = lets.map(|l| {
        let (name, code) = (&l.name, &l.code);
        quote!(let #name = #code;)
    });
    quote!(#(#lines)*)
}

/// A one-element result as a `[1]` tensor.
fn as_value(t: Typed, what: &str, tokens: &syn::Expr, errors: &mut Errors) -> Option<TokenStream> {
    let c = t.code;
    match t.ty {
        Ty::Tensor {
            unit: true,
            rank: 1,
        } => Some(c),
        Ty::Tensor { unit: true, .. } => Some(quote!(#c.reshape([1]))),
        Ty::Tensor { rank, .. } => {
            errors.spanned(tokens, format!("{what} must be a single number, but this is a rank-{rank} tensor; reduce it with `sum()`, `mean()`, `dot(..)` or `norm2()`"));
            None
        }
        Ty::Scalar => {
            errors.spanned(tokens, format!("{what} does not depend on any variable"));
            None
        }
        Ty::Labels => {
            errors.spanned(tokens, format!("{what} must be a number, not class labels"));
            None
        }
    }
}

/// One objective's code: the names it reads (blocks, values, data), its intermediate values
/// and its value.
struct Body {
    all: BTreeSet<String>,
    values: TokenStream,
    value: TokenStream,
}

impl Body {
    /// A method body: the views of the blocks it reads, its values, `Ok(value)`.
    fn method(&self, tr: &Translator) -> TokenStream {
        let (views, values, value) = (
            views(tr.decl, tr.scope, &self.all),
            &self.values,
            &self.value,
        );
        quote!({ #views #values Ok(#value) })
    }

    /// The same as a block of `parts`, without the views in `shared` (viewed before it).
    fn part(&self, tr: &Translator, shared: &BTreeSet<String>) -> TokenStream {
        let own = self.all.difference(shared).cloned().collect();
        let (views, values, value) = (views(tr.decl, tr.scope, &own), &self.values, &self.value);
        quote!({ #views #values #value })
    }
}

/// The blocks read by more than one of `bodies`: `parts` views them once.
fn shared_blocks(decl: &Decl, bodies: &[&Body]) -> BTreeSet<String> {
    let blocks = decl.blocks.iter().map(|b| b.name.to_string());
    blocks
        .filter(|b| bodies.iter().filter(|body| body.all.contains(b)).count() > 1)
        .collect()
}

/// `Problem::parts`: the blocks shared by f, g and c viewed once, then each wanted objective.
fn parts(tr: &Translator, f: &Body, g: &Body, c: Option<&Body>) -> TokenStream {
    let core = &tr.decl.core;
    let tensor = quote!(#core::burn::tensor::Tensor);
    let bodies: Vec<&Body> = [Some(f), Some(g), c].into_iter().flatten().collect();
    let shared = shared_blocks(tr.decl, &bodies);
    let views = views(tr.decl, tr.scope, &shared);
    let (pf, pg) = (f.part(tr, &shared), g.part(tr, &shared));
    let pc = match c {
        Some(c) => {
            let pc = c.part(tr, &shared);
            quote!(if __want.c { Some(#pc) } else { None })
        }
        None => quote!(None),
    };
    quote! {
        fn parts<T: #core::Lift<B>>(&self, __x: #tensor<T, 1>, __y: #tensor<T, 1>, __want: #core::Want)
            -> #core::Result<#core::Parts<T>> {
            #views
            Ok(#core::Parts {
                f: if __want.f { Some(#pf) } else { None },
                g: if __want.g { Some(#pg) } else { None },
                c: #pc,
            })
        }
    }
}

/// The code of f or g; `uses` gets every name it reads, and `unshardable` why the objective
/// is not a sum over shards (when it is not).
fn objective(
    tr: &mut Translator,
    e: &syn::Expr,
    level: Level,
    uses: &mut BTreeSet<String>,
    unshardable: &mut Vec<String>,
    errors: &mut Errors,
) -> Option<Body> {
    let t = tr.expr(e, errors);
    let used = std::mem::take(&mut tr.used);
    let all = tr.closure(&used);
    uses.extend(all.iter().cloned());
    let what = match level {
        Level::Upper => "the upper objective f",
        Level::Lower => "the lower objective g",
    };
    if level == Level::Lower && !tr.uses_level(&all, Level::Lower) {
        errors.spanned(e, "the lower objective g never uses a lower-level variable, so y*(x) is not defined by it");
    }
    let mut value = as_value(t?, what, e, errors)?;
    if !tr.scope.groups.is_empty() {
        match tr.split(e) {
            Split::Partial => {}
            // Every shard computes all of it: it counts on the lead shard only.
            Split::Whole => value = quote!(#value.mul_scalar(self.__lead)),
            Split::Rows(_) => unshardable.push(format!("{what} is a value per row")),
            Split::Opaque(why) => unshardable.push(format!(
                "{what} is not a sum over the rows of its batch groups: {why}"
            )),
        }
    }
    let values = values(tr, &all);
    Some(Body { all, values, value })
}

/// The code of c: a vector, or a list of numbers and vectors concatenated.
fn constraints(
    tr: &mut Translator,
    e: &syn::Expr,
    uses: &mut BTreeSet<String>,
    errors: &mut Errors,
) -> Option<Body> {
    let parts: Vec<&syn::Expr> = match e {
        syn::Expr::Array(a) => a.elems.iter().collect(),
        other => vec![other],
    };
    // Every item is translated (all errors reported, all uses counted) before giving up.
    let mut codes = vec![];
    for p in &parts {
        let Some(t) = tr.expr(p, errors) else {
            codes.push(None);
            continue;
        };
        let c = t.code;
        codes.push(match t.ty {
            Ty::Tensor { rank: 1, .. } => Some(c),
            Ty::Tensor { unit: true, .. } => Some(quote!(#c.reshape([1]))),
            _ => {
                errors.spanned(p, "each coupled constraint must be a number or a vector that depends on the variables");
                None
            }
        });
    }
    let used = std::mem::take(&mut tr.used);
    let all = tr.closure(&used);
    uses.extend(all.iter().cloned());
    if !tr.uses_level(&all, Level::Lower) {
        errors.spanned(e, "the coupled constraints c never use a lower-level variable; put constraints on x alone in the domain of x");
    }
    let batched = tr
        .decl
        .data
        .iter()
        .map(|d| &d.name)
        .filter(|n| tr.scope.group_of_field(n).is_some());
    let batched_blocks = tr
        .decl
        .blocks
        .iter()
        .filter(|b| tr.scope.group_of_shape(&b.shape).is_some())
        .map(|b| &b.name);
    if let Some(n) = batched
        .chain(batched_blocks)
        .find(|n| all.contains(&n.to_string()))
    {
        errors.spanned(e, format!("the coupled constraints read `{n}`, which is batched; constraints must hold on every row, so c cannot read a minibatch"));
    }
    let codes = codes.into_iter().collect::<Option<Vec<_>>>()?;
    let values = values(tr, &all);
    let core = &tr.decl.core;
    let value = match codes.as_slice() {
        [one] => one.clone(),
        _ => quote!(#core::burn::tensor::Tensor::cat(vec![#(#codes),*], 0)),
    };
    Some(Body { all, values, value })
}

/// Every `let` value must be read by f, g, c or another value that is.
fn check_values_used(tr: &Translator, uses: &BTreeSet<String>, errors: &mut Errors) {
    for l in &tr.decl.lets {
        if !uses.contains(&l.name.to_string()) {
            errors.push(
                l.name.span(),
                format!(
                    "the value `{}` is never used by f, g or c; remove it",
                    l.name
                ),
            );
        }
    }
}

/// Everything for a valid declaration, or `None` with errors recorded.
pub fn generate(decl: &Decl, scope: &Scope, errors: &mut Errors) -> Option<TokenStream> {
    let mut tr = Translator::new(decl, scope);
    tr.translate_lets(errors);
    let (mut uses, mut unshardable) = (BTreeSet::new(), vec![]);
    let f = objective(
        &mut tr,
        &decl.f,
        Level::Upper,
        &mut uses,
        &mut unshardable,
        errors,
    );
    let g = objective(
        &mut tr,
        &decl.g,
        Level::Lower,
        &mut uses,
        &mut unshardable,
        errors,
    );
    let c = decl
        .c
        .as_ref()
        .map(|c| constraints(&mut tr, c, &mut uses, errors));
    check_values_used(&tr, &uses, errors);
    let (f, g) = (f?, g?);
    let c = match c {
        Some(Some(c)) => Some(c),
        Some(None) => return None,
        None => None,
    };
    if !errors.is_empty() {
        return None;
    }
    let core = &decl.core;
    let name = &decl.name;
    let tensor = quote!(#core::burn::tensor::Tensor);
    let backend = quote!(#core::burn::tensor::backend::Backend);
    let parts = parts(&tr, &f, &g, c.as_ref());
    let (f, g) = (f.method(&tr), g.method(&tr));
    let c_impl = c.map(|c| {
        let body = c.method(&tr);
        let body = quote!({ let __c: #core::Result<#tensor<T, 1>> = #body; __c.map(Some) });
        quote! {
            fn num_constraints(&self) -> usize { self.__num_constraints }
            fn c<T: #core::Lift<B>>(&self, __x: #tensor<T, 1>, __y: #tensor<T, 1>)
                -> #core::Result<Option<#tensor<T, 1>>> #body
        }
    });
    let select = construct::select_batch(decl, scope);
    let shardable = crate::shard::shardable(decl, scope, &unshardable);
    let items = construct::items(decl, scope, errors);
    if !errors.is_empty() {
        return None;
    }
    Some(quote! {
        #items

        impl<B: #backend> #core::Problem<B> for #name<B> {
            fn upper(&self) -> &#core::Variable { &self.__upper }
            fn lower(&self) -> &#core::Variable { &self.__lower }
            fn device(&self) -> B::Device { self.__device.clone() }
            fn f<T: #core::Lift<B>>(&self, __x: #tensor<T, 1>, __y: #tensor<T, 1>) -> #core::Result<#tensor<T, 1>> #f
            fn g<T: #core::Lift<B>>(&self, __x: #tensor<T, 1>, __y: #tensor<T, 1>) -> #core::Result<#tensor<T, 1>> #g
            #c_impl
            #parts
            #select
        }

        #shardable
    })
}

//! Code generation: the problem type, its constructor and its `Problem` implementation.

use proc_macro2::TokenStream;
use quote::quote;

use crate::expr::{Translator, Ty, Typed};
use crate::ir::{BlockDecl, DataDecl, Decl, DomainDecl, InitDecl, Level};
use crate::parse::Errors;

fn floats(v: &[f64]) -> TokenStream {
    let lits = v.iter().map(|x| float(*x));
    quote!(vec![#(#lits),*])
}

fn float(x: f64) -> TokenStream {
    if x == f64::INFINITY {
        quote!(f64::INFINITY)
    } else if x == f64::NEG_INFINITY {
        quote!(f64::NEG_INFINITY)
    } else {
        let l = proc_macro2::Literal::f64_suffixed(x);
        quote!(#l)
    }
}

fn domain(d: &DomainDecl) -> TokenStream {
    let core = quote!(::bilevel::core);
    match d {
        DomainDecl::Free => quote!(#core::Domain::free()),
        DomainDecl::NonNegative => quote!(#core::Domain::non_negative()),
        DomainDecl::Interval(lo, hi) => {
            let (lo, hi) = (float(*lo), float(*hi));
            quote!(#core::Domain::interval(#lo, #hi)?)
        }
        DomainDecl::Boxed(lo, hi) => {
            let (lo, hi) = (floats(lo), floats(hi));
            quote!(#core::Domain::boxed(#lo, #hi)?)
        }
        DomainDecl::Ball { radius, center } => {
            let r = float(*radius);
            let c = floats(center.as_deref().unwrap_or(&[0.0]));
            quote!(#core::Domain::ball(#c, #r)?)
        }
        DomainDecl::Simplex(total) => {
            let t = float(*total);
            quote!(#core::Domain::simplex_with_total(#t)?)
        }
    }
}

fn init(i: &InitDecl) -> TokenStream {
    let core = quote!(::bilevel::core);
    match i {
        InitDecl::Constant(v) => {
            let v = float(*v);
            quote!(#core::Init::Constant { value: #v })
        }
        InitDecl::Values(v) => {
            let v = floats(v);
            quote!(#core::Init::Values { values: #v })
        }
        InitDecl::Uniform(lo, hi, seed) => {
            let (lo, hi) = (float(*lo), float(*hi));
            quote!(#core::Init::Uniform { lo: #lo, hi: #hi, seed: #seed })
        }
        InitDecl::Normal(std, seed) => {
            let std = float(*std);
            quote!(#core::Init::Normal { std: #std, seed: #seed })
        }
    }
}

fn variable(level: Level, blocks: &[&BlockDecl]) -> TokenStream {
    let word = level.word();
    let specs = blocks.iter().map(|b| {
        let name = b.name.to_string();
        let shape = &b.shape;
        let (d, i) = (domain(&b.domain), init(&b.init));
        quote!(::bilevel::core::dsl::BlockSpec { name: #name, shape: &[#(#shape),*], domain: #d, init: #i })
    });
    quote!(::bilevel::core::dsl::variable(#word, vec![#(#specs),*])?)
}

fn data_field(d: &DataDecl) -> (TokenStream, TokenStream) {
    let name = &d.name;
    match &d.shape {
        None => (quote!(#name: f64), quote!(#name: f64)),
        Some(s) => {
            let rank = s.len().max(1);
            (
                quote!(#name: ::bilevel::core::burn::tensor::Tensor<B, #rank>),
                quote!(#name: ::bilevel::core::burn::tensor::Tensor<B, #rank>),
            )
        }
    }
}

fn data_check(d: &DataDecl) -> TokenStream {
    let name = &d.name;
    let label = name.to_string();
    match &d.shape {
        None => quote!(::bilevel::core::error::ensure_finite(#label, &[#name])?;),
        Some(s) => {
            let dims = s.iter().map(|e| match e {
                Some(n) => quote!(Some(#n)),
                None => quote!(None),
            });
            quote!(::bilevel::core::dsl::check_data(#label, &[#(#dims),*], &#name)?;)
        }
    }
}

/// The `let` bindings of the blocks an objective uses, viewed from the flat variables.
fn views(decl: &Decl, used: &std::collections::BTreeSet<String>) -> TokenStream {
    let mut out = TokenStream::new();
    for level in [Level::Upper, Level::Lower] {
        let (var, flat) = match level {
            Level::Upper => (quote!(__upper), quote!(__x)),
            Level::Lower => (quote!(__lower), quote!(__y)),
        };
        for (index, b) in decl.blocks.iter().filter(|b| b.level == level).enumerate() {
            if used.contains(&b.name.to_string()) {
                let name = &b.name;
                let rank = b.shape.len().max(1);
                out.extend(quote! {
                    let #name: ::bilevel::core::burn::tensor::Tensor<T, #rank> =
                        self.#var.layout().view::<T, #rank>(&#flat, #index)?;
                });
            }
        }
    }
    out
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
    }
}

/// The body of f or g: views, then the value.
fn objective(decl: &Decl, e: &syn::Expr, which: &str, errors: &mut Errors) -> Option<TokenStream> {
    let mut tr = Translator::new(decl);
    let t = tr.expr(e, errors)?;
    let (what, level) = if which == "f" {
        ("the upper objective f", Level::Upper)
    } else {
        ("the lower objective g", Level::Lower)
    };
    if level == Level::Lower && !tr.uses_level(Level::Lower) {
        errors.spanned(e, "the lower objective g never uses a lower-level variable, so y*(x) is not defined by it");
    }
    let value = as_value(t, what, e, errors)?;
    let views = views(decl, &tr.used);
    Some(quote!({ #views Ok(#value) }))
}

/// The body of c: a vector, or a list of numbers and vectors concatenated.
fn constraints(decl: &Decl, e: &syn::Expr, errors: &mut Errors) -> Option<TokenStream> {
    let mut tr = Translator::new(decl);
    let parts: Vec<&syn::Expr> = match e {
        syn::Expr::Array(a) => a.elems.iter().collect(),
        other => vec![other],
    };
    let mut codes = vec![];
    for p in &parts {
        let t = tr.expr(p, errors)?;
        let c = t.code;
        codes.push(match t.ty {
            Ty::Tensor { rank: 1, .. } => c,
            Ty::Tensor { unit: true, .. } => quote!(#c.reshape([1])),
            _ => {
                errors.spanned(p, "each coupled constraint must be a number or a vector that depends on the variables");
                return None;
            }
        });
    }
    if !tr.uses_level(Level::Lower) {
        errors.spanned(e, "the coupled constraints c never use a lower-level variable; put constraints on x alone in the domain of x");
    }
    let views = views(decl, &tr.used);
    Some(
        quote!({ #views Ok(Some(::bilevel::core::burn::tensor::Tensor::cat(vec![#(#codes),*], 0))) }),
    )
}

/// Everything for a valid declaration, or `None` with errors recorded.
pub fn generate(decl: &Decl, errors: &mut Errors) -> Option<TokenStream> {
    let f = objective(decl, &decl.f, "f", errors);
    let g = objective(decl, &decl.g, "g", errors);
    let c = decl.c.as_ref().map(|c| constraints(decl, c, errors));
    let (f, g) = (f?, g?);
    let c = match c {
        Some(Some(c)) => Some(c),
        Some(None) => return None,
        None => None,
    };
    let Decl {
        vis, name, docs, ..
    } = decl;
    let upper_blocks: Vec<&BlockDecl> = decl
        .blocks
        .iter()
        .filter(|b| b.level == Level::Upper)
        .collect();
    let lower_blocks: Vec<&BlockDecl> = decl
        .blocks
        .iter()
        .filter(|b| b.level == Level::Lower)
        .collect();
    let (upper, lower) = (
        variable(Level::Upper, &upper_blocks),
        variable(Level::Lower, &lower_blocks),
    );
    let (fields, params): (Vec<_>, Vec<_>) = decl.data.iter().map(data_field).unzip();
    let checks = decl.data.iter().map(data_check);
    let data_names: Vec<_> = decl.data.iter().map(|d| &d.name).collect();
    let core = quote!(::bilevel::core);
    let backend = quote!(#core::burn::tensor::backend::Backend);
    let tensor = quote!(#core::burn::tensor::Tensor);
    let c_impl = c.map(|body| {
        quote! {
            fn num_constraints(&self) -> usize { self.__num_constraints }
            fn c<T: #core::Lift<B>>(&self, __x: #tensor<T, 1>, __y: #tensor<T, 1>)
                -> #core::Result<Option<#tensor<T, 1>>> #body
        }
    });
    let count = if decl.c.is_some() {
        quote!(__problem.__num_constraints = #core::dsl::guarded("the coupled constraints c", || #core::dsl::count_constraints(&__problem))?;)
    } else {
        quote!()
    };
    let new_doc = format!(
        "The problem on `device`{}. Data are checked against their declared shapes and for NaN/Inf.",
        if data_names.is_empty() {
            String::new()
        } else {
            format!(
                " with data {}",
                data_names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    Some(quote! {
        #(#docs)*
        #[derive(Debug, Clone)]
        #vis struct #name<B: #backend> {
            __upper: #core::Variable,
            __lower: #core::Variable,
            __device: B::Device,
            __num_constraints: usize,
            #(#fields,)*
        }

        impl<B: #backend> #name<B> {
            #[doc = #new_doc]
            #[allow(clippy::too_many_arguments)]
            pub fn new(device: &B::Device #(, #params)*) -> #core::Result<Self> {
                #(#checks)*
                let mut __problem = Self {
                    __upper: #upper,
                    __lower: #lower,
                    __device: device.clone(),
                    __num_constraints: 0,
                    #(#data_names,)*
                };
                #count
                #core::dsl::guarded("the objectives at the initial point", || #core::check_problem(&__problem))?;
                Ok(__problem)
            }
        }

        impl<B: #backend> #core::Problem<B> for #name<B> {
            fn upper(&self) -> &#core::Variable { &self.__upper }
            fn lower(&self) -> &#core::Variable { &self.__lower }
            fn device(&self) -> B::Device { self.__device.clone() }
            fn f<T: #core::Lift<B>>(&self, __x: #tensor<T, 1>, __y: #tensor<T, 1>) -> #core::Result<#tensor<T, 1>> #f
            fn g<T: #core::Lift<B>>(&self, __x: #tensor<T, 1>, __y: #tensor<T, 1>) -> #core::Result<#tensor<T, 1>> #g
            #c_impl
        }
    })
}

/// The struct alone, so that code naming the type still compiles when the declaration has
/// errors (no cascade of "type not found").
pub fn fallback(decl_vis: &syn::Visibility, name: &syn::Ident) -> TokenStream {
    let core = quote!(::bilevel::core);
    quote! {
        #decl_vis struct #name<B: #core::burn::tensor::backend::Backend>(::core::marker::PhantomData<B>);
    }
}

//! Code generation of what a declaration sets once, in `new`: domains, and initial values
//! whose numbers may name sizes and number data (`normal(sqrt(2.0 / d), seed + 1)`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;

use crate::ir::{DataKind, Decl, DomainDecl, InitDecl, Setting};
use crate::scope::Scope;

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

fn floats(v: &[f64]) -> TokenStream {
    let lits = v.iter().map(|x| float(*x));
    quote!(vec![#(#lits),*])
}

pub fn domain(core: &TokenStream, d: &DomainDecl) -> TokenStream {
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

/// A number setting in `init`: literals, sizes, `f64`/integer data, + − × ÷, `sqrt`.
fn setting(decl: &Decl, scope: &Scope, e: &syn::Expr) -> syn::Result<TokenStream> {
    let bad = |e: &syn::Expr| {
        syn::Error::new_spanned(
            e,
            "an initial value is a number built from literals, sizes and number or integer data fields with + - * / and sqrt",
        )
    };
    match e {
        syn::Expr::Lit(_) => Ok(float(crate::fields::number(e)?)),
        syn::Expr::Paren(p) => setting(decl, scope, &p.expr).map(|c| quote!((#c))),
        syn::Expr::Group(g) => setting(decl, scope, &g.expr),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => {
            setting(decl, scope, &u.expr).map(|c| quote!((-#c)))
        }
        syn::Expr::Binary(b) => {
            let (l, r) = (
                setting(decl, scope, &b.left)?,
                setting(decl, scope, &b.right)?,
            );
            let op = &b.op;
            match op {
                syn::BinOp::Add(_)
                | syn::BinOp::Sub(_)
                | syn::BinOp::Mul(_)
                | syn::BinOp::Div(_) => Ok(quote!((#l #op #r))),
                _ => Err(bad(e)),
            }
        }
        syn::Expr::Call(c)
            if matches!(&*c.func, syn::Expr::Path(p) if p.path.is_ident("sqrt"))
                && c.args.len() == 1 =>
        {
            let a = setting(decl, scope, &c.args[0])?;
            Ok(quote!((#a).sqrt()))
        }
        syn::Expr::MethodCall(m) if m.method == "sqrt" && m.args.is_empty() => {
            let a = setting(decl, scope, &m.receiver)?;
            Ok(quote!((#a).sqrt()))
        }
        syn::Expr::Path(p) if p.path.get_ident().is_some() => {
            let id = p.path.get_ident().expect("checked");
            if p.path.is_ident("inf") {
                return Ok(quote!(f64::INFINITY));
            }
            if scope.size(id).is_some() {
                return Ok(quote!((#id as f64)));
            }
            match decl.data.iter().find(|d| d.name == *id).map(|d| &d.kind) {
                Some(DataKind::Float) => Ok(quote!(#id)),
                Some(DataKind::Int(_)) => Ok(quote!((#id as f64))),
                Some(_) => Err(syn::Error::new(
                    id.span(),
                    format!(
                        "`{id}` is not a size or a number data field, so it cannot set an initial value"
                    ),
                )),
                None if decl.blocks.iter().any(|b| b.name == *id)
                    || decl.lets.iter().any(|l| l.name == *id) =>
                {
                    Err(syn::Error::new(
                        id.span(),
                        format!(
                            "`{id}` depends on the variables, so it cannot set an initial value; use sizes and number or integer data fields"
                        ),
                    ))
                }
                None => Err(syn::Error::new(
                    id.span(),
                    format!(
                        "unknown name `{id}`; an initial value may use sizes and number or integer data fields"
                    ),
                )),
            }
        }
        _ => Err(bad(e)),
    }
}

/// A seed: an integer literal, an integer data field, or their sum (`seed + 1`).
fn seed(decl: &Decl, e: &syn::Expr) -> syn::Result<TokenStream> {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => {
            let v = i.base10_parse::<u64>()?;
            Ok(quote!(#v))
        }
        syn::Expr::Paren(p) => seed(decl, &p.expr),
        syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => {
            let (l, r) = (seed(decl, &b.left)?, seed(decl, &b.right)?);
            Ok(quote!(#l.wrapping_add(#r)))
        }
        syn::Expr::Path(p)
            if decl
                .data
                .iter()
                .any(|d| p.path.is_ident(&d.name) && matches!(d.kind, DataKind::Int(_))) =>
        {
            Ok(quote!((#p as u64)))
        }
        _ => Err(syn::Error::new(
            e.span(),
            "a seed is a non-negative integer literal, an integer data field (`#[data] seed: u64`) or their sum (`seed + 1`)",
        )),
    }
}

pub fn init(decl: &Decl, scope: &Scope, i: &InitDecl) -> syn::Result<TokenStream> {
    let core = &decl.core;
    let s = |x: &Setting| setting(decl, scope, &x.expr);
    Ok(match i {
        InitDecl::Constant(v) => {
            let v = s(v)?;
            quote!(#core::Init::Constant { value: #v })
        }
        InitDecl::Values(v) => {
            let v = floats(v);
            quote!(#core::Init::Values { values: #v })
        }
        InitDecl::Uniform(lo, hi, sd) => {
            let (lo, hi, sd) = (s(lo)?, s(hi)?, seed(decl, sd)?);
            quote!(#core::Init::Uniform { lo: #lo, hi: #hi, seed: #sd })
        }
        InitDecl::Normal(std, sd) => {
            let (std, sd) = (s(std)?, seed(decl, sd)?);
            quote!(#core::Init::Normal { std: #std, seed: #sd })
        }
    })
}

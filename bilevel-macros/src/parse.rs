//! Parsing: the struct and its attributes into the IR, collecting every error with its span.

use proc_macro2::{Span, TokenStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, MetaNameValue, Token, UnOp};

use crate::ir::{BlockDecl, DataDecl, Decl, DomainDecl, InitDecl, Level};

/// Collected errors; combined into one at the end so every mistake is reported.
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    pub fn push(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.0.push(syn::Error::new(span, msg));
    }
    /// An error covering all of `tokens` (the whole expression, not its first token).
    pub fn spanned<T: quote::ToTokens>(&mut self, tokens: T, msg: impl std::fmt::Display) {
        self.0.push(syn::Error::new_spanned(tokens, msg));
    }
    pub fn add(&mut self, e: syn::Error) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_compile_errors(self) -> TokenStream {
        self.0.into_iter().map(|e| e.to_compile_error()).collect()
    }
}

type Args = Punctuated<MetaNameValue, Token![,]>;

fn key(nv: &MetaNameValue) -> String {
    nv.path
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_default()
}

/// A number literal (int or float, optionally negated; `inf` for +∞).
pub fn number(e: &Expr) -> syn::Result<f64> {
    match e {
        Expr::Lit(ExprLit {
            lit: Lit::Float(f), ..
        }) => f.base10_parse::<f64>(),
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse::<f64>(),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => Ok(-number(&u.expr)?),
        Expr::Path(p) if p.path.is_ident("inf") => Ok(f64::INFINITY),
        Expr::Paren(p) => number(&p.expr),
        Expr::Group(g) => number(&g.expr),
        _ => Err(syn::Error::new(
            e.span(),
            "expected a number literal (e.g. `0.5`, `-3`, `inf`)",
        )),
    }
}

fn integer(e: &Expr) -> syn::Result<u64> {
    match e {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse::<u64>(),
        _ => Err(syn::Error::new(
            e.span(),
            "expected a non-negative integer literal (a seed)",
        )),
    }
}

fn numbers(e: &Expr) -> syn::Result<Vec<f64>> {
    match e {
        Expr::Array(a) => a.elems.iter().map(number).collect(),
        _ => Err(syn::Error::new(
            e.span(),
            "expected a list of numbers `[a, b, ...]`",
        )),
    }
}

/// `name(args...)` or a bare `name`.
fn call_parts(e: &Expr) -> Option<(String, Vec<&Expr>, Span)> {
    match e {
        Expr::Path(p) => p
            .path
            .get_ident()
            .map(|i| (i.to_string(), vec![], i.span())),
        Expr::Call(c) => match &*c.func {
            Expr::Path(p) => p
                .path
                .get_ident()
                .map(|i| (i.to_string(), c.args.iter().collect(), i.span())),
            _ => None,
        },
        _ => None,
    }
}

fn arity(name: &str, args: &[&Expr], ok: &[usize], span: Span) -> syn::Result<()> {
    if ok.contains(&args.len()) {
        Ok(())
    } else {
        Err(syn::Error::new(
            span,
            format!("`{name}` takes {ok:?} arguments, got {}", args.len()),
        ))
    }
}

const DOMAINS: &str = "free, interval(lo, hi), boxed([lo..], [hi..]), nonneg, ball(radius), ball(radius, [center..]), simplex, simplex(total)";

fn domain(e: &Expr) -> syn::Result<DomainDecl> {
    let (name, args, span) = call_parts(e)
        .ok_or_else(|| syn::Error::new(e.span(), format!("expected a domain: {DOMAINS}")))?;
    match name.as_str() {
        "free" => arity(&name, &args, &[0], span).map(|_| DomainDecl::Free),
        "nonneg" => arity(&name, &args, &[0], span).map(|_| DomainDecl::NonNegative),
        "interval" => {
            arity(&name, &args, &[2], span)?;
            let (lo, hi) = (number(args[0])?, number(args[1])?);
            if lo > hi || lo == f64::INFINITY {
                return Err(syn::Error::new(
                    e.span(),
                    format!("empty interval: lo = {lo} > hi = {hi}"),
                ));
            }
            Ok(DomainDecl::Interval(lo, hi))
        }
        "boxed" => {
            arity(&name, &args, &[2], span)?;
            let (lo, hi) = (numbers(args[0])?, numbers(args[1])?);
            if let Some(i) = (0..lo.len().min(hi.len())).find(|&i| lo[i] > hi[i]) {
                return Err(syn::Error::new(
                    e.span(),
                    format!("empty box at coordinate {i}: {} > {}", lo[i], hi[i]),
                ));
            }
            Ok(DomainDecl::Boxed(lo, hi))
        }
        "ball" => {
            arity(&name, &args, &[1, 2], span)?;
            let radius = number(args[0])?;
            if !(radius > 0.0 && radius.is_finite()) {
                return Err(syn::Error::new(
                    args[0].span(),
                    format!("the ball radius must be positive, got {radius}"),
                ));
            }
            let center = args.get(1).map(|c| numbers(c)).transpose()?;
            Ok(DomainDecl::Ball { radius, center })
        }
        "simplex" => {
            arity(&name, &args, &[0, 1], span)?;
            let total = args.first().map(|t| number(t)).transpose()?.unwrap_or(1.0);
            if !(total > 0.0 && total.is_finite()) {
                return Err(syn::Error::new(
                    e.span(),
                    format!("the simplex total must be positive, got {total}"),
                ));
            }
            Ok(DomainDecl::Simplex(total))
        }
        other => Err(syn::Error::new(
            span,
            format!("unknown domain `{other}`; expected one of: {DOMAINS}"),
        )),
    }
}

const INITS: &str = "a number, [v1, v2, ..], uniform(lo, hi, seed), normal(std, seed)";

fn init(e: &Expr) -> syn::Result<InitDecl> {
    if let Ok(v) = number(e) {
        return Ok(InitDecl::Constant(v));
    }
    if let Expr::Array(_) = e {
        return Ok(InitDecl::Values(numbers(e)?));
    }
    let (name, args, span) = call_parts(e)
        .ok_or_else(|| syn::Error::new(e.span(), format!("expected an initial value: {INITS}")))?;
    match name.as_str() {
        "uniform" => {
            arity(&name, &args, &[3], span)?;
            let (lo, hi) = (number(args[0])?, number(args[1])?);
            if lo >= hi {
                return Err(syn::Error::new(
                    e.span(),
                    "uniform(lo, hi, seed) needs lo < hi",
                ));
            }
            Ok(InitDecl::Uniform(lo, hi, integer(args[2])?))
        }
        "normal" => {
            arity(&name, &args, &[2], span)?;
            Ok(InitDecl::Normal(number(args[0])?, integer(args[1])?))
        }
        other => Err(syn::Error::new(
            span,
            format!("unknown initial value `{other}`; expected {INITS}"),
        )),
    }
}

/// The extents of `Scalar`, `Vector<N>`, `Matrix<R, C>` (`_` allowed only for data), or
/// `None` for `f64`.
fn shape(ty: &syn::Type, allow_any: bool) -> syn::Result<Option<Vec<Option<usize>>>> {
    let bad = || {
        syn::Error::new(
            ty.span(),
            "expected `Scalar`, `Vector<N>`, `Matrix<R, C>` (positive integer extents) or, for data, `f64`",
        )
    };
    let syn::Type::Path(tp) = ty else {
        return Err(bad());
    };
    let seg = tp.path.segments.last().ok_or_else(bad)?;
    let args: Vec<&syn::GenericArgument> = match &seg.arguments {
        syn::PathArguments::None => vec![],
        syn::PathArguments::AngleBracketed(a) => a.args.iter().collect(),
        _ => return Err(bad()),
    };
    let expected = match seg.ident.to_string().as_str() {
        "f64" if allow_any => return Ok(None),
        "Scalar" => 0,
        "Vector" => 1,
        "Matrix" => 2,
        _ => return Err(bad()),
    };
    if args.len() != expected {
        return Err(syn::Error::new(
            seg.span(),
            format!("`{}` takes {expected} extents", seg.ident),
        ));
    }
    let extent = |a: &syn::GenericArgument| -> syn::Result<Option<usize>> {
        match a {
            syn::GenericArgument::Const(Expr::Lit(ExprLit {
                lit: Lit::Int(i), ..
            })) => {
                let n = i.base10_parse::<usize>()?;
                if n == 0 {
                    Err(syn::Error::new(
                        i.span(),
                        "block extents must be positive integers, got 0",
                    ))
                } else {
                    Ok(Some(n))
                }
            }
            syn::GenericArgument::Type(syn::Type::Infer(_)) if allow_any => Ok(None),
            other => Err(syn::Error::new(
                other.span(),
                if allow_any {
                    "an extent must be a positive integer literal or `_` (any)"
                } else {
                    "a variable block's extents must be positive integer literals"
                },
            )),
        }
    };
    Ok(Some(
        args.into_iter()
            .map(extent)
            .collect::<syn::Result<Vec<_>>>()?,
    ))
}

fn block(
    field: &syn::Field,
    attr: &syn::Attribute,
    level: Level,
    errors: &mut Errors,
) -> Option<BlockDecl> {
    let name = field.ident.clone()?;
    // On a bad shape, record the error and go on with a placeholder, so that the block still
    // counts for its level (no second, cascading error).
    let shape = match shape(&field.ty, false) {
        Ok(Some(s)) => s.into_iter().map(|e| e.unwrap_or(1)).collect(),
        Ok(None) | Err(_) => {
            if let Err(e) = shape(&field.ty, false) {
                errors.add(e);
            }
            vec![1]
        }
    };
    let args: Args = if matches!(attr.meta, syn::Meta::Path(_)) {
        Args::new()
    } else {
        match attr.parse_args_with(Args::parse_terminated) {
            Ok(a) => a,
            Err(e) => {
                errors.add(e);
                return None;
            }
        }
    };
    let mut decl = BlockDecl {
        name,
        level,
        shape,
        domain: DomainDecl::Free,
        init: InitDecl::Constant(0.0),
    };
    let mut seen = vec![];
    for nv in &args {
        let k = key(nv);
        if seen.contains(&k) {
            errors.push(nv.path.span(), format!("`{k}` is given twice"));
            continue;
        }
        seen.push(k.clone());
        match k.as_str() {
            "domain" => match domain(&nv.value) {
                Ok(d) => decl.domain = d,
                Err(e) => errors.add(e),
            },
            "init" => match init(&nv.value) {
                Ok(i) => decl.init = i,
                Err(e) => errors.add(e),
            },
            _ => errors.push(
                nv.path.span(),
                format!("unknown key `{k}`; expected `domain = ...` or `init = ...`"),
            ),
        }
    }
    check_fits(&decl, field.ty.span(), errors);
    Some(decl)
}

/// A domain or initial value whose lengths do not fit the block is a compile error.
fn check_fits(b: &BlockDecl, span: Span, errors: &mut Errors) {
    let n: usize = b.shape.iter().product();
    let fits = |len: usize| len == 1 || len == n;
    let what = match &b.domain {
        DomainDecl::Boxed(lo, hi) if !fits(lo.len()) || !fits(hi.len()) => Some(format!(
            "box bounds of lengths {} and {}",
            lo.len(),
            hi.len()
        )),
        DomainDecl::Ball {
            center: Some(c), ..
        } if !fits(c.len()) => Some(format!("a ball center of length {}", c.len())),
        _ => None,
    };
    if let Some(what) = what {
        errors.push(
            span,
            format!(
                "the domain of `{}` does not fit its block: {what} for {n} entries",
                b.name
            ),
        );
    }
    if let InitDecl::Values(v) = &b.init
        && v.len() != n
    {
        errors.push(
            span,
            format!(
                "the initial value of `{}` has {} entries, the block has {n}",
                b.name,
                v.len()
            ),
        );
    }
}

/// Parses the attribute arguments and the struct into the IR.
pub fn declaration(attr: TokenStream, item: &syn::ItemStruct, errors: &mut Errors) -> Option<Decl> {
    let span = item.ident.span();
    if !item.generics.params.is_empty() {
        errors.push(
            item.generics.span(),
            "a #[bilevel] struct takes no generic parameters; the backend parameter `B` is added",
        );
    }
    let args = match syn::parse::Parser::parse2(Args::parse_terminated, attr) {
        Ok(a) => a,
        Err(e) => {
            errors.add(e);
            return None;
        }
    };
    let (mut f, mut g, mut c) = (None, None, None);
    for nv in args {
        let k = key(&nv);
        let slot = match k.as_str() {
            "f" => &mut f,
            "g" => &mut g,
            "c" => &mut c,
            _ => {
                errors.push(
                    nv.path.span(),
                    format!("unknown key `{k}`; expected `f = ...`, `g = ...` or `c = ...`"),
                );
                continue;
            }
        };
        if slot.is_some() {
            errors.push(nv.path.span(), format!("`{k}` is given twice"));
        }
        *slot = Some(nv.value);
    }
    if f.is_none() {
        errors.push(
            span,
            "missing the upper objective: add `f = <expression>` to #[bilevel(...)]",
        );
    }
    if g.is_none() {
        errors.push(
            span,
            "missing the lower objective: add `g = <expression>` to #[bilevel(...)]",
        );
    }
    let fields = match &item.fields {
        syn::Fields::Named(n) => n.named.iter().collect::<Vec<_>>(),
        _ => {
            errors.push(
                span,
                "#[bilevel] needs a struct with named fields (the variables and data)",
            );
            vec![]
        }
    };
    let mut blocks = vec![];
    let mut data = vec![];
    let mut names: Vec<String> = vec![];
    for field in fields {
        let Some(ident) = &field.ident else { continue };
        if names.contains(&ident.to_string()) {
            errors.push(
                ident.span(),
                format!("the name `{ident}` is declared twice"),
            );
        }
        names.push(ident.to_string());
        let role: Vec<&syn::Attribute> = field
            .attrs
            .iter()
            .filter(|a| {
                ["upper", "lower", "data"]
                    .iter()
                    .any(|w| a.path().is_ident(w))
            })
            .collect();
        match role.as_slice() {
            [a] if a.path().is_ident("data") => match shape(&field.ty, true) {
                Ok(s) => data.push(DataDecl {
                    name: ident.clone(),
                    shape: s,
                }),
                Err(e) => errors.add(e),
            },
            [a] => {
                let level = if a.path().is_ident("upper") {
                    Level::Upper
                } else {
                    Level::Lower
                };
                blocks.extend(block(field, a, level, errors));
            }
            [] => errors.push(
                ident.span(),
                format!("`{ident}` needs one of #[upper(..)], #[lower(..)] or #[data]"),
            ),
            _ => errors.push(
                ident.span(),
                format!("`{ident}` has more than one of #[upper], #[lower], #[data]"),
            ),
        }
    }
    for level in [Level::Upper, Level::Lower] {
        if !blocks.iter().any(|b| b.level == level) {
            errors.push(
                span,
                format!(
                    "no {} variable: mark at least one field with #[{}(..)]",
                    level.word(),
                    level.word()
                ),
            );
        }
    }
    let docs = item
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect();
    Some(Decl {
        vis: item.vis.clone(),
        name: item.ident.clone(),
        docs,
        blocks,
        data,
        f: f?,
        g: g?,
        c,
    })
}

//! Parsing the struct's fields: shapes with literal or named extents, variable blocks with
//! their domains and initial values, data fields with their kinds and minibatch groups.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, UnOp};

use crate::ir::{BlockDecl, DataDecl, DataKind, DomainDecl, Extent, InitDecl, Level, Setting};
use crate::parse::{Args, Errors, key};

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

fn numbers(e: &Expr) -> syn::Result<Vec<f64>> {
    match e {
        Expr::Array(a) => a.elems.iter().map(number).collect(),
        _ => Err(syn::Error::new(
            e.span(),
            "expected a list of numbers `[a, b, ...]`",
        )),
    }
}

fn setting(e: &Expr) -> Setting {
    Setting {
        expr: e.clone(),
        literal: number(e).ok(),
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

fn positive(v: f64, what: &str, e: &Expr) -> syn::Result<f64> {
    if v > 0.0 && v.is_finite() {
        Ok(v)
    } else {
        Err(syn::Error::new(
            e.span(),
            format!("the {what} must be positive, got {v}"),
        ))
    }
}

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
            let radius = positive(number(args[0])?, "ball radius", args[0])?;
            let center = args.get(1).map(|c| numbers(c)).transpose()?;
            Ok(DomainDecl::Ball { radius, center })
        }
        "simplex" => {
            arity(&name, &args, &[0, 1], span)?;
            let total = args.first().map(|t| number(t)).transpose()?.unwrap_or(1.0);
            Ok(DomainDecl::Simplex(positive(total, "simplex total", e)?))
        }
        other => Err(syn::Error::new(
            span,
            format!("unknown domain `{other}`; expected one of: {DOMAINS}"),
        )),
    }
}

const INITS: &str = "a number or setting, [v1, v2, ..], uniform(lo, hi, seed), normal(std, seed)";

fn init(e: &Expr) -> syn::Result<InitDecl> {
    if let Expr::Array(_) = e {
        return Ok(InitDecl::Values(numbers(e)?));
    }
    match call_parts(e) {
        Some((name, args, span)) if name == "uniform" => {
            arity(&name, &args, &[3], span)?;
            let (lo, hi) = (setting(args[0]), setting(args[1]));
            if let (Some(l), Some(h)) = (lo.literal, hi.literal)
                && l >= h
            {
                return Err(syn::Error::new(
                    e.span(),
                    "uniform(lo, hi, seed) needs lo < hi",
                ));
            }
            Ok(InitDecl::Uniform(lo, hi, args[2].clone()))
        }
        Some((name, args, span)) if name == "normal" => {
            arity(&name, &args, &[2], span)?;
            Ok(InitDecl::Normal(setting(args[0]), args[1].clone()))
        }
        Some((name, _, span)) if matches!(e, Expr::Call(_)) && name != "sqrt" => {
            Err(syn::Error::new(
                span,
                format!("unknown initial value `{name}`; expected {INITS}"),
            ))
        }
        _ => Ok(InitDecl::Constant(setting(e))),
    }
}

const SHAPES: &str = "expected `Scalar`, `Vector<N>`, `Matrix<R, C>` (extents: positive integer literals or size names), or for data `Labels<n>`, `Labels<n, k>`, `f64`, `u64`, `usize`";

/// The type of a field, as a shape and what kind of thing it is.
pub enum FieldType {
    Shape(Vec<Extent>),
    Labels(Extent, Option<Extent>),
    Float,
    Int(syn::Type),
}

fn extent(a: &syn::GenericArgument, allow_any: bool) -> syn::Result<Extent> {
    match a {
        syn::GenericArgument::Const(Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        })) => match i.base10_parse::<usize>()? {
            0 => Err(syn::Error::new(
                i.span(),
                "block extents must be positive integers, got 0",
            )),
            n => Ok(Extent::Lit(n)),
        },
        syn::GenericArgument::Type(syn::Type::Infer(_)) if allow_any => Ok(Extent::Any),
        syn::GenericArgument::Type(syn::Type::Path(p)) if p.path.get_ident().is_some() => {
            Ok(Extent::Name(p.path.get_ident().expect("checked").clone()))
        }
        other => Err(syn::Error::new(
            other.span(),
            if allow_any {
                "an extent must be a positive integer literal, a size name or `_` (any)"
            } else {
                "a variable block's extents must be positive integer literals or size names"
            },
        )),
    }
}

/// Parses a field's type; `data` allows `_`, labels and plain numbers.
pub fn field_type(ty: &syn::Type, data: bool) -> syn::Result<FieldType> {
    let bad = || syn::Error::new(ty.span(), SHAPES);
    let syn::Type::Path(tp) = ty else {
        return Err(bad());
    };
    let seg = tp.path.segments.last().ok_or_else(bad)?;
    let args: Vec<&syn::GenericArgument> = match &seg.arguments {
        syn::PathArguments::None => vec![],
        syn::PathArguments::AngleBracketed(a) => a.args.iter().collect(),
        _ => return Err(bad()),
    };
    let word = seg.ident.to_string();
    let expected: &[usize] = match word.as_str() {
        "f64" if data => return Ok(FieldType::Float),
        "u64" | "usize" if data => return Ok(FieldType::Int(ty.clone())),
        "Labels" if data => &[1, 2],
        "Scalar" => &[0],
        "Vector" => &[1],
        "Matrix" => &[2],
        _ => return Err(bad()),
    };
    if !expected.contains(&args.len()) {
        return Err(syn::Error::new_spanned(
            seg,
            format!("`{word}` takes {expected:?} extents, got {}", args.len()),
        ));
    }
    let extents = args
        .into_iter()
        .map(|a| extent(a, data))
        .collect::<syn::Result<Vec<_>>>()?;
    Ok(if word == "Labels" {
        let mut it = extents.into_iter();
        FieldType::Labels(it.next().expect("one extent"), it.next())
    } else {
        FieldType::Shape(extents)
    })
}

fn attr_args(attr: &syn::Attribute) -> syn::Result<Args> {
    if matches!(attr.meta, syn::Meta::Path(_)) {
        Ok(Args::new())
    } else {
        attr.parse_args_with(Args::parse_terminated)
    }
}

/// A variable block from its field and `#[upper(..)]`/`#[lower(..)]` attribute.
pub fn block(
    field: &syn::Field,
    attr: &syn::Attribute,
    level: Level,
    errors: &mut Errors,
) -> Option<BlockDecl> {
    let name = field.ident.clone()?;
    // On a bad shape, record the error and go on with a placeholder, so that the block still
    // counts for its level (no second, cascading error).
    let shape = match field_type(&field.ty, false) {
        Ok(FieldType::Shape(s)) => s,
        Ok(_) => vec![Extent::Lit(1)],
        Err(e) => {
            errors.add(e);
            vec![Extent::Lit(1)]
        }
    };
    let args = attr_args(attr).map_err(|e| errors.add(e)).ok()?;
    let mut decl = BlockDecl {
        name,
        level,
        shape,
        domain: DomainDecl::Free,
        init: InitDecl::Constant(setting(&syn::parse_quote!(0.0))),
    };
    let mut seen = vec![];
    for nv in &args {
        let k = key(nv);
        if seen.contains(&k) {
            errors.push(nv.path.span(), format!("`{k}` is given twice"));
            continue;
        }
        seen.push(k.clone());
        let parsed = match k.as_str() {
            "domain" => domain(&nv.value).map(|d| decl.domain = d),
            "init" => init(&nv.value).map(|i| decl.init = i),
            "batch" => Err(syn::Error::new(
                nv.path.span(),
                "`batch` applies to #[data] fields; a variable block whose first extent is a batched size is read at the same rows",
            )),
            _ => Err(syn::Error::new(
                nv.path.span(),
                format!("unknown key `{k}`; expected `domain = ...` or `init = ...`"),
            )),
        };
        if let Err(e) = parsed {
            errors.add(e);
        }
    }
    check_fits(&decl, field.ty.span(), errors);
    Some(decl)
}

/// A data field from its field and `#[data]`/`#[data(batch = group)]` attribute.
pub fn data(field: &syn::Field, attr: &syn::Attribute, errors: &mut Errors) -> Option<DataDecl> {
    let name = field.ident.clone()?;
    let kind = match field_type(&field.ty, true) {
        Ok(FieldType::Shape(s)) => DataKind::Tensor(s),
        Ok(FieldType::Labels(rows, classes)) => DataKind::Labels { rows, classes },
        Ok(FieldType::Float) => DataKind::Float,
        Ok(FieldType::Int(t)) => DataKind::Int(t),
        Err(e) => {
            errors.add(e);
            DataKind::Invalid
        }
    };
    let mut batch = None;
    for nv in attr_args(attr).map_err(|e| errors.add(e)).ok()? {
        match (key(&nv).as_str(), &nv.value) {
            ("batch", Expr::Path(p)) if p.path.get_ident().is_some() => {
                if batch.is_some() {
                    errors.push(nv.path.span(), "`batch` is given twice");
                }
                batch = p.path.get_ident().cloned()
            }
            ("batch", other) => errors.spanned(other, "expected a group name: `batch = train`"),
            (k, _) => errors.push(
                nv.path.span(),
                format!("unknown key `{k}`; #[data] takes only `batch = <group>`"),
            ),
        }
    }
    if matches!(kind, DataKind::Invalid) {
        batch = None;
    } else if batch.is_some() && matches!(kind, DataKind::Float | DataKind::Int(_)) {
        errors.push(
            field.ty.span(),
            "a batched field needs rows: a Vector, a Matrix or Labels",
        );
        // Reported: not a group member, so that the scope does not report its rows again.
        batch = None;
    }
    Some(DataDecl { name, kind, batch })
}

/// A domain or initial value whose lengths do not fit a literal-shaped block is a compile
/// error; with named sizes the check happens when the problem is built.
fn check_fits(b: &BlockDecl, span: Span, errors: &mut Errors) {
    let Some(n) = b
        .shape
        .iter()
        .map(|e| match e {
            Extent::Lit(n) => Some(*n),
            _ => None,
        })
        .product::<Option<usize>>()
    else {
        return;
    };
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

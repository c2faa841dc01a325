//! The functions of objective expressions: elementwise maps, reductions (whole or along an
//! axis), products, and the ML vocabulary (softmax, log-sum-exp, cross-entropy, one-hot).

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, UnOp};

use crate::expr::{Translator, Ty, Typed, describe, labels_misused, scalar};
use crate::parse::Errors;

/// Every function with the argument counts it takes (counting a method's receiver).
const FUNCTIONS: &[(&str, &[usize])] = &[
    ("exp", &[1]),
    ("ln", &[1]),
    ("log", &[1]),
    ("log1p", &[1]),
    ("sin", &[1]),
    ("cos", &[1]),
    ("tanh", &[1]),
    ("sqrt", &[1]),
    ("abs", &[1]),
    ("sigmoid", &[1]),
    ("softplus", &[1]),
    ("log_sigmoid", &[1]),
    ("relu", &[1]),
    ("powi", &[2]),
    ("powf", &[2]),
    ("max", &[2]),
    ("min", &[2]),
    ("sum", &[1, 2]),
    ("mean", &[1, 2]),
    ("logsumexp", &[1, 2]),
    ("softmax", &[1, 2]),
    ("log_softmax", &[1, 2]),
    ("norm2", &[1]),
    ("dot", &[2]),
    ("matmul", &[2]),
    ("transpose", &[1]),
    ("cross_entropy", &[2]),
    ("one_hot", &[1]),
];

/// Functions whose second argument is an axis (an integer literal).
const AXIS: &[&str] = &["sum", "mean", "logsumexp", "softmax", "log_softmax"];

fn integer_literal(e: &Expr) -> Result<i64, ()> {
    match e {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse().map_err(|_| ()),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => integer_literal(&u.expr).map(|v| -v),
        Expr::Paren(p) => integer_literal(&p.expr),
        _ => Err(()),
    }
}

fn tensor(rank: usize, unit: bool) -> Ty {
    Ty::Tensor { rank, unit }
}

impl Translator<'_> {
    /// `name(args)` or `args[0].name(args[1..])`.
    pub fn call(
        &mut self,
        name: &syn::Ident,
        args: &[&Expr],
        errors: &mut Errors,
    ) -> Option<Typed> {
        let n = name.to_string();
        let span = name.span();
        let Some((_, arities)) = FUNCTIONS.iter().find(|(f, _)| *f == n) else {
            let all: Vec<&str> = FUNCTIONS.iter().map(|(f, _)| *f).collect();
            errors.push(
                span,
                format!(
                    "unknown function or method `{n}`; supported: {}",
                    all.join(", ")
                ),
            );
            for a in args {
                self.expr(a, errors);
            }
            return None;
        };
        if !arities.contains(&args.len()) {
            errors.push(span, format!("`{n}` takes {arities:?} argument(s) (counting the receiver of a method call), got {}", args.len()));
            // Still read the arguments, so that the names they use count as used.
            for a in args {
                self.expr(a, errors);
            }
            return None;
        }
        if n == "powi" {
            return self.powi(args, errors);
        }
        let a = self.expr(args[0], errors);
        if AXIS.contains(&n.as_str()) && args.len() == 2 {
            return self.along_axis(&n, a?, args, span, errors);
        }
        if args.len() == 2 {
            let b = self.expr(args[1], errors);
            return self.two(&n, a?, b?, span, errors);
        }
        self.one(&n, a?, args[0], span, errors)
    }

    fn powi(&mut self, args: &[&Expr], errors: &mut Errors) -> Option<Typed> {
        let x = self.expr(args[0], errors)?;
        let Some(k) = integer_literal(args[1])
            .ok()
            .and_then(|k| i32::try_from(k).ok())
        else {
            errors.push(
                args[1].span(),
                "`powi` needs an integer literal exponent that fits an i32; use `powf` for a real one",
            );
            return None;
        };
        let c = x.code;
        let code = match x.ty {
            Ty::Scalar => quote!(#c.powi(#k)),
            Ty::Tensor { .. } => quote!(#c.powi_scalar(#k)),
            Ty::Labels => return labels_misused(args[0], errors),
        };
        Some(Typed { code, ty: x.ty })
    }

    fn along_axis(
        &mut self,
        n: &str,
        a: Typed,
        args: &[&Expr],
        span: Span,
        errors: &mut Errors,
    ) -> Option<Typed> {
        let axis = args[1];
        let Ty::Tensor { rank, .. } = a.ty else {
            errors.push(
                span,
                format!(
                    "`{n}` along an axis needs a tensor, got a {}",
                    describe(a.ty)
                ),
            );
            return None;
        };
        let dim = match integer_literal(axis) {
            Ok(d) if d >= 0 && (d as usize) < rank => d as usize,
            Ok(d) => {
                errors.spanned(
                    axis,
                    format!("axis {d} does not exist: a rank-{rank} tensor has axes 0..{rank}"),
                );
                return None;
            }
            Err(()) => {
                errors.spanned(
                    axis,
                    "an axis must be an integer literal (0 for columns of a matrix, 1 for rows)",
                );
                return None;
            }
        };
        let (c, ops) = (a.code, self.ops());
        let reduced = match n {
            "sum" => quote!(#c.sum_dim(#dim)),
            "mean" => match self.rows_group(args[0]) {
                Some(batch) if dim == 0 => quote!(#batch.mean_rows_dim(#c)),
                _ => quote!(#c.mean_dim(#dim)),
            },
            "logsumexp" => quote!(#ops::logsumexp_dim(#c, #dim)),
            "log_softmax" => {
                return Some(Typed {
                    code: quote!(#ops::log_softmax(#c, #dim)),
                    ty: a.ty,
                });
            }
            _ => {
                let core = self.core();
                let code = quote!(#core::burn::tensor::activation::softmax(#c, #dim));
                return Some(Typed { code, ty: a.ty });
            }
        };
        // A matrix reduced along one axis is a vector; a vector reduced is one entry.
        Some(if rank == 2 {
            Typed {
                code: quote!(#reduced.squeeze_dim::<1>(#dim)),
                ty: tensor(1, false),
            }
        } else {
            Typed {
                code: reduced,
                ty: tensor(1, true),
            }
        })
    }

    /// `self.__batch_<group>` when `e` holds one entry per row of a batch group: its mean
    /// over the rows divides by the whole group's rows on a shard.
    fn rows_group(&self, e: &Expr) -> Option<TokenStream> {
        match self.split(e) {
            crate::split::Split::Rows(g) => {
                let field = quote::format_ident!("__batch_{}", self.scope.groups[g].name);
                Some(quote!(self.#field))
            }
            _ => None,
        }
    }

    fn ops(&self) -> TokenStream {
        let core = self.core();
        quote!(#core::ops)
    }

    fn one(
        &mut self,
        n: &str,
        a: Typed,
        arg: &Expr,
        span: Span,
        errors: &mut Errors,
    ) -> Option<Typed> {
        let (c, ops) = (a.code, self.ops());
        let rank = match a.ty {
            Ty::Labels if n == "one_hot" => {
                return Some(Typed {
                    code: c,
                    ty: tensor(2, false),
                });
            }
            Ty::Labels => return labels_misused(arg, errors),
            Ty::Scalar => return scalar_one(n, c, span, errors),
            Ty::Tensor { rank, .. } => rank,
        };
        let m = syn::Ident::new(n, span);
        let unit = tensor(1, true);
        let (code, ty) = match n {
            "exp" | "sin" | "cos" | "tanh" | "sqrt" | "abs" | "log1p" => (quote!(#c.#m()), a.ty),
            "ln" | "log" => (quote!(#c.log()), a.ty),
            "sigmoid" | "softplus" | "relu" | "log_sigmoid" => (quote!(#ops::#m(#c)), a.ty),
            "sum" => (quote!(#c.sum()), unit),
            "mean" => match self.rows_group(arg) {
                Some(batch) => (quote!(#batch.mean_rows(#c)), unit),
                None => (quote!(#c.mean()), unit),
            },
            "norm2" => (quote!(#c.powi_scalar(2).sum()), unit),
            "logsumexp" => (quote!(#ops::logsumexp(#c)), unit),
            "log_softmax" => (quote!(#ops::log_softmax(#c, #rank - 1)), a.ty),
            "softmax" => {
                let core = self.core();
                (
                    quote!(#core::burn::tensor::activation::softmax(#c, #rank - 1)),
                    a.ty,
                )
            }
            "transpose" if rank == 2 => (quote!(#c.transpose()), a.ty),
            _ => {
                errors.push(
                    span,
                    format!(
                        "`{n}` needs {}, got a rank-{rank} tensor",
                        if n == "one_hot" {
                            "class labels"
                        } else {
                            "a matrix"
                        }
                    ),
                );
                return None;
            }
        };
        Some(Typed { code, ty })
    }

    fn two(
        &mut self,
        n: &str,
        a: Typed,
        b: Typed,
        span: Span,
        errors: &mut Errors,
    ) -> Option<Typed> {
        let (ca, cb, ops) = (a.code, b.code, self.ops());
        let code = match (n, a.ty, b.ty) {
            (
                "cross_entropy",
                Ty::Tensor { rank: 2, .. },
                Ty::Labels | Ty::Tensor { rank: 2, .. },
            ) => {
                return Some(Typed {
                    code: quote!(#ops::cross_entropy(#ca, #cb)),
                    ty: tensor(1, false),
                });
            }
            (_, Ty::Labels, _) | ("max" | "min" | "powf" | "dot" | "matmul", _, Ty::Labels) => {
                errors.push(span, format!("`{n}` does not take class labels; they go in cross_entropy(logits, labels) or one_hot(labels)"));
                return None;
            }
            ("powf", Ty::Scalar, Ty::Scalar) => return Some(scalar(quote!(#ca.powf(#cb)))),
            ("powf", Ty::Tensor { .. }, Ty::Scalar) => quote!(#ca.powf_scalar(#cb)),
            ("max", Ty::Scalar, Ty::Scalar) => return Some(scalar(quote!(#ca.max(#cb)))),
            ("min", Ty::Scalar, Ty::Scalar) => return Some(scalar(quote!(#ca.min(#cb)))),
            ("max", Ty::Tensor { .. }, Ty::Scalar) => quote!(#ops::max_scalar(#ca, #cb)),
            ("min", Ty::Tensor { .. }, Ty::Scalar) => quote!(#ops::min_scalar(#ca, #cb)),
            ("max" | "min", Ty::Scalar, Ty::Tensor { .. }) => {
                let m = quote::format_ident!("{}_scalar", n);
                return Some(Typed {
                    code: quote!(#ops::#m(#cb, #ca)),
                    ty: b.ty,
                });
            }
            ("dot", Ty::Tensor { rank: ra, .. }, Ty::Tensor { rank: rb, .. }) if ra == rb => {
                return Some(Typed {
                    code: quote!((#ca * #cb).sum()),
                    ty: tensor(1, true),
                });
            }
            ("matmul", Ty::Tensor { rank: 2, .. }, Ty::Tensor { rank: 2, .. }) => {
                return Some(Typed {
                    code: quote!(#ca.matmul(#cb)),
                    ty: tensor(2, false),
                });
            }
            ("matmul", Ty::Tensor { rank: 2, .. }, Ty::Tensor { rank: 1, .. }) => {
                let code = quote!(#ca.matmul(#cb.unsqueeze_dim::<2>(1)).squeeze_dim::<1>(1));
                return Some(Typed {
                    code,
                    ty: tensor(1, false),
                });
            }
            ("matmul", Ty::Tensor { rank: 1, .. }, Ty::Tensor { rank: 2, .. }) => {
                let code = quote!(#ca.unsqueeze_dim::<2>(0).matmul(#cb).squeeze_dim::<1>(0));
                return Some(Typed {
                    code,
                    ty: tensor(1, false),
                });
            }
            _ => {
                errors.push(
                    span,
                    format!(
                        "`{n}` does not apply to a {} and a {}",
                        describe(a.ty),
                        describe(b.ty)
                    ),
                );
                return None;
            }
        };
        Some(Typed { code, ty: a.ty })
    }
}

/// A function of a plain number.
fn scalar_one(n: &str, c: TokenStream, span: Span, errors: &mut Errors) -> Option<Typed> {
    let code = match n {
        "exp" | "sin" | "cos" | "tanh" | "sqrt" | "abs" | "ln" => {
            let m = syn::Ident::new(n, span);
            quote!(#c.#m())
        }
        "log" => quote!(#c.ln()),
        "log1p" => quote!(#c.ln_1p()),
        "sigmoid" => quote!((1.0f64 / (1.0f64 + (-#c).exp()))),
        "softplus" => quote!((#c.max(0.0f64) + (-#c.abs()).exp().ln_1p())),
        "log_sigmoid" => quote!((-((-#c).max(0.0f64) + (-#c.abs()).exp().ln_1p()))),
        "relu" => quote!(#c.max(0.0f64)),
        "norm2" => quote!(#c.powi(2)),
        "sum" | "mean" => c,
        _ => {
            errors.push(
                span,
                format!("`{n}` needs a tensor argument, got a plain number"),
            );
            return None;
        }
    };
    Some(scalar(code))
}

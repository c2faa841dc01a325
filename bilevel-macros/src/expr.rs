//! Objective expressions: typing (scalar or tensor of a rank) and code generation to burn
//! tensor operations on the backend `T`.

use std::collections::BTreeSet;

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use syn::spanned::Spanned;
use syn::{BinOp, Expr, ExprLit, Lit, UnOp};

use crate::ir::{Decl, Level};
use crate::parse::Errors;

/// The type of a sub-expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A plain `f64` (literals, scalar data).
    Scalar,
    /// A tensor of the given rank; `unit` when it holds exactly one entry (a reduction, a
    /// scalar block), which broadcasts against any rank.
    Tensor { rank: usize, unit: bool },
}

/// A translated sub-expression.
pub struct Typed {
    pub ty: Ty,
    pub code: TokenStream,
}

/// What a name refers to.
#[derive(Clone)]
enum Name {
    Block { rank: usize, unit: bool },
    Data { rank: usize },
    ScalarData,
}

/// The elementwise functions: (name, tensor code, scalar code), `{}` standing for the argument.
const UNARY: &[&str] = &[
    "exp", "ln", "log", "log1p", "sin", "cos", "tanh", "sigmoid", "softplus", "relu", "sqrt", "abs",
];
const OTHERS: &[&str] = &[
    "powi",
    "powf",
    "sum",
    "mean",
    "dot",
    "norm2",
    "matmul",
    "softmax",
    "log_softmax",
    "transpose",
];

/// Translates the expressions of one declaration.
pub struct Translator<'a> {
    decl: &'a Decl,
    /// Names used by the expression being translated.
    pub used: BTreeSet<String>,
}

fn f64_lit(v: f64) -> TokenStream {
    let l = Literal::f64_suffixed(v);
    quote!(#l)
}

impl<'a> Translator<'a> {
    pub fn new(decl: &'a Decl) -> Self {
        Self {
            decl,
            used: BTreeSet::new(),
        }
    }

    fn lookup(&self, ident: &syn::Ident) -> Option<Name> {
        if let Some(b) = self.decl.blocks.iter().find(|b| b.name == *ident) {
            let rank = b.shape.len().max(1);
            return Some(Name::Block {
                rank,
                unit: b.shape.is_empty(),
            });
        }
        self.decl
            .data
            .iter()
            .find(|d| d.name == *ident)
            .map(|d| match &d.shape {
                None => Name::ScalarData,
                Some(s) => Name::Data {
                    rank: s.len().max(1),
                },
            })
    }

    fn known(&self) -> String {
        let b = self.decl.blocks.iter().map(|b| b.name.to_string());
        let d = self.decl.data.iter().map(|d| d.name.to_string());
        b.chain(d).collect::<Vec<_>>().join(", ")
    }

    /// The blocks of `level` this expression used.
    pub fn uses_level(&self, level: Level) -> bool {
        self.decl
            .blocks
            .iter()
            .any(|b| b.level == level && self.used.contains(&b.name.to_string()))
    }

    /// Types and translates `e`; errors go to `errors` (and `None` comes back).
    pub fn expr(&mut self, e: &Expr, errors: &mut Errors) -> Option<Typed> {
        match e {
            Expr::Lit(ExprLit {
                lit: Lit::Float(f), ..
            }) => literal(f.base10_parse().ok(), f.span(), errors),
            Expr::Lit(ExprLit {
                lit: Lit::Int(i), ..
            }) => literal(i.base10_parse().ok(), i.span(), errors),
            Expr::Paren(p) => self.expr(&p.expr, errors).map(|t| Typed {
                code: {
                    let c = t.code;
                    quote!((#c))
                },
                ty: t.ty,
            }),
            Expr::Group(g) => self.expr(&g.expr, errors),
            Expr::Path(p) => self.name(p, errors),
            Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => {
                let t = self.expr(&u.expr, errors)?;
                let c = t.code;
                Some(Typed {
                    code: if t.ty == Ty::Scalar {
                        quote!((-#c))
                    } else {
                        quote!(#c.neg())
                    },
                    ty: t.ty,
                })
            }
            Expr::Binary(b) => {
                let lhs = self.expr(&b.left, errors);
                let rhs = self.expr(&b.right, errors);
                binary(&b.op, lhs?, rhs?, b, errors)
            }
            Expr::MethodCall(m) => {
                let mut args = vec![&*m.receiver];
                args.extend(m.args.iter());
                self.call(&m.method, &args, errors)
            }
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) if p.path.get_ident().is_some() => {
                    let ident = p.path.get_ident().expect("checked").clone();
                    self.call(&ident, &c.args.iter().collect::<Vec<_>>(), errors)
                }
                other => {
                    errors.push(
                        other.span(),
                        "expected a function name such as `exp` or `sum`",
                    );
                    None
                }
            },
            other => {
                errors.spanned(
                    other,
                    "unsupported expression: use numbers, declared names, + - * /, and the functions listed in the `bilevel` docs",
                );
                None
            }
        }
    }

    fn name(&mut self, p: &syn::ExprPath, errors: &mut Errors) -> Option<Typed> {
        let Some(ident) = p.path.get_ident() else {
            errors.push(p.span(), "expected a declared name");
            return None;
        };
        let Some(kind) = self.lookup(ident) else {
            errors.push(
                ident.span(),
                format!("unknown name `{ident}`; declared names: {}", self.known()),
            );
            return None;
        };
        self.used.insert(ident.to_string());
        Some(match kind {
            Name::Block { rank, unit, .. } => Typed {
                code: quote!(#ident.clone()),
                ty: Ty::Tensor { rank, unit },
            },
            Name::Data { rank } => Typed {
                code: quote!(T::lift(self.#ident.clone())),
                ty: Ty::Tensor { rank, unit: false },
            },
            Name::ScalarData => Typed {
                code: quote!(self.#ident),
                ty: Ty::Scalar,
            },
        })
    }

    fn call(&mut self, name: &syn::Ident, args: &[&Expr], errors: &mut Errors) -> Option<Typed> {
        let n = name.to_string();
        let span = name.span();
        if !UNARY.contains(&n.as_str()) && !OTHERS.contains(&n.as_str()) {
            let all: Vec<&str> = UNARY.iter().chain(OTHERS).copied().collect();
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
        }
        let expected = if ["powi", "powf", "dot", "matmul"].contains(&n.as_str()) {
            2
        } else {
            1
        };
        if args.len() != expected {
            errors.push(span, format!("`{n}` takes {expected} argument(s) (counting the receiver of a method call), got {}", args.len()));
            return None;
        }
        if n == "powi" {
            let x = self.expr(args[0], errors)?;
            let Ok(k) = integer_literal(args[1]) else {
                errors.push(
                    args[1].span(),
                    "`powi` needs an integer literal exponent; use `powf` for a real one",
                );
                return None;
            };
            let c = x.code;
            return Some(Typed {
                code: if x.ty == Ty::Scalar {
                    quote!(#c.powi(#k))
                } else {
                    quote!(#c.powi_scalar(#k))
                },
                ty: x.ty,
            });
        }
        let typed: Vec<Typed> = args.iter().filter_map(|a| self.expr(a, errors)).collect();
        if typed.len() != args.len() {
            return None;
        }
        let mut it = typed.into_iter();
        let a = it.next().expect("one argument at least");
        if expected == 2 {
            let b = it.next().expect("two arguments");
            return two(&n, a, b, span, errors);
        }
        one(&n, a, span, errors)
    }
}

/// A finite number literal, or a spanned error (a literal like `1e400` overflows f64).
fn literal(v: Option<f64>, span: Span, errors: &mut Errors) -> Option<Typed> {
    match v {
        Some(v) if v.is_finite() => Some(scalar(f64_lit(v))),
        _ => {
            errors.push(span, "this number is not a finite f64");
            None
        }
    }
}

fn scalar(code: TokenStream) -> Typed {
    Typed {
        ty: Ty::Scalar,
        code,
    }
}

fn integer_literal(e: &Expr) -> Result<i32, ()> {
    match e {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse().map_err(|_| ()),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => integer_literal(&u.expr).map(|v| -v),
        Expr::Paren(p) => integer_literal(&p.expr),
        _ => Err(()),
    }
}

const OPS: &str = "::bilevel::core::ops";

fn one(n: &str, a: Typed, span: Span, errors: &mut Errors) -> Option<Typed> {
    let c = a.code;
    let ops: TokenStream = OPS.parse().expect("a path");
    if a.ty == Ty::Scalar {
        let code = match n {
            "exp" | "sin" | "cos" | "tanh" | "sqrt" | "abs" | "ln" => {
                let m = syn::Ident::new(n, span);
                quote!(#c.#m())
            }
            "log" => quote!(#c.ln()),
            "log1p" => quote!(#c.ln_1p()),
            "sigmoid" => quote!((1.0f64 / (1.0f64 + (-#c).exp()))),
            "softplus" => quote!((#c.max(0.0f64) + (-#c.abs()).exp().ln_1p())),
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
        return Some(scalar(code));
    }
    let Ty::Tensor { rank, unit } = a.ty else {
        unreachable!("scalar handled above")
    };
    let (code, ty) = match n {
        "exp" | "sin" | "cos" | "tanh" | "sqrt" | "abs" | "log1p" => {
            let m = syn::Ident::new(n, span);
            (quote!(#c.#m()), a.ty)
        }
        "ln" | "log" => (quote!(#c.log()), a.ty),
        "sigmoid" | "softplus" | "relu" => {
            let m = syn::Ident::new(n, span);
            (quote!(#ops::#m(#c)), a.ty)
        }
        "sum" => (
            quote!(#c.sum()),
            Ty::Tensor {
                rank: 1,
                unit: true,
            },
        ),
        "mean" => (
            quote!(#c.mean()),
            Ty::Tensor {
                rank: 1,
                unit: true,
            },
        ),
        "norm2" => (
            quote!(#c.powi_scalar(2).sum()),
            Ty::Tensor {
                rank: 1,
                unit: true,
            },
        ),
        "softmax" | "log_softmax" => {
            let m = syn::Ident::new(n, span);
            let dim = rank - 1;
            (
                quote!(::bilevel::core::burn::tensor::activation::#m(#c, #dim)),
                a.ty,
            )
        }
        "transpose" if rank == 2 => (quote!(#c.transpose()), Ty::Tensor { rank, unit }),
        "transpose" => {
            errors.push(
                span,
                format!("`transpose` needs a matrix, got a rank-{rank} tensor"),
            );
            return None;
        }
        _ => unreachable!("every one-argument function is listed"),
    };
    Some(Typed { code, ty })
}

fn two(n: &str, a: Typed, b: Typed, span: Span, errors: &mut Errors) -> Option<Typed> {
    let (ca, cb) = (a.code, b.code);
    match (n, a.ty, b.ty) {
        ("powf", Ty::Scalar, Ty::Scalar) => Some(scalar(quote!(#ca.powf(#cb)))),
        ("powf", Ty::Tensor { .. }, Ty::Scalar) => Some(Typed {
            code: quote!(#ca.powf_scalar(#cb)),
            ty: a.ty,
        }),
        ("powf", _, _) => {
            errors.push(span, "`powf` needs a plain-number exponent");
            None
        }
        ("dot", Ty::Tensor { rank: ra, .. }, Ty::Tensor { rank: rb, .. }) if ra == rb => {
            Some(Typed {
                code: quote!((#ca * #cb).sum()),
                ty: Ty::Tensor {
                    rank: 1,
                    unit: true,
                },
            })
        }
        ("matmul", Ty::Tensor { rank: 2, .. }, Ty::Tensor { rank: 2, .. }) => Some(Typed {
            code: quote!(#ca.matmul(#cb)),
            ty: Ty::Tensor {
                rank: 2,
                unit: false,
            },
        }),
        ("matmul", Ty::Tensor { rank: 2, .. }, Ty::Tensor { rank: 1, .. }) => Some(Typed {
            code: quote!(#ca.matmul(#cb.unsqueeze_dim::<2>(1)).squeeze_dim::<1>(1)),
            ty: Ty::Tensor {
                rank: 1,
                unit: false,
            },
        }),
        ("matmul", Ty::Tensor { rank: 1, .. }, Ty::Tensor { rank: 2, .. }) => Some(Typed {
            code: quote!(#ca.unsqueeze_dim::<2>(0).matmul(#cb).squeeze_dim::<1>(0)),
            ty: Ty::Tensor {
                rank: 1,
                unit: false,
            },
        }),
        _ => {
            errors.push(
                span,
                format!(
                    "`{n}` does not apply to a {} and a {}",
                    describe(a.ty),
                    describe(b.ty)
                ),
            );
            None
        }
    }
}

fn describe(t: Ty) -> String {
    match t {
        Ty::Scalar => "plain number".into(),
        Ty::Tensor { rank, .. } => format!("rank-{rank} tensor"),
    }
}

/// `a op b` for + − × ÷ between numbers and tensors.
fn binary(
    op: &BinOp,
    a: Typed,
    b: Typed,
    whole: &syn::ExprBinary,
    errors: &mut Errors,
) -> Option<Typed> {
    let (ca, cb) = (a.code, b.code);
    let sym = match op {
        BinOp::Add(_) => '+',
        BinOp::Sub(_) => '-',
        BinOp::Mul(_) => '*',
        BinOp::Div(_) => '/',
        _ => {
            errors.spanned(whole, "only + - * / are supported between terms");
            return None;
        }
    };
    let code = match (a.ty, b.ty, sym) {
        (Ty::Scalar, Ty::Scalar, _) => {
            let o: TokenStream = sym.to_string().parse().expect("an operator");
            return Some(scalar(quote!((#ca #o #cb))));
        }
        (Ty::Tensor { .. }, Ty::Scalar, '+') => quote!(#ca.add_scalar(#cb)),
        (Ty::Tensor { .. }, Ty::Scalar, '-') => quote!(#ca.sub_scalar(#cb)),
        (Ty::Tensor { .. }, Ty::Scalar, '*') => quote!(#ca.mul_scalar(#cb)),
        // burn 0.21 differentiates div_scalar with 1/c in f32: multiply by 1/c instead.
        (Ty::Tensor { .. }, Ty::Scalar, _) => quote!(#ca.mul_scalar(1.0f64 / (#cb))),
        (Ty::Scalar, Ty::Tensor { .. }, '+') => quote!(#cb.add_scalar(#ca)),
        (Ty::Scalar, Ty::Tensor { .. }, '-') => quote!(#cb.neg().add_scalar(#ca)),
        (Ty::Scalar, Ty::Tensor { .. }, '*') => quote!(#cb.mul_scalar(#ca)),
        (Ty::Scalar, Ty::Tensor { .. }, _) => quote!(#cb.recip().mul_scalar(#ca)),
        (Ty::Tensor { rank: ra, unit: ua }, Ty::Tensor { rank: rb, unit: ub }, _) => {
            let o: TokenStream = sym.to_string().parse().expect("an operator");
            // Broadcasting as numpy does: a vector [n] against a matrix is the row [1, n]; a
            // one-entry tensor broadcasts against anything.
            let lift = |code: TokenStream, from: usize, to: usize| match (from, to) {
                (a, b) if a == b => Some(code),
                (1, 2) => Some(quote!(#code.unsqueeze_dim::<2>(0))),
                _ => None,
            };
            let rank = ra.max(rb);
            match (lift(ca, ra, rank), lift(cb, rb, rank)) {
                (Some(x), Some(y)) => {
                    return Some(Typed {
                        code: quote!((#x #o #y)),
                        ty: Ty::Tensor {
                            rank,
                            unit: ua && ub,
                        },
                    });
                }
                _ => {
                    errors.spanned(
                        whole,
                        format!("cannot combine a rank-{ra} and a rank-{rb} tensor with `{sym}`"),
                    );
                    return None;
                }
            }
        }
    };
    let ty = if let Ty::Tensor { .. } = a.ty {
        a.ty
    } else {
        b.ty
    };
    Some(Typed { code, ty })
}

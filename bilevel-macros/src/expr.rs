//! Objective expressions: typing (number, tensor of a rank, labels) and code generation to
//! burn tensor operations on the backend `T`. Functions live in `funcs.rs`.

use std::collections::BTreeSet;

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, UnOp};

use crate::ir::{DataKind, Decl, Level};
use crate::parse::Errors;
use crate::scope::Scope;

/// The type of a sub-expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A plain `f64` (literals, number data, sizes).
    Scalar,
    /// A tensor of the given rank; `unit` when it holds exactly one entry (a reduction, a
    /// scalar block), which broadcasts against any rank.
    Tensor { rank: usize, unit: bool },
    /// Class labels (their one-hot matrix in the code): only for `cross_entropy`/`one_hot`.
    Labels,
}

/// A translated sub-expression.
pub struct Typed {
    pub ty: Ty,
    pub code: TokenStream,
}

/// A named intermediate value, translated.
pub struct LetInfo {
    pub name: syn::Ident,
    /// `None` when its expression had errors (already reported): a use of it then fails
    /// quietly instead of cascading.
    pub ty: Option<Ty>,
    pub code: TokenStream,
    /// The names its expression uses directly.
    pub uses: BTreeSet<String>,
    /// How it splits across shards.
    pub split: crate::split::Split,
}

pub fn f64_lit(v: f64) -> TokenStream {
    let l = Literal::f64_suffixed(v);
    quote!(#l)
}

pub fn scalar(code: TokenStream) -> Typed {
    Typed {
        ty: Ty::Scalar,
        code,
    }
}

pub fn describe(t: Ty) -> String {
    match t {
        Ty::Scalar => "plain number".into(),
        Ty::Tensor { rank, .. } => format!("rank-{rank} tensor"),
        Ty::Labels => "set of class labels".into(),
    }
}

/// Translates the expressions of one declaration.
pub struct Translator<'a> {
    pub decl: &'a Decl,
    pub scope: &'a Scope,
    /// The intermediate values defined so far.
    pub lets: Vec<LetInfo>,
    /// Names used by the expression being translated.
    pub used: BTreeSet<String>,
}

impl<'a> Translator<'a> {
    pub fn new(decl: &'a Decl, scope: &'a Scope) -> Self {
        Self {
            decl,
            scope,
            lets: vec![],
            used: BTreeSet::new(),
        }
    }

    pub fn core(&self) -> &TokenStream {
        &self.decl.core
    }

    /// Translates the `let` values in order; each sees only the ones above it.
    pub fn translate_lets(&mut self, errors: &mut Errors) {
        for l in &self.decl.lets {
            self.used.clear();
            let typed = self.expr(&l.expr, errors);
            let uses = std::mem::take(&mut self.used);
            let typed = match typed {
                Some(Typed { ty: Ty::Labels, .. }) => {
                    errors.spanned(&l.expr, "a value cannot be a set of labels; use them in cross_entropy(..) or one_hot(..)");
                    None
                }
                t => t,
            };
            let (ty, code) = typed.map_or((None, TokenStream::new()), |t| (Some(t.ty), t.code));
            let split = self.split(&l.expr);
            self.lets.push(LetInfo {
                name: l.name.clone(),
                ty,
                code,
                uses,
                split,
            });
        }
        self.used.clear();
    }

    /// `used` closed over the values it names: everything an expression reads.
    pub fn closure(&self, used: &BTreeSet<String>) -> BTreeSet<String> {
        let mut all = used.clone();
        // To a fixed point: a value may name one defined below it (an error already reported).
        loop {
            let before = all.len();
            for l in self.lets.iter().rev() {
                if all.contains(&l.name.to_string()) {
                    all.extend(l.uses.iter().cloned());
                }
            }
            if all.len() == before {
                return all;
            }
        }
    }

    /// Whether the names `all` include a block of `level`.
    pub fn uses_level(&self, all: &BTreeSet<String>, level: Level) -> bool {
        all.contains(&format!("__level_{}", level.word()))
            || self
                .decl
                .blocks
                .iter()
                .any(|b| b.level == level && all.contains(&b.name.to_string()))
    }

    /// `upper` / `lower`: a whole level's variable (all its blocks, flat), e.g. the λ‖y‖² of
    /// a regularizer. Not for a level with a batched block (its rows change per iteration).
    fn level(&mut self, ident: &syn::Ident, errors: &mut Errors) -> Option<Typed> {
        let (level, flat) = match ident.to_string().as_str() {
            "upper" => (Level::Upper, quote!(__x)),
            "lower" => (Level::Lower, quote!(__y)),
            _ => return None,
        };
        if let Some(b) = self
            .decl
            .blocks
            .iter()
            .find(|b| b.level == level && self.scope.group_of_shape(&b.shape).is_some())
        {
            errors.push(
                ident.span(),
                format!("`{ident}` is the whole {} variable, but its block `{}` is read at a minibatch's rows; name the blocks instead", level.word(), b.name),
            );
            return Some(Typed {
                code: quote!(#flat.clone()),
                ty: Ty::Tensor {
                    rank: 1,
                    unit: false,
                },
            });
        }
        self.used.insert(format!("__level_{}", level.word()));
        Some(Typed {
            code: quote!(#flat.clone()),
            ty: Ty::Tensor {
                rank: 1,
                unit: false,
            },
        })
    }

    /// In `a ± b` where one side is a sum over rows and the other reads no batched row, the
    /// latter is weighted by the replica weight (1 on the lead shard and unsharded, 0 on the
    /// other shards), so that the shards' values add up to the whole.
    fn count_once(&self, b: &syn::ExprBinary, lhs: Typed, rhs: Typed) -> (Typed, Typed) {
        use crate::split::Split;
        if !matches!(b.op, syn::BinOp::Add(_) | syn::BinOp::Sub(_)) {
            return (lhs, rhs);
        }
        match (self.split(&b.left), self.split(&b.right)) {
            (Split::Partial, Split::Whole) => (lhs, once(rhs)),
            (Split::Whole, Split::Partial) => (once(lhs), rhs),
            _ => (lhs, rhs),
        }
    }

    fn known(&self) -> String {
        let b = self.decl.blocks.iter().map(|b| b.name.to_string());
        let d = self.decl.data.iter().map(|d| d.name.to_string());
        let l = self.lets.iter().map(|l| l.name.to_string());
        let s = self.scope.sizes.iter().map(|s| s.name.to_string());
        b.chain(d).chain(l).chain(s).collect::<Vec<_>>().join(", ")
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
            Expr::Index(ix) => self.index(ix, errors),
            Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => {
                let t = self.expr(&u.expr, errors)?;
                let c = t.code;
                let code = match t.ty {
                    Ty::Scalar => quote!((-#c)),
                    Ty::Tensor { .. } => quote!(#c.neg()),
                    Ty::Labels => return labels_misused(&u.expr, errors),
                };
                Some(Typed { code, ty: t.ty })
            }
            Expr::Binary(b) => {
                let lhs = self.expr(&b.left, errors);
                let rhs = self.expr(&b.right, errors);
                let (lhs, rhs) = self.count_once(b, lhs?, rhs?);
                crate::arith::binary(&b.op, lhs, rhs, b, errors)
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
        let key = ident.to_string();
        if let Some(l) = self.lets.iter().find(|l| l.name == *ident) {
            self.used.insert(key);
            return Some(Typed {
                code: quote!(#ident.clone()),
                ty: l.ty?,
            });
        }
        if self.decl.lets.iter().any(|l| l.name == *ident) {
            errors.push(
                ident.span(),
                format!("`{ident}` is used before it is defined: move `let {ident} = ..` above its first use"),
            );
            // It is meant as a use: no second error that it is never used.
            self.used.insert(key);
            return None;
        }
        if let Some(b) = self.decl.blocks.iter().find(|b| b.name == *ident) {
            self.used.insert(key);
            let rank = b.shape.len().max(1);
            return Some(Typed {
                code: quote!(#ident.clone()),
                ty: Ty::Tensor {
                    rank,
                    unit: b.shape.is_empty(),
                },
            });
        }
        if let Some(d) = self.decl.data.iter().find(|d| d.name == *ident) {
            self.used.insert(key);
            let group = self.scope.group_of_field(ident).map(|g| {
                let field = quote::format_ident!("__batch_{}", self.scope.groups[g].name);
                quote!(self.#field)
            });
            let lifted = match group {
                Some(batch) => quote!(T::lift(#batch.take(&self.#ident))),
                None => quote!(T::lift(self.#ident.clone())),
            };
            return Some(match &d.kind {
                DataKind::Tensor(s) => Typed {
                    code: lifted,
                    ty: Ty::Tensor {
                        rank: s.len().max(1),
                        unit: s.is_empty(),
                    },
                },
                DataKind::Labels { .. } => Typed {
                    code: lifted,
                    ty: Ty::Labels,
                },
                DataKind::Float => scalar(quote!(self.#ident)),
                DataKind::Int(_) => scalar(quote!((self.#ident as f64))),
                // Its type error is reported already: no second one here.
                DataKind::Invalid => return None,
            });
        }
        if let Some(t) = self.level(ident, errors) {
            return Some(t);
        }
        if self.scope.size(ident).is_some() {
            if self.scope.group_of_size(ident).is_some() {
                errors.push(
                    ident.span(),
                    format!("`{ident}` counts the rows of a batch group and changes with the minibatch; use `mean(..)` instead of dividing by it"),
                );
                return None;
            }
            let field = quote::format_ident!("__size_{}", ident);
            return Some(scalar(quote!((self.#field as f64))));
        }
        errors.push(
            ident.span(),
            format!("unknown name `{ident}`; declared names: {}", self.known()),
        );
        None
    }
}

/// `t` weighted by the problem's replica weight (`Problem::replica_weight`).
pub fn once(t: Typed) -> Typed {
    let c = t.code;
    let code = match t.ty {
        Ty::Scalar => quote!((#c * self.__lead)),
        _ => quote!(#c.mul_scalar(self.__lead)),
    };
    Typed { code, ty: t.ty }
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

/// The error for class labels used as numbers.
pub fn labels_misused<T: quote::ToTokens>(at: T, errors: &mut Errors) -> Option<Typed> {
    errors.spanned(
        at,
        "class labels are integers, not numbers: use them as `cross_entropy(logits, labels)` or `one_hot(labels)`",
    );
    None
}

//! Arithmetic between numbers and tensors (`+ - * /` with numpy broadcasting) and indexing
//! by integer data (`v[idx]`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{BinOp, Expr};

use crate::expr::{Translator, Ty, Typed, describe, labels_misused, scalar};
use crate::ir::DataKind;
use crate::parse::Errors;

impl Translator<'_> {
    /// `v[idx]`: the entries (or rows) of `v` at the integers of a `Labels` field.
    pub fn index(&mut self, ix: &syn::ExprIndex, errors: &mut Errors) -> Option<Typed> {
        let v = self.expr(&ix.expr, errors);
        let field = match &*ix.index {
            Expr::Path(p) => p.path.get_ident().and_then(|i| {
                self.decl
                    .data
                    .iter()
                    .find(|d| d.name == *i && matches!(d.kind, DataKind::Labels { .. }))
            }),
            _ => None,
        };
        let Some(field) = field else {
            errors.spanned(
                &ix.index,
                "an index must be a `Labels<m, n>` data field: integers in 0..n",
            );
            return None;
        };
        let v = v?;
        let Ty::Tensor { rank, .. } = v.ty else {
            errors.spanned(
                &ix.expr,
                format!("only a tensor can be indexed, not a {}", describe(v.ty)),
            );
            return None;
        };
        self.used.insert(field.name.to_string());
        let index = quote::format_ident!("__index_{}", field.name);
        let index = match self.scope.group_of_field(&field.name) {
            Some(g) => {
                let batch = quote::format_ident!("__batch_{}", self.scope.groups[g].name);
                quote!(self.#batch.take_index(&self.#index))
            }
            None => quote!(self.#index.clone()),
        };
        let c = v.code;
        Some(Typed {
            code: quote!(#c.select(0, T::lift_int(#index))),
            ty: Ty::Tensor { rank, unit: false },
        })
    }
}

/// `a op b` for + − × ÷ between numbers and tensors.
pub fn binary(
    op: &BinOp,
    a: Typed,
    b: Typed,
    whole: &syn::ExprBinary,
    errors: &mut Errors,
) -> Option<Typed> {
    if a.ty == Ty::Labels || b.ty == Ty::Labels {
        return labels_misused(whole, errors);
    }
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
    let o: TokenStream = sym.to_string().parse().expect("an operator");
    let code = match (a.ty, b.ty, sym) {
        (Ty::Scalar, Ty::Scalar, _) => return Some(scalar(quote!((#ca #o #cb)))),
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
            // Broadcasting as numpy does: a vector [n] against a matrix is the row [1, n]; a
            // one-entry tensor broadcasts against anything.
            let lift = |code: TokenStream, from: usize, to: usize| match (from, to) {
                (a, b) if a == b => Some(code),
                (1, 2) => Some(quote!(#code.unsqueeze_dim::<2>(0))),
                _ => None,
            };
            let rank = ra.max(rb);
            let (Some(x), Some(y)) = (lift(ca, ra, rank), lift(cb, rb, rank)) else {
                errors.spanned(
                    whole,
                    format!("cannot combine a rank-{ra} and a rank-{rb} tensor with `{sym}`"),
                );
                return None;
            };
            return Some(Typed {
                code: quote!((#x #o #y)),
                ty: Ty::Tensor {
                    rank,
                    unit: ua && ub,
                },
            });
        }
        _ => unreachable!("labels handled above"),
    };
    let ty = if let Ty::Tensor { .. } = a.ty {
        a.ty
    } else {
        b.ty
    };
    Some(Typed { code, ty })
}

//! How an expression splits across the shards of its batch groups (`bilevel_core::shard`):
//! the same on every shard, one entry per row of a group, a sum over the shards, or none of
//! these. f and g must end as a sum over the shards (or the same on every shard) for the
//! problem to be shardable; the code generation reads the split to divide a `mean` over rows
//! by the whole group's rows and to count the terms every shard computes alike once.

use syn::{BinOp, Expr, UnOp};

use crate::expr::Translator;

/// The split of a value across shards.
#[derive(Debug, Clone, PartialEq)]
pub enum Split {
    /// Reads no batched row: every shard computes all of it.
    Whole,
    /// One entry per row of batch group `g` along its first axis: each shard its rows.
    Rows(usize),
    /// A linear reduction over rows: the whole value is the sum of the shards' values.
    Partial,
    /// Not splittable, and why.
    Opaque(String),
}

/// Elementwise functions of one argument: row-wise maps.
const ELEMENTWISE: &[&str] = &[
    "exp",
    "ln",
    "log",
    "log1p",
    "sin",
    "cos",
    "tanh",
    "sqrt",
    "abs",
    "sigmoid",
    "softplus",
    "log_sigmoid",
    "relu",
    "powi",
    "powf",
];

fn opaque(why: impl Into<String>) -> Split {
    Split::Opaque(why.into())
}

/// A function of one argument that maps rows to rows but does not commute with a sum.
fn rowwise(name: &str, a: Split) -> Split {
    match a {
        Split::Partial => opaque(format!("`{name}` of a sum over rows")),
        other => other,
    }
}

/// `a + b` or `a - b`.
fn add(a: Split, b: Split) -> Split {
    use Split::*;
    match (a, b) {
        (Opaque(w), _) | (_, Opaque(w)) => Opaque(w),
        (Whole, Whole) => Whole,
        (Partial, Partial | Whole) | (Whole, Partial) => Partial,
        (Rows(g), Rows(h)) if g != h => opaque("adds per-row values of two batch groups"),
        (Rows(g), Rows(_) | Whole) | (Whole, Rows(g)) => Rows(g),
        _ => opaque("adds a sum over rows to per-row values"),
    }
}

/// `a * b`.
fn mul(a: Split, b: Split) -> Split {
    use Split::*;
    match (a, b) {
        (Opaque(w), _) | (_, Opaque(w)) => Opaque(w),
        (Whole, x) | (x, Whole) => x,
        (Rows(g), Rows(h)) if g == h => Rows(g),
        (Rows(_), Rows(_)) => opaque("multiplies per-row values of two batch groups"),
        _ => opaque("multiplies a sum over rows by a value that reads batched rows"),
    }
}

/// `a / b`.
fn div(a: Split, b: Split) -> Split {
    use Split::*;
    match (a, b) {
        (Opaque(w), _) | (_, Opaque(w)) => Opaque(w),
        (x, Whole) => x,
        (Whole, Rows(h)) => Rows(h),
        (Rows(g), Rows(h)) if g == h => Rows(g),
        (Rows(_), Rows(_)) => opaque("divides per-row values of two batch groups"),
        _ => opaque("divides by a sum over rows"),
    }
}

impl Translator<'_> {
    /// The split of `e` (names of `let` values use the splits computed for them).
    pub fn split(&self, e: &Expr) -> Split {
        match e {
            Expr::Lit(_) => Split::Whole,
            Expr::Paren(p) => self.split(&p.expr),
            Expr::Group(g) => self.split(&g.expr),
            Expr::Path(p) => p
                .path
                .get_ident()
                .map_or(Split::Whole, |i| self.split_name(i)),
            Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => self.split(&u.expr),
            Expr::Binary(b) => {
                let (l, r) = (self.split(&b.left), self.split(&b.right));
                match b.op {
                    BinOp::Add(_) | BinOp::Sub(_) => add(l, r),
                    BinOp::Mul(_) => mul(l, r),
                    _ => div(l, r),
                }
            }
            Expr::Index(ix) => self.split_index(ix),
            Expr::MethodCall(m) => {
                let mut args = vec![&*m.receiver];
                args.extend(m.args.iter());
                self.split_call(&m.method.to_string(), &args)
            }
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) if p.path.get_ident().is_some() => {
                    let name = p.path.get_ident().expect("checked").to_string();
                    self.split_call(&name, &c.args.iter().collect::<Vec<_>>())
                }
                _ => opaque("an unsupported expression"),
            },
            _ => opaque("an unsupported expression"),
        }
    }

    fn split_name(&self, ident: &syn::Ident) -> Split {
        if let Some(l) = self.lets.iter().find(|l| l.name == *ident) {
            return l.split.clone();
        }
        if let Some(b) = self.decl.blocks.iter().find(|b| b.name == *ident) {
            return self
                .scope
                .group_of_shape(&b.shape)
                .map_or(Split::Whole, Split::Rows);
        }
        self.scope
            .group_of_field(ident)
            .map_or(Split::Whole, Split::Rows)
    }

    fn split_index(&self, ix: &syn::ExprIndex) -> Split {
        let v = self.split(&ix.expr);
        let group = match &*ix.index {
            Expr::Path(p) => p
                .path
                .get_ident()
                .and_then(|i| self.scope.group_of_field(i)),
            _ => None,
        };
        match (v, group) {
            (Split::Whole, Some(g)) => Split::Rows(g),
            (Split::Whole, None) => Split::Whole,
            (Split::Opaque(w), _) => Split::Opaque(w),
            _ => opaque("indexes batched rows by labels (the rows may be on another shard)"),
        }
    }

    /// A function's split from its arguments' (an axis argument of 0, or none, reduces over
    /// the rows).
    fn split_call(&self, name: &str, args: &[&Expr]) -> Split {
        let a = args.first().map_or(Split::Whole, |e| self.split(e));
        let b = args.get(1).map(|e| self.split(e));
        let axis = args.get(1).map(|e| quote::quote!(#e).to_string());
        let over_rows = axis.as_deref().is_none_or(|a| a.trim() == "0");
        match (name, a) {
            (_, Split::Opaque(w)) => Split::Opaque(w),
            (n, a) if ELEMENTWISE.contains(&n) => match b {
                Some(Split::Whole) | None => rowwise(n, a),
                Some(_) => opaque(format!("`{n}` with a batched exponent")),
            },
            ("max" | "min", a) => rowwise(name, add(a, b.unwrap_or(Split::Whole))),
            ("sum" | "mean" | "norm2", Split::Rows(_)) if over_rows || name == "norm2" => {
                Split::Partial
            }
            ("sum" | "mean", a) => a,
            ("norm2", Split::Partial) => opaque("`norm2` of a sum over rows"),
            ("norm2", a) => a,
            ("logsumexp" | "softmax" | "log_softmax", Split::Rows(_))
                if args.len() == 1 || over_rows =>
            {
                opaque(format!(
                    "`{name}` across batched rows (give the axis: `{name}(a, 1)` works within rows)"
                ))
            }
            ("logsumexp" | "softmax" | "log_softmax", a) => rowwise(name, a),
            ("dot", a) => match (a, b.unwrap_or(Split::Whole)) {
                (Split::Whole, Split::Whole) => Split::Whole,
                (Split::Rows(g), Split::Rows(h)) if g == h => Split::Partial,
                _ => opaque("`dot` of a batched and an unbatched value"),
            },
            ("matmul", a) => match (a, b.unwrap_or(Split::Whole)) {
                (x, Split::Whole) if x != Split::Partial => x,
                (_, Split::Opaque(w)) => Split::Opaque(w),
                _ => opaque("`matmul` contracting batched rows (write it as a sum over rows)"),
            },
            ("transpose", Split::Whole) => Split::Whole,
            ("transpose", _) => opaque("`transpose` of batched rows"),
            ("cross_entropy" | "one_hot", a) => match (a, b.unwrap_or(Split::Whole)) {
                (x, y) if x == y => x,
                (Split::Rows(_), Split::Whole) | (Split::Whole, Split::Rows(_)) => opaque(
                    "`cross_entropy` of batched logits and unbatched labels (or the reverse)",
                ),
                _ => opaque("`cross_entropy` of values of two batch groups"),
            },
            _ => opaque(format!("`{name}`")),
        }
    }
}

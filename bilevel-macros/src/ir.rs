//! The intermediate representation of a `#[bilevel]` item: what was declared, with spans.

use proc_macro2::TokenStream;

/// Which level a variable block belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Upper,
    Lower,
}

impl Level {
    pub fn word(self) -> &'static str {
        match self {
            Level::Upper => "upper",
            Level::Lower => "lower",
        }
    }
}

/// One extent of a declared shape: a literal, a named size, or `_` (data only).
#[derive(Debug, Clone)]
pub enum Extent {
    Lit(usize),
    Name(syn::Ident),
    Any,
}

impl Extent {
    pub fn name(&self) -> Option<&syn::Ident> {
        match self {
            Extent::Name(n) => Some(n),
            _ => None,
        }
    }
}

/// A number in `init = ..` that may name sizes and number settings (`sqrt(2.0 / d)`).
#[derive(Debug, Clone)]
pub struct Setting {
    pub expr: syn::Expr,
    /// Its value when it is a plain literal (checked at compile time).
    pub literal: Option<f64>,
}

/// A domain as declared (checked against the block's shape where both are literal).
#[derive(Debug, Clone)]
pub enum DomainDecl {
    Free,
    Interval(f64, f64),
    Boxed(Vec<f64>, Vec<f64>),
    NonNegative,
    Ball {
        radius: f64,
        center: Option<Vec<f64>>,
    },
    Simplex(f64),
}

/// An initial value as declared; seeds are integer literals or integer settings (`seed + 1`).
#[derive(Debug, Clone)]
pub enum InitDecl {
    Constant(Setting),
    Values(Vec<f64>),
    Uniform(Setting, Setting, syn::Expr),
    Normal(Setting, syn::Expr),
}

/// A variable block: a field with `#[upper(..)]` or `#[lower(..)]`.
#[derive(Debug, Clone)]
pub struct BlockDecl {
    pub name: syn::Ident,
    pub level: Level,
    /// The shape; `[]` for a scalar.
    pub shape: Vec<Extent>,
    pub domain: DomainDecl,
    pub init: InitDecl,
}

/// What a data field holds.
#[derive(Debug, Clone)]
pub enum DataKind {
    /// A float tensor of the declared extents (`Vector<n>`, `Matrix<n, d>`).
    Tensor(Vec<Extent>),
    /// Integer class labels, one per row, and optionally the class count.
    Labels {
        rows: Extent,
        classes: Option<Extent>,
    },
    /// An `f64` number.
    Float,
    /// An integer setting (`u64` or `usize`): seeds and counts for `init`.
    Int(syn::Type),
    /// A type that did not parse (an error is reported): kept so that the fallback `new`
    /// still takes the argument, and uses of the field raise no second error.
    Invalid,
}

/// A data field.
#[derive(Debug, Clone)]
pub struct DataDecl {
    pub name: syn::Ident,
    pub kind: DataKind,
    /// The minibatch group whose rows it is read at (`#[data(batch = train)]`).
    pub batch: Option<syn::Ident>,
}

impl DataDecl {
    /// The extents that rows and columns are named by (tensors and labels).
    pub fn extents(&self) -> Vec<&Extent> {
        match &self.kind {
            DataKind::Tensor(s) => s.iter().collect(),
            DataKind::Labels { rows, .. } => vec![rows],
            _ => vec![],
        }
    }
}

/// A named intermediate value: `let name = expr`.
#[derive(Debug, Clone)]
pub struct LetDecl {
    pub name: syn::Ident,
    pub expr: syn::Expr,
}

/// The whole declaration.
pub struct Decl {
    pub vis: syn::Visibility,
    pub name: syn::Ident,
    pub docs: Vec<syn::Attribute>,
    /// The path of `bilevel-core` in the generated code (`crate = ..`; `::bilevel::core`).
    pub core: TokenStream,
    pub blocks: Vec<BlockDecl>,
    pub data: Vec<DataDecl>,
    pub lets: Vec<LetDecl>,
    /// Every field's name, in declaration order (blocks and data interleaved).
    pub field_order: Vec<syn::Ident>,
    pub f: syn::Expr,
    pub g: syn::Expr,
    pub c: Option<syn::Expr>,
}

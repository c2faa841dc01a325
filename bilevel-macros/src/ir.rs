//! The intermediate representation of a `#[bilevel]` item: what was declared, with spans.

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

/// A domain as declared (checked against the block's shape at compile time).
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

/// An initial value as declared.
#[derive(Debug, Clone)]
pub enum InitDecl {
    Constant(f64),
    Values(Vec<f64>),
    Uniform(f64, f64, u64),
    Normal(f64, u64),
}

/// A variable block: a field with `#[upper(..)]` or `#[lower(..)]`.
#[derive(Debug, Clone)]
pub struct BlockDecl {
    pub name: syn::Ident,
    pub level: Level,
    /// The shape; `[]` for a scalar.
    pub shape: Vec<usize>,
    pub domain: DomainDecl,
    pub init: InitDecl,
}

/// A data field: a tensor with a declared shape (`None` = any extent) or an `f64`.
#[derive(Debug, Clone)]
pub struct DataDecl {
    pub name: syn::Ident,
    /// `None` for an `f64` scalar.
    pub shape: Option<Vec<Option<usize>>>,
}

/// The whole declaration.
pub struct Decl {
    pub vis: syn::Visibility,
    pub name: syn::Ident,
    pub docs: Vec<syn::Attribute>,
    pub blocks: Vec<BlockDecl>,
    pub data: Vec<DataDecl>,
    pub f: syn::Expr,
    pub g: syn::Expr,
    pub c: Option<syn::Expr>,
}

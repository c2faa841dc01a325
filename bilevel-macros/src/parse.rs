//! Parsing: the attribute's items (`crate = ..`, `let v = ..`, `f = ..`, `g = ..`, `c = ..`)
//! and the struct's fields into the IR, collecting every error with its span.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, MetaNameValue, Token};

use crate::fields;
use crate::ir::{Decl, LetDecl, Level};

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

pub type Args = Punctuated<MetaNameValue, Token![,]>;

pub fn key(nv: &MetaNameValue) -> String {
    nv.path
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_default()
}

/// One item of `#[bilevel(..)]`.
enum Item {
    Crate(syn::Path),
    Let(LetDecl),
    Key(syn::Ident, Expr),
}

struct Items(Vec<Item>);

impl Parse for Items {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut items = vec![];
        while !input.is_empty() {
            if input.peek(Token![crate]) {
                input.parse::<Token![crate]>()?;
                input.parse::<Token![=]>()?;
                items.push(Item::Crate(input.call(syn::Path::parse_mod_style)?));
            } else if input.peek(Token![let]) {
                input.parse::<Token![let]>()?;
                let name: syn::Ident = input.parse()?;
                input.parse::<Token![=]>()?;
                let expr: Expr = input.parse()?;
                items.push(Item::Let(LetDecl { name, expr }));
            } else {
                let name: syn::Ident = input.parse()?;
                input.parse::<Token![=]>()?;
                items.push(Item::Key(name, input.parse()?));
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(Items(items))
    }
}

/// The objectives, intermediate values and the core path from the attribute.
struct Objectives {
    core: TokenStream,
    lets: Vec<LetDecl>,
    f: Option<Expr>,
    g: Option<Expr>,
    c: Option<Expr>,
}

fn objectives(attr: TokenStream, span: Span, errors: &mut Errors) -> Option<Objectives> {
    let items = syn::parse2::<Items>(attr)
        .map_err(|e| errors.add(e))
        .ok()?
        .0;
    let mut out = Objectives {
        core: quote!(::bilevel::core),
        lets: vec![],
        f: None,
        g: None,
        c: None,
    };
    let mut crate_given = false;
    for item in items {
        match item {
            Item::Crate(path) => {
                if crate_given {
                    errors.spanned(&path, "`crate` is given twice");
                }
                crate_given = true;
                out.core = quote!(#path);
            }
            Item::Let(l) => out.lets.push(l),
            Item::Key(k, value) => {
                let slot = match k.to_string().as_str() {
                    "f" => &mut out.f,
                    "g" => &mut out.g,
                    "c" => &mut out.c,
                    _ => {
                        errors.push(
                            k.span(),
                            format!("unknown key `{k}`; expected `f = ..`, `g = ..`, `c = ..`, `let name = ..` or `crate = ..`"),
                        );
                        continue;
                    }
                };
                if slot.is_some() {
                    errors.push(k.span(), format!("`{k}` is given twice"));
                }
                *slot = Some(value);
            }
        }
    }
    for (word, slot) in [("upper", &out.f), ("lower", &out.g)] {
        if slot.is_none() {
            let key = if word == "upper" { "f" } else { "g" };
            errors.push(
                span,
                format!(
                    "missing the {word} objective: add `{key} = <expression>` to #[bilevel(...)]"
                ),
            );
        }
    }
    Some(out)
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
    let objectives = objectives(attr, span, errors);
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
    let (mut blocks, mut data, mut names) = (vec![], vec![], Vec::<String>::new());
    let mut names_in_order = vec![];
    for field in fields {
        let Some(ident) = &field.ident else { continue };
        if names.contains(&ident.to_string()) {
            errors.push(
                ident.span(),
                format!("the name `{ident}` is declared twice"),
            );
        }
        names.push(ident.to_string());
        names_in_order.push(ident.clone());
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
            [a] if a.path().is_ident("data") => data.extend(fields::data(field, a, errors)),
            [a] => {
                let level = if a.path().is_ident("upper") {
                    Level::Upper
                } else {
                    Level::Lower
                };
                blocks.extend(fields::block(field, a, level, errors));
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
    let o = objectives?;
    for l in &o.lets {
        if names.contains(&l.name.to_string()) {
            errors.push(
                l.name.span(),
                format!("the name `{}` is declared twice", l.name),
            );
        }
        names.push(l.name.to_string());
    }
    Some(Decl {
        vis: item.vis.clone(),
        name: item.ident.clone(),
        docs,
        core: o.core,
        blocks,
        data,
        lets: o.lets,
        field_order: names_in_order,
        // A missing objective is reported above; the placeholder keeps the fallback's `new`.
        f: o.f.unwrap_or_else(|| syn::parse_quote!(0.0)),
        g: o.g.unwrap_or_else(|| syn::parse_quote!(0.0)),
        c: o.c,
    })
}

//! `#[derive(Config)]`: solver configurations as validated data, in the style of burn's
//! `Config` derive. For a struct with named fields it generates
//!
//! * `new(required..)` taking the fields without `#[config(default = ..)]`, in order (a field
//!   marked `into` takes `impl Into<T>`), the others set to their defaults;
//! * `with_<field>(value)` for every field;
//! * `Default` when every field has a default;
//! * `Deserialize`, where missing fields take their defaults and an unknown field is an error
//!   that lists the valid ones (serde's `deny_unknown_fields`);
//! * `bilevel_core::config::Validate`, running each field's `check` (and the container's
//!   `#[config(extra = method)]`), naming the field by its path; and `validate()`.
//!
//! `Serialize` stays an ordinary derive on the struct.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Expr, Fields, Ident, Type, spanned::Spanned};

/// One field and its `#[config(..)]` settings.
struct Field {
    name: Ident,
    ty: Type,
    docs: Vec<syn::Attribute>,
    default: Option<Expr>,
    check: Option<Ident>,
    into: bool,
    /// Not configuration: left out of `new`, the builders and serde (`Default::default()`).
    skip: bool,
}

/// The derive's entry point: the generated items, or compile errors at the offending spans.
pub fn derive(input: DeriveInput) -> TokenStream {
    match expand(&input) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            "#[derive(Config)] is for structs with named fields",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new(
            data.fields.span(),
            "#[derive(Config)] needs named fields",
        ));
    };
    let fields = named
        .named
        .iter()
        .map(field)
        .collect::<syn::Result<Vec<_>>>()?;
    let extra = container_extra(&input.attrs)?;
    let name = &input.ident;
    let new = new_fn(&fields);
    let builders = fields.iter().filter(|f| !f.skip).map(builder);
    let default = default_impl(name, &fields);
    let deserialize = deserialize_impl(name, &fields);
    let validate = validate_impl(name, &fields, extra.as_ref());
    Ok(quote! {
        impl #name {
            #new
            #(#builders)*
        }
        #default
        #deserialize
        #validate
    })
}

fn field(f: &syn::Field) -> syn::Result<Field> {
    let mut out = Field {
        name: f.ident.clone().expect("named field"),
        ty: f.ty.clone(),
        docs: f
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect(),
        default: None,
        check: None,
        into: false,
        skip: false,
    };
    for attr in f.attrs.iter().filter(|a| a.path().is_ident("config")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                out.default = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("check") {
                let check: Ident = meta.value()?.parse()?;
                const CHECKS: [&str; 6] = [
                    "positive",
                    "non_negative",
                    "unit",
                    "at_least_one",
                    "finite",
                    "nested",
                ];
                if !CHECKS.contains(&check.to_string().as_str()) {
                    return Err(syn::Error::new(
                        check.span(),
                        format!("unknown check; use one of {}", CHECKS.join(", ")),
                    ));
                }
                out.check = Some(check);
            } else if meta.path.is_ident("into") {
                out.into = true;
            } else if meta.path.is_ident("skip") {
                out.skip = true;
                out.default = Some(syn::parse_quote!(::core::default::Default::default()));
            } else {
                return Err(meta.error("expected `default = ..`, `check = ..`, `into` or `skip`"));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// `#[config(extra = method)]` on the struct: a `fn(&self, path: &str) -> Result<()>` run after
/// the field checks (for conditions between fields).
fn container_extra(attrs: &[syn::Attribute]) -> syn::Result<Option<Ident>> {
    let mut extra = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("config")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("extra") {
                extra = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                Err(meta.error("expected `extra = method`"))
            }
        })?;
    }
    Ok(extra)
}

fn default_doc(f: &Field) -> String {
    match &f.default {
        Some(d) => format!("`{}`: defaults to `{}`.", f.name, quote!(#d)),
        None => format!("`{}`: required.", f.name),
    }
}

fn new_fn(fields: &[Field]) -> TokenStream {
    let args = fields.iter().filter(|f| f.default.is_none()).map(|f| {
        let (name, ty) = (&f.name, &f.ty);
        if f.into {
            quote!(#name: impl ::core::convert::Into<#ty>)
        } else {
            quote!(#name: #ty)
        }
    });
    let inits = fields.iter().map(|f| {
        let name = &f.name;
        match (&f.default, f.into) {
            (Some(d), _) => quote!(#name: #d),
            (None, true) => quote!(#name: #name.into()),
            (None, false) => quote!(#name),
        }
    });
    let docs = fields.iter().filter(|f| !f.skip).map(|f| {
        let line = format!("* {}", default_doc(f));
        quote!(#[doc = #line])
    });
    quote! {
        /// A configuration with the required fields given and every other field at its
        /// default:
        ///
        #(#docs)*
        pub fn new(#(#args),*) -> Self {
            Self { #(#inits),* }
        }
    }
}

fn builder(f: &Field) -> TokenStream {
    let (name, ty, docs) = (&f.name, &f.ty, &f.docs);
    let method = format_ident!("with_{}", name);
    let note = format!("Sets {}", default_doc(f));
    let (arg, value) = if f.into {
        (
            quote!(impl ::core::convert::Into<#ty>),
            quote!(#name.into()),
        )
    } else {
        (quote!(#ty), quote!(#name))
    };
    quote! {
        #(#docs)*
        ///
        #[doc = #note]
        #[must_use]
        pub fn #method(mut self, #name: #arg) -> Self {
            self.#name = #value;
            self
        }
    }
}

fn default_impl(name: &Ident, fields: &[Field]) -> TokenStream {
    if fields.iter().any(|f| f.default.is_none()) {
        return quote!();
    }
    quote! {
        impl ::core::default::Default for #name {
            fn default() -> Self {
                Self::new()
            }
        }
    }
}

fn deserialize_impl(name: &Ident, fields: &[Field]) -> TokenStream {
    let shadow = fields.iter().filter(|f| !f.skip).map(|f| {
        let (n, ty) = (&f.name, &f.ty);
        if f.default.is_some() {
            quote!(#[serde(default)] #n: ::core::option::Option<#ty>)
        } else {
            quote!(#n: #ty)
        }
    });
    let inits = fields.iter().map(|f| {
        let n = &f.name;
        match &f.default {
            Some(d) if f.skip => quote!(#n: #d),
            Some(d) => quote!(#n: shadow.#n.unwrap_or_else(|| #d)),
            None => quote!(#n: shadow.#n),
        }
    });
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                #[derive(::serde::Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Shadow { #(#shadow),* }
                let shadow = <Shadow as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self { #(#inits),* })
            }
        }
    }
}

fn validate_impl(name: &Ident, fields: &[Field], extra: Option<&Ident>) -> TokenStream {
    let checks = fields.iter().filter_map(|f| {
        let (n, check) = (&f.name, f.check.as_ref()?);
        let path = quote!(&::std::format!("{}.{}", path, ::core::stringify!(#n)));
        Some(if check == "nested" {
            quote!(::bilevel_core::config::Validate::validate_at(&self.#n, #path)?;)
        } else {
            quote!(::bilevel_core::config::check::#check(#path, self.#n)?;)
        })
    });
    let extra = extra.map(|m| quote!(self.#m(path)?;));
    let type_name = name.to_string();
    quote! {
        impl ::bilevel_core::config::Validate for #name {
            fn validate_at(&self, path: &str) -> ::bilevel_core::Result<()> {
                #(#checks)*
                #extra
                Ok(())
            }
        }
        impl #name {
            /// Checks every field (the ranges in its documentation); the error names the
            /// field, its value and the valid range.
            pub fn validate(&self) -> ::bilevel_core::Result<()> {
                ::bilevel_core::config::Validate::validate_at(self, #type_name)
            }
        }
    }
}

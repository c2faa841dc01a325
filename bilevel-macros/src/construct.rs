//! Code generation of the problem type: the struct, `new` (named sizes bound and checked,
//! data checked, variables built), minibatch builders, and the fallback used on errors.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{BlockDecl, DataDecl, DataKind, Decl, Extent, Level};
use crate::parse::Errors;
use crate::scope::Scope;
use crate::settings::{domain, init};

fn extent(e: &Extent) -> TokenStream {
    match e {
        Extent::Lit(n) => quote!(#n),
        Extent::Name(n) => quote!(#n),
        Extent::Any => quote!(1usize),
    }
}

fn variable(decl: &Decl, scope: &Scope, level: Level, errors: &mut Errors) -> TokenStream {
    let core = &decl.core;
    let word = level.word();
    let blocks: Vec<&BlockDecl> = decl.blocks.iter().filter(|b| b.level == level).collect();
    let specs = blocks.iter().map(|b| {
        let name = b.name.to_string();
        let shape = b.shape.iter().map(extent);
        let d = domain(core, &b.domain);
        let i = init(decl, scope, &b.init).unwrap_or_else(|e| {
            errors.add(e);
            quote!(#core::Init::zeros())
        });
        quote!(#core::dsl::BlockSpec { name: #name, shape: vec![#(#shape),*], domain: #d, init: #i })
    });
    quote!(#core::dsl::variable(#word, vec![#(#specs),*])?)
}

/// The parameter of `new` for a data field.
fn param(core: &TokenStream, d: &DataDecl) -> TokenStream {
    let name = &d.name;
    match &d.kind {
        DataKind::Tensor(s) => {
            let rank = s.len().max(1);
            quote!(#name: #core::burn::tensor::Tensor<B, #rank>)
        }
        DataKind::Labels { .. } => quote!(#name: impl Into<#core::dsl::Labels>),
        DataKind::Float => quote!(#name: f64),
        DataKind::Int(t) => quote!(#name: #t),
        DataKind::Invalid => quote!(#name: impl Sized),
    }
}

/// The struct field for a data field (labels are kept as their one-hot matrix).
fn field(core: &TokenStream, d: &DataDecl) -> TokenStream {
    let name = &d.name;
    match &d.kind {
        DataKind::Labels { .. } => quote!(#name: #core::burn::tensor::Tensor<B, 2>),
        _ => param(core, d),
    }
}

fn dims(core: &TokenStream, extents: &[&Extent]) -> TokenStream {
    let dims = extents.iter().map(|e| match e {
        Extent::Lit(n) => quote!(#core::dsl::Dim::Fixed(#n)),
        Extent::Name(n) => {
            let s = n.to_string();
            quote!(#core::dsl::Dim::Named(#s))
        }
        Extent::Any => quote!(#core::dsl::Dim::Any),
    });
    quote!(&[#(#dims),*])
}

/// The checks of a data field in `new`: shape (binding sizes), finiteness.
fn check(core: &TokenStream, d: &DataDecl) -> TokenStream {
    let name = &d.name;
    let label = name.to_string();
    let dims = dims(core, &d.extents());
    match &d.kind {
        DataKind::Tensor(_) => quote!(__sizes.check_data(#label, #dims, &#name)?;),
        DataKind::Labels { .. } => quote! {
            let #name: #core::dsl::Labels = #name.into();
            __sizes.bind_shape(#label, #dims, &[#name.len()])?;
        },
        DataKind::Float => {
            quote!(#core::error::ensure_finite(&format!("data field `{}`", #label), &[#name])?;)
        }
        DataKind::Int(_) | DataKind::Invalid => quote!(),
    }
}

/// Labels as one-hot matrices, once the class count is known.
fn encode(core: &TokenStream, d: &DataDecl) -> TokenStream {
    let DataKind::Labels { classes, .. } = &d.kind else {
        return quote!();
    };
    let (name, label) = (&d.name, d.name.to_string());
    // `Labels<n>` and `Labels<n, _>`: as many classes as the largest label + 1.
    let k = classes
        .as_ref()
        .filter(|e| !matches!(e, Extent::Any))
        .map_or_else(|| quote!(#name.classes()), extent);
    let index = format_ident!("__index_{}", name);
    quote! {
        let #index = #core::dsl::indices::<B>(&#name, device);
        let #name = #core::dsl::one_hot::<B>(#label, &#name, #k, device)?;
    }
}

/// The struct, `new` and the minibatch builders.
pub fn items(decl: &Decl, scope: &Scope, errors: &mut Errors) -> TokenStream {
    let Decl {
        vis,
        name,
        docs,
        core,
        ..
    } = decl;
    let backend = quote!(#core::burn::tensor::backend::Backend);
    let (upper, lower) = (
        variable(decl, scope, Level::Upper, errors),
        variable(decl, scope, Level::Lower, errors),
    );
    let fields = decl.data.iter().map(|d| field(core, d));
    let sizes: Vec<_> = scope.sizes.iter().map(|s| &s.name).collect();
    let size_fields: Vec<_> = sizes
        .iter()
        .map(|s| format_ident!("__size_{}", s))
        .collect();
    let size_names: Vec<String> = sizes.iter().map(|s| s.to_string()).collect();
    let ctor: Vec<_> = scope.constructor_sizes().map(|s| &s.name).collect();
    let ctor_strs: Vec<String> = ctor.iter().map(|s| s.to_string()).collect();
    let ctor_names: Vec<String> = ctor
        .iter()
        .map(|s| format!("constructor argument `{s}`"))
        .collect();
    let batch_fields: Vec<_> = scope
        .groups
        .iter()
        .map(|g| format_ident!("__batch_{}", g.name))
        .collect();
    let batch_rows: Vec<_> = scope.groups.iter().map(|g| &g.rows).collect();
    let params = decl.data.iter().map(|d| param(core, d));
    let checks = decl.data.iter().map(|d| check(core, d));
    let encodes = decl.data.iter().map(|d| encode(core, d));
    let data_names: Vec<_> = decl.data.iter().map(|d| &d.name).collect();
    let index_fields: Vec<_> = decl
        .data
        .iter()
        .filter(|d| matches!(d.kind, DataKind::Labels { .. }))
        .map(|d| format_ident!("__index_{}", d.name))
        .collect();
    let count = decl.c.as_ref().map(|_| quote!(__problem.__num_constraints = #core::dsl::guarded("the coupled constraints c", || #core::dsl::count_constraints(&__problem))?;));
    let builders = scope
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| batch_builder(decl, g, i as u64 + 1));
    let new_doc = new_doc(decl, scope);
    quote! {
        #(#docs)*
        #[derive(Debug, Clone)]
        #[allow(dead_code)]
        #vis struct #name<B: #backend> {
            __upper: #core::Variable,
            __lower: #core::Variable,
            __device: B::Device,
            __num_constraints: usize,
            __lead: f64,
            #(#size_fields: usize,)*
            #(#batch_fields: #core::Minibatch<B>,)*
            #(#index_fields: #core::burn::tensor::Tensor<B, 1, #core::burn::tensor::Int>,)*
            #(#fields,)*
        }

        impl<B: #backend> #name<B> {
            #[doc = #new_doc]
            #[allow(clippy::too_many_arguments, clippy::redundant_field_names)]
            pub fn new(device: &B::Device #(, #params)* #(, #ctor: usize)*) -> #core::Result<Self> {
                let mut __sizes = #core::dsl::Sizes::new();
                #(__sizes.bind(#ctor_strs, #ctor, #ctor_names)?;)*
                #(#checks)*
                #(let #sizes: usize = __sizes.get(#size_names)?;)*
                #(#encodes)*
                let mut __problem = Self {
                    __upper: #upper,
                    __lower: #lower,
                    __device: device.clone(),
                    __num_constraints: 0,
                    __lead: 1.0,
                    #(#size_fields: #sizes,)*
                    #(#batch_fields: #core::Minibatch::full(#batch_rows, device),)*
                    #(#index_fields,)*
                    #(#data_names,)*
                };
                #count
                #core::dsl::guarded("the objectives at the initial point", || #core::check_problem(&__problem))?;
                Ok(__problem)
            }
            #(#builders)*
        }
    }
}

fn new_doc(decl: &Decl, scope: &Scope) -> String {
    let data: Vec<String> = decl.data.iter().map(|d| format!("`{}`", d.name)).collect();
    let sizes: Vec<String> = scope
        .constructor_sizes()
        .map(|s| format!("`{}`", s.name))
        .collect();
    format!(
        "The problem on `device`{}{}. Data are checked against their declared shapes (named sizes must agree across fields) and for NaN/Inf.",
        if data.is_empty() {
            String::new()
        } else {
            format!(" with data {}", data.join(", "))
        },
        if sizes.is_empty() {
            String::new()
        } else {
            format!(" and sizes {}", sizes.join(", "))
        },
    )
}

/// `with_<group>_batch(size, seed)`: read the group at seeded minibatches.
fn batch_builder(decl: &Decl, g: &crate::scope::Group, stream: u64) -> TokenStream {
    let core = &decl.core;
    let method = format_ident!("with_{}_batch", g.name);
    let field = format_ident!("__batch_{}", g.name);
    let rows = format_ident!("__size_{}", g.rows);
    let fields: Vec<String> = g.fields.iter().map(|f| format!("`{f}`")).collect();
    let what = format!(
        "batch group `{}` ({}; {} rows)",
        g.name,
        fields.join(", "),
        g.rows
    );
    let doc = format!(
        "Reads {what} at `size` rows per outer iteration, drawn without replacement from (`seed`, iteration); the variables whose first extent is `{}` are read at the same rows. `size` must be in 1..={}.",
        g.rows, g.rows
    );
    quote! {
        #[doc = #doc]
        pub fn #method(mut self, size: usize, seed: u64) -> #core::Result<Self> {
            let rows = self.#rows;
            if size == 0 || size > rows {
                return Err(#core::Error::InvalidParameter {
                    name: format!("minibatch size of {} = {}", #what, rows),
                    value: size.into(),
                    reason: format!("must be between 1 and the group's {} rows", rows),
                });
            }
            self.#field = #core::Minibatch::new(#what, rows, Some(size), seed, #stream, &self.__device)?;
            Ok(self)
        }
    }
}

/// `select_batch` and `replica_weight` for a declaration with batch groups.
pub fn select_batch(decl: &Decl, scope: &Scope) -> TokenStream {
    if scope.groups.is_empty() {
        return quote!();
    }
    let core = &decl.core;
    let fields = scope
        .groups
        .iter()
        .map(|g| format_ident!("__batch_{}", g.name));
    quote! {
        fn select_batch(&self, batch: #core::Batch) -> Option<Self> {
            Some(Self {
                #(#fields: self.#fields.selected(batch),)*
                ..::core::clone::Clone::clone(self)
            })
        }
        fn replica_weight(&self) -> f64 {
            self.__lead
        }
    }
}

/// The type, `new`, the batch builders and the trait implementation of a declaration with
/// errors, so that code naming them still type-checks and the compiler reports only the
/// declaration's mistakes (no cascade of "type not found"). The items are real: `new` and the
/// builders return `Error::Expression`, the objectives too; they only exist next to the
/// `compile_error!`s, so a program using them never builds.
pub fn fallback(item: &syn::ItemStruct, decl: Option<&Decl>) -> TokenStream {
    let default_core = quote!(::bilevel::core);
    let core = decl.map_or(&default_core, |d| &d.core);
    let (vis, name) = (&item.vis, &item.ident);
    let backend = quote!(#core::burn::tensor::backend::Backend);
    let tensor = quote!(#core::burn::tensor::Tensor);
    let what = format!("the #[bilevel] declaration of `{name}`");
    let failed = quote! {
        Err(#core::Error::Expression {
            what: #what.to_string(),
            message: "it has compile errors; fix those first".to_string(),
        })
    };
    let new = decl.map(|d| {
        let scope = crate::scope::scope(d, &mut Errors::default());
        let params = d.data.iter().map(|f| param(core, f));
        // Positional names: a size name may itself be the mistake (an upper-case constant).
        let ctor = scope
            .constructor_sizes()
            .enumerate()
            .map(|(i, _)| format_ident!("__size{}", i));
        let builders = scope.groups.iter().map(|g| format_ident!("with_{}_batch", g.name));
        quote! {
            impl<B: #backend> #name<B> {
                #[allow(unused_variables, clippy::too_many_arguments)]
                pub fn new(__device: &B::Device #(, #params)* #(, #ctor: usize)*) -> #core::Result<Self> {
                    #failed
                }
                #(
                    #[allow(unused_variables)]
                    pub fn #builders(self, size: usize, seed: u64) -> #core::Result<Self> {
                        #failed
                    }
                )*
            }
        }
    });
    quote! {
        #[allow(dead_code)]
        #vis struct #name<B: #backend> {
            __upper: #core::Variable,
            __lower: #core::Variable,
            __device: B::Device,
        }
        #new
        impl<B: #backend> #core::Problem<B> for #name<B> {
            fn upper(&self) -> &#core::Variable { &self.__upper }
            fn lower(&self) -> &#core::Variable { &self.__lower }
            fn device(&self) -> B::Device { self.__device.clone() }
            fn f<T: #core::Lift<B>>(&self, _: #tensor<T, 1>, _: #tensor<T, 1>) -> #core::Result<#tensor<T, 1>> { #failed }
            fn g<T: #core::Lift<B>>(&self, _: #tensor<T, 1>, _: #tensor<T, 1>) -> #core::Result<#tensor<T, 1>> { #failed }
        }
    }
}

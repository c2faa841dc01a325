//! The `Shardable` implementation of a declaration with batch groups
//! (`bilevel_core::shard`): each group's fields keep the shard's rows, the other data move to
//! the shard's device, and the lead shard alone counts the terms every shard computes alike.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{DataKind, Decl};
use crate::scope::Scope;

/// The data fields that hold tensors: (field, index field of labels, group).
fn tensor_fields<'a>(
    decl: &'a Decl,
    scope: &'a Scope,
) -> impl Iterator<Item = (&'a syn::Ident, Option<syn::Ident>, Option<usize>)> + 'a {
    decl.data.iter().filter_map(|d| {
        let index = match d.kind {
            DataKind::Tensor(_) => None,
            DataKind::Labels { .. } => Some(format_ident!("__index_{}", d.name)),
            _ => return None,
        };
        Some((&d.name, index, scope.group_of_field(&d.name)))
    })
}

/// `impl Shardable` (nothing for a declaration without batch groups). `unshardable` lists
/// why f or g is not a sum over shards; `shard` and `check_shardable` then fail with it.
pub fn shardable(decl: &Decl, scope: &Scope, unshardable: &[String]) -> TokenStream {
    if scope.groups.is_empty() {
        return quote!();
    }
    let (core, name) = (&decl.core, &decl.name);
    let backend = quote!(#core::burn::tensor::backend::Backend);
    let names: Vec<String> = scope.groups.iter().map(|g| g.name.to_string()).collect();
    let rows: Vec<_> = scope
        .groups
        .iter()
        .map(|g| format_ident!("__size_{}", g.rows))
        .collect();
    let batches: Vec<_> = scope
        .groups
        .iter()
        .map(|g| format_ident!("__batch_{}", g.name))
        .collect();
    let whats: Vec<String> = scope
        .groups
        .iter()
        .map(|g| format!("batch group `{}` of `{}`", g.name, decl.name))
        .collect();
    let moves = tensor_fields(decl, scope).map(|(field, index, group)| {
        let cut = |f: &syn::Ident| match group {
            Some(g) => {
                let r = format_ident!("__rows{}", g);
                quote!(__shard.#f = self.#f.clone().narrow(0, #r.start, #r.len()).to_device(device);)
            }
            None => quote!(__shard.#f = self.#f.clone().to_device(device);),
        };
        let index = index.as_ref().map(cut);
        let field = cut(field);
        quote!(#field #index)
    });
    let ranges = (0..scope.groups.len()).map(|g| format_ident!("__rows{}", g));
    let reason = unshardable.join("; ");
    let check = if unshardable.is_empty() {
        quote!(Ok(()))
    } else {
        quote!(Err(#core::Error::Shard { peer: 0, reason: #reason.to_string() }))
    };
    quote! {
        impl<B: #backend> #core::shard::Shardable<B> for #name<B> {
            fn batch_groups(&self) -> Vec<(&'static str, usize)> {
                vec![#((#names, self.#rows)),*]
            }

            fn check_shardable(&self) -> #core::Result<()> {
                #check
            }

            fn shard(&self, k: usize, count: usize, device: &B::Device) -> #core::Result<Self> {
                #core::shard::Shardable::check_shardable(self)?;
                let mut __shard = ::core::clone::Clone::clone(self);
                #(
                    let #ranges = #core::shard::shard_rows(#whats, self.#rows, k, count)?;
                    __shard.#batches = self.#batches.sharded(#whats, #ranges.clone(), device)?;
                )*
                #(#moves)*
                __shard.__device = device.clone();
                __shard.__lead = if k == 0 { 1.0 } else { 0.0 };
                Ok(__shard)
            }
        }
    }
}

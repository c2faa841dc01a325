//! `Problem` for an enum whose variants each hold a declared problem (a model with a choice of
//! loss or classifier), by delegation.

/// Implements `Problem<B>` for `$name<B>`, an enum of the listed variants, each holding a
/// problem; every method goes to the variant's problem.
macro_rules! delegate_problem {
    ($name:ident { $($variant:ident),+ $(,)? }) => {
        impl<B: bilevel_core::burn::tensor::backend::Backend> bilevel_core::Problem<B> for $name<B> {
            fn upper(&self) -> &bilevel_core::Variable {
                match self { $($name::$variant(p) => p.upper(),)+ }
            }
            fn lower(&self) -> &bilevel_core::Variable {
                match self { $($name::$variant(p) => p.lower(),)+ }
            }
            fn device(&self) -> B::Device {
                match self { $($name::$variant(p) => p.device(),)+ }
            }
            fn f<T: bilevel_core::Lift<B>>(
                &self,
                x: bilevel_core::burn::tensor::Tensor<T, 1>,
                y: bilevel_core::burn::tensor::Tensor<T, 1>,
            ) -> bilevel_core::Result<bilevel_core::burn::tensor::Tensor<T, 1>> {
                match self { $($name::$variant(p) => p.f(x, y),)+ }
            }
            fn g<T: bilevel_core::Lift<B>>(
                &self,
                x: bilevel_core::burn::tensor::Tensor<T, 1>,
                y: bilevel_core::burn::tensor::Tensor<T, 1>,
            ) -> bilevel_core::Result<bilevel_core::burn::tensor::Tensor<T, 1>> {
                match self { $($name::$variant(p) => p.g(x, y),)+ }
            }
            fn num_constraints(&self) -> usize {
                match self { $($name::$variant(p) => p.num_constraints(),)+ }
            }
            fn c<T: bilevel_core::Lift<B>>(
                &self,
                x: bilevel_core::burn::tensor::Tensor<T, 1>,
                y: bilevel_core::burn::tensor::Tensor<T, 1>,
            ) -> bilevel_core::Result<Option<bilevel_core::burn::tensor::Tensor<T, 1>>> {
                match self { $($name::$variant(p) => p.c(x, y),)+ }
            }
            fn parts<T: bilevel_core::Lift<B>>(
                &self,
                x: bilevel_core::burn::tensor::Tensor<T, 1>,
                y: bilevel_core::burn::tensor::Tensor<T, 1>,
                want: bilevel_core::Want,
            ) -> bilevel_core::Result<bilevel_core::Parts<T>> {
                match self { $($name::$variant(p) => p.parts(x, y, want),)+ }
            }
            fn select_batch(&self, batch: bilevel_core::Batch) -> Option<Self> {
                match self { $($name::$variant(p) => p.select_batch(batch).map($name::$variant),)+ }
            }
            fn replica_weight(&self) -> f64 {
                match self { $($name::$variant(p) => p.replica_weight(),)+ }
            }
        }
    };
}

/// Implements `Shardable<B>` for `$name<B>`, an enum of the listed variants, each holding a
/// shardable problem, by delegation.
macro_rules! delegate_shardable {
    ($name:ident { $($variant:ident),+ $(,)? }) => {
        impl<B: bilevel_core::burn::tensor::backend::Backend> bilevel_core::Shardable<B> for $name<B> {
            fn batch_groups(&self) -> Vec<(&'static str, usize)> {
                match self { $($name::$variant(p) => p.batch_groups(),)+ }
            }
            fn check_shardable(&self) -> bilevel_core::Result<()> {
                match self { $($name::$variant(p) => p.check_shardable(),)+ }
            }
            fn shard(&self, k: usize, count: usize, device: &B::Device) -> bilevel_core::Result<Self> {
                match self { $($name::$variant(p) => p.shard(k, count, device).map($name::$variant),)+ }
            }
        }
    };
}

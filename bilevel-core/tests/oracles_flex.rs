//! The oracle suite (`f32_suite`) on the Flex CPU backend (f32, feature `flex`, on by default).
#![cfg(feature = "flex")]

mod common;
mod f32_suite;

use bilevel_core::prelude::Flex;

#[test]
fn flex_oracles_match_finite_differences_and_the_f64_cpu_oracles() {
    f32_suite::oracles_match::<Flex>();
}

#[test]
fn flex_projections_match_the_cpu() {
    f32_suite::projections_match::<Flex>();
}

//! The oracle suite (`f32_suite`) on the wgpu backend (f32). Runs with `--features wgpu`; in CI
//! on Mesa's software Vulkan driver (lavapipe).
#![cfg(feature = "wgpu")]

mod common;
mod f32_suite;

use bilevel_core::prelude::Wgpu;

#[test]
fn wgpu_oracles_match_finite_differences_and_the_f64_cpu_oracles() {
    f32_suite::oracles_match::<Wgpu<f32>>();
}

#[test]
fn wgpu_projections_match_the_cpu() {
    f32_suite::projections_match::<Wgpu<f32>>();
}

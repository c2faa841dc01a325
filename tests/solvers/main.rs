//! Integration tests of the solvers and the papers' experiments (one binary: each links burn).

#[path = "../common/mod.rs"]
mod common;

mod auto;
mod budget;
mod classic;
mod coupled;
mod explicit;
mod hyperclean;
mod landscapes;
mod learning;
mod penalty_api;
mod penalty_solvers;
mod properties;
mod second_order;
mod sharding;
mod svm;
mod svm_authors;
mod update_rules;

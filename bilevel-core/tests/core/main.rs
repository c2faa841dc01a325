//! Integration tests of bilevel-core: domains, layouts, oracles against finite differences.

#[path = "../common/mod.rs"]
mod common;

mod domains;
mod layout_and_problem;
mod oracle_stack;
mod oracles_fd;
mod sigmoid_precision;

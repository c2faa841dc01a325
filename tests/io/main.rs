//! Integration tests of the `bilevel` command, configuration files and checkpoints.

mod cli;
mod configs;
mod resume;

//! Integration tests of the `bilevel` command, configuration files and checkpoints.

mod cli;
mod commands;
mod configs;
mod crash;
mod landscapes;
mod resume;
mod sharding;

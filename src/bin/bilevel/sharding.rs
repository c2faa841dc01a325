//! `--peers P` (local peers: threads) and `--node K --nodes N --coordinator HOST:PORT`
//! (processes, on this machine or others): each run of an experiment whose problem shards over
//! its data rows (hyperclean, table4) is split across the peers ([`bilevel::core::shard`]).
//! Every process writes the outputs of its lead peer; the iterates are the same on every peer.

use std::time::Duration;

use clap::Args;
use serde::{Deserialize, Serialize};

use bilevel::core::shard::{Global, PeerOptions};

use crate::config::Config;
use crate::error::{CliError, CliResult};

/// The most local peers of one process.
const MAX_PEERS: usize = 256;
/// The most processes of one session.
const MAX_NODES: usize = 4096;

/// How runs are split across peers (the `shard` table of the configuration).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sharding {
    /// Local peers (threads) in this process; 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peers: Option<usize>,
    /// This process's rank among `nodes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<usize>,
    /// The processes of the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<usize>,
    /// The coordinator (`bilevel coordinator --port PORT`), `HOST:PORT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordinator: Option<String>,
    /// The address the other processes reach this one at (default 127.0.0.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The port this process exchanges tensors on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_port: Option<u16>,
    /// Seconds to wait for the other peers at any step (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_s: Option<f64>,
}

/// The flags of [`Sharding`].
#[derive(Debug, Default, Args)]
pub struct ShardFlags {
    /// Split each run over P local peers (threads); hyperclean and table4.
    #[arg(long, value_name = "P")]
    peers: Option<usize>,
    /// This process's rank, 0..N, in a session of --nodes N processes.
    #[arg(long, value_name = "K")]
    node: Option<usize>,
    /// The processes of the session (each runs the same command with its --node).
    #[arg(long, value_name = "N")]
    nodes: Option<usize>,
    /// The coordinator of the session, HOST:PORT (`bilevel coordinator --port PORT`).
    #[arg(long, value_name = "HOST:PORT")]
    coordinator: Option<String>,
    /// The address other processes reach this one at (default 127.0.0.1).
    #[arg(long, value_name = "HOST")]
    host: Option<String>,
    /// The port this process exchanges tensors on.
    #[arg(long, value_name = "PORT")]
    data_port: Option<u16>,
    /// Seconds to wait for the other peers at any step (default 60).
    #[arg(long, value_name = "S")]
    peer_timeout: Option<f64>,
}

impl ShardFlags {
    /// Whether any flag was given.
    pub fn given(&self) -> bool {
        self.peers.is_some()
            || self.node.is_some()
            || self.nodes.is_some()
            || self.coordinator.is_some()
            || self.host.is_some()
            || self.data_port.is_some()
            || self.peer_timeout.is_some()
    }

    /// Sets in `cfg` every flag given.
    pub fn apply(&self, cfg: &mut Config) {
        if !self.given() {
            return;
        }
        let s = cfg.shard.get_or_insert_with(Sharding::default);
        macro_rules! set {
            ($($flag:ident => $key:ident),*) => { $( if self.$flag.is_some() { s.$key = self.$flag.clone(); } )* };
        }
        set!(peers => peers, node => node, nodes => nodes, coordinator => coordinator,
             host => host, data_port => data_port, peer_timeout => timeout_s);
    }
}

fn invalid(reason: String) -> CliError {
    CliError::Invalid {
        key: "shard",
        reason,
    }
}

impl Sharding {
    /// Local peers in this process.
    pub fn local(&self) -> usize {
        self.peers.unwrap_or(1)
    }

    /// Checks ranges, and that the keys of a session across processes come together.
    pub fn check(&self) -> CliResult<()> {
        if !(1..=MAX_PEERS).contains(&self.local()) {
            return Err(invalid(format!(
                "--peers must be in 1..={MAX_PEERS}, got {}",
                self.local()
            )));
        }
        if let Some(t) = self.timeout_s
            && !(t.is_finite() && t > 0.0 && t <= 86_400.0)
        {
            return Err(invalid(format!(
                "--peer-timeout must be in (0, 86400] s, got {t}"
            )));
        }
        let global = [
            ("--node", self.node.is_some()),
            ("--nodes", self.nodes.is_some()),
            ("--coordinator", self.coordinator.is_some()),
            ("--data-port", self.data_port.is_some()),
        ];
        let given: Vec<&str> = global.iter().filter(|(_, g)| *g).map(|(k, _)| *k).collect();
        if !given.is_empty() && given.len() < global.len() {
            let missing: Vec<&str> = global
                .iter()
                .filter(|(_, g)| !*g)
                .map(|(k, _)| *k)
                .collect();
            return Err(invalid(format!(
                "a session across processes needs --node, --nodes, --coordinator and \
                 --data-port together; {} missing",
                missing.join(", ")
            )));
        }
        if self.host.is_some() && given.is_empty() {
            return Err(invalid(
                "--host applies to a session across processes (--nodes)".into(),
            ));
        }
        match (self.node, self.nodes) {
            (Some(k), Some(n)) if n == 0 || n > MAX_NODES || k >= n => Err(invalid(format!(
                "--node {k} of --nodes {n}: nodes must be in 1..={MAX_NODES} and the rank in \
                 0..nodes"
            ))),
            _ => Ok(()),
        }
    }

    /// The peers' options: timeout, and the session across processes if configured.
    pub fn peer_options(&self) -> PeerOptions {
        let timeout = Duration::from_secs_f64(self.timeout_s.unwrap_or(60.0));
        let options = PeerOptions::default().timeout(timeout);
        match (self.node, self.nodes, &self.coordinator, self.data_port) {
            (Some(node), Some(nodes), Some(coordinator), Some(port)) => {
                let host = self.host.as_deref().unwrap_or("127.0.0.1");
                options.global(Global::new(node, nodes, coordinator, host, port))
            }
            _ => options,
        }
    }
}

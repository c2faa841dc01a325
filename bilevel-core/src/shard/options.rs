//! The settings of a peer ([`PeerOptions`]): its waits and checks, and the session across
//! processes it joins ([`Global`]).

use std::time::Duration;

/// A session across processes (machines): this process is node `node` of `nodes`; the nodes
/// find each other through the coordinator ([`super::serve_coordinator`]) at `coordinator`,
/// and exchange tensors on `port`, where the other nodes reach this one at `address`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Global {
    /// This node's rank, 0..nodes; node k holds the shards k·P .. (k+1)·P − 1 of its P
    /// local peers.
    pub node: usize,
    /// The number of nodes.
    pub nodes: usize,
    /// The coordinator's address, `ws://HOST:PORT`.
    pub coordinator: String,
    /// This node's address as the other nodes reach it, `ws://HOST:PORT` (the port is `port`).
    pub address: String,
    /// The port this node's data service listens on.
    pub port: u16,
}

impl Global {
    /// Node `node` of `nodes` on the coordinator `coordinator`, listening on `host:port`.
    pub fn new(node: usize, nodes: usize, coordinator: &str, host: &str, port: u16) -> Self {
        let ws = |a: &str| {
            if a.contains("://") {
                a.to_string()
            } else {
                format!("ws://{a}")
            }
        };
        Self {
            node,
            nodes,
            coordinator: ws(coordinator),
            address: ws(&format!("{host}:{port}")),
            port,
        }
    }
}

/// The waits and checks of a peer, and the session across processes it joins (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct PeerOptions {
    /// The longest wait for the other peers, at joining and at every collective call.
    pub timeout: Duration,
    /// Check, every this many iterations, that every peer holds peer 0's iterates exactly
    /// (one broadcast; 0: never). On by default in debug builds only.
    pub check_every: usize,
    /// The session across processes, or `None` for the peers of this process only.
    pub global: Option<Global>,
}

impl Default for PeerOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(60),
            check_every: if cfg!(debug_assertions) { 10 } else { 0 },
            global: None,
        }
    }
}

impl PeerOptions {
    /// The longest wait on the other peers (> 0).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Checks that the iterates agree across peers every `k` iterations (0: never).
    #[must_use]
    pub fn check_every(mut self, k: usize) -> Self {
        self.check_every = k;
        self
    }

    /// Joins a session across processes as described by `global`.
    #[must_use]
    pub fn global(mut self, global: Global) -> Self {
        self.global = Some(global);
        self
    }

    /// This process's first shard and the shards of the whole session, for `local` peers here.
    pub fn shards(&self, local: usize) -> (usize, usize) {
        match &self.global {
            Some(g) => (g.node * local, g.nodes * local),
            None => (0, local),
        }
    }
}

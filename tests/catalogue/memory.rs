//! The process's resident set from `/proc/self/status` (Linux), and its peak reset through
//! `/proc/self/clear_refs`; elsewhere every figure reads 0 and the memory bound is not checked.

use std::sync::{Mutex, MutexGuard};

/// Held by every test that measures memory: the peak is the process's, not a thread's.
static MEASURING: Mutex<()> = Mutex::new(());

/// Exclusive use of the memory figures until the guard is dropped.
pub fn exclusive() -> MutexGuard<'static, ()> {
    MEASURING.lock().unwrap_or_else(|e| e.into_inner())
}

/// A field of `/proc/self/status` in kB (0 if unavailable).
fn status_kb(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The resident set now (kB).
pub fn resident_kb() -> u64 {
    status_kb("VmRSS:")
}

/// The peak resident set since the last [`reset_peak`] (kB).
pub fn peak_kb() -> u64 {
    status_kb("VmHWM:")
}

/// Resets the peak resident set to the current one (best effort).
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

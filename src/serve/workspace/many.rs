//! Many at once: re-solves asked while one runs, done together by the next; and the
//! solves' lower CPU priority, so that answers come first.

use std::sync::{Arc, Mutex};

use super::{lock, Workspace, WorkspaceError};
use crate::serve::proposal::Proposal;

/// Re-solves asked for (numbered 1, 2, …) and the newest one a finished solve covered.
#[derive(Default)]
pub(super) struct Asks {
    pub(super) asked: u64,
    pub(super) covered: u64,
    /// Asks waiting for the running solve to end.
    pub(super) waiting: usize,
}

/// An ask for a re-solve that waits its turn ([`Workspace::ask`]); counted as waiting
/// until it is dropped or [`Ask::turn`] says its turn came.
pub struct Ask<'a> {
    workspace: &'a Workspace,
    /// Its number.
    pub number: u64,
    waiting: bool,
}

impl Ask<'_> {
    /// Its turn came (it holds [`Workspace::solving`]): no longer waiting.
    pub fn turn(&mut self) {
        if std::mem::take(&mut self.waiting) {
            lock(&self.workspace.asks).waiting -= 1;
        }
    }
}

impl Drop for Ask<'_> {
    fn drop(&mut self) {
        self.turn();
    }
}

impl Workspace {
    /// Asks for a re-solve: its number, for [`Workspace::covered`], counted as waiting
    /// ([`Workspace::waiting`]) until its turn.
    pub fn ask(&self) -> Ask<'_> {
        let mut asks = lock(&self.asks);
        asks.asked += 1;
        asks.waiting += 1;
        Ask {
            workspace: self,
            number: asks.asked,
            waiting: true,
        }
    }

    /// How many re-solves asked for wait for the running one to end.
    pub fn waiting(&self) -> usize {
        lock(&self.asks).waiting
    }

    /// Whether a solve that began after ask `ask` has finished: its proposal then holds
    /// every decision committed before the ask, and the ask needs no solve of its own.
    pub fn covered(&self, ask: u64) -> bool {
        lock(&self.asks).covered >= ask
    }

    /// Re-solves for every ask so far ([`Workspace::resolve`]); the asks it covers are
    /// answered with its proposal. Blocking; hold [`Workspace::solving`].
    pub fn resolve_asked(&self) -> Result<Arc<Proposal>, WorkspaceError> {
        let upto = lock(&self.asks).asked;
        let proposal = self.resolve()?;
        let mut asks = lock(&self.asks);
        asks.covered = asks.covered.max(upto);
        Ok(proposal)
    }
}

/// How much lower than the server's answers a workspace's solve runs (Linux `nice`): on a
/// busy machine reads and decisions are answered first and the solve takes what is
/// left (the load test found reads waiting for CPU behind a solve on every core).
pub const SOLVE_NICENESS: i32 = 10;

/// Runs `work` (a solve) on a thread of its own at [`SOLVE_NICENESS`]; the threads the
/// solver starts from it inherit the priority. The calling thread only waits. Without a
/// thread to be had, the solve runs on the calling thread at its priority.
pub(super) fn at_low_priority<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let work = Mutex::new(Some(work));
    let run = || lock(&work).take().map(|w| w());
    let solved = std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("caseload-solve".into())
            .spawn_scoped(scope, || {
                lower_priority();
                run()
            });
        match thread {
            Ok(thread) => match thread.join() {
                Ok(value) => value,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(_) => None,
        }
    });
    match solved {
        Some(value) => value,
        None => match run() {
            Some(value) => value,
            None => unreachable!("the work runs once, on one thread or the other"),
        },
    }
}

/// Lowers the calling thread's CPU priority by [`SOLVE_NICENESS`] (on Linux the nice value
/// is a thread's, and threads it starts inherit it); elsewhere, nothing.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority with PRIO_PROCESS and 0 changes the calling thread's nice value
    // and touches no memory; its failure leaves the priority as it was, which is harmless.
    unsafe {
        let now = libc::getpriority(libc::PRIO_PROCESS, 0);
        libc::setpriority(libc::PRIO_PROCESS, 0, now + SOLVE_NICENESS);
    }
}

//! Watching a running solve from another thread: how many parts are solved, and a way to
//! stop it early ([`Watch::cancel`]).
//!
//! A cancelled solve ends as a time limit does, with the best allocation found: parts not
//! yet handed to HiGHS keep the starting allocation, and a part HiGHS is solving is
//! interrupted through HiGHS's own callback (`kHighsCallbackMipInterrupt`, checked
//! between nodes), so it stops within moments whatever its size.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The progress of a solve, and its stop flag. Share it (`Arc`) through
/// [`SolveOptions::watch`](super::SolveOptions::watch).
#[derive(Debug, Default)]
pub struct Watch {
    cancelled: AtomicBool,
    parts: AtomicUsize,
    solved: AtomicUsize,
}

impl PartialEq for Watch {
    /// Two watches are equal when they are the same one.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// Parts solved and parts in all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    /// Parts whose solve has ended (from the cache, solved, or kept at the start); never
    /// more than `parts`, and all of them once the parts are solved (a cross-team solve
    /// goes on improving pairs of teams after that, which is not counted).
    pub solved: usize,
    /// Parts in all (0 until the solve has split the instance).
    pub parts: usize,
}

impl Watch {
    /// A fresh watch: nothing solved, not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the solve to stop as soon as it can, with the best allocation found.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// Whether [`Watch::cancel`] was called.
    pub fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Parts solved so far, of how many.
    pub fn progress(&self) -> Progress {
        Progress {
            solved: self.solved.load(Ordering::SeqCst),
            parts: self.parts.load(Ordering::SeqCst),
        }
    }

    /// The solve has split the instance into `parts`, `solved` of them known already.
    pub(super) fn start(&self, parts: usize, solved: usize) {
        self.parts.store(parts, Ordering::SeqCst);
        self.solved.store(solved.min(parts), Ordering::SeqCst);
    }

    /// One more of the parts is done (never more than there are: what is solved again
    /// to improve on them is not counted, see `scheduler::solve_parts`).
    pub(super) fn part_done(&self) {
        let parts = self.parts.load(Ordering::SeqCst);
        let _ = self
            .solved
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |s| {
                (s < parts).then_some(s + 1)
            });
    }

    /// Lets HiGHS look at the stop flag while it solves `model`. The flag lives as long
    /// as `self`, which outlives the solve (the caller holds it for the call).
    pub(super) fn interrupt(&self, model: &mut highs::Model) {
        let flag = &self.cancelled as *const AtomicBool as *mut std::ffi::c_void;
        // SAFETY: `model` is a live HiGHS instance; the callback only reads the flag, an
        // atomic that outlives the solve (see above), and writes the interrupt field of
        // the input HiGHS hands it.
        unsafe {
            let highs = model.as_mut_ptr();
            highs_sys::Highs_setCallback(highs, Some(on_callback), flag);
            highs_sys::Highs_startCallback(highs, highs_sys::kHighsCallbackMipInterrupt);
            highs_sys::Highs_startCallback(highs, highs_sys::kHighsCallbackSimplexInterrupt);
        }
    }
}

/// HiGHS's callback: asks it to stop once the flag is set.
unsafe extern "C" fn on_callback(
    _kind: std::ffi::c_int,
    _message: *const std::ffi::c_char,
    _out: *const highs_sys::HighsCallbackDataOut,
    data_in: *mut highs_sys::HighsCallbackDataIn,
    flag: *mut std::ffi::c_void,
) {
    if data_in.is_null() || flag.is_null() {
        return;
    }
    // SAFETY: `flag` is the `AtomicBool` given in `Watch::interrupt`, alive for the solve;
    // `data_in` is HiGHS's own, valid during the call.
    unsafe {
        if (*(flag as *const AtomicBool)).load(Ordering::Relaxed) {
            (*data_in).user_interrupt = 1;
        }
    }
}

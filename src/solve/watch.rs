//! Watching a running solve from another thread: how many parts are solved, and a way to
//! stop it early ([`Watch::cancel`]).
//!
//! A cancelled solve ends as a time limit does, with the best allocation found: parts not
//! yet handed to HiGHS keep the starting allocation, and a part HiGHS is solving is
//! interrupted through HiGHS's own callback (`kHighsCallbackMipInterrupt`, checked
//! between nodes), so it stops within moments whatever its size.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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

/// What a running HiGHS MIP reports back: each better solution it finds, in the columns
/// of the program handed to it (after postsolve), and the watch's stop flag as
/// [`Watch::interrupt`] does. Its `improving` closure runs on the solving thread, inside
/// HiGHS: it should be quick, and a panic in it is caught and ignored.
///
/// With a `stall`, it also stops HiGHS once that long has passed without a solution the
/// closure took as better than any known (it returns whether it did; HiGHS then answers
/// with the best it has). A solution better than HiGHS's own earlier ones but not than
/// what other passes found meanwhile does not count: on the 30-team trusts HiGHS went on
/// for 12 s that way while the passes beside it had moved on.
pub(super) struct Listener<'a> {
    cancelled: Option<&'a AtomicBool>,
    improving: &'a dyn Fn(&[f64]) -> bool,
    stall: Option<Duration>,
    last_found: Cell<Instant>,
}

impl<'a> Listener<'a> {
    /// Listens for better solutions, for `watch`'s cancel if any, and stops HiGHS after
    /// `stall` without a solution `improving` takes as better, if given.
    pub(super) fn new(
        watch: Option<&'a Watch>,
        improving: &'a dyn Fn(&[f64]) -> bool,
        stall: Option<Duration>,
    ) -> Self {
        Self {
            cancelled: watch.map(|w| &w.cancelled),
            improving,
            stall,
            last_found: Cell::new(Instant::now()),
        }
    }

    /// Whether HiGHS should stop: cancelled, or stalled.
    fn should_stop(&self) -> bool {
        self.cancelled
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
            || self
                .stall
                .is_some_and(|stall| self.last_found.get().elapsed() > stall)
    }

    /// Lets HiGHS report to `self` while it solves `model` (replacing any callback set
    /// before). `self` must outlive the solve: the caller keeps it for the call.
    pub(super) fn attach(&self, model: &mut highs::Model) {
        let data = self as *const Self as *mut std::ffi::c_void;
        // SAFETY: `model` is a live HiGHS instance; the callback only reads `self`, which
        // outlives the solve (see above), and the data HiGHS hands it.
        unsafe {
            let highs = model.as_mut_ptr();
            highs_sys::Highs_setCallback(highs, Some(on_listener_callback), data);
            highs_sys::Highs_startCallback(highs, highs_sys::kHighsCallbackMipImprovingSolution);
            highs_sys::Highs_startCallback(highs, highs_sys::kHighsCallbackMipInterrupt);
            highs_sys::Highs_startCallback(highs, highs_sys::kHighsCallbackSimplexInterrupt);
        }
    }
}

/// HiGHS's callback for a [`Listener`]: hands an improving solution to it, and asks HiGHS
/// to stop once the stop flag is set (only where HiGHS allows an interrupt).
unsafe extern "C" fn on_listener_callback(
    kind: std::ffi::c_int,
    _message: *const std::ffi::c_char,
    out: *const highs_sys::HighsCallbackDataOut,
    data_in: *mut highs_sys::HighsCallbackDataIn,
    data: *mut std::ffi::c_void,
) {
    if data.is_null() {
        return;
    }
    // SAFETY: `data` is the `Listener` given in `Listener::attach`, alive for the solve;
    // `out` and `data_in` are HiGHS's own, valid during the call, and `mip_solution`
    // holds `mip_solution_size` values when not null.
    unsafe {
        let listener = &*(data as *const Listener<'_>);
        if kind == highs_sys::kHighsCallbackMipImprovingSolution {
            if out.is_null() || (*out).mip_solution.is_null() {
                return;
            }
            let size = usize::try_from((*out).mip_solution_size).unwrap_or(0);
            let values = std::slice::from_raw_parts((*out).mip_solution, size);
            let better = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                (listener.improving)(values)
            }));
            if better.unwrap_or(false) {
                listener.last_found.set(Instant::now());
            }
        } else if !data_in.is_null() && listener.should_stop() {
            (*data_in).user_interrupt = 1;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listener_stops_highs_on_a_cancel_or_after_its_stall_without_a_better_solution() {
        let nothing = |_: &[f64]| false;
        let quiet = Listener::new(None, &nothing, None);
        assert!(!quiet.should_stop());
        let watch = Watch::new();
        let watching = Listener::new(Some(&watch), &nothing, Some(Duration::from_secs(3600)));
        assert!(!watching.should_stop());
        watch.cancel();
        assert!(watching.should_stop());
        let stalled = Listener::new(None, &nothing, Some(Duration::ZERO));
        std::thread::sleep(Duration::from_millis(2));
        assert!(stalled.should_stop());
    }

    #[test]
    fn highs_callback_hands_a_better_solution_over_and_interrupts_only_where_allowed() {
        // The closure takes the first solution as better than any known, not the second.
        let seen = std::cell::RefCell::new(Vec::new());
        let improving = |values: &[f64]| {
            seen.borrow_mut().push(values.to_vec());
            seen.borrow().len() == 1
        };
        // Margins of 100 ms either side of the stall, so a busy machine cannot blur them.
        let listener = Listener::new(None, &improving, Some(Duration::from_millis(200)));
        let data = &listener as *const Listener<'_> as *mut std::ffi::c_void;
        let mut solution = [1.0, 0.0, 2.5];
        // SAFETY: both structs are plain data HiGHS fills; zero is a valid value of each.
        let mut out: highs_sys::HighsCallbackDataOut = unsafe { std::mem::zeroed() };
        let mut data_in: highs_sys::HighsCallbackDataIn = unsafe { std::mem::zeroed() };
        out.mip_solution = solution.as_mut_ptr();
        out.mip_solution_size = 3;
        // SAFETY: the pointers are to live values above, as HiGHS would hand them.
        let call = |kind, data_in: &mut highs_sys::HighsCallbackDataIn| unsafe {
            on_listener_callback(kind, std::ptr::null(), &out, data_in, data);
        };
        std::thread::sleep(Duration::from_millis(300));
        call(highs_sys::kHighsCallbackMipImprovingSolution, &mut data_in);
        assert_eq!(*seen.borrow(), vec![vec![1.0, 0.0, 2.5]]);
        // HiGHS may not be interrupted while it reports a solution.
        assert_eq!(data_in.user_interrupt, 0);
        // A better solution was taken: the stall starts again.
        call(highs_sys::kHighsCallbackMipInterrupt, &mut data_in);
        assert_eq!(data_in.user_interrupt, 0, "a better solution came just now");
        std::thread::sleep(Duration::from_millis(150));
        // A solution not taken as better does not start the stall again.
        call(highs_sys::kHighsCallbackMipImprovingSolution, &mut data_in);
        assert_eq!(seen.borrow().len(), 2);
        std::thread::sleep(Duration::from_millis(150));
        call(highs_sys::kHighsCallbackMipInterrupt, &mut data_in);
        assert_eq!(data_in.user_interrupt, 1, "stalled: HiGHS is asked to stop");
    }
}

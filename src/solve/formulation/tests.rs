//! The band pieces and the load limit on the grid of loads, as the program builds them.

use super::*;
use crate::model::{Case, Policy, Scenario, Worker};

/// A worker of capacity 19.8 (band boundaries at 13.86, 16.83 and 19.8 points) and
/// cases of 1.25 and 0.75 points: its loads lie on a quarter-point grid.
fn quarter_point_worker() -> Instance {
    let workers = vec![Worker::new("A").capacity(19.8)];
    let cases = vec![Case::new("C1").weight(1.25), Case::new("C2").weight(0.75)];
    Instance::new(&Scenario::new(workers, cases, Policy::default())).expect("valid")
}

fn piece_cost(pieces: &[(f64, f64, f64)], load: f64) -> f64 {
    pieces
        .iter()
        .map(|&(start, end, cost)| cost * (load.min(end) - start).max(0.0))
        .sum()
}

#[test]
fn band_pieces_cost_what_the_bands_cost_at_every_reachable_load_and_more_between() {
    let instance = quarter_point_worker();
    let grid = load_grid(&instance, 0, &[0, 1]);
    assert_eq!(grid, Some(0.25));
    let pieces = band_pieces(&instance, 0, grid);
    for w in pieces.windows(2) {
        assert!(w[0].2 <= w[1].2, "costs must not fall: {pieces:?}");
        assert_eq!(w[0].1, w[1].0, "pieces must follow on: {pieces:?}");
    }
    let policy = &instance.policy;
    for step in 0..=120 {
        let load = f64::from(step) * 0.25;
        let exact = policy.band_cost(load, 19.8);
        assert!(
            (piece_cost(&pieces, load) - exact).abs() < 1e-9,
            "at {load}: pieces {} bands {exact}",
            piece_cost(&pieces, load)
        );
    }
    // Between grid points the pieces are the chord: 16.83 lies inside (16.75, 17).
    let between = piece_cost(&pieces, 16.9);
    assert!(between > policy.band_cost(16.9, 19.8) + 1e-6);
}

#[test]
fn without_a_grid_the_pieces_are_the_bands() {
    let instance = quarter_point_worker();
    let pieces = band_pieces(&instance, 0, None);
    let bands = &instance.policy.bands;
    assert_eq!(pieces.len(), bands.len());
    for (piece, band) in pieces.iter().zip(bands) {
        assert_eq!(piece.0, band.from * 19.8);
        assert_eq!(piece.2, band.cost);
    }
    // Weights of 1.25 and a third of a point have no grid of a hundredth or coarser.
    let workers = vec![Worker::new("A").capacity(19.8)];
    let cases = vec![
        Case::new("C1").weight(1.25),
        Case::new("C2").weight(1.0 / 3.0),
    ];
    let odd = Instance::new(&Scenario::new(workers, cases, Policy::default())).expect("valid");
    assert_eq!(load_grid(&odd, 0, &[0, 1]), None);
}

#[test]
fn the_load_limit_is_rounded_down_to_the_grid() {
    let instance = quarter_point_worker();
    let mut f = Formulation::build(&instance);
    let limit = f
        .constraints
        .drain(..)
        .map(|c| format!("{c:?}"))
        .find(|c| c.contains("19.75"));
    assert!(limit.is_some(), "no load limit of 19.75 points");
}

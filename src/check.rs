//! Independent checker: re-verifies an allocation against the hard rules and recomputes
//! its objective, sharing no code with the solver.

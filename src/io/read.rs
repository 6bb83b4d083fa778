//! Reading `workers.csv` and `cases.csv` into the model, every problem located by file, line and column.

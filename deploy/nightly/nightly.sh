#!/bin/sh
# The nightly job (docs/nightly.md): last night's Annex A workbook (or a CSV export)
# into a scenario folder, then an allocation kept in the record.
#
#   CASELOAD_EXPORTS  folder the exports land in: annex-a.xlsx, and optionally staff.csv
#   CASELOAD_WORK     folder of the job's state: scenario/, out/, caseload.db
#   CASELOAD_CONFIG   import.toml (optional)
#   CASELOAD_CSV_MAP  set to a map file to import $CASELOAD_EXPORTS/open-cases.csv
#                     instead of the workbook (optional)
#
# It stops at the first failure: a bad export (exit 2) leaves yesterday's scenario and
# allocation as they were, and the job fails so that someone looks.
set -eu

exports="${CASELOAD_EXPORTS:?set CASELOAD_EXPORTS to the folder of the exports}"
work="${CASELOAD_WORK:?set CASELOAD_WORK to the job's folder}"
mkdir -p "$work"

set --
if [ -n "${CASELOAD_CONFIG:-}" ]; then
    set -- "$@" --config "$CASELOAD_CONFIG"
fi
if [ -f "$exports/staff.csv" ]; then
    set -- "$@" --workers "$exports/staff.csv"
fi

if [ -n "${CASELOAD_CSV_MAP:-}" ]; then
    caseload import csv "$exports/open-cases.csv" --map "$CASELOAD_CSV_MAP" \
        --out "$work/scenario" --quiet "$@"
else
    caseload import annex-a "$exports/annex-a.xlsx" --out "$work/scenario" --quiet "$@"
fi

caseload allocate "$work/scenario" --out "$work/out" \
    --record "$work/caseload.db" --by nightly --quiet

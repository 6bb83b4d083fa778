#!/usr/bin/env python3
"""Synthetic part folders for timing `caseload merge` at scale (docs/scale.md).

    synth-parts.py TEMPLATE_PART OUT --rows R --draws D --shards S [--scenarios C]

Writes OUT/part-0 … OUT/part-<S-1> in the format `caseload whatif --shard` writes
(manifest.json, rows.csv, draws.csv): R comparison rows of D draws each (with
--scenarios C, a study: the rows spread over C scenarios, a `scenario` column), the
draws dealt to the shards in turn. Each draw's figures are copied, in turn, from the
draws of TEMPLATE_PART, a real part of this caseload version (its manifest gives the
version and format). Solving that many draws for real would take days; merging does not
look at where the figures came from, only that the parts are one complete run.
"""
import argparse
import json
import os

ap = argparse.ArgumentParser()
ap.add_argument("template")
ap.add_argument("out")
ap.add_argument("--rows", type=int, required=True)
ap.add_argument("--draws", type=int, required=True)
ap.add_argument("--shards", type=int, required=True)
ap.add_argument("--scenarios", type=int, default=0)
a = ap.parse_args()

with open(os.path.join(a.template, "manifest.json")) as f:
    template = json.load(f)
with open(os.path.join(a.template, "draws.csv")) as f:
    header = f.readline()
    figures = [line.rstrip("\n").split(",", 3)[3] for line in f if ",optimal," in line]
assert figures, "the template part has no optimal draw"

study = a.scenarios > 0
if study:
    scenarios = [{"name": f"LA{c:03d}", "hash": f"{c:032x}"} for c in range(a.scenarios)]
else:
    scenarios = [{"name": None, "hash": "0" * 32}]
total = a.rows * a.draws
owned = [[] for _ in range(a.shards)]
for d in range(total):
    owned[d % a.shards].append(d)

rows = ["row,scenario,variant,base_name,params,draws\n"]
for r in range(a.rows):
    scenario = scenarios[r % a.scenarios]["name"] if study else ""
    name = f"Policy {r // max(a.scenarios, 1) if study else r}"
    rows.append(f"{r},{scenario},{name},{name},[],{a.draws}\n")

os.makedirs(a.out, exist_ok=True)
for k in range(a.shards):
    part = os.path.join(a.out, f"part-{k}")
    os.makedirs(part, exist_ok=True)
    with open(os.path.join(part, "rows.csv"), "w") as f:
        f.writelines(rows)
    with open(os.path.join(part, "draws.csv"), "w") as f:
        f.write(header)
        for d in owned[k]:
            row = d // a.draws
            seed = 1 + d % a.draws
            f.write(f"{d},{row},{seed},{figures[d % len(figures)]}\n")
    manifest = dict(
        template,
        plan_hash="5" * 32,
        scenarios=scenarios,
        study=study,
        shard=k,
        shards=a.shards,
        rows_total=a.rows,
        draws_total=total,
        draws=owned[k],
        work=len(owned[k]),
        complete=True,
        failed=[],
        jobs=1,
        elapsed_s=1.0,
    )
    with open(os.path.join(part, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)

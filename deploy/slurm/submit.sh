#!/usr/bin/env bash
# Submits a sharded what-if sweep to Slurm: an array of N shard tasks (shard.sbatch) and
# a merge job (merge.sbatch) that starts only once every shard has succeeded.
#
#   deploy/slurm/submit.sh --shards N [options] SCENARIO WORK [-- SBATCH_OPTION...]
#
#   --shards N         number of shards (array tasks 0..N-1)
#   --variants FILE    the variants file (default: SCENARIO/variants.toml)
#   --caseload BIN     the caseload binary (default: $CASELOAD, else `caseload` on the PATH)
#   --cpus C           cores per shard, passed on as `whatif --jobs C` (default 1)
#   --time T           time limit per shard task (sbatch --time, e.g. 00:30:00)
#   --max-running M    at most M shards at once (sbatch --array=0-<N-1>%M)
#   -- ...             further sbatch options for both jobs (--partition, --account, ...)
#
# WORK must be on a file system every node sees. It receives parts/part-K (one per
# shard), logs/shard-<job>_<K>.out, logs/merge-<job>.out and, at the end, comparison/
# (comparison.csv, .json, .svg). Paths are made absolute before submitting. Prints
# `array_job=ID` and `merge_job=ID` on standard output. If the array fails, Slurm
# cancels the merge (--kill-on-invalid-dep=yes); run the failed shard again with
#   sbatch --array=K deploy/slurm/shard.sbatch N SCENARIO WORK [VARIANTS]
# and then the merge with
#   sbatch deploy/slurm/merge.sbatch N WORK
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() {
  sed -n '4,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

shards=""
variants=""
caseload=${CASELOAD:-}
cpus=1
time_limit=""
max_running=""
positional=()
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --shards) shards=${2:-}; shift 2 || usage ;;
    --variants) variants=${2:-}; shift 2 || usage ;;
    --caseload) caseload=${2:-}; shift 2 || usage ;;
    --cpus) cpus=${2:-}; shift 2 || usage ;;
    --time) time_limit=${2:-}; shift 2 || usage ;;
    --max-running) max_running=${2:-}; shift 2 || usage ;;
    -h | --help) usage ;;
    --) shift; extra=("$@"); break ;;
    -*) echo "submit.sh: unknown option $1" >&2; usage ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -eq 2 ] || usage
scenario=${positional[0]}
work=${positional[1]}

whole() { case $2 in '' | *[!0-9]* | 0*) echo "submit.sh: $1 must be a whole number above 0, not '$2'" >&2; exit 2 ;; esac; }
whole --shards "$shards"
whole --cpus "$cpus"
[ -z "$max_running" ] || whole --max-running "$max_running"
[ -d "$scenario" ] || { echo "submit.sh: scenario folder $scenario not found" >&2; exit 2; }
if [ -n "$variants" ]; then
  [ -f "$variants" ] || { echo "submit.sh: variants file $variants not found" >&2; exit 2; }
  variants=$(cd "$(dirname "$variants")" && pwd)/$(basename "$variants")
fi
if [ -z "$caseload" ]; then
  caseload=$(command -v caseload) || { echo "submit.sh: no caseload on the PATH: give --caseload BIN" >&2; exit 2; }
elif [[ $caseload == */* ]]; then
  [ -x "$caseload" ] || { echo "submit.sh: $caseload is not an executable file" >&2; exit 2; }
  caseload=$(cd "$(dirname "$caseload")" && pwd)/$(basename "$caseload")
fi
scenario=$(cd "$scenario" && pwd)
mkdir -p "$work/parts" "$work/logs"
work=$(cd "$work" && pwd)

array="0-$((shards - 1))"
[ -z "$max_running" ] || array="$array%$max_running"
shard_opts=(--parsable --array="$array" --cpus-per-task="$cpus" --output="$work/logs/shard-%A_%a.out")
[ -z "$time_limit" ] || shard_opts+=(--time="$time_limit")

export CASELOAD=$caseload
array_job=$(sbatch "${shard_opts[@]}" "${extra[@]}" "$here/shard.sbatch" "$shards" "$scenario" "$work" ${variants:+"$variants"})
array_job=${array_job%%;*} # --parsable prints "id" or "id;cluster"
merge_job=$(sbatch --parsable --dependency="afterok:$array_job" --kill-on-invalid-dep=yes \
  --output="$work/logs/merge-%j.out" "${extra[@]}" "$here/merge.sbatch" "$shards" "$work")
merge_job=${merge_job%%;*}
echo "array_job=$array_job"
echo "merge_job=$merge_job"
echo "submit.sh: $shards shards as job $array_job, merge as job $merge_job (after all succeed); results in $work/comparison" >&2

#!/usr/bin/env bash
# tests/fuzz-vm/fuzz_vfio.sh: the VFIO fuzzer (build/tests/fuzz-vfio) as
# a stage of the VM run: fuzzing processes on vGPUs of their own while
# bystanders run exact workloads that must come out right.
#
#   GVT_FUZZ_SECONDS  how long to fuzz (default 60)
#   GVT_FUZZ_SEED     replay a run (its seed is the first line it prints)
#   GVT_FUZZ_ARGS     more arguments, e.g. "--avoid irq-bool-count0"
#
# Output: "ok - ..." / "not ok - ..." lines, the operation counts, then
# "N passed, N failed". Exit 0 when everything passed, 1 otherwise.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/fuzz-vm/bounded.sh
. "$top/tests/fuzz-vm/bounded.sh"

secs=${GVT_FUZZ_SECONDS:-60}
if ! [[ $secs =~ ^[1-9][0-9]*$ ]]; then
	echo "not ok - GVT_FUZZ_SECONDS is a number of seconds ('$secs')"
	echo "0 passed, 1 failed"
	exit 1
fi
args=(--seconds "$secs")
[ -z "${GVT_FUZZ_SEED:-}" ] || args+=(--seed "$GVT_FUZZ_SEED")
# shellcheck disable=SC2206 # split on purpose: a list of arguments
[ -z "${GVT_FUZZ_ARGS:-}" ] || args+=($GVT_FUZZ_ARGS)
# the run, the processes' end (25 s at most), removals and a margin
bounded $((secs + 75)) "$top/build/tests/fuzz-vfio" "${args[@]}"

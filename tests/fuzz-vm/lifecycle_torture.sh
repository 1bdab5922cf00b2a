#!/usr/bin/env bash
# tests/fuzz-vm/lifecycle_torture.sh: the lifecycle torture
# (build/tests/lifecycle-torture) as a stage of the VM run: vGPUs created,
# used and torn down every way, policies attached, replaced and ejected,
# rmmod attempts and sysfs writes, all at once, around one vGPU whose
# exact workloads must never be lost.
#
#   GVT_TORTURE_SECONDS  how long (default 60)
#   GVT_TORTURE_SEED     replay a run (its seed is the first line it prints)
#
# Output: "ok - ..." / "not ok - ..." lines, the operation counts, then
# "N passed, N failed". Exit 0 when everything passed, 1 otherwise.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/fuzz-vm/bounded.sh
. "$top/tests/fuzz-vm/bounded.sh"

secs=${GVT_TORTURE_SECONDS:-60}
if ! [[ $secs =~ ^[1-9][0-9]*$ ]]; then
	echo "not ok - GVT_TORTURE_SECONDS is a number of seconds ('$secs')"
	echo "0 passed, 1 failed"
	exit 1
fi
args=(--seconds "$secs")
[ -z "${GVT_TORTURE_SEED:-}" ] || args+=(--seed "$GVT_TORTURE_SEED")
# the run, the threads' end (30 s at most), removals and a margin
bounded $((secs + 90)) "$top/build/tests/lifecycle-torture" "${args[@]}"

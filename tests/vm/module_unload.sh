#!/usr/bin/env bash
# tests/vm/module_unload.sh: unloading gvt_bpf with vGPUs around.
#
# While a vGPU is open (a VMM holds its VFIO fd) `rmmod` is refused and
# nothing changes; with vGPUs present but closed, `rmmod` removes them and
# the parent cleanly; loading the module again gives a whole parent back.
# Any kernel WARN/BUG on the way fails the run (tools/vm-run). Runs last in
# a VM run: it unloads and reloads the module.
#
# Output: "ok - ..." / "not ok - ..." lines, then "N passed, N failed".
# Exit 0 when everything passed, 1 otherwise.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
types=/sys/class/mdev_bus/gvt0/mdev_supported_types
pass=0 fail=0
check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok - $what"
		pass=$((pass + 1))
	else
		echo "not ok - $what"
		fail=$((fail + 1))
	fi
}
loaded() { grep -q '^gvt_bpf ' /proc/modules; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }

check "the module is loaded" loaded || finish
a=$(cat /proc/sys/kernel/random/uuid) b=$(cat /proc/sys/kernel/random/uuid)
check "create two vGPUs" bash -c "echo $a > $types/gvt-V1_4/create && echo $b > $types/gvt-V1_8/create"

# a VMM stand-in: reads a register in a loop, holding the VFIO fd
holder_bin=$top/build/tests/bench-mmio
check "the VMM stand-in is built ($holder_bin)" test -x "$holder_bin" || finish
"$holder_bin" "$a" 0x18 100000000 r >/dev/null 2>&1 &
holder=$!
# has process $1 a VFIO group open?
holds_group() {
	local f
	for f in /proc/"$1"/fd/*; do
		case $(readlink "$f" 2>/dev/null) in /dev/vfio/[0-9]*) return 0 ;; esac
	done
	return 1
}
for _ in $(seq 100); do
	holds_group "$holder" && break
	sleep 0.1
done
check "a process holds the vGPU open" holds_group "$holder"
out=$(rmmod gvt_bpf 2>&1)
check "rmmod is refused while it is open ($out)" test -n "$out"
check "the module and both vGPUs are still there" \
	bash -c "grep -q '^gvt_bpf ' /proc/modules && [ -d /sys/bus/mdev/devices/$a ] && [ -d /sys/bus/mdev/devices/$b ]"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

check "rmmod with two closed vGPUs succeeds" rmmod gvt_bpf
check "the vGPUs and the parent are gone" \
	bash -c "[ ! -e /sys/bus/mdev/devices/$a ] && [ ! -e /sys/bus/mdev/devices/$b ] && [ ! -e /sys/class/mdev_bus/gvt0 ]"
check "the module loads again" insmod "$top/kmod/gvt_bpf.ko"
check "a whole parent again: 8 V1_8 vGPUs available" \
	test "$(cat $types/gvt-V1_8/available_instances 2>/dev/null)" = 8
c=$(cat /proc/sys/kernel/random/uuid)
check "a vGPU can be created and removed" \
	bash -c "echo $c > $types/gvt-V1_2/create && echo 1 > /sys/bus/mdev/devices/$c/remove"
finish

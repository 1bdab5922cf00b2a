# shellcheck shell=bash
# tests/fuzz-vm/bounded.sh: sourced by the stage scripts of the VM stress
# programs (fuzz_vfio.sh, lifecycle_torture.sh).
#
#   bounded LIMIT PROGRAM [ARGS...]
#
# Runs PROGRAM with its output streamed as it comes and waits for it at
# most LIMIT seconds. The programs bound themselves; this is the backstop
# for a kernel that leaves a process in uninterruptible sleep (an oops
# with a lock held), which not even SIGKILL ends: the stage then reports
# it and returns instead of hanging the VM run, and the process is left
# behind with no pipe of ours open.
#
# PROGRAM prints "ok - ..." / "not ok - ..." lines and closes with
# "N passed, N failed". When it does not get that far (stuck, killed,
# crashed), one more "not ok" line and a closing line counting the lines
# it did print are added, so that tools/test-summary never reads a
# broken run as passed. Returns PROGRAM's exit status, 1 in those cases.
bounded() {
	local limit=$1 name out pid tailpid rc=0 t0=$SECONDS pass fail
	shift
	name=$(basename "$1")
	out=$(mktemp "${TMPDIR:-/tmp}/$name.XXXXXX") || return 1
	"$@" </dev/null >"$out" 2>&1 &
	pid=$!
	tail -n +1 -s 0.2 -f --pid="$pid" "$out" &
	tailpid=$!
	while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - t0)) -lt "$limit" ]; do
		sleep 1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		sleep 2
		kill "$tailpid" 2>/dev/null
		wait "$tailpid" 2>/dev/null
		pass=$(grep -c '^ok - ' "$out")
		fail=$(grep -c '^not ok - ' "$out")
		if kill -0 "$pid" 2>/dev/null; then
			echo "not ok - $name ended within $limit s (it is stuck in the kernel)"
		else
			echo "not ok - $name ended within $limit s (killed)"
		fi
		echo "$pass passed, $((fail + 1)) failed"
		return 1
	fi
	wait "$pid" || rc=$?
	wait "$tailpid" 2>/dev/null
	if ! tail -n 1 "$out" | grep -qE '^[0-9]+ passed, [0-9]+ failed$'; then
		pass=$(grep -c '^ok - ' "$out")
		fail=$(grep -c '^not ok - ' "$out")
		echo "not ok - $name ended with its summary (exit status $rc)"
		echo "$pass passed, $((fail + 1)) failed"
		rm -f "$out"
		return 1
	fi
	rm -f "$out"
	return "$rc"
}

# shellcheck shell=bash
# shellcheck disable=SC2016 # single-quoted scripts expand in the guest
# shellcheck disable=SC2154 # top, gr, work, RC and OUT are smoke.sh's
# tests/e2e/share.sh: two real guests on one GPU, sourced by smoke.sh once
# both guests are up (it provides ok, nok, note, gexec, OUT, RC, $gr, $top,
# $work). Each function checks one thing the operator of a shared GPU
# relies on:
#
#   share_contended A B RATE
#                        A's `gvt-guest load -s 10` (WORK 1 ms, 2 in
#                        flight) again while B saturates the engine under
#                        the built-in scheduler: A (weight 16 against 8,
#                        asking for a fraction of the engine) is not
#                        starved - no fence error or timeout, at least a
#                        tenth of RATE, its workloads/s alone - and its
#                        rate and latency are reported. (Under nested
#                        emulation each turn of B's ends milliseconds
#                        late, on the first-level VM's timers, and both
#                        guests' CPUs share one host thread: a fifth to a
#                        half of RATE was seen.)
#   share_weighted A B   both guests loaded at once under sched_weighted
#                        with weights 1:3: GPU-time shares measured on the
#                        host within 0.02 of 0.25/0.75, the guests' own
#                        throughput ratio within 10% of the shares'
#   share_swaps A B      the same load while gvt-load --replace swaps the
#                        policy three times (rr, weighted 3:1, weighted
#                        1:3): each phase's shares follow the policy, no
#                        fence error or timeout in either guest
#   share_isolation A B  A sends malformed streams through the debug path
#                        while B runs exact work: only A's vGPU reports
#                        errors and resets, B's results are exact
#   share_trace A        mmio_trace bound to A's vGPU: trapped accesses per
#                        submission in steady state
#   share_kill B A       B's QEMU killed with SIGKILL mid-workload: its vGPU
#                        is released, removable and reusable; A carries on

gl=$top/build/bin/gvt-load
bpfdir=$top/build/bpf
# WORK per workload and workloads in flight: each guest alone keeps the
# engine busy (a guest under nested emulation submits a few dozen
# requests a second), so the scheduler, not the guests, decides the
# shares. On a slow host the weight-3 guest still runs dry at times and
# the other takes the engine; deeper queues (50 ms x 8) did worse, the
# shares swinging by 0.1 over seconds.
SHARE_WORK_NS=${GVT_E2E_WORK_NS:-25000000}
SHARE_DEPTH=${GVT_E2E_DEPTH:-4}
# seconds per measured phase, and the settling time after a change
SHARE_PHASE_S=${GVT_E2E_PHASE_S:-8}
SHARE_SETTLE_S=2
# the shares are measured in ticks of SHARE_TICK_S seconds. A guest under
# nested emulation does not always resubmit in time: on a slow host the
# weight-3 guest ran dry now and then and the scheduler, work-conserving,
# gave its turns to the other (0.297 over a whole window). The share owed
# to the weights is A's over the ticks in which each vGPU waited for the
# engine all the while the other ran (wait_ns of one at least
# SHARE_WAITED of gpu_busy_ns of the other: a vGPU that ran dry waited
# less), and these must make SHARE_MIN_CONTENDED of the window at least.
# The share over the whole window is reported beside it.
SHARE_TICK_S=0.5
SHARE_WAITED=0.95
SHARE_TOL=0.02
SHARE_MIN_CONTENDED=0.25

vgpu_stat() { cat "/sys/bus/mdev/devices/$1/gvt_stats/$2" 2>/dev/null || echo 0; }
vgpu_id() { cat "/sys/bus/mdev/devices/$1/gvt/vgpu_id"; }

# busy ns of both vGPUs now: "A B"
busy_pair() { echo "$(vgpu_stat "$1" gpu_busy_ns) $(vgpu_stat "$2" gpu_busy_ns)"; }

# share_of A0 B0 A1 B1: A's share of the GPU time between two samples
share_of() {
	awk -v a="$(($3 - $1))" -v b="$(($4 - $2))" 'BEGIN { if (a + b > 0) printf "%.4f", a / (a + b); else print "nan" }'
}

# sample_window UA UB SECONDS OUT: every SHARE_TICK_S for SECONDS, a line
# "t_us busyA waitA busyB waitB" of the vGPUs' counters in OUT (shell
# builtins only, so that the sampling costs the first-level VM little)
sample_window() {
	local a=/sys/bus/mdev/devices/$1/gvt_stats b=/sys/bus/mdev/devices/$2/gvt_stats
	local end ba wa bb wb
	end=$(awk -v t="$EPOCHREALTIME" -v s="$3" 'BEGIN { printf "%.0f", (t + s) * 1e6 }')
	: >"$4"
	while :; do
		read -r ba <"$a/gpu_busy_ns"; read -r wa <"$a/wait_ns"
		read -r bb <"$b/gpu_busy_ns"; read -r wb <"$b/wait_ns"
		echo "${EPOCHREALTIME/./} $ba $wa $bb $wb" >>"$4"
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || break
		sleep "$SHARE_TICK_S"
	done
}

# window_shares FILE: from sample_window's lines, "SHARE CSHARE CFRAC
# BUSY": A's share of the GPU time over the whole window; A's share over
# the ticks in which each vGPU waited all the while the other ran (the
# share a work-conserving scheduler owes the weights); the fraction of
# the window those ticks make; the engine's busy fraction
window_shares() {
	awk -v th="$SHARE_WAITED" '
	NR > 1 {
		dt = ($1 - t) * 1000; ba = $2 - b1; bb = $4 - b2
		wa = $3 - w1; wb = $5 - w2
		T += dt; A += ba; B += bb
		if (ba > 0 && bb > 0 && wa >= th * bb && wb >= th * ba) {
			CT += dt; CA += ba; CB += bb
		}
	}
	{ t = $1; b1 = $2; w1 = $3; b2 = $4; w2 = $5 }
	END {
		if (T <= 0 || A + B <= 0) { print "nan nan 0 0"; exit }
		cs = "nan"
		if (CA + CB > 0)
			cs = sprintf("%.4f", CA / (CA + CB))
		printf "%.4f %s %.3f %.3f\n", A / (A + B), cs, CT / T, (A + B) / T
	}' "$1"
}

# share_check TITLE WANT FILE: asserts A's share while both had work
# within SHARE_TOL of WANT, over at least SHARE_MIN_CONTENDED of the window
share_check() {
	local t=$1 want=$2 sh csh cf busy
	read -r sh csh cf busy < <(window_shares "$3")
	if within "$csh" "$want" "$SHARE_TOL" &&
		awk -v f="$cf" -v m="$SHARE_MIN_CONTENDED" 'BEGIN { exit !(f >= m) }'; then
		ok "$t: the first guest's share of the GPU time while both waited for it $csh (want $want +- $SHARE_TOL)"
	else
		nok "$t: the first guest's share of the GPU time while both waited for it ${csh:-?} over a fraction ${cf:-?} of the window (want $want +- $SHARE_TOL over at least $SHARE_MIN_CONTENDED)"
	fi
	note "$t: both waited for the engine in ${cf:-?} of the window, the engine busy ${busy:-?}; A's share over the whole window ${sh:-?}"
	# each tick: A's wait over B's GPU time, B's over A's, A's share
	note "$t: ticks of ${SHARE_TICK_S} s, A's wait / B's GPU time, B's wait / A's GPU time : A's share"
	awk 'NR > 1 { a = $2 - b1; b = $4 - b2
		      printf " %s/%s:%s", (b > 0 ? sprintf("%.2f", ($3 - w1) / b) : "-"),
			     (a > 0 ? sprintf("%.2f", ($5 - w2) / a) : "-"),
			     (a + b > 0 ? sprintf("%.3f", a / (a + b)) : "-") }
	     { b1 = $2; w1 = $3; b2 = $4; w2 = $5 }
	     END { print "" }' "$3" | fold -s -w 100 | notes
}

# within X WANT TOL: |X - WANT| <= TOL
within() { awk -v x="$1" -v w="$2" -v t="$3" 'BEGIN { d = x - w; if (d < 0) d = -d; exit !(x == x && d <= t) }'; }

# load_arm DIR SECONDS: a gvt-guest load in the guest's background that
# starts when /tmp/go appears (go), so that both guests' runs line up; the
# guest takes one command at a time, hence the background
load_arm() {
	"$gr" exec --dir "$1" --timeout 60 -- \
		"rm -f /tmp/go /tmp/load.out /tmp/load.rc; (i=0; while [ ! -e /tmp/go ] && [ \$i -lt 2400 ]; do sleep 0.05; i=\$((i + 1)); done; gvt-guest load -s $2 -n $SHARE_WORK_NS -q $SHARE_DEPTH >/tmp/load.out 2>&1; echo \$? >/tmp/load.rc) >/dev/null 2>&1 &" \
		>/dev/null 2>&1
}

# go DIR...: the armed loads start, in every guest at once
go() {
	local d pids=()
	for d in "$@"; do
		"$gr" exec --dir "$d" --timeout 30 -- 'touch /tmp/go' >/dev/null 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
}

# load_collect DIR TAG: waits for an armed load's end; its output in
# $work/TAG.load, its status in $work/TAG.rc
load_collect() {
	local rc=0
	"$gr" exec --dir "$1" --timeout 400 -- \
		'while [ ! -e /tmp/load.rc ]; do sleep 0.5; done; cat /tmp/load.out; exit $(cat /tmp/load.rc)' \
		>"$work/$2.load" 2>&1 || rc=$?
	echo $rc >"$work/$2.rc"
}

# collect_both DA DB TAG_A TAG_B
collect_both() {
	load_collect "$1" "$3" &
	local p=$!
	load_collect "$2" "$4"
	wait $p
}

# running_both UA UB: waits (up to 60 s) until both vGPUs submit work
running_both() {
	local a0 b0 a1 b1 i
	a0=$(vgpu_stat "$1" workloads_submitted) b0=$(vgpu_stat "$2" workloads_submitted)
	for i in $(seq 120); do
		sleep 0.5
		a1=$(vgpu_stat "$1" workloads_submitted) b1=$(vgpu_stat "$2" workloads_submitted)
		[ "$a1" -gt "$a0" ] && [ "$b1" -gt "$b0" ] && return 0
	done
	return 1
}

# load_rate TAG: workloads/s a collected load reported
load_rate() { sed -n 's/.* \([0-9.]*\) workloads\/s$/\1/p' "$work/$1.load"; }

# attach sched_weighted with A:B weights $3:$4 (replacing NAME $5 if given)
weighted() {
	local a=$1 b=$2 wa=$3 wb=$4 how=()
	[ -z "${5:-}" ] || how=(--replace "$5")
	"$gl" "${how[@]}" "$bpfdir/sched_weighted.bpf.o" \
		--set "weights[$(vgpu_id "$a")]=$wa" --set "weights[$(vgpu_id "$b")]=$wb"
}

share_contended() {
	local da=$1 db=$2 alone=$3 rate p50 p99 rc=0
	load_arm "$db" 300
	go "$db"
	running_both "$(cat "$db/uuid")" "$(cat "$db/uuid")" || nok "contended: the other guest's load did not start"
	gexec "$da" 130 'gvt-guest load -s 10'
	rc=$RC
	"$gr" exec --dir "$db" --timeout 30 -- 'kill -INT $(pidof gvt-guest)' >/dev/null 2>&1
	load_collect "$db" cb
	rate=$(sed -n 's/.* \([0-9.]*\) workloads\/s$/\1/p' <<<"$OUT")
	p50=$(sed -n 's/.*latency p50 \([0-9.]*\) ms.*/\1/p' <<<"$OUT")
	p99=$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' <<<"$OUT")
	if [ "$rc" = 0 ] && [ -n "$rate" ] && [ -n "$alone" ] &&
		awk -v r="$rate" -v a="$alone" 'BEGIN { exit !(r >= a / 10) }'; then
		ok "contended: load for 10 s with the other guest saturating the engine: $rate workloads/s (alone $alone), fence latency p50 $p50 ms, p99 $p99 ms"
	else
		nok "contended: load with the other guest busy (exit $rc): ${rate:-?} workloads/s against ${alone:-?} alone"
	fi
	printf '%s\n' "$OUT" | notes
	sed -n 's/^load: /#   the other guest: /p' "$work/cb.load"
}

share_weighted() {
	local da=$1 db=$2 ua ub sa sz whole ra rb ratio out
	ua=$(cat "$da/uuid") ub=$(cat "$db/uuid")
	if ! out=$(weighted "$ua" "$ub" 1 3 2>&1); then
		nok "share: attaching sched_weighted 1:3 failed"
		printf '%s\n' "$out" | notes
		return 1
	fi
	# the guests load for three phases and a bit; the host measures two
	# phases from the settling time after both started
	load_arm "$da" $((3 * SHARE_PHASE_S + 4))
	load_arm "$db" $((3 * SHARE_PHASE_S + 4))
	sa=$(busy_pair "$ua" "$ub")
	go "$da" "$db"
	running_both "$ua" "$ub" || nok "share: the guests' loads did not both start"
	sleep "$SHARE_SETTLE_S"
	sample_window "$ua" "$ub" $((2 * SHARE_PHASE_S)) "$work/weighted.ticks"
	collect_both "$da" "$db" wa wb
	sz=$(busy_pair "$ua" "$ub")
	# shellcheck disable=SC2086
	whole=$(share_of $sa $sz)
	ra=$(load_rate wa) rb=$(load_rate wb)
	if [ "$(cat "$work/wa.rc")" != 0 ] || [ "$(cat "$work/wb.rc")" != 0 ] || [ -z "$ra" ] || [ -z "$rb" ]; then
		nok "share: the loads under sched_weighted 1:3 failed (exit $(cat "$work/wa.rc"), $(cat "$work/wb.rc"))"
		sed 's/^/#   /' "$work/wa.load" "$work/wb.load"
		return 1
	fi
	share_check "share: sched_weighted 1:3" 0.25 "$work/weighted.ticks"
	# the guests' throughput, workloads of equal size: the same ratio as
	# the host's share over the same span, the loads' starts and ends
	# (where one guest may run alone for a moment) included
	ratio=$(awk -v a="$ra" -v b="$rb" 'BEGIN { printf "%.3f", a / (a + b) }')
	if within "$ratio" "$whole" "$(awk -v s="$whole" 'BEGIN { print s * 0.10 }')"; then
		ok "share: the guests' own throughput: $ra and $rb workloads/s, ratio $ratio (the host's share over the loads' whole span $whole, within 10%)"
	else
		nok "share: the guests' throughput ratio $ratio ($ra vs $rb workloads/s) is not within 10% of the host's share over the loads' whole span $whole"
	fi
	sed -n 's/^load: /#   A: /p' "$work/wa.load"
	sed -n 's/^load: /#   B: /p' "$work/wb.load"
}

share_swaps() {
	local da=$1 db=$2 ua ub secs phase want out i
	local names=("sched_rr" "sched_weighted 3:1" "sched_weighted 1:3") wants=(0.5 0.75 0.25)
	ua=$(cat "$da/uuid") ub=$(cat "$db/uuid")
	# the loads outlast the phases whatever a gvt-load takes on this
	# machine, and are stopped (SIGINT: they end with their report) after
	secs=$((3 * (SHARE_PHASE_S + SHARE_SETTLE_S) + 300))
	load_arm "$da" "$secs"
	load_arm "$db" "$secs"
	go "$da" "$db"
	running_both "$ua" "$ub" || nok "share: the guests' loads did not both start"
	t0=$EPOCHREALTIME
	for i in 0 1 2; do
		phase=${names[$i]} want=${wants[$i]}
		case $i in
		0) out=$("$gl" --replace sched_weighted "$bpfdir/sched_rr.bpf.o" 2>&1) ;;
		1) out=$(weighted "$ua" "$ub" 3 1 sched_weighted 2>&1) ;;
		2) out=$(weighted "$ua" "$ub" 1 3 sched_weighted 2>&1) ;;
		esac || { nok "share: --replace to $phase failed"; printf '%s\n' "$out" | notes; }
		sleep "$SHARE_SETTLE_S"
		sample_window "$ua" "$ub" "$SHARE_PHASE_S" "$work/swap$i.ticks"
		share_check "share: live swap $((i + 1)) of 3 to $phase" "$want" "$work/swap$i.ticks"
	done
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
	"$gr" exec --dir "$da" --timeout 30 -- 'kill -INT $(pidof gvt-guest)' >/dev/null 2>&1 &
	i=$!
	"$gr" exec --dir "$db" --timeout 30 -- 'kill -INT $(pidof gvt-guest)' >/dev/null 2>&1
	wait $i
	collect_both "$da" "$db" sa sb
	if [ "$(cat "$work/sa.rc")" = 0 ] && [ "$(cat "$work/sb.rc")" = 0 ] &&
		! grep -qiE 'error|timed out|refused' "$work/sa.load" "$work/sb.load"; then
		ok "share: three live swaps under load: no fence error or timeout in either guest ($(load_rate sa) and $(load_rate sb) workloads/s over $secs s)"
	else
		nok "share: the guests' loads across the swaps (exit $(cat "$work/sa.rc"), $(cat "$work/sb.rc"))"
		sed 's/^/#   /' "$work/sa.load" "$work/sb.load"
	fi
	"$gl" --unload sched_weighted >/dev/null 2>&1 ||
		nok "share: gvt-load --unload sched_weighted failed"
}

share_isolation() {
	local da=$1 db=$2 ua ub ra0 rb0 ea0 eb0 rs0 rs1 ra1 rb1 ea1 eb1
	ua=$(cat "$da/uuid") ub=$(cat "$db/uuid")
	ra0=$(vgpu_stat "$ua" workloads_rejected) rb0=$(vgpu_stat "$ub" workloads_rejected)
	rs0=$(vgpu_stat "$ub" resets)
	ea0=$(vgpu_stat "$ua" resets)
	# B: exact work, every byte checked, for as long as A misbehaves
	("$gr" exec --dir "$db" --timeout 400 -- \
		'n=0; while [ $n -lt 6 ]; do gvt-guest fill -e render || exit 1; gvt-guest copy -e copy || exit 1; n=$((n + 1)); done; echo "exact rounds: $n"' \
		>"$work/iso-b.out" 2>&1; echo $? >"$work/iso-b.rc") &
	gexec "$da" 300 'for i in 1 2 3; do gvt-guest raw -x error 0x7f000001; done; gvt-guest info | grep "^resets"; gvt-guest fill'
	wait
	ra1=$(vgpu_stat "$ua" workloads_rejected) rb1=$(vgpu_stat "$ub" workloads_rejected)
	rs1=$(vgpu_stat "$ub" resets)
	ea1=$(vgpu_stat "$ua" resets)
	eb0=$rs0 eb1=$rs1
	if [ "$RC" = 0 ] && [ "$ra1" -ge $((ra0 + 3)) ] && [ "$ea1" -ge $((ea0 + 3)) ]; then
		ok "share: malformed streams from the first guest: its vGPU refused $((ra1 - ra0)) and was reset $((ea1 - ea0)) times, its driver carried on"
	else
		nok "share: the first guest's malformed streams (exit $RC; rejected $ra0 -> $ra1, resets $ea0 -> $ea1)"
		show
	fi
	if [ "$(cat "$work/iso-b.rc")" = 0 ] && [ "$rb1" = "$rb0" ] && [ "$eb1" = "$eb0" ]; then
		ok "share: meanwhile the other guest's fill and copy came out exact ($(sed -n 's/^exact rounds: //p' "$work/iso-b.out") rounds), no error and no reset on its vGPU"
	else
		nok "share: the other guest was disturbed (exit $(cat "$work/iso-b.rc"); rejected $rb0 -> $rb1, resets $eb0 -> $eb1)"
		sed 's/^/#   /' "$work/iso-b.out"
	fi
}

share_trace() {
	local da=$1 ua id out pol sub0 sub1 traps subs
	ua=$(cat "$da/uuid") id=$(vgpu_id "$ua")
	if ! out=$("$gl" "$bpfdir/mmio_trace.bpf.o" --vgpu "$ua" 2>&1); then
		nok "trace: attaching mmio_trace to the guest's vGPU failed"
		printf '%s\n' "$out" | notes
		return 1
	fi
	pol=$(sed -n 's/^loaded \([^ ]*\) from .*/\1/p' <<<"$out")
	# steady state: one workload in flight, many of them
	gexec "$da" 120 'gvt-guest load -s 2 -n 100000 -q 1 >/dev/null'
	sub0=$(vgpu_stat "$ua" workloads_submitted)
	out=$(bpftool -j map dump pinned "/sys/fs/bpf/gvt/${pol:-mmio_trace}/trace_regs" 2>/dev/null)
	local t0 t1
	t0=$(jq --argjson id "$id" '[.[] | (.formatted // .) | select(.key.vgpu_id == $id) | .value.reads + .value.writes] | add // 0' <<<"$out")
	gexec "$da" 120 'gvt-guest load -s 5 -n 100000 -q 1'
	sub1=$(vgpu_stat "$ua" workloads_submitted)
	out=$(bpftool -j map dump pinned "/sys/fs/bpf/gvt/${pol:-mmio_trace}/trace_regs" 2>/dev/null)
	t1=$(jq --argjson id "$id" '[.[] | (.formatted // .) | select(.key.vgpu_id == $id) | .value.reads + .value.writes] | add // 0' <<<"$out")
	traps=$((t1 - t0)) subs=$((sub1 - sub0))
	"$gl" --unload "${pol:-mmio_trace}" >/dev/null 2>&1 || nok "trace: unloading ${pol:-mmio_trace} failed"
	if [ "$subs" -gt 0 ] && [ "$traps" -gt 0 ]; then
		ok "trace: mmio_trace bound to the guest's vGPU: $traps trapped accesses for $subs submissions, $(awk -v t="$traps" -v s="$subs" 'BEGIN { printf "%.2f", t / s }') per submission in steady state"
		jq -r --argjson id "$id" '[.[] | (.formatted // .) | select(.key.vgpu_id == $id)] | sort_by(-(.value.reads + .value.writes)) | .[:6][] | "#   register \(.key.offset | tostring): \(.value.reads) reads, \(.value.writes) writes (all of the run)"' <<<"$out"
	else
		nok "trace: mmio_trace saw $traps accesses for $subs submissions"
	fi
}

share_kill() {
	local db=$1 da=$2 ub qpid i gone=0 u2
	ub=$(cat "$db/uuid")
	# QEMU itself, not the timeout wrapper guest-run runs it under, whose
	# command line names the vGPU too
	qpid=''
	for i in $(pgrep -f -- "sysfsdev=/sys/bus/mdev/devices/$ub"); do
		case $(cat "/proc/$i/comm" 2>/dev/null) in
		qemu-system-x86*) qpid=$i; break ;;
		esac
	done
	[ -n "$qpid" ] || { nok "kill: no QEMU process found for the second guest's vGPU"; return 1; }
	load_arm "$db" 60
	go "$db"
	running_both "$ub" "$ub" || nok "kill: the guest's load did not start"
	sleep 2
	kill -KILL "$qpid" 2>/dev/null
	for i in $(seq 100); do kill -0 "$qpid" 2>/dev/null || { gone=1; break; }; sleep 0.1; done
	# (a removal waits, uninterruptibly, for the VMM to let go: only with
	# QEMU gone is it asked for)
	if [ $gone = 0 ]; then
		nok "kill: QEMU (pid $qpid) still there after SIGKILL"
		return 1
	fi
	if timeout 30 mdevctl stop -u "$ub" 2>"$work/kill.err" &&
		[ ! -e "/sys/bus/mdev/devices/$ub" ]; then
		ok "kill: the second guest's QEMU killed with SIGKILL mid-workload: its vGPU released and removed (mdevctl stop)"
	else
		nok "kill: after SIGKILL of QEMU (pid ${qpid:-?}, gone $gone) the vGPU could not be removed: $(cat "$work/kill.err" 2>/dev/null)"
	fi
	u2=$(cat /proc/sys/kernel/random/uuid)
	if mdevctl start -u "$u2" -p gvt0 -t gvt-V1_8 2>"$work/kill.err" &&
		"$top/build/bin/gvtctl" info "$u2" >"$work/kill.info" 2>&1; then
		ok "kill: the slot is reusable: a new vGPU there opens through VFIO ($(grep -m1 -i 'vgpu' "$work/kill.info" | tr -s ' '))"
	else
		nok "kill: reusing the slot failed: $(cat "$work/kill.err" "$work/kill.info" 2>/dev/null | head -n 3)"
	fi
	timeout 30 mdevctl stop -u "$u2" 2>/dev/null
	gexec "$da" 120 'gvt-guest fill && gvt-guest copy'
	if [ "$RC" = 0 ]; then ok "kill: the first guest carries on: fill and copy exact"; else nok "kill: the first guest after the other's kill (exit $RC)"; fi
}

#!/usr/bin/env bash
# shellcheck disable=SC2016 # single-quoted scripts expand in the guest
# tests/e2e/smoke.sh: real guest OSes on vGPUs, end to end.
#
# Run inside the first-level VM (tools/vm-run: module loaded, root). It
# boots two second-level guests, one after the other, that then run side
# by side, with tools/guest-run (Debian's 6.12 kernel, the guest driver
# kmod/guest/gvt_drm.ko, gvt-guest) in the stock QEMU with -device
# vfio-pci,sysfsdev=...,display=on, each booted once and checked many
# times (a boot costs minutes under full emulation twice over):
#
#  guest A, -M q35, V1_4 (created through sysfs), MSI: the driver probed;
#    its view of the vGPU matches the host's; the fbdev console is drawn on
#    the vGPU display (QEMU's screendump, which changes when the guest
#    writes to tty1); fill and copy on both engines checked byte for byte,
#    a copy ordered after the fill on the other engine it reads; the driver
#    refuses bad submissions; load (workloads/s, fence latency); a pattern
#    drawn with FILL_RECT/COPY_RECT and page flipped through KMS equals
#    QEMU's screendump pixel for pixel, and the console comes back after;
#    bad work sent through the debug path gets the vGPU reset and the
#    guest carries on (display included); an engine that makes no
#    progress (the host drops its doorbell with the mmio_guard policy) gets
#    the vGPU reset too; driver unbind/bind and module reload.
#  guest B, -M pc, V1_8 (created through mdevctl start, list, define
#    --auto), INTx (gvt_drm.msi=0), in bookworm-backports' QEMU 10.0 (A
#    runs in bookworm's 7.2): probe, fill, copy, load, and the drawn
#    pattern equal to the screendump again.
#  both (tests/e2e/share.sh): A's load again while B saturates the
#    engine (workloads/s and fence latency against A's alone); loads at
#    once under sched_weighted 1:3 with
#    the host's shares and the guests' throughput compared; three live
#    policy swaps under load; malformed streams from A while B's work
#    stays exact; mmio_trace bound to A counting traps per submission; B's
#    QEMU killed with SIGKILL mid-workload, its vGPU released, removed
#    (mdevctl stop) and its slot reused; A carries on.
#  then A reboots (the driver takes the vGPU again) and powers off.
#
# Output: "ok - ..." / "not ok - ..." lines, "# ..." notes, and last
# "N passed, N failed"; exit 0 when everything passed. With GVT_E2E_PNG=1 and
# netpbm installed, the screendumps are also printed as PNG, base64, in
# "# png NAME DATA" lines (tests/e2e/smoke.sh --extract LOG DIR writes
# them out).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
gr=$top/tools/guest-run
gg=$top/build/bin/gvt-guest
mdev_dir=/sys/bus/mdev/devices
t_all=$EPOCHREALTIME

if [ "${1:-}" = --extract ]; then
	[ $# -eq 3 ] || { echo "usage: $0 --extract LOG DIR" >&2; exit 2; }
	mkdir -p "$3" || exit 1
	sed -n 's/^# png \([A-Za-z0-9_.-]*\) \(.*\)$/\1 \2/p' "$2" |
		while read -r name data; do printf '%s\n' "$data" >>"$3/$name.b64"; done
	for f in "$3"/*.b64; do
		[ -e "$f" ] || continue
		base64 -d <"$f" >"${f%.b64}" && rm -f "$f"
		echo "$0: wrote ${f%.b64}"
	done
	exit 0
fi

pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok - %s\n' "$*"; }
nok() { fail=$((fail + 1)); printf 'not ok - %s\n' "$*"; }
note() { printf '# %s\n' "$@"; }
notes() { sed 's/^/#   /'; }
finish() {
	note "total: $(elapsed "$t_all") s"
	printf '%d passed, %d failed\n' "$pass" "$fail"
	[ "$fail" -eq 0 ]
	exit $?
}
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

for f in "$gr" "$gg" "$top/kmod/guest/gvt_drm.ko"; do
	[ -e "$f" ] || { nok "environment: $f missing (make guest)"; finish; }
done
[ -d /sys/class/mdev_bus/gvt0 ] || { nok "environment: no mdev parent gvt0 (module not loaded?)"; finish; }

work=$(mktemp -d /tmp/e2e.XXXXXX)
running=()
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	local d
	for d in "${running[@]}"; do "$gr" stop --dir "$d" >/dev/null 2>&1 || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# gexec DIR SECONDS SCRIPT: runs SCRIPT in the guest; OUT and RC
OUT='' RC=0
gexec() {
	RC=0
	OUT=$("$gr" exec --dir "$1" --timeout "$2" -- "$3" 2>&1) || RC=$?
}
# shows OUT as notes
show() { printf '%s\n' "$OUT" | notes; }

# ppm_info FILE: "W H HEADER_BYTES" of a binary PPM whose size matches
ppm_info() {
	local magic w h max hlen
	{ IFS= read -r magic && IFS=' ' read -r w h && IFS= read -r max; } <"$1" 2>/dev/null || return 1
	[ "$magic" = P6 ] && [ "$max" = 255 ] && [[ $w =~ ^[0-9]+$ && $h =~ ^[0-9]+$ ]] || return 1
	hlen=$((${#magic} + ${#w} + ${#h} + ${#max} + 4))
	[ "$(stat -c %s "$1")" -eq $((hlen + w * h * 3)) ] || return 1
	printf '%s %s %s\n' "$w" "$h" "$hlen"
}
# lit FILE: pixels of a PPM that are not black
lit() {
	local w h hlen
	read -r w h hlen < <(ppm_info "$1") || { echo 0; return; }
	tail -c +$((hlen + 1)) "$1" | od -An -v -tx1 -w3 | grep -cv '^ 00 00 00$' || true
}
# png NAME FILE: the screendump as PNG in the log (GVT_E2E_PNG=1, netpbm)
png() {
	[ "${GVT_E2E_PNG:-0}" = 1 ] && command -v pnmtopng >/dev/null || return 0
	pnmtopng "$2" 2>/dev/null | base64 -w 76 | sed "s/^/# png $1.png /"
}
# shot DIR NAME: a screendump into $work/NAME.ppm; 0 when valid
shot() {
	local out
	if ! out=$("$gr" screendump --dir "$1" "$work/$2.ppm" 2>&1); then
		note "screendump: $out"
		return 1
	fi
	ppm_info "$work/$2.ppm" >/dev/null || { note "screendump $2: not a valid PPM"; return 1; }
	png "$2" "$work/$2.ppm"
}
host_stat() { cat "$mdev_dir/$1/gvt_stats/$2" 2>/dev/null; }

# start_bg DIR ARGS...: boots in the background (started_bg reports)
start_bg() {
	local d=$1
	shift
	mkdir -p "$d"
	("$gr" start --dir "$d" --boot-timeout 900 "$@" >"$d.start" 2>&1
	 echo $? >"$d.rc") &
}

# started_bg TITLE DIR ARGS...: the report of a start_bg, once waited for
started_bg() {
	local t=$1 d=$2
	shift 2
	started "$t" "$d" "$(cat "$d.rc" 2>/dev/null || echo 126)" "$(cat "$d.start" 2>/dev/null)" "$@"
}

# died_early DIR: the guest kernel of a start_bg died before gvt_drm was
# loaded (its first problem report comes before any line of the driver's,
# the kernel not yet tainted by it): a fault of the emulator two levels
# down, seen rarely (a double fault in start_kernel, a stray single-step
# #DB in the idle task). Such a boot is noted, with its first problem
# lines, and made once more; a second one fails.
died_early() {
	local d=$1
	[ "$(cat "$d.rc" 2>/dev/null)" = 125 ] && died_before_driver "$d" 0
}
# died_before_driver DIR LINE: after line LINE of DIR's console, a kernel
# problem came before any line of gvt_drm
died_before_driver() {
	[ -s "$1/console.log" ] &&
		awk -v from="$2" 'NR <= from { next }
		     /gvt_drm/ && !/[Cc]ommand line/ && !drv { drv = NR }
		     /Oops|BUG|panic|WARNING|double fault|general protection/ && !bad { bad = NR }
		     END { exit !(bad && (!drv || bad < drv)) }' "$1/console.log"
}
retry_early() { # retry_early TITLE DIR ARGS...
	local t=$1 d=$2
	shift 2
	died_early "$d" || return 0
	note "$t: the guest kernel died before gvt_drm was loaded, the vGPU untouched by any driver; booting it once more:"
	grep -m 3 -E 'Oops|BUG|panic|fault|WARNING' "$d/console.log" | sed 's/^/#   /'
	start_bg "$d" "$@"
}

# started TITLE DIR RC OUTPUT ARGS...: what a start said
started() {
	local t=$1 d=$2 rc=$3 out=$4
	shift 4
	if [ "$rc" = 0 ]; then
		running+=("$d")
		ok "$t: guest booted and serves commands after $(cat "$d/boot-seconds") s ($*)"
		note "boot: $(printf '%s\n' "$out" | tail -n 1)"
		return 0
	fi
	nok "$t: the guest did not come up (guest-run start exited $rc)"
	printf '%s\n' "$out" | notes
	[ -f "$d/uuid" ] && running+=("$d")
	return 1
}

# stop_guest TITLE DIR
stop_guest() {
	local t=$1 d=$2 out rc=0 i
	out=$("$gr" stop --dir "$d" 2>&1) || rc=$?
	for i in "${!running[@]}"; do [ "${running[$i]}" != "$d" ] || unset 'running[i]'; done
	if [ $rc = 0 ]; then
		ok "$t: guest powered off; no WARN, BUG, oops or panic in its console log"
	else
		nok "$t: stopping the guest: guest-run stop exited $rc"
		printf '%s\n' "$out" | notes
	fi
}

# check_draw TITLE DIR: the pattern drawn and flipped in the guest equals
# the screendump, then the console comes back
check_draw() {
	local t=$1 d=$2 w h diff
	gexec "$d" 300 'rm -f /tmp/drawn; gvt-guest draw -t 600 -r /tmp/drawn >/tmp/draw.log 2>&1 &
		for i in $(seq 240); do [ -f /tmp/drawn ] && break; kill -0 $! 2>/dev/null || break; sleep 0.5; done
		cat /tmp/draw.log; [ -f /tmp/drawn ] && echo "drawn $(cat /tmp/drawn)"'
	if ! [[ $OUT =~ drawn\ ([0-9]+)\ ([0-9]+) ]]; then
		nok "$t: draw: the pattern did not reach the display (exit $RC)"
		show
		return
	fi
	w=${BASH_REMATCH[1]} h=${BASH_REMATCH[2]}
	ok "$t: draw: ${w}x$h pattern rendered with FILL_RECT/COPY_RECT, page flipped by the ring (flip interrupt), buffer checked in the guest"
	show
	if ! "$gg" pattern -W "$w" -H "$h" -o "$work/pattern.ppm"; then
		nok "$t: gvt-guest pattern failed"
		return
	fi
	if ! shot "$d" "$t-drawn"; then
		nok "$t: screendump of the drawn pattern failed"
	elif cmp -s "$work/pattern.ppm" "$work/$t-drawn.ppm"; then
		ok "$t: QEMU's screendump equals the pattern pixel for pixel ($w x $h, $(stat -c %s "$work/pattern.ppm") PPM bytes)"
	else
		diff=$(cmp -l "$work/pattern.ppm" "$work/$t-drawn.ppm" 2>/dev/null | wc -l)
		nok "$t: screendump differs from the pattern: $diff bytes (sizes: $(ppm_info "$work/$t-drawn.ppm" | cut -d' ' -f1-2) vs $w $h)"
	fi
	gexec "$d" 60 'kill $(pidof gvt-guest) 2>/dev/null; for i in $(seq 40); do pidof gvt-guest >/dev/null || break; sleep 0.5; done; pidof gvt-guest && echo still running; true'
	sleep 1
	if shot "$d" "$t-after-draw" && ! cmp -s "$work/pattern.ppm" "$work/$t-after-draw.ppm" &&
		[ "$(lit "$work/$t-after-draw.ppm")" -gt 0 ]; then
		ok "$t: the console is back on the display once the KMS client exited"
	else
		nok "$t: after the KMS client exited the display does not show the console"
	fi
}

# check_basic TITLE DIR TYPE IRQ: probe line, PCI ids, info against the host
check_basic() {
	local t=$1 d=$2 type=$3 irq=$4 uuid line id w htype hw hid
	uuid=$(cat "$d/uuid")
	gexec "$d" 60 'dmesg | grep "gvt_drm .*vGPU [0-9]*, type" ; cat /sys/bus/pci/drivers/gvt_drm/0000:*/vendor /sys/bus/pci/drivers/gvt_drm/0000:*/device; ls /dev/dri'
	line=$(printf '%s\n' "$OUT" | grep -m1 'vGPU [0-9]*, type' || true)
	if [ $RC = 0 ] && [[ $line == *"type $type"*"$irq" ]] &&
		grep -qx 0x1b36 <<<"$OUT" && grep -qx 0x10f0 <<<"$OUT" &&
		grep -qx card0 <<<"$OUT" && grep -q '^renderD' <<<"$OUT"; then
		ok "$t: gvt_drm bound 1b36:10f0 and probed: ${line#*\] }"
	else
		nok "$t: driver probe (want 1b36:10f0 bound, type $type, $irq, card0 and a render node)"
		show
	fi
	gexec "$d" 60 'gvt-guest info'
	id=$(sed -n 's/^vgpu id: //p' <<<"$OUT")
	w=$(sed -n 's/^weight: //p' <<<"$OUT")
	hid=$(cat "$mdev_dir/$uuid/gvt/vgpu_id" 2>/dev/null)
	hw=$(cat "$mdev_dir/$uuid/gvt/weight" 2>/dev/null)
	htype=$(cat "$mdev_dir/$uuid/gvt/type" 2>/dev/null)
	htype=${htype#gvt-}
	if [ $RC = 0 ] && [ -n "$id" ] && [ "$id" = "$hid" ] && [ "$w" = "$hw" ] &&
		grep -qx "type: $htype" <<<"$OUT" && [ "$htype" = "$type" ]; then
		ok "$t: gvt-guest info: vGPU $id, type $type, weight $w, as the host sees it"
	else
		nok "$t: gvt-guest info against the host (vgpu_id '$hid', type '$htype', weight '$hw')"
	fi
	show
}

# check_work TITLE DIR: fill and copy on both engines, byte for byte
check_work() {
	local t=$1 d=$2
	gexec "$d" 120 'gvt-guest fill && gvt-guest fill -e copy -W 640 -H 480 -x 0 -y 0 -w 640 -h 480 -c 0xabcdef && gvt-guest fill -e render -W 100 -H 3000 -x 99 -y 2999 -w 1 -h 1 -c 0x010203'
	if [ $RC = 0 ]; then ok "$t: fill on render and copy: every byte checked"; else nok "$t: fill (exit $RC)"; fi
	show
	gexec "$d" 120 'gvt-guest copy && gvt-guest copy -e render -W 300 -H 200 -x 7 -y 9 -w 250 -h 150'
	if [ $RC = 0 ]; then ok "$t: copy on copy and render: every byte checked"; else nok "$t: copy (exit $RC)"; fi
	show
	gexec "$d" 120 'gvt-guest sync'
	if [ $RC = 0 ]; then ok "$t: a copy on one engine waits for the fill on the other it reads"; else nok "$t: sync across engines (exit $RC)"; fi
	show
}

# check_load TITLE DIR SECONDS [LOAD OPTIONS]
check_load() {
	local t=$1 d=$2 s=$3 rate p50 p99
	shift 3
	gexec "$d" $((s + 120)) "gvt-guest load -s $s $*"
	rate=$(sed -n 's/.* \([0-9.]*\) workloads\/s$/\1/p' <<<"$OUT")
	p50=$(sed -n 's/.*latency p50 \([0-9.]*\) ms.*/\1/p' <<<"$OUT")
	p99=$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' <<<"$OUT")
	LOAD_RATE=$rate
	if [ $RC = 0 ] && [ -n "$rate" ] && [ -n "$p50" ] && [ -n "$p99" ]; then
		ok "$t: load for $s s${*:+ ($*)}: $rate workloads/s, fence latency p50 $p50 ms, p99 $p99 ms"
	else
		nok "$t: load (exit $RC)"
	fi
	show
}

# ---- two guests on one GPU: A (q35, MSI, sysfs), B (pc, INTx, mdevctl) ---------
A=$work/q35 B=$work/pc
up_a=0 up_b=0 rate_a='' LOAD_RATE=''
# B's vGPU through mdevctl, as an operator with persistent definitions has it
ub=$(cat /proc/sys/kernel/random/uuid)
if ! command -v mdevctl >/dev/null; then
	nok "mdevctl: not installed"
elif ! out=$(mdevctl start -u "$ub" -p gvt0 -t gvt-V1_8 2>&1); then
	nok "mdevctl: start -u UUID -p gvt0 -t gvt-V1_8 failed"
	printf '%s\n' "$out" | notes
else
	out=$(mdevctl list 2>&1)
	if grep -q "^$ub gvt0 gvt-V1_8" <<<"$out" && [ -e "$mdev_dir/$ub/gvt/vgpu_id" ]; then
		ok "mdevctl: start created the V1_8 vGPU of the second guest, list shows it: $(grep "^$ub" <<<"$out")"
	else
		nok "mdevctl: list after start does not show $ub on gvt0 as gvt-V1_8"
		printf '%s\n' "$out" | notes
	fi
	# definitions live in /etc/mdevctl.d, read-only in the test VM
	# (a tmpfs over it, seeded with the packaged tree: scripts.d/callouts...)
	if [ -d /etc/mdevctl.d ] && ! touch /etc/mdevctl.d/.w 2>/dev/null; then
		cp -a /etc/mdevctl.d "$work/mdevctl.d"
		mount -t tmpfs mdevctl /etc/mdevctl.d
		cp -a "$work/mdevctl.d/." /etc/mdevctl.d/
	fi
	mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers
	rm -f /etc/mdevctl.d/.w
	if mdevctl define --auto -u "$ub" >"$work/define.out" 2>&1 &&
		out=$(mdevctl list --defined 2>&1) && grep -q "^$ub gvt0 gvt-V1_8 auto" <<<"$out"; then
		ok "mdevctl: define --auto made it a persistent, auto-started definition: $(grep "^$ub" <<<"$out")"
	else
		nok "mdevctl: define --auto -u UUID (list --defined: $(grep "^$ub" <<<"${out:-}"))"
		notes <"$work/define.out"
	fi
	mdevctl undefine -u "$ub" >/dev/null 2>&1
fi
# one after the other, then both run: two second-level guests booting at
# once take the first-level VM (one host thread under full emulation)
# two to three times as long as one after the other.
# B runs in the other QEMU users have: bookworm-backports' 10.0.
q10=$top/build/cache/qemu-backports/qemu-system-x86_64
q10v=$("$q10" --version 2>/dev/null | sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p')
if [ -z "$q10v" ]; then
	nok "pc: bookworm-backports' QEMU missing or not running ($q10: run tools/setup); B runs in the stock QEMU"
	q10=qemu-system-x86_64
fi
args_a=(--machine q35 --type V1_4)
args_b=(--machine pc --uuid "$ub" --driver-param msi=0 --qemu "$q10")
start_bg "$A" "${args_a[@]}"
wait
retry_early q35 "$A" "${args_a[@]}"
wait
if [ -e "$mdev_dir/$ub" ]; then
	start_bg "$B" "${args_b[@]}"
	wait
	retry_early pc "$B" "${args_b[@]}"
	wait
fi
started_bg q35 "$A" "QEMU $(cat "$A/qemu-version" 2>/dev/null)" "${args_a[@]}" && up_a=1
if [ -e "$mdev_dir/$ub" ]; then
	started_bg pc "$B" "QEMU $(cat "$B/qemu-version" 2>/dev/null)" "${args_b[@]/#$top\//}" && up_b=1
fi

# ---- guest A: q35, MSI ------------------------------------------------------
if [ $up_a = 1 ]; then
	check_basic q35 "$A" V1_4 MSI

	# the fbdev console on the vGPU display
	if shot "$A" q35-console; then
		read -r cw ch _ < <(ppm_info "$work/q35-console.ppm")
		lit0=$(lit "$work/q35-console.ppm")
		if [ "$cw $ch" = "1024 768" ] && [ "$lit0" -gt 0 ]; then
			ok "q35: fbcon on the vGPU display: QEMU's screendump is ${cw}x$ch with $lit0 lit pixels"
		else
			nok "q35: console screendump: ${cw}x$ch, $lit0 lit pixels (want 1024x768, not blank)"
		fi
		gexec "$A" 60 'for i in $(seq 30); do echo "gvt-bpf e2e: line $i of text written to tty1 ============"; done >/dev/tty1'
		sleep 1
		if shot "$A" q35-console-text && lit1=$(lit "$work/q35-console-text.ppm") &&
			[ "$lit1" -gt "$lit0" ]; then
			ok "q35: text written to tty1 shows on the display ($lit0 -> $lit1 lit pixels)"
		else
			nok "q35: text written to tty1 did not show (lit pixels ${lit0} -> ${lit1:-?})"
		fi
	else
		nok "q35: screendump of the console failed"
	fi

	check_work q35 "$A"

	gexec "$A" 120 'gvt-guest reject'
	if [ $RC = 0 ]; then ok "q35: bad submissions refused by the driver, the device untouched"; else nok "q35: reject (exit $RC)"; fi
	show

	check_load q35 "$A" 10
	rate_a=$LOAD_RATE
	check_load q35 "$A" 5 -n 1000 -q 1
	check_draw q35 "$A"

	# the debug path: bad work reaches the device, which refuses it; the
	# driver resets the vGPU and carries on
	uuid=$(cat "$A/uuid")
	rej0=$(host_stat "$uuid" workloads_rejected)
	# good work right behind it runs on (the engine does not stop at a
	# refused workload): the bad one must still be reported failed
	gexec "$A" 60 'gvt-guest raw -x error -F 8 0x7f000001'
	if [ $RC = 0 ] && grep -q 'Input/output error; vGPU resets \([0-9]*\) -> ' <<<"$OUT" &&
		! grep -q 'resets \([0-9]*\) -> \1$' <<<"$OUT"; then
		ok "q35: an unknown opcode through the debug path, good work right behind it: its fence failed with EIO, vGPU reset"
	else
		nok "q35: debug path, unknown opcode (exit $RC)"
	fi
	show
	gexec "$A" 60 'set -e; b=$(gvt-guest info | sed -n "s/^hidden: 0x[0-9a-f]*-0x\([0-9a-f]*\).*/\1/p"); a=$(printf "0x%x" $((0x$b + 1))); echo "store to $a, past the hidden range"; gvt-guest raw -x error 0x10000003 $a 1'
	if [ $RC = 0 ]; then
		ok "q35: a store outside the vGPU's graphics memory through the debug path: refused by the device, vGPU reset"
	else
		nok "q35: debug path, store outside the vGPU's memory (exit $RC)"
	fi
	show
	# a store into the vGPU's own range where the driver mapped nothing:
	# the scanner lets it through, the engine faults on the invalid PTE
	gexec "$A" 60 'set -e; b=$(gvt-guest info | sed -n "s/^hidden: 0x[0-9a-f]*-0x\([0-9a-f]*\).*/\1/p"); a=$(printf "0x%x" $((0x$b - 3))); echo "store to $a, the last dword of the hidden range"; gvt-guest raw -x error 0x10000003 $a 1; dmesg | grep "vGPU error" | tail -n 1 | sed "s/^\[[ 0-9.]*\] //"'
	if [ $RC = 0 ] && grep -q 'vGPU error: GTT fault (5) at ' <<<"$OUT" &&
		grep -q 'IIR 0x10[0-9a-f]\{3\}' <<<"$OUT"; then
		ok "q35: a store through an unmapped PTE of the vGPU's own range: GTT fault interrupt, vGPU reset"
	else
		nok "q35: debug path, store through an unmapped PTE (exit $RC; want a GTT fault with GVT_IRQ_GTT_FAULT in IIR)"
	fi
	show
	rej1=$(host_stat "$uuid" workloads_rejected)
	if [ -n "$rej0" ] && [ -n "$rej1" ] && [ "$rej1" -ge $((rej0 + 3)) ]; then
		ok "q35: the host counted the refused and faulted workloads ($rej0 -> $rej1)"
	else
		nok "q35: host workloads_rejected $rej0 -> $rej1 (want +3)"
	fi
	gexec "$A" 120 'gvt-guest raw -x ok 0x13000002 1000 && gvt-guest fill && gvt-guest info | grep -E "^resets|^interrupts"'
	if [ $RC = 0 ]; then ok "q35: after the resets the guest carries on (raw WORK, fill)"; else nok "q35: work after the resets (exit $RC)"; fi
	show
	if shot "$A" q35-after-reset && [ "$(lit "$work/q35-after-reset.ppm")" -gt 0 ]; then
		ok "q35: the display shows the console after the resets"
	else
		nok "q35: display blank after the resets"
	fi

	# a hung engine: the host drops the render ring's doorbell (the
	# mmio_guard policy on RING_TAIL), so the request never runs; the
	# driver's hang check resets the vGPU and fails the fence
	gl=$top/build/bin/gvt-load obj=$top/build/bpf/mmio_guard.bpf.o
	tail_reg=$((0x2000 + 0x08))	# GVT_ENGINE_REG(RENDER, GVT_RING_TAIL)
	if [ ! -x "$gl" ] || [ ! -f "$obj" ]; then
		nok "q35: hung engine: $gl or $obj missing (make bpf userspace)"
	elif ! out=$("$gl" "$obj" --vgpu "$uuid" --set guard_irq_regs=0 --set "guard_regs[$tail_reg]=1" 2>&1); then
		nok "q35: hung engine: attaching mmio_guard failed"
		printf '%s\n' "$out" | notes
	else
		gexec "$A" 240 'gvt-guest info | grep "^resets"; gvt-guest fill; echo "fill exit $?"; gvt-guest info | grep "^resets"; dmesg | grep -E "made no progress|reset done" | tail -n 2 | sed "s/^\[[ 0-9.]*\] //"'
		# a policy bound to one vGPU is pinned under its own name
		pol=$(sed -n 's/^loaded \([^ ]*\) from .*/\1/p' <<<"$out")
		if ! "$gl" --unload "${pol:-mmio_guard}" >/dev/null 2>&1; then
			nok "q35: hung engine: gvt-load --unload ${pol:-mmio_guard} failed"
		fi
		if [ $RC = 0 ] && grep -q '^fill exit 1$' <<<"$OUT" &&
			grep -q 'fence error -5' <<<"$OUT" &&
			grep -q 'render engine made no progress' <<<"$OUT" &&
			[ "$(grep -c '^resets' <<<"$OUT")" = 2 ] &&
			[ "$(grep '^resets' <<<"$OUT" | sort -u | wc -l)" = 2 ]; then
			ok "q35: hung engine (doorbell dropped by the host): the driver reset the vGPU and failed the fence with EIO"
		else
			nok "q35: hung engine: want fill to fail with EIO after a hang reset (exit $RC)"
		fi
		show
		gexec "$A" 120 'gvt-guest fill && gvt-guest copy'
		if [ $RC = 0 ]; then ok "q35: after the hang and the policy's removal, work runs again"; else nok "q35: work after the hang (exit $RC)"; fi
		show
	fi

	# driver unbind and bind, module reload
	gexec "$A" 120 'set -e; p=/sys/bus/pci/drivers/gvt_drm; dev=$(basename $(ls -d $p/0000:*)); echo $dev >$p/unbind; echo "unbound: $(ls /dev/dri 2>/dev/null | tr "\n" " ")"; echo $dev >$p/bind; sleep 1; echo "bound: $(ls /dev/dri | tr "\n" " ")"; gvt-guest fill'
	if [ $RC = 0 ] && grep -q '^unbound: $' <<<"$OUT" && grep -q '^bound: card0' <<<"$OUT"; then
		ok "q35: driver unbind and bind: the nodes go and come back, work runs after"
	else
		nok "q35: driver unbind/bind (exit $RC)"
	fi
	show
	gexec "$A" 120 'set -e; rmmod gvt_drm; echo "removed: $(ls /dev/dri 2>/dev/null | tr "\n" " ")"; insmod /lib/modules/gvt_drm.ko; sleep 1; gvt-guest fill; gvt-guest copy'
	if [ $RC = 0 ] && grep -q '^removed: $' <<<"$OUT"; then
		ok "q35: rmmod and insmod of gvt_drm: work runs after"
	else
		nok "q35: module reload (exit $RC)"
	fi
	show
	if shot "$A" q35-after-reload && [ "$(lit "$work/q35-after-reload.ppm")" -gt 0 ]; then
		ok "q35: the console is on the display again after the reload"
	else
		nok "q35: display blank after the module reload"
	fi
fi

# ---- guest B: pc, INTx ---------------------------------------------------------
if [ $up_b = 1 ]; then
	check_basic pc "$B" V1_8 INTx
	check_work pc "$B"
	check_load pc "$B" 5
	check_draw pc "$B"
fi

# ---- both: sharing one GPU -------------------------------------------------------
if [ $up_a = 1 ] && [ $up_b = 1 ]; then
	# shellcheck source=tests/e2e/share.sh
	. "$top/tests/e2e/share.sh"
	share_contended "$A" "$B" "${rate_a:-}"
	share_weighted "$A" "$B"
	share_swaps "$A" "$B"
	share_isolation "$A" "$B"
	share_trace "$A"
	share_kill "$B" "$A"
	for i in "${!running[@]}"; do [ "${running[$i]}" != "$B" ] || unset 'running[i]'; done
	if "$gr" --scan-log "$B/console.log" >/dev/null 2>&1; then
		ok "pc: no WARN, BUG, oops or panic in the killed guest's console log"
	else
		nok "pc: kernel problem in the killed guest's console log"
	fi
elif [ $up_b = 1 ]; then
	stop_guest pc "$B"
fi

if [ $up_a = 1 ]; then
	# a guest reboot: the driver takes the vGPU again
	t0=$EPOCHREALTIME
	l0=$(wc -l <"$A/console.log" 2>/dev/null || echo 0)
	gexec "$A" 30 'reboot -f'
	rb=0
	"$gr" wait-ready --dir "$A" --timeout 900 >/dev/null 2>&1 || rb=$?
	if [ $rb != 0 ] && died_before_driver "$A" "$l0"; then
		# the emulator fault of died_early, in the second boot: once more
		note "q35: the guest kernel died in the reboot before gvt_drm was loaded; starting the guest once more:"
		tail -n +"$((l0 + 1))" "$A/console.log" | grep -m 3 -E 'Oops|BUG|panic|fault|WARNING' | sed 's/^/#   /'
		"$gr" stop --dir "$A" --timeout 10 >/dev/null 2>&1 || true
		rb=0
		"$gr" start --dir "$A" --boot-timeout 900 "${args_a[@]}" >/dev/null 2>&1 || rb=$?
	fi
	if [ $rb = 0 ]; then
		gexec "$A" 120 'gvt-guest info | head -n 5 && gvt-guest fill'
		if [ $RC = 0 ]; then
			ok "q35: guest rebooted ($(elapsed "$t0") s): the driver probed the vGPU again, work runs"
		else
			nok "q35: after the reboot (exit $RC)"
		fi
		show
	else
		nok "q35: the guest did not come back after reboot -f"
	fi
	stop_guest q35 "$A"
fi

finish

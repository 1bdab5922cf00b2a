#!/usr/bin/env bash
# tests/vm/qemu_accept.sh: a stock QEMU takes a vGPU as its PCI device.
#
#   tests/vm/qemu_accept.sh [QEMU]
#
# QEMU is the qemu-system-x86_64 to test (default: the installed one;
# tools/vm-suite-all also runs it with bookworm-backports' QEMU, which
# tools/setup unpacks under build/cache/qemu-backports/). For each machine
# type (pc, q35), without and with display=on, this creates a vGPU and
# starts that QEMU with
#
#   -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$UUID
#
# and, instead of a guest OS, a multiboot program of a few instructions
# (assembled here) that the firmware (SeaBIOS) starts once it has
# enumerated PCI and assigned the BARs. The program reads BAR0 from config
# space, checks the ID register there, draws a 64x64 surface in guest
# memory, maps it in the GTT, points the display plane at it and writes a
# marker to SCRATCH, then halts; what it saw (BAR0, ID) and its end go to
# a mailbox in guest RAM. Through QEMU's monitor (QMP, HMP commands
# through it) the test waits for that end and then checks what a guest
# sees: the device, its ids and class, BAR0 (32-bit memory,
# GVT_BAR0_SIZE) and BAR2 (64-bit prefetchable, the type's aperture) as
# QMP query-pci gives them, the BAR0 the program found, the config space
# with the MSI and vendor capabilities (through ports 0xcf8/0xcfc, as a
# guest reads it), MMIO both ways, the aperture mmapped by QEMU, and with
# display=on QEMU's screendump before the plane is enabled (QEMU keeps its
# 640x480 placeholder) and after (the guest's surface, pixel for pixel).
# Then the module's counters, a clean quit, nothing unexpected on QEMU's
# stderr, and the vGPU removable afterwards. No second-level OS is
# booted: a run is a few seconds.
#
# Needs root, the module loaded (tools/vm-run provides both), a
# qemu-system-x86_64 with SeaBIOS, as/objcopy (binutils) and jq. Works in
# a private mktemp directory. Every wait is bounded.
#
# Output: "ok - ..." and "not ok - ..." lines, "# ..." notes, and last a
# line "N passed, N failed". Exit 0 when everything passed, 1 otherwise.
set -euo pipefail

qemu=${1:-qemu-system-x86_64}
t_all=$EPOCHREALTIME
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
regs_h=$top/include/gvt/gvt_regs.h
parent=/sys/class/mdev_bus/gvt0
mdev_dir=/sys/bus/mdev/devices

SLOT=5                  # the vGPU's PCI slot on bus 0
SURF_PHYS=0x200000      # guest-physical address of the program's surface
SURF_W=64 SURF_H=64     # surface size in pixels, XRGB8888, no row padding
PIX_BASE=0x800000       # pixel i of the surface is PIX_BASE | i
DONE=0x600dd15b         # what the program writes to SCRATCH when done
MBOX=0x1f0000           # guest-physical address of the program's mailbox
QEMU_LIMIT=120          # seconds a QEMU may live, whatever happens
WAIT=30                 # seconds for any single wait

pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok - %s\n' "$*"; }
nok() { fail=$((fail + 1)); printf 'not ok - %s\n' "$*"; }
note() { printf '# %s\n' "$@"; }
finish() {
	printf '%d passed, %d failed\n' "$pass" "$fail"
	if [ "$fail" -eq 0 ]; then exit 0; fi
	exit 1
}
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# ---- what the device must look like, from the ABI header ----------------
# "#define NAME value" lines of gvt_regs.h, integer suffixes dropped; the
# values used here are plain numbers or shifts, evaluated by the shell
names=(GVT_PCI_VENDOR_ID GVT_PCI_DEVICE_ID GVT_PCI_SUBVENDOR_ID
	GVT_PCI_SUBDEVICE_ID GVT_PCI_REVISION GVT_PCI_CLASS GVT_BAR0_SIZE
	GVT_CFG_MSI_OFFSET GVT_CFG_VNDR_OFFSET GVT_ID_MAGIC GVT_REG_ID
	GVT_REG_SCRATCH GVT_PV_APERTURE_BASE GVT_GTT_OFFSET GVT_REG_GTT_CTL
	GVT_GTT_CTL_ENABLE GVT_PTE_VALID GVT_PAGE_SIZE GVT_REG_PLANE_CTL
	GVT_REG_PLANE_SURF GVT_REG_PLANE_WIDTH GVT_REG_PLANE_HEIGHT
	GVT_REG_PLANE_STRIDE GVT_PLANE_CTL_ENABLE GVT_PLANE_CTL_FORMAT_SHIFT
	GVT_PLANE_FORMAT_XRGB8888)
declare -A C
declare -A defs
while read -r n v; do
	defs[$n]=$v
done < <(sed -n 's/^#define[[:space:]]\{1,\}\([A-Za-z0-9_]\{1,\}\)[[:space:]]\{1,\}\([^/]*\).*/\1 \2/p' "$regs_h" |
	sed -E 's/([0-9][0-9a-fA-FxX]*)[uUlL]+/\1/g')
for n in "${names[@]}"; do
	v=${defs[$n]:-}
	if ! [[ $v =~ ^[0-9a-fA-FxX()\ \<\|]+$ ]]; then
		nok "constants: $n not found in include/gvt/gvt_regs.h as a number ('$v')"
		finish
	fi
	C[$n]=$((v))
done
VENDOR=${C[GVT_PCI_VENDOR_ID]} DEVICE=${C[GVT_PCI_DEVICE_ID]}
SUBVENDOR=${C[GVT_PCI_SUBVENDOR_ID]} SUBDEVICE=${C[GVT_PCI_SUBDEVICE_ID]}
SURF_STRIDE=$((SURF_W * 4))
SURF_PAGES=$(((SURF_STRIDE * SURF_H + C[GVT_PAGE_SIZE] - 1) / C[GVT_PAGE_SIZE]))
CFG_ADDR=$((0x80000000 | SLOT << 11))

# ---- environment ----------------------------------------------------------
for tool in as objcopy timeout jq; do
	command -v "$tool" >/dev/null || { nok "environment: $tool not installed"; finish; }
done
if ! command -v "$qemu" >/dev/null; then nok "environment: no QEMU at '$qemu'"; finish; fi
if ! qemu_version=$("$qemu" --version 2>&1 | sed -n 1p) || [[ $qemu_version != "QEMU emulator version "* ]]; then
	nok "environment: '$qemu --version' failed: $qemu_version"
	finish
fi
[ -d "$parent" ] || { nok "environment: no mdev parent $parent (module not loaded?)"; finish; }
aperture_mb=$(cat /sys/module/gvt_bpf/parameters/aperture_mb 2>/dev/null) ||
	{ nok "environment: cannot read the module's aperture_mb"; finish; }

work=$(mktemp -d /tmp/qemu_accept.XXXXXX)
qpid='' uuid='' qw='' qr=''
# stop_qemu: end the QEMU of this run, if still there. $qpid is timeout(1),
# which passes TERM on to QEMU and sends KILL 5 s later if need be.
stop_qemu() {
	local i
	[ -n "$qpid" ] || return 0
	kill -TERM "$qpid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$qpid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	qpid=''
}
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	stop_qemu
	if [ -n "$uuid" ] && [ -e "$mdev_dir/$uuid" ]; then echo 1 >"$mdev_dir/$uuid/remove" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

# ---- the guest program ------------------------------------------------------
# Loaded by QEMU's multiboot loader (a.out kludge: a flat image at LOAD)
# and entered in 32-bit protected mode, flat segments, no paging, after
# SeaBIOS has enumerated PCI. It needs no stack and touches only the
# vGPU, the PCI config ports, the surface and a mailbox in RAM at MBOX
# (zero until it runs), where it leaves what it saw: the BAR0 address it
# read from config space (+0), the ID register read through it (+4), and
# DONE once it has finished (+8). It goes on only when that ID is the
# vGPU's, so a wrong BAR0 shows in the mailbox and nothing is written to
# wherever it points.
cat >"$work/prog.s" <<EOF
	.code32
	.set	LOAD, 0x100000
	.set	CFG, $CFG_ADDR
	.set	SURF, $SURF_PHYS
	.set	NPIX, $((SURF_W * SURF_H))
	.set	PIX, $PIX_BASE
	.set	PAGE, ${C[GVT_PAGE_SIZE]}
	.set	NPAGES, $SURF_PAGES
	.set	PV_AP_BASE, ${C[GVT_PV_APERTURE_BASE]}
	.set	GTT, ${C[GVT_GTT_OFFSET]}
	.set	PTE_VALID, ${C[GVT_PTE_VALID]}
	.set	GTT_CTL, ${C[GVT_REG_GTT_CTL]}
	.set	GTT_ENABLE, ${C[GVT_GTT_CTL_ENABLE]}
	.set	P_CTL, ${C[GVT_REG_PLANE_CTL]}
	.set	P_SURF, ${C[GVT_REG_PLANE_SURF]}
	.set	P_WIDTH, ${C[GVT_REG_PLANE_WIDTH]}
	.set	P_HEIGHT, ${C[GVT_REG_PLANE_HEIGHT]}
	.set	P_STRIDE, ${C[GVT_REG_PLANE_STRIDE]}
	.set	P_ON, ${C[GVT_PLANE_CTL_ENABLE]} | ${C[GVT_PLANE_FORMAT_XRGB8888]} << ${C[GVT_PLANE_CTL_FORMAT_SHIFT]}
	.set	SCRATCH, ${C[GVT_REG_SCRATCH]}
	.set	ID, ${C[GVT_REG_ID]}
	.set	ID_MAGIC, ${C[GVT_ID_MAGIC]}
	.set	MBOX, $MBOX
	.set	DONE, $DONE
hdr:	.long	0x1badb002, 0x00010000, -(0x1badb002 + 0x00010000)
	.long	LOAD, LOAD, 0, 0, LOAD + (start - hdr)
start:	cli
	mov	\$(CFG + 4), %eax	# PCI command: memory space, bus master
	mov	\$0xcf8, %dx
	out	%eax, (%dx)
	mov	\$0xcfc, %dx
	in	(%dx), %ax
	or	\$0x6, %ax
	out	%ax, (%dx)
	mov	\$(CFG + 0x10), %eax	# BAR0, as the firmware assigned it
	mov	\$0xcf8, %dx
	out	%eax, (%dx)
	mov	\$0xcfc, %dx
	in	(%dx), %eax
	and	\$0xfffffff0, %eax
	mov	%eax, %ebp
	mov	%ebp, MBOX		# mailbox: the BAR0 it found,
	mov	ID(%ebp), %eax
	mov	%eax, MBOX + 4		# the ID it read there
	cmp	\$ID_MAGIC, %eax
	jne	3f			# not the vGPU there: touch nothing
	xor	%ecx, %ecx		# the surface: pixel i = PIX | i
1:	mov	%ecx, %eax
	or	\$PIX, %eax
	mov	%eax, SURF(,%ecx,4)
	inc	%ecx
	cmp	\$NPIX, %ecx
	jb	1b
	mov	PV_AP_BASE(%ebp), %ebx	# graphics address: the aperture's start
	mov	%ebx, %edi		# its PTEs: low dword, then high
	shr	\$12, %edi
	lea	GTT(%ebp,%edi,8), %edi
	mov	\$(SURF | PTE_VALID), %eax
	xor	%ecx, %ecx
2:	mov	%eax, (%edi,%ecx,8)
	movl	\$0, 4(%edi,%ecx,8)
	add	\$PAGE, %eax
	inc	%ecx
	cmp	\$NPAGES, %ecx
	jb	2b
	movl	\$GTT_ENABLE, GTT_CTL(%ebp)
	mov	%ebx, P_SURF(%ebp)
	movl	\$$SURF_W, P_WIDTH(%ebp)
	movl	\$$SURF_H, P_HEIGHT(%ebp)
	movl	\$$SURF_STRIDE, P_STRIDE(%ebp)
	movl	\$P_ON, P_CTL(%ebp)
	movl	\$DONE, SCRATCH(%ebp)
3:	movl	\$DONE, MBOX + 8	# its end
4:	hlt
	jmp	4b
EOF
prog=$work/prog.bin
if out=$(as --32 -o "$work/prog.o" "$work/prog.s" 2>&1 &&
	objcopy -O binary -j .text "$work/prog.o" "$prog" 2>&1); then
	ok "guest program assembled ($(stat -c %s "$prog") bytes, $(elapsed "$t_all") s)"
else
	nok "guest program: as/objcopy failed"
	note "$out"
	finish
fi

# the surface as QEMU's screendump (PPM, RGB) must show it: "RR GG BB" lines
expected_rgb=$work/expected.rgb
awk -v n=$((SURF_W * SURF_H)) -v base=$((PIX_BASE)) 'BEGIN {
	for (i = 0; i < n; i++) {
		v = base + i   # base has no bits in common with i
		printf " %02x %02x %02x\n", int(v / 65536) % 256, int(v / 256) % 256, v % 256
	}
}' >"$expected_rgb"

# ---- QMP --------------------------------------------------------------------
# qmp_line: the next line from QEMU's monitor, in LINE. 1 when QEMU has
# exited or nothing came within WAIT s. A read that times out keeps what
# it got of a line, so a slow reply is not cut.
LINE=''
qmp_line() {
	local part='' deadline=$((SECONDS + WAIT))
	while :; do
		if IFS= read -r -t 1 LINE <&"$qr"; then
			LINE=$part$LINE
			return 0
		fi
		part+=$LINE
		if ! kill -0 "$qpid" 2>/dev/null; then
			LINE='(QEMU has exited)'
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			LINE="(nothing from QEMU within $WAIT s)"
			return 1
		fi
	done
}
# qmp JSON: send one command, wait for its reply (events are skipped).
# REPLY is the reply line; 0 on "return", 1 on "error" or no reply. Once
# a reply did not come, the monitor counts as dead for the rest of the
# run, so that a hung QEMU costs one wait, not one per command.
REPLY='' mon_dead=0
qmp() {
	if [ "$mon_dead" = 1 ] || ! kill -0 "$qpid" 2>/dev/null; then
		REPLY='(QEMU has exited or its monitor stopped answering)'
		return 1
	fi
	printf '%s\n' "$1" >&"$qw"
	while qmp_line; do
		case $LINE in
		'{"return"'*) REPLY=$LINE; return 0 ;;
		'{"error"'*) REPLY=$LINE; return 1 ;;
		esac
	done
	REPLY=$LINE
	mon_dead=1
	return 1
}
qmp_error() { # the "desc" of an error reply, or the reply itself
	local d
	d=$(printf '%s\n' "$REPLY" | sed -n 's/.*"desc": "\(.*\)".*/\1/p')
	printf '%s\n' "${d:-$REPLY}"
}
# hmp COMMAND: run a human monitor command; its text in OUT
OUT=''
hmp() {
	local s
	OUT=''
	qmp "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"$1\"}}" ||
		{ OUT=$(qmp_error); return 1; }
	s=${REPLY#'{"return": "'}
	s=${s%'"}'}
	s=${s//\\r/}
	s=${s//\\n/$'\n'}
	s=${s//\\t/$'\t'}
	s=${s//\\\"/\"}
	s=${s//\\\\/\\}
	OUT=$s
}
# xp ADDR: a 32-bit read of guest-physical ADDR (MMIO included), in VAL
VAL=''
xp() {
	VAL=''
	hmp "xp /1xw $1" || return 1
	VAL=$(printf '%s\n' "$OUT" | sed -n 's/^[0-9a-f]*: \(0x[0-9a-f]*\).*/\1/p')
	[ -n "$VAL" ]
}
# cfg_read OFF: a config dword of bus 0, SLOT, through ports 0xcf8/0xcfc
cfg_read() {
	VAL=''
	hmp "o /w 0xcf8 $((CFG_ADDR | $1))" || return 1
	hmp "i /w 0xcfc" || return 1
	VAL=$(printf '%s\n' "$OUT" | sed -n 's/.*= \(0x[0-9a-f]*\).*/\1/p')
	[ -n "$VAL" ]
}
# pci_dev: the vGPU's entry of QMP query-pci (bus 0, SLOT, function 0),
# compact JSON, in DEV. query-pci is QEMU's stable, typed view of PCI;
# the text of HMP's "info pci" differs between versions (an unassigned
# BAR is "at 0xffffffffffffffff [...]." in 7.2, "(not mapped)" in 10.0,
# where assigned ones also lost the final ".").
DEV=''
pci_dev() {
	DEV=''
	qmp '{"execute": "query-pci"}' || return 1
	DEV=$(jq -c --argjson s "$SLOT" '.return[] | select(.bus == 0) | .devices[] |
		select(.slot == $s and .function == 0)' <<<"$REPLY" 2>/dev/null) || true
	[ -n "$DEV" ]
}
# bar N: "TYPE BITS PREFETCH ADDRESS SIZE" of BAR N in DEV, e.g.
# "memory 64 true 4261412864 33554432"; ADDRESS -1 while the BAR is not
# mapped (not assigned, or decoding off). Nothing if there is no BAR N.
bar() {
	jq -r --argjson n "$1" '.regions[] | select(.bar == $n) |
		"\(.type) \(if .mem_type_64 then 64 else 32 end) \(.prefetch) \(.address) \(.size)"' <<<"$DEV"
}
# screendump FILE: 0 when QEMU wrote it
screendump() {
	qmp "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"$1\"}}"
}
# ppm_size FILE: "W H HEADER_BYTES" of a binary PPM whose length matches
# its header
ppm_size() {
	local magic w h max hlen
	{ IFS= read -r magic && IFS=' ' read -r w h && IFS= read -r max; } <"$1" || return 1
	[ "$magic" = P6 ] && [ "$max" = 255 ] && [[ $w =~ ^[0-9]+$ && $h =~ ^[0-9]+$ ]] || return 1
	hlen=$((${#magic} + ${#w} + ${#h} + ${#max} + 4))
	[ "$(stat -c %s "$1")" -eq $((hlen + w * h * 3)) ] || return 1
	printf '%s %s %s\n' "$w" "$h" "$hlen"
}
stat_of() { awk -v n="$1" '$1 == n { print $2 }' "$mdev_dir/$uuid/gvt/stats" 2>/dev/null || true; }

# ---- one QEMU run -------------------------------------------------------------
# run_one MACHINE DISPLAY(on|off) DIV
run_one() {
	local m=$1 disp=$2 div=$3
	local t="$m display=$disp V1_$div:"
	local d=$work/$m-$disp dopt='' t0 a b i
	local ap=$((aperture_mb / div << 20))
	mkdir -p "$d"
	[ "$disp" = off ] || dopt=,display=on
	REPLY='' LINE='' mon_dead=0

	uuid=$(cat /proc/sys/kernel/random/uuid)
	if ! echo "$uuid" >"$parent/mdev_supported_types/gvt-V1_$div/create" 2>"$d/create.err"; then
		nok "$t create a vGPU of type V1_$div: $(cat "$d/create.err")"
		uuid=''
		return
	fi
	ok "$t vGPU $uuid created"

	mkfifo "$d/qmp.in" "$d/qmp.out"
	# both ends read-write: opening never blocks, even if QEMU never starts
	exec {qw}<>"$d/qmp.in" {qr}<>"$d/qmp.out"
	t0=$EPOCHREALTIME
	timeout -k 5 "$QEMU_LIMIT" "$qemu" -M "$m" -m 128 -nodefaults \
		-no-user-config -display none -serial none -S \
		-chardev "pipe,id=qmp,path=$d/qmp" -mon chardev=qmp,mode=control \
		-kernel "$prog" \
		-device "vfio-pci,sysfsdev=$mdev_dir/$uuid,addr=$(printf '%02x' $SLOT).0$dopt" \
		>"$d/qemu.log" 2>&1 {qw}>&- {qr}>&- &
	qpid=$!

	if qmp_line && [[ $LINE == '{"QMP"'* ]] &&
		qmp '{"execute": "qmp_capabilities"}' && qmp '{"execute": "query-pci"}'; then
		ok "$t QEMU started (monitor up after $(elapsed "$t0") s)"
	else
		nok "$t QEMU did not start or its monitor did not answer: ${REPLY:-$LINE}"
		run_end "$t" "$d"
		return
	fi

	# -S: devices are realized, the firmware has not run yet
	if pci_dev && jq -e --argjson v "$VENDOR" --argjson dv "$DEVICE" --argjson sv "$SUBVENDOR" \
		--argjson sd "$SUBDEVICE" --argjson c $((C[GVT_PCI_CLASS] >> 8)) '.id.vendor == $v and
		.id.device == $dv and .id["subsystem-vendor"] == $sv and .id.subsystem == $sd and
		.class_info.class == $c' <<<"$DEV" >/dev/null; then
		ok "$t QEMU realized the device: 00:$(printf '%02x.0 %04x:%04x, subsystem %04x:%04x' $SLOT "$VENDOR" "$DEVICE" "$SUBVENDOR" "$SUBDEVICE")"
	else
		nok "$t device not in QEMU's query-pci at 00:$(printf %02x $SLOT).0 as $(printf '%04x:%04x, subsystem %04x:%04x, class %04x' "$VENDOR" "$DEVICE" "$SUBVENDOR" "$SUBDEVICE" $((C[GVT_PCI_CLASS] >> 8))): '${DEV:-$REPLY}'"
	fi

	if [ "$disp" = on ]; then
		# the plane is still disabled: QEMU keeps its placeholder surface
		if ! screendump "$d/before.ppm"; then
			nok "$t screendump with the plane disabled: $(qmp_error)"
		elif read -r a b _ < <(ppm_size "$d/before.ppm") && [ "$a $b" = "640 480" ]; then
			ok "$t screendump with the plane disabled: QEMU's 640x480 placeholder"
		else
			nok "$t screendump with the plane disabled: '${a:-?}x${b:-?}', want QEMU's 640x480 placeholder"
		fi
	else
		if ! screendump "$d/before.ppm" &&
			[ "$(qmp_error)" = "There is no console to take a screendump from" ]; then
			ok "$t no graphic console without display=on (screendump refused)"
		else
			nok "$t screendump without display=on: $REPLY"
		fi
	fi

	# let the firmware run: it assigns the BARs, then starts the program,
	# which says in its mailbox when it is done
	qmp '{"execute": "cont"}' || nok "$t cont: $(qmp_error)"
	local ran=''
	for ((i = 0; i < WAIT * 4; i++)); do
		xp $((MBOX + 8)) || break
		if [ $((VAL)) -eq $((DONE)) ]; then ran=$(elapsed "$t0"); break; fi
		sleep 0.25
	done
	if [ -n "$ran" ]; then
		ok "$t the guest program ran to its end ($ran s after start)"
	else
		nok "$t the guest program did not end within $WAIT s (mailbox end word '${VAL:-$OUT}')"
	fi

	# the BARs as QEMU maps them now
	local b0=() b2=() b0addr=0
	pci_dev || true
	read -ra b0 <<<"$(bar 0 2>/dev/null)"
	read -ra b2 <<<"$(bar 2 2>/dev/null)"
	if [ "${b0[3]:--1}" != -1 ] && [ "${b2[3]:--1}" != -1 ]; then
		ok "$t firmware assigned the BARs and enabled decoding: BAR0 at $(printf %#x "${b0[3]}"), BAR2 at $(printf %#x "${b2[3]}")"
		b0addr=${b0[3]}
	else
		nok "$t BARs not mapped in QEMU (query-pci): BAR0 '${b0[*]}', BAR2 '${b2[*]}' (address -1: not mapped)"
		hmp "info pci" && printf '%s\n' "$OUT" | sed 's/^/# info pci: /'
	fi
	if [ "${b0[*]:0:3}" = "memory 32 false" ] && [ "${b0[4]:-0}" -eq "${C[GVT_BAR0_SIZE]}" ]; then
		ok "$t BAR0: 32-bit memory, $((b0[4] >> 10)) KiB"
	else
		nok "$t BAR0: want 32-bit non-prefetchable memory of $((C[GVT_BAR0_SIZE] >> 10)) KiB, QEMU shows '${b0[*]}' (type bits prefetch address size)"
	fi
	if [ "${b2[*]:0:3}" = "memory 64 true" ] && [ "${b2[4]:-0}" -eq "$ap" ]; then
		ok "$t BAR2: 64-bit prefetchable memory, $((b2[4] >> 20)) MiB (the type's aperture)"
	else
		nok "$t BAR2: want 64-bit prefetchable memory of $((ap >> 20)) MiB, QEMU shows '${b2[*]}' (type bits prefetch address size)"
	fi
	# QEMU lists every region it knows, the ROM as BAR6
	a=$(jq -r '[.regions[].bar] | map(tostring) | join(" ")' <<<"$DEV" 2>/dev/null) || true
	if [ "$a" = "0 2" ]; then
		ok "$t no other BAR, no ROM"
	else
		nok "$t BARs in QEMU's view: '$a', want '0 2'"
	fi

	# what the program saw: BAR0 where QEMU maps it, the vGPU's ID there
	local seen_bar='' seen_id=''
	xp "$MBOX" && seen_bar=$VAL
	xp $((MBOX + 4)) && seen_id=$VAL
	if [ -n "$seen_bar" ] && [ "$b0addr" -ne 0 ] && [ $((seen_bar)) -eq "$b0addr" ] &&
		[ -n "$seen_id" ] && [ $((seen_id)) -eq "${C[GVT_ID_MAGIC]}" ]; then
		ok "$t the guest program found BAR0 at $seen_bar in config space, as QEMU maps it, and read ID $seen_id through it"
	else
		nok "$t the guest program found BAR0 at '${seen_bar:-?}' in config space (QEMU maps it at $(printf %#x "$b0addr")) and read ID '${seen_id:-?}' there (want $(printf %#x "${C[GVT_ID_MAGIC]}"))"
	fi

	# the program's MMIO: reads of PV-info, GTT and plane writes, SCRATCH
	if [ "$b0addr" -ne 0 ] && xp $((b0addr + C[GVT_REG_SCRATCH])) && [ $((VAL)) -eq $((DONE)) ]; then
		ok "$t the guest's MMIO writes reach the vGPU: SCRATCH = $DONE"
	else
		nok "$t SCRATCH does not read $DONE (the guest program did not get there, or its writes were lost): '${VAL:-$OUT}'"
	fi
	if [ "$b0addr" -ne 0 ] && xp $((b0addr + C[GVT_REG_ID])) && [ $((VAL)) -eq "${C[GVT_ID_MAGIC]}" ]; then
		ok "$t MMIO read through QEMU: ID = $(printf %#x "${C[GVT_ID_MAGIC]}")"
	else
		nok "$t MMIO read of ID: got '${VAL:-$OUT}', want $(printf %#x "${C[GVT_ID_MAGIC]}")"
	fi

	# config space as the guest sees it (vCPU stopped: ports are ours)
	qmp '{"execute": "stop"}' || nok "$t stop: $(qmp_error)"
	local id=-1 cls=-1 sub=-1 sts=-1 ptr caps='' hops
	cfg_read 0x00 && id=$((VAL))
	cfg_read 0x08 && cls=$((VAL))
	cfg_read 0x2c && sub=$((VAL))
	cfg_read 0x04 && sts=$((VAL >> 16))
	if [ "$id" -eq $((DEVICE << 16 | VENDOR)) ] && [ "$sub" -eq $((SUBDEVICE << 16 | SUBVENDOR)) ] &&
		[ "$cls" -eq $((C[GVT_PCI_CLASS] << 8 | C[GVT_PCI_REVISION])) ]; then
		ok "$t config space: ids $(printf '%04x:%04x' "$VENDOR" "$DEVICE"), subsystem $(printf '%04x:%04x' "$SUBVENDOR" "$SUBDEVICE"), class $(printf '%06x' "${C[GVT_PCI_CLASS]}") rev $(printf '%02x' "${C[GVT_PCI_REVISION]}")"
	else
		nok "$t config space: id $(printf %#x "$id") subsystem $(printf %#x "$sub") class/rev $(printf %#x "$cls")"
	fi
	if [ "$sts" -ge 0 ] && [ $((sts & 0x10)) -ne 0 ] && cfg_read 0x34; then
		ptr=$((VAL & 0xfc))
		for ((hops = 0; ptr && hops < 16; hops++)); do
			cfg_read "$ptr" || break
			caps+="$(printf '%02x@%#x ' $((VAL & 0xff)) "$ptr")"
			ptr=$((VAL >> 8 & 0xfc))
		done
	fi
	if [[ " $caps" == *" 05@$(printf %#x "${C[GVT_CFG_MSI_OFFSET]}") "* &&
		" $caps" == *" 09@$(printf %#x "${C[GVT_CFG_VNDR_OFFSET]}") "* ]]; then
		ok "$t capabilities: MSI at $(printf %#x "${C[GVT_CFG_MSI_OFFSET]}"), vendor at $(printf %#x "${C[GVT_CFG_VNDR_OFFSET]}") (list: ${caps% })"
	else
		nok "$t capabilities (id@offset): '${caps% }', want MSI (05) at $(printf %#x "${C[GVT_CFG_MSI_OFFSET]}") and vendor (09) at $(printf %#x "${C[GVT_CFG_VNDR_OFFSET]}") (status $(printf %#x "$sts"))"
	fi

	# BAR0 trapped (every access through the module), BAR2 mmapped
	if hmp "info mtree" &&
		grep -qE "\(prio [0-9]+, i/o\): $uuid BAR 0\$" <<<"$OUT" &&
		grep -qE "\(prio [0-9]+, ramd\): $uuid BAR 2 mmaps\[0\]\$" <<<"$OUT"; then
		ok "$t memory map: BAR0 trapped (i/o), the aperture BAR2 mmapped (ramd)"
	else
		nok "$t memory map: want '$uuid BAR 0' as i/o and '$uuid BAR 2 mmaps[0]' as ramd"
		grep -F "$uuid" <<<"$OUT" | sed 's/^/# mtree: /' || true
	fi

	if [ "$disp" = on ]; then
		# the program enabled the plane: the screendump must show its surface
		local size hlen got first
		if ! screendump "$d/after.ppm"; then
			nok "$t screendump of the enabled plane: $(qmp_error)"
		elif ! size=$(ppm_size "$d/after.ppm"); then
			nok "$t screendump of the enabled plane: not a valid PPM"
		else
			read -r a b hlen <<<"$size"
			if [ "$a $b" != "$SURF_W $SURF_H" ]; then
				nok "$t screendump of the enabled plane: ${a}x$b, want the guest's ${SURF_W}x$SURF_H surface$([ "$a $b" = "640 480" ] && echo ' (QEMU still shows its placeholder: the plane was not reported)')"
			else
				got=$work/got.rgb
				tail -c +$((hlen + 1)) "$d/after.ppm" | od -An -v -tx1 -w3 >"$got"
				if cmp -s "$got" "$expected_rgb"; then
					ok "$t screendump of the enabled plane: the guest's ${SURF_W}x$SURF_H surface, every pixel as drawn"
				else
					first=$(cmp "$got" "$expected_rgb" 2>&1 | head -n 1 || true)
					nok "$t screendump of the enabled plane: ${SURF_W}x$SURF_H but pixels differ ($first)"
				fi
			fi
		fi
	fi

	# the module saw all of it
	local cr mr mw mu gw
	cr=$(stat_of cfg_reads) mr=$(stat_of mmio_reads) mw=$(stat_of mmio_writes)
	mu=$(stat_of mmio_unknown) gw=$(stat_of gtt_writes)
	if [ "${cr:-0}" -gt 0 ] && [ "${mr:-0}" -gt 0 ] && [ "${mw:-0}" -gt 0 ] &&
		[ "${gw:-0}" -ge $((2 * SURF_PAGES)) ] && [ "${mu:-1}" -eq 0 ]; then
		ok "$t module counters: cfg_reads $cr, mmio_reads $mr, mmio_writes $mw, gtt_writes $gw, mmio_unknown 0"
	else
		nok "$t module counters: cfg_reads ${cr:-?} (want > 0), mmio_reads ${mr:-?} (> 0), mmio_writes ${mw:-?} (> 0), gtt_writes ${gw:-?} (>= $((2 * SURF_PAGES))), mmio_unknown ${mu:-?} (0)"
	fi

	# quit
	if qmp '{"execute": "quit"}'; then
		for ((i = 0; i < WAIT * 10; i++)); do
			kill -0 "$qpid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	run_end "$t" "$d"
}

# run_end TITLE DIR: stop QEMU (bounded), check its exit and output, remove the vGPU
run_end() {
	local t=$1 d=$2 rc=0 line bad=''
	if kill -0 "$qpid" 2>/dev/null; then
		nok "$t QEMU still running $WAIT s after quit: killed"
		stop_qemu
	else
		wait "$qpid" || rc=$?
		if [ "$rc" -eq 0 ]; then ok "$t QEMU quit cleanly (exit 0)"; else nok "$t QEMU exited with status $rc"; fi
	fi
	qpid=''
	exec {qw}>&- {qr}>&-
	# what QEMU printed: only the known warning that the vGPU offers no
	# error-recovery interrupt (VFIO_PCI_ERR_IRQ_INDEX, a PCIe AER thing)
	while IFS= read -r line; do
		note "qemu: $line"
		case $line in
		*"warning: vfio $uuid: Could not enable error recovery for the device") ;;
		*) bad+="${bad:+; }$line" ;;
		esac
	done <"$d/qemu.log"
	if [ -z "$bad" ]; then ok "$t QEMU printed nothing unexpected"; else nok "$t QEMU printed: $bad"; fi

	if echo 1 >"$mdev_dir/$uuid/remove" 2>"$d/remove.err" && [ ! -e "$mdev_dir/$uuid" ]; then
		ok "$t vGPU removed after QEMU quit"
	else
		nok "$t removing the vGPU after QEMU quit: $(cat "$d/remove.err")"
	fi
	uuid=''
}

note "$qemu: $qemu_version"
run_one pc off 8
run_one pc on 4
run_one q35 off 2
run_one q35 on 1
note "total: $(elapsed "$t_all") s"
finish

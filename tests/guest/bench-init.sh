#!/bin/sh
# /init of the benchmark initramfs (tools/Ab, scripts/bench-guest.sh): mount, run /bench, power off.
# Kernel command-line words it reads: ab_config=NAME and ab_clock=CLOCK (echoed as "ABCONFIG NAME
# CLOCK", so a captured console log names its run; CLOCK defaults to "console") and ab_percent=N
# (iteration counts, % of bench.c's defaults). ABCPU lines: the kernel's FPU mode and CPU flags.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
echo "microxen initramfs: /init running"
dmesg -n 3
percent=${BENCH_SCALE:-100} config= clock=console
for w in $(cat /proc/cmdline); do
    case $w in
        ab_config=*) config=${w#ab_config=} ;;
        ab_clock=*) clock=${w#ab_clock=} ;;
        ab_percent=*) percent=${w#ab_percent=} ;;
        # scripts/kallsyms.sh: the kernel's text symbols for profiles, then power off.
        ab_kallsyms) echo "ABKSYMS begin"; grep ' [tTwW] ' /proc/kallsyms | grep -v '\[' | gzip -9 | base64; echo "ABKSYMS end"; poweroff -f ;;
    esac
done
[ -n "$config" ] && echo "ABCONFIG $config $clock"
# What the kernel made of the CPU (tools/Ab's report compares configurations): its XSAVE choice
# (dmesg's x86/fpu line) and /proc/cpuinfo's flags.
echo "ABCPU fpu $(dmesg | grep -m1 -o -E 'x86/fpu: (Enabled xstate.*|x87 FPU will use.*)' | cut -c10-)"
echo "ABCPU flags $(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
/bench "$percent"
poweroff -f

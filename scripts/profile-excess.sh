#!/usr/bin/env bash
# Where one configuration's extra instructions per operation go, against another (issue 13 item 4:
# the shim's share versus Linux's own PV code), from scripts/ab-profile.sh's output with TOP=N (N
# large enough to list every function, e.g. 2000) for both configurations:
#   TOP=2000 scripts/ab-profile.sh "fast native" 100 > p.txt; scripts/profile-excess.sh fast native < p.txt
# Per operation: instructions per iteration of A and B, the excess A - B, and how much of it is
# the hypervisor (A's "hyper" functions), Linux's PV code (kernel functions named for it: "xen",
# "mfn" (the p2m/m2p lookups), "pvclock" (Xen's clocksource), "paravirt"), the rest of the kernel
# (net of functions B runs more) and user space; then the kernel functions with the largest
# differences (K=8 of them). Figures are instructions per iteration.
set -euo pipefail
a=${1:?usage: scripts/profile-excess.sh CONFIG_A CONFIG_B < ab-profile-output} b=${2:?usage: scripts/profile-excess.sh CONFIG_A CONFIG_B < ab-profile-output}
awk -v A="$a" -v B="$b" -v K="${K:-8}" '
    $1 == A || $1 == B { cfg = $1; op = $2; if (!(op in ops)) { ops[op] = 1; order[++nops] = op }; tot[cfg, op] = $3; user[cfg, op] = $3 * $4 / 100; next }
    /^    / { f[cfg, op, $2 " " $3] += $1; names[op, $2 " " $3] = 1 }
    END {
        printf "%-14s %12s %12s %10s %9s %9s %9s %9s\n", "operation", A, B, "excess", "hyper", "PV code", "kernel", "user"
        for (o = 1; o <= nops; o++) {
            op = order[o]
            if (!((A, op) in tot) || !((B, op) in tot)) continue
            ex = tot[A, op] - tot[B, op]; h = 0; x = 0; k = 0; n = 0
            for (key in names) {
                split(key, p, SUBSEP); if (p[1] != op) continue
                d = f[A, op, p[2]] - f[B, op, p[2]]
                if (p[2] ~ /^hyper /) h += d
                else if (p[2] ~ /xen|mfn|pvclock|paravirt/) x += d
                else k += d
                if (p[2] ~ /^kernel /) { n++; dn[n] = d; dk[n] = substr(p[2], 8) }
            }
            u = user[A, op] - user[B, op]
            printf "%-14s %12.0f %12.0f %10.0f %9.0f %9.0f %9.0f %9.0f\n", op, tot[A, op], tot[B, op], ex, h, x, k, u
            line = "    largest kernel differences:"
            for (j = 1; j <= K && j <= n; j++) {
                best = 0
                for (i = 1; i <= n; i++) if (!used[op, i] && (best == 0 || (dn[i] < 0 ? -dn[i] : dn[i]) > (dn[best] < 0 ? -dn[best] : dn[best]))) best = i
                if (best == 0) break
                used[op, best] = 1; line = line sprintf(" %s %+.0f", dk[best], dn[best])
            }
            print line
            delete dn; delete dk
        }
    }'

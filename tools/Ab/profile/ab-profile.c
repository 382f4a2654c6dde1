/*
 * QEMU TCG plugin for the A/B profile (scripts/ab-profile.sh): counts executed guest instructions
 * by virtual-address region and snapshots the counts each time the guest executes the translation
 * block at MARK (tests/guest/bench.c's ab_mark(), called before and after each measured loop).
 *   -plugin ab-profile.so,mark=0xADDR,out=FILE
 * Regions: user (below 0x0000800000000000), hypervisor (L4 slots 256-271,
 * 0xffff800000000000-0xffff87ffffffffff: where Xen and microxen's shim run, DESIGN.md section 3),
 * kernel (the rest of the upper half). FILE gets one line per mark: "MARK n user kernel hypervisor"
 * (cumulative). Uses QEMU's plugin API version 1 (QEMU 7.2; the declarations below are that API's).
 * With syms=FILE (nm -n output or a System.map: "ADDR TYPE NAME"; repeatable), each mark also
 * writes, for the kernel and hypervisor code run since the previous mark, one line per function:
 * "SYM n instructions region name" (ab-profile-symbols.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef struct { const char *target_name; struct { int min, cur; } version; _Bool system_emulation; } qemu_info_t;
typedef void (*tb_trans_cb)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*exec_cb)(unsigned int, void *);
typedef void (*exit_cb)(qemu_plugin_id_t, void *);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *, exec_cb, int flags, void *);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *, int op, void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, exit_cb, void *);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

enum { USER, KERNEL, HYPERVISOR, REGIONS };
static uint64_t counts[REGIONS];
static uint64_t mark;
static unsigned marks;
static FILE *out;

static int region(uint64_t va)
{
    if (va < 0x0000800000000000ull) return USER;
    if (va >= 0xffff800000000000ull && va < 0xffff880000000000ull) return HYPERVISOR;
    return KERNEL;
}

#include "ab-profile-symbols.c"

static void on_mark(unsigned int vcpu, void *udata)
{
    (void)vcpu; (void)udata;
    fprintf(out, "MARK %u %llu %llu %llu\n", marks++, (unsigned long long)counts[USER],
            (unsigned long long)counts[KERNEL], (unsigned long long)counts[HYPERVISOR]);
    sym_dump(out, marks - 1);
    fflush(out);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    uint64_t va = qemu_plugin_tb_vaddr(tb);
    /* QEMU_PLUGIN_INLINE_ADD_U64 (0): counts[region] += instructions in the block. */
    qemu_plugin_register_vcpu_tb_exec_inline(tb, 0, &counts[region(va)], qemu_plugin_tb_n_insns(tb));
    if (nsyms && region(va) != USER) {
        uint64_t *c = sym_block(va);
        if (c) qemu_plugin_register_vcpu_tb_exec_inline(tb, 0, c, qemu_plugin_tb_n_insns(tb));
    }
    if (va == mark) qemu_plugin_register_vcpu_tb_exec_cb(tb, on_mark, 0 /* no registers */, NULL);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "mark=", 5) == 0) mark = strtoull(argv[i] + 5, NULL, 0);
        else if (strncmp(argv[i], "out=", 4) == 0) path = argv[i] + 4;
        else if (strncmp(argv[i], "syms=", 5) == 0) { if (sym_load(argv[i] + 5)) return 1; }
        else { fprintf(stderr, "ab-profile: unknown argument '%s' (mark=ADDR, out=FILE, syms=FILE)\n", argv[i]); return 1; }
    }
    if (!mark || !path) { fprintf(stderr, "ab-profile: mark=ADDR and out=FILE are required\n"); return 1; }
    out = fopen(path, "w");
    if (!out) { perror(path); return 1; }
    sym_sort();
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    return 0;
}

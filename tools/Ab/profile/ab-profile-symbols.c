/*
 * Per-function instruction counts for ab-profile.c (included by it): symbols from nm -n output or a
 * System.map ("ADDR TYPE NAME", text symbols only), sorted by address; each translated block outside
 * user space adds its instructions to a counter of its own (blocks are retranslated, so one function
 * may have several), and sym_dump() sums them per function, prints the nonzero ones with their region
 * ("hyper" or "kernel") and clears them.
 * A block is charged to the symbol at or below its first instruction, in the same region (no
 * symbols for a region, as for Xen's: its blocks are not listed).
 */
struct sym { uint64_t va; char *name; uint64_t sum; };
static struct sym *syms;
static size_t nsyms, capsyms;
static uint64_t **blocks;      /* per translated block: its counter (first word) and its va (second) */
static size_t nblocks, capblocks;

static int sym_load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); return 1; }
    char line[512], type, name[400];
    unsigned long long va;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%llx %c %399s", &va, &type, name) != 3) continue;
        if (type != 't' && type != 'T' && type != 'w' && type != 'W') continue;
        if (nsyms == capsyms) {
            capsyms = capsyms ? 2 * capsyms : 65536;
            syms = realloc(syms, capsyms * sizeof *syms);
            if (!syms) { fprintf(stderr, "ab-profile: out of memory\n"); fclose(f); return 1; }
        }
        syms[nsyms].va = va; syms[nsyms].name = strdup(name); syms[nsyms].sum = 0; nsyms++;
    }
    fclose(f);
    return 0;
}

static int sym_cmp(const void *x, const void *y)
{
    const struct sym *a = x, *b = y;
    return a->va < b->va ? -1 : a->va > b->va;
}

static void sym_sort(void) { if (nsyms) qsort(syms, nsyms, sizeof *syms, sym_cmp); }

static struct sym *sym_find(uint64_t va)
{
    size_t lo = 0, hi = nsyms;
    if (!nsyms || va < syms[0].va) return NULL;
    while (hi - lo > 1) { size_t mid = (lo + hi) / 2; if (syms[mid].va <= va) lo = mid; else hi = mid; }
    return region(syms[lo].va) == region(va) ? &syms[lo] : NULL;   /* kernel code without symbols stays unnamed */
}

/* A new counter for a block at va (NULL when out of memory: the block is then not counted by symbol). */
static uint64_t *sym_block(uint64_t va)
{
    if (nblocks == capblocks) {
        size_t cap = capblocks ? 2 * capblocks : 65536;
        uint64_t **n = realloc(blocks, cap * sizeof *blocks);
        if (!n) return NULL;
        blocks = n; capblocks = cap;
    }
    uint64_t *c = calloc(2, sizeof *c);
    if (!c) return NULL;
    c[1] = va;
    blocks[nblocks++] = c;
    return c;
}

static void sym_dump(FILE *f, unsigned m)
{
    for (size_t i = 0; i < nblocks; i++) {
        if (!blocks[i][0]) continue;
        struct sym *s = sym_find(blocks[i][1]);
        if (s) s->sum += blocks[i][0];
        blocks[i][0] = 0;
    }
    for (size_t i = 0; i < nsyms; i++)
        if (syms[i].sum) {
            fprintf(f, "SYM %u %llu %s %s\n", m, (unsigned long long)syms[i].sum,
                    region(syms[i].va) == HYPERVISOR ? "hyper" : "kernel", syms[i].name);
            syms[i].sum = 0;
        }
}

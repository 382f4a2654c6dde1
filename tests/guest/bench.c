/*
 * In-guest benchmarks for microxen's A/B comparison (tools/Ab, `make ab`): what a user process
 * pays for the paths the shim sits on. Each line: "BENCH name value unit", measured in the guest
 * with CLOCK_MONOTONIC (under QEMU -icount shift=0 one guest ns is one instruction).
 *   syscall       getppid() round trip                           ns/call
 *   pagefault     first touch of an anonymous page                ns/fault
 *   fork_wait     fork + child _exit + waitpid                    us/iteration
 *   fork_exec     fork + execve(this program, "exit") + waitpid   us/iteration
 *   mmap4m        mmap 4 MiB anonymous, touch one page, munmap     us/iteration
 *   clock_gettime clock_gettime(CLOCK_MONOTONIC) (the vDSO)       ns/call
 *   signal        kill(getpid(), SIGUSR1) to a handler + return    ns/signal
 *   ptrchase      dependent loads, one page apart, over 64 MiB    ns/load
 *   pipe_pingpong one byte each way between two processes         us/round trip
 *   ctxswitch     sched_yield between two processes on one CPU    ns/switch
 *   xz            Debian's xz -3 -T1 on a generated 1 MiB text    ms/run (when /xz exists; the text shrinks with PERCENT, 64 KiB at least)
 *   bench PERCENT: iteration counts are PERCENT% of the defaults (default 100; the CI test uses less).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int percent = 100;

static long iters(long n) { long v = n * percent / 100; return v < 1 ? 1 : v; }

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Called before and after each measured loop: scripts/ab-profile.sh's QEMU plugin snapshots its
 * instruction counts when this function runs (its address from nm). */
__attribute__((noinline)) void ab_mark(void) { __asm__ volatile("" ::: "memory"); }

static void report(const char *name, double value, const char *unit)
{
    ab_mark();
    printf("BENCH %s %.1f %s\n", name, value, unit);
    fflush(stdout);
}

static volatile sig_atomic_t signals;
static void on_usr1(int sig) { (void)sig; signals++; }

/* Runs ARGV with stdout to /dev/null and waits; returns its exit status or -1. */
static int run(char *const argv[])
{
    pid_t p = fork();
    if (p == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) dup2(fd, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    if (p < 0 || waitpid(p, &st, 0) != p) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void bench_xz(void)
{
    if (access("/xz", X_OK) != 0) return;
    const char *path = "/tmp/xz-input.txt";
    static const char *words[] = { "page", "table", "hypercall", "event", "channel", "grant", "vcpu",
        "shim", "trap", "frame", "kernel", "domain", "the", "of", "and", "native", "speed" };
    FILE *f = fopen(path, "w");
    if (!f) { perror("xz input"); return; }
    uint32_t x = 12345;
    long size = iters(1L << 20) < 65536 ? 65536 : iters(1L << 20);
    for (long bytes = 0; bytes < size; ) {
        x = x * 1103515245u + 12345u;
        const char *w = words[(x >> 16) % (sizeof words / sizeof words[0])];
        bytes += fprintf(f, (x >> 8) % 13 ? "%s " : "%s\n", w);
    }
    fclose(f);
    char *argv[] = { "/xz", "-3", "-T1", "-c", (char *)path, NULL };
    long runs = iters(2);
    ab_mark();
    uint64_t t0 = now_ns();
    for (long i = 0; i < runs; i++)
        if (run(argv) != 0) { printf("BENCH-ERROR xz failed\n"); return; }
    report("xz", (double)(now_ns() - t0) / runs / 1e6, "ms/run");
    unlink(path);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exit") == 0) return 0;
    if (argc > 1) percent = atoi(argv[1]);
    if (percent < 1) percent = 1;

    long n = iters(100000);
    ab_mark();
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) syscall(SYS_getppid);
    report("syscall", (double)(now_ns() - t0) / n, "ns/call");

    size_t pages = iters(8192);
    char *m = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) { perror("mmap"); return 1; }
    ab_mark(); t0 = now_ns();
    for (size_t i = 0; i < pages; i++) m[i * 4096] = 1;
    report("pagefault", (double)(now_ns() - t0) / pages, "ns/fault");
    munmap(m, pages * 4096);

    int forks = iters(200);
    ab_mark(); t0 = now_ns();
    for (int i = 0; i < forks; i++) {
        pid_t p = fork();
        if (p == 0) _exit(0);
        waitpid(p, NULL, 0);
    }
    report("fork_wait", (double)(now_ns() - t0) / forks / 1000.0, "us/iteration");

    char *self[] = { "/proc/self/exe", "exit", NULL };
    char exe[256];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) { exe[len] = 0; self[0] = exe; }
    forks = iters(100);
    ab_mark(); t0 = now_ns();
    for (int i = 0; i < forks; i++)
        if (run(self) != 0) { printf("BENCH-ERROR exec failed\n"); break; }
    report("fork_exec", (double)(now_ns() - t0) / forks / 1000.0, "us/iteration");

    long maps = iters(2000);
    ab_mark(); t0 = now_ns();
    for (long i = 0; i < maps; i++) {
        char *q = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (q == MAP_FAILED) { perror("mmap 4M"); return 1; }
        q[0] = 1;
        munmap(q, 4 << 20);
    }
    report("mmap4m", (double)(now_ns() - t0) / maps / 1000.0, "us/iteration");

    n = iters(100000);
    struct timespec ts;
    ab_mark(); t0 = now_ns();
    for (long i = 0; i < n; i++) clock_gettime(CLOCK_MONOTONIC, &ts);
    report("clock_gettime", (double)(now_ns() - t0) / n, "ns/call");

    signal(SIGUSR1, on_usr1);
    n = iters(20000);
    pid_t me = getpid();
    ab_mark(); t0 = now_ns();
    for (long i = 0; i < n; i++) kill(me, SIGUSR1);
    report("signal", (double)(now_ns() - t0) / n, "ns/signal");

    /* One pointer per page (plus a varying line), visited in a random cycle: each load a TLB miss. */
    size_t cpages = 16384;
    char *c = mmap(NULL, cpages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED) { perror("mmap chase"); return 1; }
    uint32_t *order = malloc(cpages * sizeof *order);
    for (size_t i = 0; i < cpages; i++) order[i] = i;
    uint32_t x = 1;
    for (size_t i = cpages - 1; i > 0; i--) { x = x * 1664525u + 1013904223u; size_t j = x % (i + 1); uint32_t t = order[i]; order[i] = order[j]; order[j] = t; }
    for (size_t i = 0; i < cpages; i++) {
        void **slot = (void **)(c + order[i] * 4096 + (order[i] % 64) * 64);
        size_t nx = order[(i + 1) % cpages];
        *slot = c + nx * 4096 + (nx % 64) * 64;
    }
    free(order);
    long loads = iters(1000000);
    void **p = (void **)c; /* page 0's slot: on the cycle */
    ab_mark(); t0 = now_ns();
    for (long i = 0; i < loads; i++) p = (void **)*p;
    report("ptrchase", (double)(now_ns() - t0) / loads, "ns/load");
    if (!p) printf("BENCH-ERROR chase\n");
    munmap(c, cpages * 4096);

    int a[2], b[2];
    if (pipe(a) || pipe(b)) { perror("pipe"); return 1; }
    int trips = iters(10000);
    pid_t child = fork();
    if (child == 0) {
        char ch;
        for (int i = 0; i < trips; i++) { if (read(a[0], &ch, 1) != 1) _exit(1); if (write(b[1], &ch, 1) != 1) _exit(1); }
        _exit(0);
    }
    char ch = 'x';
    ab_mark(); t0 = now_ns();
    for (int i = 0; i < trips; i++) { if (write(a[1], &ch, 1) != 1 || read(b[0], &ch, 1) != 1) break; }
    report("pipe_pingpong", (double)(now_ns() - t0) / trips / 1000.0, "us/round-trip");
    waitpid(child, NULL, 0);

    int yields = iters(20000);
    child = fork();
    if (child == 0) { for (int i = 0; i < yields; i++) sched_yield(); _exit(0); }
    ab_mark(); t0 = now_ns();
    for (int i = 0; i < yields; i++) sched_yield();
    uint64_t dt = now_ns() - t0;
    waitpid(child, NULL, 0);
    report("ctxswitch", (double)dt / (2.0 * yields), "ns/switch");

    bench_xz();
    printf("BENCH done\n");
    return 0;
}

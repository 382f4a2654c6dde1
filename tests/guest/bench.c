/*
 * In-guest microbenchmarks for microxen: what a user process pays for the paths the shim
 * sits on. Each line: "BENCH name value unit", measured in the guest with CLOCK_MONOTONIC.
 *   syscall      getppid() round trip                       ns/call
 *   pagefault    first touch of an anonymous page            ns/fault
 *   fork_wait    fork + child _exit + waitpid                us/iteration
 *   pipe_pingpong one byte each way between two processes     us/round trip
 *   ctxswitch    sched_yield between two processes on one CPU  ns/switch
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void report(const char *name, double value, const char *unit)
{
    printf("BENCH %s %.1f %s\n", name, value, unit);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int scale = argc > 1 ? atoi(argv[1]) : 1;
    if (scale < 1) scale = 1;

    long n = 100000L * scale;
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) syscall(SYS_getppid);
    report("syscall", (double)(now_ns() - t0) / n, "ns/call");

    size_t pages = 8192UL * scale;
    char *m = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) { perror("mmap"); return 1; }
    t0 = now_ns();
    for (size_t i = 0; i < pages; i++) m[i * 4096] = 1;
    report("pagefault", (double)(now_ns() - t0) / pages, "ns/fault");
    munmap(m, pages * 4096);

    int forks = 200 * scale;
    t0 = now_ns();
    for (int i = 0; i < forks; i++) {
        pid_t p = fork();
        if (p == 0) _exit(0);
        waitpid(p, NULL, 0);
    }
    report("fork_wait", (double)(now_ns() - t0) / forks / 1000.0, "us/iteration");

    int a[2], b[2];
    if (pipe(a) || pipe(b)) { perror("pipe"); return 1; }
    int trips = 10000 * scale;
    pid_t child = fork();
    if (child == 0) {
        char c;
        for (int i = 0; i < trips; i++) { if (read(a[0], &c, 1) != 1) _exit(1); if (write(b[1], &c, 1) != 1) _exit(1); }
        _exit(0);
    }
    char c = 'x';
    t0 = now_ns();
    for (int i = 0; i < trips; i++) { if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1) break; }
    report("pipe_pingpong", (double)(now_ns() - t0) / trips / 1000.0, "us/round trip");
    waitpid(child, NULL, 0);

    int yields = 20000 * scale;
    child = fork();
    if (child == 0) { for (int i = 0; i < yields; i++) sched_yield(); _exit(0); }
    t0 = now_ns();
    for (int i = 0; i < yields; i++) sched_yield();
    uint64_t dt = now_ns() - t0;
    waitpid(child, NULL, 0);
    report("ctxswitch", (double)dt / (2.0 * yields), "ns/switch");

    printf("BENCH done\n");
    return 0;
}

/*
 * The Linux SMP smoke checks (issue 11; tests/Microxen.Tests/Integration/SmpTests.cs), static.
 *   smp CPUS          checks, each printing "PASS name" or "FAIL name: why", then
 *                     "SMP RESULT: SUCCESS" or "SMP RESULT: FAILURE"
 *   smp bench THREADS a fixed CPU-bound job (WORK iterations in all) split over THREADS threads,
 *                     one per CPU: prints "SMPBENCH begin threads T", then "SMPBENCH threads T
 *                     cpus C ms M" (guest clock; scripts/bench-smp.sh also times the two lines' arrival)
 * Checks: nproc (online CPUs) equals CPUS; a thread and a process pinned to each CPU runs there
 * (sched_setaffinity + sched_getcpu); munmap while a thread on another CPU reads the mapping
 * (once munmap has returned, a read must fault, never succeed: ROUNDS rounds); CPU 1 offline and
 * online again through sysfs; a parallel fork storm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 300
#define WORK 1600000000UL

static int failures;

static int fail(const char *name, const char *why)
{
    printf("FAIL %s: %s (errno %d)\n", name, why, errno);
    fflush(stdout);
    failures++;
    return 0;
}

static void pass(const char *name)
{
    printf("PASS %s\n", name);
    fflush(stdout);
}

static int pin(int cpu)
{
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    return sched_setaffinity(0, sizeof s, &s);
}

static long online(void) { return sysconf(_SC_NPROCESSORS_ONLN); }

/* Pins itself to CPU (intptr_t)arg, spins a little, returns 0 when sched_getcpu agrees. */
static void *on_cpu(void *arg)
{
    int cpu = (int)(intptr_t)arg;
    if (pin(cpu) != 0) return (void *)1;
    volatile unsigned long x = 0;
    for (int i = 0; i < 1000000; i++) x += i;
    return (void *)(intptr_t)(sched_getcpu() != cpu);
}

static void threads_every_cpu(int cpus)
{
    pthread_t t[256];
    int bad = 0;
    for (int c = 0; c < cpus; c++)
        if (pthread_create(&t[c], NULL, on_cpu, (void *)(intptr_t)c) != 0) { fail("threads_every_cpu", "pthread_create"); return; }
    for (int c = 0; c < cpus; c++) { void *r; pthread_join(t[c], &r); bad += r != NULL; }
    if (bad) { fail("threads_every_cpu", "a thread did not run on its CPU"); return; }
    pass("threads_every_cpu");
}

static void processes_every_cpu(int cpus)
{
    int bad = 0;
    for (int c = 0; c < cpus; c++)
    {
        pid_t p = fork();
        if (p == 0) _exit(on_cpu((void *)(intptr_t)c) != NULL);
        if (p < 0) { fail("processes_every_cpu", "fork"); return; }
    }
    for (int c = 0; c < cpus; c++) { int st; if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) bad++; }
    if (bad) { fail("processes_every_cpu", "a process did not run on its CPU"); return; }
    pass("processes_every_cpu");
}

/* munmap race: the reader (CPU 1) reads page[0] until it faults; `unmapped` is set once munmap returned. */
static volatile uint64_t *page;
static atomic_int unmapped, go, reader_done, stale;
static sigjmp_buf reader_jmp;

static void on_segv(int sig) { siglongjmp(reader_jmp, 1); }

static void *reader(void *arg)
{
    pin(1);
    struct sigaction sa = { .sa_handler = on_segv };
    sigaction(SIGSEGV, &sa, NULL);
    for (;;)
    {
        while (atomic_load(&go) == 0) ;
        if (atomic_load(&go) < 0) return NULL;
        if (sigsetjmp(reader_jmp, 1) == 0)
        {
            for (;;)
            {
                int after = atomic_load(&unmapped);
                uint64_t v = page[0];
                if (after) { atomic_fetch_add(&stale, 1); break; }
                if (v != 0x5a5a5a5a12345678ULL) { atomic_fetch_add(&stale, 1); break; }
            }
        }
        atomic_store(&go, 0);
        atomic_store(&reader_done, 1);
    }
}

static void munmap_while_reading(void)
{
    pthread_t t;
    pin(0);
    if (pthread_create(&t, NULL, reader, NULL) != 0) { fail("munmap_cross_cpu", "pthread_create"); return; }
    int r;
    for (r = 0; r < ROUNDS; r++)
    {
        void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) { fail("munmap_cross_cpu", "mmap"); break; }
        page = m;
        page[0] = 0x5a5a5a5a12345678ULL;
        atomic_store(&unmapped, 0);
        atomic_store(&reader_done, 0);
        atomic_store(&go, 1);
        for (volatile int i = 0; i < (r % 7) * 1000; i++) ;
        munmap(m, 4096);
        atomic_store(&unmapped, 1);
        while (atomic_load(&reader_done) == 0) ;
    }
    atomic_store(&go, -1);
    pthread_join(t, NULL);
    signal(SIGSEGV, SIG_DFL);
    if (atomic_load(&stale)) { printf("munmap_cross_cpu: %d reads succeeded after munmap\n", atomic_load(&stale)); fail("munmap_cross_cpu", "a read after munmap returned did not fault"); return; }
    if (r == ROUNDS) pass("munmap_cross_cpu");
}

static int write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    int rc = fputs(s, f) < 0 ? -1 : 0;
    if (fclose(f) != 0) rc = -1;
    return rc;
}

static void hotplug(int cpus)
{
    const char *path = "/sys/devices/system/cpu/cpu1/online";
    if (write_file(path, "0") != 0) { fail("cpu_hotplug", "writing 0 to cpu1/online"); return; }
    if (online() != cpus - 1) { fail("cpu_hotplug", "online CPUs after cpu1 went offline"); write_file(path, "1"); return; }
    if (pin(1) == 0) { fail("cpu_hotplug", "sched_setaffinity to an offline CPU succeeded"); pin(0); }
    if (write_file(path, "1") != 0) { fail("cpu_hotplug", "writing 1 to cpu1/online"); return; }
    if (online() != cpus) { fail("cpu_hotplug", "online CPUs after cpu1 came back"); return; }
    if (on_cpu((void *)1) != NULL) { fail("cpu_hotplug", "nothing runs on cpu1 after it came back"); return; }
    pass("cpu_hotplug");
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void fork_storm(int cpus)
{
    int parents = cpus, children = 16, bad = 0;
    double t0 = now_ms();
    for (int p = 0; p < parents; p++)
    {
        pid_t pid = fork();
        if (pid < 0) { fail("fork_storm", "fork"); return; }
        if (pid == 0)
        {
            pin(p % cpus);
            int ok = 0;
            for (int c = 0; c < children; c++)
            {
                pid_t k = fork();
                if (k == 0) _exit(7);
                int st;
                if (k > 0 && waitpid(k, &st, 0) == k && WIFEXITED(st) && WEXITSTATUS(st) == 7) ok++;
            }
            _exit(ok == children ? 0 : 1);
        }
    }
    for (int p = 0; p < parents; p++) { int st; if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) bad++; }
    if (bad) { fail("fork_storm", "a parent's children did not all exit 7"); return; }
    printf("fork_storm: %d forks in %.0f ms\n", parents * (children + 1), now_ms() - t0);
    pass("fork_storm");
}

static void *work(void *arg)
{
    unsigned long n = (unsigned long)arg, x = n;
    for (unsigned long i = 0; i < n; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
    return (void *)(intptr_t)(x == 42);
}

static int bench(int threads)
{
    pthread_t t[256];
    printf("SMPBENCH begin threads %d\n", threads); /* the host times from this line to the result line */
    double t0 = now_ms();
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, work, (void *)(WORK / threads));
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    printf("SMPBENCH threads %d cpus %ld ms %.0f\n", threads, online(), now_ms() - t0);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && strcmp(argv[1], "bench") == 0) return bench(atoi(argv[2]));
    if (argc != 2) { fprintf(stderr, "usage: smp CPUS | smp bench THREADS\n"); return 2; }
    int cpus = atoi(argv[1]);
    if (cpus < 2 || cpus > 256) { fprintf(stderr, "smp: CPUS must be 2..256\n"); return 2; }
    printf("smp: %ld CPUs online, %d expected\n", online(), cpus);
    if (online() == cpus) pass("nproc"); else fail("nproc", "online CPUs differ from the expected count");
    if (online() == cpus)
    {
        threads_every_cpu(cpus);
        processes_every_cpu(cpus);
        munmap_while_reading();
        hotplug(cpus);
        fork_storm(cpus);
    }
    printf("SMP RESULT: %s\n", failures ? "FAILURE" : "SUCCESS");
    return failures != 0;
}

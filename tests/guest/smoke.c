/*
 * microxen in-guest smoke program: exercises what a Linux userland needs from the kernel (and so
 * from microxen underneath it). Built static by tests/guest/build.sh:
 *     gcc -static -O2 -pthread -o build/guest/smoke tests/guest/smoke.c
 *
 * Prints one line per check, "PASS name[: detail]" or "FAIL name: why", then
 * "SMOKE RESULT: SUCCESS" or "SMOKE RESULT: FAILURE" (exit status 0 or 1).
 *
 * Each check runs in a child process of its own with an alarm() guard, so a crash or a hang in
 * one check becomes a FAIL line and the others still run. If fork() itself is broken, the checks
 * run in this process instead (a SIGALRM then siglongjmp()s out of a hung check).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHECK_TIMEOUT 30 /* seconds per check */

static const char *self_path; /* for the execve check */

/* A check returns 0 for PASS (detail optional) or nonzero for FAIL (detail = why). */
typedef int (*check_fn)(char *detail, size_t n);

/* ---------- output: one write(2) per line, so lines from processes do not interleave ---------- */

static void out(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (len < 0) return;
    if (len > (int)sizeof buf - 2) len = sizeof buf - 2;
    buf[len++] = '\n';
    for (int off = 0; off < len;) {
        ssize_t w = write(1, buf + off, len - off);
        if (w < 0) { if (errno == EINTR) continue; return; }
        off += w;
    }
}

#define FAILF(...) do { snprintf(detail, n, __VA_ARGS__); return 1; } while (0)

static int write_all(int fd, const void *p, size_t len)
{
    const char *c = p;
    while (len) {
        ssize_t w = write(fd, c, len);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        c += w; len -= w;
    }
    return 0;
}

static ssize_t read_all(int fd, void *p, size_t len)
{
    char *c = p;
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, c + got, len - got);
        if (r < 0) { if (errno == EINTR) continue; return -1; }
        if (r == 0) break;
        got += r;
    }
    return got;
}

static pid_t wait_child(pid_t pid, int *status)
{
    pid_t r;
    do r = waitpid(pid, status, 0); while (r < 0 && errno == EINTR);
    return r;
}

static void describe_status(int status, char *buf, size_t n)
{
    if (WIFEXITED(status)) snprintf(buf, n, "exit %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status)) snprintf(buf, n, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else snprintf(buf, n, "status 0x%x", status);
}

/* Waits for child pid and checks how it ended: with exit status `code` (sig 0) or killed by signal
   `sig`. Returns 1 if so, else 0 with how it did end (or why waitpid failed) in buf; *status gets
   the wait status (when waitpid succeeded). */
static int child_ended(pid_t pid, int code, int sig, int *status, char *buf, size_t n)
{
    if (wait_child(pid, status) != pid) { snprintf(buf, n, "waitpid: %s", strerror(errno)); return 0; }
    int st = *status;
    if (sig ? WIFSIGNALED(st) && WTERMSIG(st) == sig : WIFEXITED(st) && WEXITSTATUS(st) == code) return 1;
    describe_status(st, buf, n);
    return 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* ---------------------------------------------- checks ---------------------------------------------- */

/* fork + _exit + waitpid with the exit status. */
static int check_fork(char *detail, size_t n)
{
    pid_t pid = fork();
    if (pid < 0) FAILF("fork: %s", strerror(errno));
    if (pid == 0) _exit(42);
    int st;
    char s[80];
    if (!child_ended(pid, 42, 0, &st, s, sizeof s)) FAILF("child should exit 42, got %s", s);
    /* A few more, to make sure pids and zombies are recycled. */
    for (int i = 0; i < 20; i++) {
        pid = fork();
        if (pid < 0) FAILF("fork #%d: %s", i, strerror(errno));
        if (pid == 0) _exit(i);
        if (!child_ended(pid, i, 0, &st, s, sizeof s)) FAILF("child #%d should exit %d, got %s", i, i, s);
    }
    snprintf(detail, n, "21 children, exit statuses seen");
    return 0;
}

/* execve of this program with an argument (it then exits 7) and of /bin/true when present. */
static int check_execve(char *detail, size_t n)
{
    pid_t pid = fork();
    if (pid < 0) FAILF("fork: %s", strerror(errno));
    if (pid == 0) {
        char *argv[] = { (char *)self_path, "--exec-child", "hello", NULL };
        char *envp[] = { "SMOKE_EXEC=1", NULL };
        execve(self_path, argv, envp);
        _exit(127);
    }
    int st = 0;
    char s[80];
    if (!child_ended(pid, 7, 0, &st, s, sizeof s))
        FAILF("execve(%s --exec-child) should exit 7, got %s%s", self_path, s,
              WIFEXITED(st) && WEXITSTATUS(st) == 127 ? " (execve failed)" : "");
    if (access("/bin/true", X_OK) == 0) {
        pid = fork();
        if (pid < 0) FAILF("fork: %s", strerror(errno));
        if (pid == 0) {
            char *argv[] = { "true", NULL };
            char *envp[] = { NULL };
            execve("/bin/true", argv, envp);
            _exit(127);
        }
        if (!child_ended(pid, 0, 0, &st, s, sizeof s)) FAILF("/bin/true: %s", s);
        snprintf(detail, n, "%s and /bin/true", self_path);
    } else snprintf(detail, n, "%s", self_path);
    return 0;
}

/* Anonymous mmap, touching every page (demand-zero faults), munmap. */
static int check_mmap(char *detail, size_t n)
{
    const size_t size = 32u << 20;
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) FAILF("mmap %zu bytes: %s", size, strerror(errno));
    for (size_t off = 0; off < size; off += page)
        if (p[off] != 0) FAILF("fresh anonymous page at +0x%zx is not zero", off);
    for (size_t off = 0; off < size; off += page) {
        p[off] = (unsigned char)(off / page * 7 + 1);
        p[off + page - 1] = (unsigned char)(off / page);
    }
    for (size_t off = 0; off < size; off += page)
        if (p[off] != (unsigned char)(off / page * 7 + 1) || p[off + page - 1] != (unsigned char)(off / page))
            FAILF("page at +0x%zx lost its contents", off);
    if (munmap(p, size) != 0) FAILF("munmap: %s", strerror(errno));
    /* mprotect: a read-only mapping stays readable. */
    p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) FAILF("mmap one page: %s", strerror(errno));
    p[5] = 55;
    if (mprotect(p, page, PROT_READ) != 0) FAILF("mprotect: %s", strerror(errno));
    if (p[5] != 55) FAILF("page changed after mprotect");
    munmap(p, page);
    snprintf(detail, n, "%zu MiB, %zu pages touched", size >> 20, size / page);
    return 0;
}

/* A fault the process cannot handle: access to unmapped memory kills a child with SIGSEGV, and a
   SIGSEGV handler sees the faulting address. */
static volatile void *segv_addr;
static sigjmp_buf segv_jmp;
static void on_segv(int sig, siginfo_t *si, void *uc) { (void)sig; (void)uc; segv_addr = si->si_addr; siglongjmp(segv_jmp, 1); }

static int check_segv(char *detail, size_t n)
{
    long page = sysconf(_SC_PAGESIZE);
    volatile char *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) FAILF("mmap: %s", strerror(errno));
    munmap((void *)p, page);

    pid_t pid = fork();
    if (pid < 0) FAILF("fork: %s", strerror(errno));
    if (pid == 0) {
        signal(SIGSEGV, SIG_DFL);
        p[0] = 1;
        _exit(0);
    }
    int st;
    char s[80];
    if (!child_ended(pid, 0, SIGSEGV, &st, s, sizeof s))
        FAILF("child writing to unmapped memory should die of SIGSEGV, got %s", s);

    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(segv_jmp, 1) == 0) {
        (void)p[1];
        FAILF("read of unmapped memory did not fault");
    }
    signal(SIGSEGV, SIG_DFL);
    if (segv_addr != (void *)(p + 1)) FAILF("SIGSEGV si_addr %p, expected %p", segv_addr, (void *)(p + 1));
    snprintf(detail, n, "child killed by SIGSEGV; handler saw si_addr");
    return 0;
}

/*
 * A sigreturn to an invalid code selector: the kernel's return to user mode faults. Natively
 * Linux fixes up its own iret; on Xen (and microxen) the failsafe callback brings the fault back
 * to Linux. Either way the process dies of SIGSEGV and the machine goes on.
 */
static void bad_cs_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig; (void)si;
    ucontext_t *uc = ucv;
    uc->uc_mcontext.gregs[REG_CSGSFS] = (uc->uc_mcontext.gregs[REG_CSGSFS] & ~0xffffLL) | 0xfff3;
}

static int check_bad_sigreturn(char *detail, size_t n)
{
    pid_t pid = fork();
    if (pid < 0) FAILF("fork: %s", strerror(errno));
    if (pid == 0) {
        struct sigaction sa = { 0 };
        sa.sa_sigaction = bad_cs_handler;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGUSR1, &sa, NULL);
        signal(SIGSEGV, SIG_DFL);
        raise(SIGUSR1);
        _exit(0);
    }
    int st;
    char s[80];
    if (!child_ended(pid, 0, SIGSEGV, &st, s, sizeof s)) FAILF("a sigreturn to CS 0xfff3 should end in SIGSEGV, got %s", s);
    snprintf(detail, n, "sigreturn to CS 0xfff3: child killed by SIGSEGV");
    return 0;
}

/* Copy-on-write after fork: each side writes, each still sees its own value. */
static int cow_static = 1;
static int check_cow(char *detail, size_t n)
{
    const size_t pages = 64;
    long page = sysconf(_SC_PAGESIZE);
    int *heap = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (heap == MAP_FAILED) FAILF("mmap: %s", strerror(errno));
    for (size_t i = 0; i < pages; i++) heap[i * page / sizeof(int)] = 1000 + i;
    int stack_value = 5;
    cow_static = 1;

    int to_parent[2], to_child[2];
    if (pipe(to_parent) || pipe(to_child)) FAILF("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) FAILF("fork: %s", strerror(errno));
    char c = 'x';
    if (pid == 0) {
        close(to_parent[0]); close(to_child[1]);
        cow_static = 2; stack_value = 6;
        for (size_t i = 0; i < pages; i++) heap[i * page / sizeof(int)] = 2000 + i;
        write_all(to_parent[1], &c, 1);                /* child wrote */
        if (read_all(to_child[0], &c, 1) != 1) _exit(10); /* parent wrote */
        if (cow_static != 2) _exit(11);
        if (stack_value != 6) _exit(12);
        for (size_t i = 0; i < pages; i++) if (heap[i * page / sizeof(int)] != (int)(2000 + i)) _exit(13);
        _exit(0);
    }
    close(to_parent[1]); close(to_child[0]);
    if (read_all(to_parent[0], &c, 1) != 1) FAILF("child did not report");
    if (cow_static != 1) FAILF("parent sees the child's write to a static variable (%d)", cow_static);
    if (stack_value != 5) FAILF("parent sees the child's write to a stack variable");
    for (size_t i = 0; i < pages; i++)
        if (heap[i * page / sizeof(int)] != (int)(1000 + i)) FAILF("parent sees the child's write to heap page %zu", i);
    cow_static = 3; stack_value = 7;
    for (size_t i = 0; i < pages; i++) heap[i * page / sizeof(int)] = 3000 + i;
    write_all(to_child[1], &c, 1);
    int st;
    char s[80];
    if (!child_ended(pid, 0, 0, &st, s, sizeof s))
        FAILF("child saw the parent's write or failed: %s (11 static, 12 stack, 13 heap)", s);
    if (cow_static != 3 || stack_value != 7 || heap[0] != 3000) FAILF("parent lost its own write");
    munmap(heap, pages * page);
    close(to_parent[0]); close(to_child[1]);
    snprintf(detail, n, "static, stack and %zu heap pages", pages);
    return 0;
}

/* A pipe carrying 256 KiB (more than the pipe buffer, so both sides block) between two processes. */
static int check_pipe(char *detail, size_t n)
{
    const size_t total = 256 * 1024;
    int fds[2];
    if (pipe(fds)) FAILF("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) FAILF("fork: %s", strerror(errno));
    if (pid == 0) {
        close(fds[0]);
        unsigned char buf[4096];
        for (size_t off = 0; off < total; off += sizeof buf) {
            for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)((off + i) * 31 + ((off + i) >> 8));
            if (write_all(fds[1], buf, sizeof buf)) _exit(1);
        }
        _exit(0);
    }
    close(fds[1]);
    unsigned char *got = malloc(total + 1);
    ssize_t r = read_all(fds[0], got, total + 1);
    close(fds[0]);
    int st;
    wait_child(pid, &st);
    if (r != (ssize_t)total) FAILF("read %zd bytes, expected %zu", r, total);
    for (size_t i = 0; i < total; i++)
        if (got[i] != (unsigned char)(i * 31 + (i >> 8))) FAILF("byte %zu is 0x%02x", i, got[i]);
    free(got);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) FAILF("writer exited with status 0x%x", st);
    snprintf(detail, n, "%zu KiB", total / 1024);
    return 0;
}

/* Signals: SIGUSR1 via kill() to self and from a child, with SA_SIGINFO; SIGCHLD on child exit. */
static volatile sig_atomic_t usr1_count, usr1_pid, chld_count;
static void on_usr1(int sig, siginfo_t *si, void *uc) { (void)sig; (void)uc; usr1_count++; usr1_pid = si->si_pid; }
static void on_chld(int sig) { (void)sig; chld_count++; }

static int check_signals(char *detail, size_t n)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL)) FAILF("sigaction(SIGUSR1): %s", strerror(errno));
    struct sigaction sc = { 0 };
    sc.sa_handler = on_chld;
    sc.sa_flags = SA_RESTART;
    if (sigaction(SIGCHLD, &sc, NULL)) FAILF("sigaction(SIGCHLD): %s", strerror(errno));

    usr1_count = 0;
    if (kill(getpid(), SIGUSR1)) FAILF("kill(self, SIGUSR1): %s", strerror(errno));
    /* A signal sent to oneself is delivered before kill() returns. */
    if (usr1_count != 1) FAILF("SIGUSR1 to self: handler ran %d times", (int)usr1_count);
    if (usr1_pid != getpid()) FAILF("SIGUSR1 to self: si_pid %d, expected %d", (int)usr1_pid, (int)getpid());

    /* From a child, waited for with sigsuspend; SIGCHLD arrives when it exits. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);
    chld_count = 0;
    pid_t pid = fork();
    if (pid < 0) FAILF("fork: %s", strerror(errno));
    if (pid == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    sigset_t wait_mask = old;
    sigdelset(&wait_mask, SIGUSR1);
    sigdelset(&wait_mask, SIGCHLD);
    while (usr1_count < 2 || chld_count < 1) sigsuspend(&wait_mask);
    sigprocmask(SIG_SETMASK, &old, NULL);
    int st;
    wait_child(pid, &st);
    if (usr1_pid != pid) FAILF("SIGUSR1 from child: si_pid %d, expected %d", (int)usr1_pid, (int)pid);

    /* A blocked signal stays pending until unblocked. */
    sigprocmask(SIG_BLOCK, &block, &old);
    kill(getpid(), SIGUSR1);
    if (usr1_count != 2) FAILF("blocked SIGUSR1 was delivered");
    sigset_t pending;
    sigpending(&pending);
    if (!sigismember(&pending, SIGUSR1)) FAILF("blocked SIGUSR1 is not pending");
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (usr1_count != 3) FAILF("SIGUSR1 not delivered on unblock");
    signal(SIGCHLD, SIG_DFL);
    snprintf(detail, n, "SIGUSR1 self/child/pending, SIGCHLD");
    return 0;
}

/* Threads: create/join, atomics, a mutex/condvar ping-pong, and a raw futex wait/wake. */
static atomic_int counter;
static void *add_thread(void *arg)
{
    for (int i = 0; i < 100000; i++) atomic_fetch_add(&counter, 1);
    return arg;
}

static pthread_mutex_t pp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pp_cond = PTHREAD_COND_INITIALIZER;
static int pp_turn, pp_rounds;
#define PP_ROUNDS 2000
static void *ping(void *arg)
{
    int me = (int)(intptr_t)arg;
    for (int i = 0; i < PP_ROUNDS; i++) {
        pthread_mutex_lock(&pp_lock);
        while (pp_turn != me) pthread_cond_wait(&pp_cond, &pp_lock);
        pp_turn = 1 - me;
        pp_rounds++;
        pthread_cond_broadcast(&pp_cond);
        pthread_mutex_unlock(&pp_lock);
    }
    return NULL;
}

static atomic_int futex_word;
static void *futex_waker(void *arg)
{
    (void)arg;
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    atomic_store(&futex_word, 1);
    syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    return NULL;
}

static int check_threads(char *detail, size_t n)
{
    pthread_t t[4];
    atomic_store(&counter, 0);
    for (int i = 0; i < 4; i++)
        if (pthread_create(&t[i], NULL, add_thread, (void *)(intptr_t)(i + 1))) FAILF("pthread_create #%d failed", i);
    for (int i = 0; i < 4; i++) {
        void *ret;
        if (pthread_join(t[i], &ret)) FAILF("pthread_join #%d failed", i);
        if (ret != (void *)(intptr_t)(i + 1)) FAILF("thread #%d returned %p", i, ret);
    }
    if (atomic_load(&counter) != 400000) FAILF("atomic counter %d, expected 400000", atomic_load(&counter));

    pp_turn = 0; pp_rounds = 0;
    pthread_t a, b;
    double t0 = now_ms();
    if (pthread_create(&a, NULL, ping, (void *)0) || pthread_create(&b, NULL, ping, (void *)1)) FAILF("pthread_create (ping-pong) failed");
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    double pp_ms = now_ms() - t0;
    if (pp_rounds != 2 * PP_ROUNDS) FAILF("mutex/condvar ping-pong: %d rounds, expected %d", pp_rounds, 2 * PP_ROUNDS);

    atomic_store(&futex_word, 0);
    pthread_t w;
    if (pthread_create(&w, NULL, futex_waker, NULL)) FAILF("pthread_create (futex) failed");
    while (atomic_load(&futex_word) == 0) {
        long r = syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        if (r != 0 && errno != EAGAIN && errno != EINTR) FAILF("futex wait: %s", strerror(errno));
    }
    pthread_join(w, NULL);
    snprintf(detail, n, "4 threads x 100000 atomic adds, %d condvar handoffs in %.0f ms, futex wait/wake", 2 * PP_ROUNDS, pp_ms);
    return 0;
}

/* One nanosleep(1 s), measured with CLOCK_MONOTONIC, in ms. */
static double sleep_one_second(void)
{
    struct timespec req = { 1, 0 }, rem;
    double t0 = now_ms();
    while (nanosleep(&req, &rem) != 0) {
        if (errno != EINTR) return -1.0;
        req = rem;
    }
    return now_ms() - t0;
}

/* nanosleep(1 s) measured with CLOCK_MONOTONIC: never early (a sleep shorter than asked is a clock
 * or timer bug), and within 10 % late on one of up to 3 tries: a loaded host delays QEMU's wakeup
 * now and then, a lost or late timer event delays every try. */
static int check_nanosleep(char *detail, size_t n)
{
    double ms = 0;
    for (int attempt = 1; attempt <= 3; attempt++) {
        ms = sleep_one_second();
        if (ms < 0) FAILF("nanosleep: %s", strerror(errno));
        if (ms < 999.0) FAILF("nanosleep(1 s) took %.1f ms: woke early (try %d)", ms, attempt);
        if (ms <= 1100.0) {
            snprintf(detail, n, "elapsed %.1f ms (try %d)", ms, attempt);
            return 0;
        }
    }
    FAILF("nanosleep(1 s) took over 1100 ms on 3 tries (last %.1f ms)", ms);
}

/* /proc/cpuinfo: the "hypervisor" flag and the model name. */
static int check_cpuinfo(char *detail, size_t n)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) FAILF("/proc/cpuinfo: %s", strerror(errno));
    char line[4096], model[256] = "?";
    int cpus = 0, hyper = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "processor", 9)) cpus++;
        if (!strncmp(line, "model name", 10) && model[0] == '?') {
            char *v = strchr(line, ':');
            if (v) {
                v++;
                while (*v == ' ' || *v == '\t') v++;
                snprintf(model, sizeof model, "%s", v);
                model[strcspn(model, "\n")] = 0;
            }
        }
        if (!strncmp(line, "flags", 5) && strstr(line, " hypervisor")) hyper = 1;
    }
    fclose(f);
    if (cpus == 0) FAILF("/proc/cpuinfo names no processor");
    snprintf(detail, n, "%d cpu(s), hypervisor flag: %s, model name: %s", cpus, hyper ? "yes" : "no", model);
    return 0;
}

/* uname(2). */
static int check_uname(char *detail, size_t n)
{
    struct utsname u;
    if (uname(&u)) FAILF("uname: %s", strerror(errno));
    if (strcmp(u.sysname, "Linux")) FAILF("sysname '%s'", u.sysname);
    if (strcmp(u.machine, "x86_64")) FAILF("machine '%s'", u.machine);
    snprintf(detail, n, "%s %s %s", u.sysname, u.release, u.machine);
    return 0;
}

/* /sys/hypervisor/type reads "xen" when it exists (a Xen PV guest); absent elsewhere. */
static int check_xen_sysfs(char *detail, size_t n)
{
    int fd = open("/sys/hypervisor/type", O_RDONLY);
    if (fd < 0) {
        if (errno == ENOENT) { snprintf(detail, n, "/sys/hypervisor/type absent"); return 0; }
        FAILF("/sys/hypervisor/type: %s", strerror(errno));
    }
    char buf[64] = { 0 };
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r < 0) FAILF("read /sys/hypervisor/type: %s", strerror(errno));
    buf[strcspn(buf, "\n")] = 0;
    if (strcmp(buf, "xen")) FAILF("/sys/hypervisor/type reads '%s', expected 'xen'", buf);
    snprintf(detail, n, "/sys/hypervisor/type: %s", buf);
    return 0;
}

static const struct { const char *name; check_fn fn; } checks[] = {
    { "fork_wait", check_fork },
    { "execve", check_execve },
    { "mmap_anon", check_mmap },
    { "segv", check_segv },
    { "bad_sigreturn", check_bad_sigreturn },
    { "cow_after_fork", check_cow },
    { "pipe", check_pipe },
    { "signals", check_signals },
    { "threads", check_threads },
    { "nanosleep_1s", check_nanosleep },
    { "cpuinfo", check_cpuinfo },
    { "uname", check_uname },
    { "xen_sysfs", check_xen_sysfs },
};

/* ------------------------------------------- the runner ------------------------------------------- */

static sigjmp_buf alarm_jmp;
static void on_alarm_inline(int sig) { (void)sig; siglongjmp(alarm_jmp, 1); }
static volatile pid_t running_child;
static void on_alarm_parent(int sig) { (void)sig; if (running_child > 0) kill(running_child, SIGKILL); }

/* Runs one check in a child; returns 0 for PASS. */
static int run_check(const char *name, check_fn fn)
{
    int fds[2];
    pid_t pid = -1;
    if (pipe2(fds, O_CLOEXEC) == 0) pid = fork();
    if (pid == 0) {
        close(fds[0]);
        alarm(CHECK_TIMEOUT);
        char detail[768] = "";
        int rc = fn(detail, sizeof detail);
        alarm(0);
        char msg[800];
        int len = snprintf(msg, sizeof msg, "%c%s", rc ? 'F' : 'P', detail);
        write_all(fds[1], msg, len < (int)sizeof msg ? len : (int)sizeof msg - 1);
        _exit(0);
    }
    if (pid > 0) {
        close(fds[1]);
        /* The parent's own guard, in case the child's alarm never fires. */
        struct sigaction sa = { 0 }, old;
        sa.sa_handler = on_alarm_parent;
        sigaction(SIGALRM, &sa, &old);
        running_child = pid;
        alarm(CHECK_TIMEOUT + 10);
        char msg[800] = "";
        ssize_t r = read_all(fds[0], msg, sizeof msg - 1);
        close(fds[0]);
        int st;
        pid_t w = wait_child(pid, &st);
        alarm(0);
        running_child = 0;
        sigaction(SIGALRM, &old, NULL);
        if (r > 0 && msg[0] == 'P') {
            out(msg[1] ? "PASS %s: %s" : "PASS %s", name, msg + 1);
            return 0;
        }
        if (r > 0 && msg[0] == 'F') {
            out("FAIL %s: %s", name, msg[1] ? msg + 1 : "failed");
            return 1;
        }
        char s[100];
        if (w != pid) snprintf(s, sizeof s, "waitpid: %s", strerror(errno));
        else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM) snprintf(s, sizeof s, "timed out after %d s", CHECK_TIMEOUT);
        else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) snprintf(s, sizeof s, "hung (killed after %d s)", CHECK_TIMEOUT + 10);
        else describe_status(st, s, sizeof s);
        out("FAIL %s: check process ended without a result: %s", name, s);
        return 1;
    }

    /* fork (or pipe) failed: run the check here, with a SIGALRM escape. */
    static int warned;
    if (!warned) { out("smoke: fork failed (%s): running checks in-process", strerror(errno)); warned = 1; }
    struct sigaction sa = { 0 }, old;
    sa.sa_handler = on_alarm_inline;
    sigaction(SIGALRM, &sa, &old);
    char detail[768] = "";
    int rc;
    if (sigsetjmp(alarm_jmp, 1) == 0) {
        alarm(CHECK_TIMEOUT);
        rc = fn(detail, sizeof detail);
        alarm(0);
    } else {
        snprintf(detail, sizeof detail, "timed out after %d s", CHECK_TIMEOUT);
        rc = 1;
    }
    sigaction(SIGALRM, &old, NULL);
    if (rc) out("FAIL %s: %s", name, detail[0] ? detail : "failed");
    else out(detail[0] ? "PASS %s: %s" : "PASS %s", name, detail);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--exec-child")) {
        /* The execve check's child: the argument and the environment must have arrived. */
        const char *e = getenv("SMOKE_EXEC");
        return argc == 3 && !strcmp(argv[2], "hello") && e && !strcmp(e, "1") ? 7 : 3;
    }

    static char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) { exe[len] = 0; self_path = exe; }
    else self_path = argv[0];

    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGPIPE, SIG_IGN);
    int nchecks = sizeof checks / sizeof checks[0];
    out("SMOKE START: %d checks (pid %d)", nchecks, (int)getpid());
    int failed = 0;
    for (int i = 0; i < nchecks; i++) failed += run_check(checks[i].name, checks[i].fn) != 0;
    out("SMOKE SUMMARY: %d passed, %d failed", nchecks - failed, failed);
    out("SMOKE RESULT: %s", failed ? "FAILURE" : "SUCCESS");
    return failed ? 1 : 0;
}

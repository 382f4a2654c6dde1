/* randio: the disk benchmark of scripts/bench-devices.sh, run in the guest on a raw block device.
 *   randio DEVICE MIB [SECONDS]
 * With O_DIRECT (no page cache) on the first MIB MiB of DEVICE (its contents are overwritten):
 * sequential write and read in 1 MiB requests, then 4 KiB random writes and reads (aligned
 * offsets from a fixed-seed xorshift, for at most SECONDS (default 2) or 20000 requests each).
 * One line each:
 *   seq-write MB/s 123.4
 *   rand-read-4k IOPS 5678 MB/s 22.2
 * Exit status: 0 ok, 2 usage, 1 an open/read/write failed (reported on stderr). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double max_seconds = 2.0;
static uint64_t next(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return rng;
}

static int io(int fd, int write_, void *buf, size_t len, off_t off)
{
    ssize_t n = write_ ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
    if (n != (ssize_t)len) { perror(write_ ? "pwrite" : "pread"); return -1; }
    return 0;
}

static int sequential(int fd, int write_, char *buf, long mib)
{
    double t0 = now();
    for (long i = 0; i < mib; i++)
        if (io(fd, write_, buf, 1 << 20, (off_t)i << 20)) return -1;
    if (write_ && fdatasync(fd)) { perror("fdatasync"); return -1; }
    printf("seq-%s MB/s %.1f\n", write_ ? "write" : "read", mib * 1.048576 / (now() - t0));
    return 0;
}

static int random4k(int fd, int write_, char *buf, long mib)
{
    long blocks = mib * 256, ops = 0;
    double t0 = now(), t;
    do {
        if (io(fd, write_, buf, 4096, (off_t)(next() % blocks) * 4096)) return -1;
        ops++;
        t = now() - t0;
    } while (t < max_seconds && ops < 20000);
    if (write_ && fdatasync(fd)) { perror("fdatasync"); return -1; }
    t = now() - t0;
    printf("rand-%s-4k IOPS %.0f MB/s %.1f\n", write_ ? "write" : "read", ops / t, ops * 4096 / 1e6 / t);
    return 0;
}

int main(int argc, char **argv)
{
    if ((argc != 3 && argc != 4) || atol(argv[2]) <= 0 || (argc == 4 && atof(argv[3]) <= 0)) {
        fprintf(stderr, "usage: randio DEVICE MIB [SECONDS]\n");
        return 2;
    }
    if (argc == 4) max_seconds = atof(argv[3]);
    long mib = atol(argv[2]);
    int fd = open(argv[1], O_RDWR | O_DIRECT);
    if (fd < 0) { perror(argv[1]); return 1; }
    char *buf;
    if (posix_memalign((void **)&buf, 4096, 1 << 20)) return 1;
    memset(buf, 0x5a, 1 << 20);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (sequential(fd, 1, buf, mib) || sequential(fd, 0, buf, mib) ||
        random4k(fd, 1, buf, mib) || random4k(fd, 0, buf, mib)) return 1;
    close(fd);
    return 0;
}

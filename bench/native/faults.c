/*
 * The real kernel's page-fault rates on this machine, for comparison with `mmsim bench`'s faults_per_second and
 * cow_faults_per_second (the brief: the simulation should fault faster than the kernel it models).
 *
 * first touch: one write to each page of a fresh anonymous private mapping (MADV_NOHUGEPAGE, so every fault is a
 *              4 KiB do_anonymous_page, as the model's are);
 * cow:         after fork(), the parent writes each of those pages again while the child still maps them
 *              (do_wp_page -> wp_page_copy), as the model's bench does.
 * Prints the median of ROUNDS rounds of each, in faults per second.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    long pages = argc > 1 ? atol(argv[1]) : 262144;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    long ps = sysconf(_SC_PAGESIZE);
    double first[64], cow[64];
    if (argc > 3 || pages < 1 || rounds < 1 || rounds > 64) {
        fprintf(stderr, "usage: %s [PAGES [ROUNDS]]: PAGES at least 1 (default 262144), ROUNDS 1 to 64 (default 5)\n",
                argv[0]);
        return 2;
    }
    for (int r = 0; r < rounds; r++) {
        char *p = mmap(NULL, pages * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) { perror("mmap"); return 1; }
        madvise(p, pages * ps, MADV_NOHUGEPAGE);
        double t0 = now();
        for (long i = 0; i < pages; i++) p[i * ps] = 1;
        first[r] = pages / (now() - t0);
        int go[2];
        if (pipe(go)) { perror("pipe"); return 1; }
        pid_t child = fork();
        if (child < 0) { perror("fork"); return 1; }
        if (child == 0) {
            char c;
            close(go[1]);
            /* hold the pages until the parent has written them all: the read returns at its close */
            _exit(read(go[0], &c, 1) < 0);
        }
        t0 = now();
        for (long i = 0; i < pages; i++) p[i * ps] = 2;
        cow[r] = pages / (now() - t0);
        close(go[1]);
        close(go[0]);
        waitpid(child, NULL, 0);
        munmap(p, pages * ps);
    }
    qsort(first, rounds, sizeof first[0], cmp);
    qsort(cow, rounds, sizeof cow[0], cmp);
    printf("{\"pages\": %ld, \"rounds\": %d, \"kernel_faults_per_second\": %.0f, \"kernel_cow_faults_per_second\": %.0f}\n",
           pages, rounds, first[rounds / 2], cow[rounds / 2]);
    return 0;
}

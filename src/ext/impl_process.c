/* impl_process.c -- a command's run under a keeper that ends every
 * process the command starts (see impl_process.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "ext/impl_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/status.h"

#ifdef __linux__
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

/* What the keeper writes to its pipe once, before it exits. */
typedef struct {
    int start_error;           /* errno of a failed fork or exec, or 0 */
    int status;                /* the shell's wait status */
} keeper_report;

/* ---- the keeper (async-signal-safe code only) ------------------------- */

static void pause_ms(long ms)
{
    struct timespec t = {0, ms * 1000000L};
    nanosleep(&t, NULL);
}

#ifdef __linux__
/* Parses a decimal pid; -1 when s is not all digits. */
static pid_t parse_pid(const char *s)
{
    long v = 0;
    if (*s == '\0')
        return -1;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9' || v > 100000000L)
            return -1;
        v = 10 * v + (*s - '0');
    }
    return (pid_t)v;
}

/* "/proc/PID/stat" into buf. */
static void stat_path(char *buf, pid_t pid)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + pid % 10);
        pid /= 10;
    } while (pid > 0);
    memcpy(buf, "/proc/", 6);
    size_t at = 6;
    while (n > 0)
        buf[at++] = digits[--n];
    memcpy(buf + at, "/stat", 6);
}

/* The parent pid in /proc/PID/stat, or -1.  The name in parentheses may
 * hold anything, so the fields are read after the last ')'. */
static pid_t parent_of(pid_t pid)
{
    char path[48], text[512];
    stat_path(path, pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    char *close_paren = strrchr(text, ')');
    if (close_paren == NULL || close_paren[1] != ' ' || close_paren[2] == '\0'
        || close_paren[3] != ' ')
        return -1;
    char *ppid = close_paren + 4, *end = ppid;
    while (*end >= '0' && *end <= '9')
        end++;
    *end = '\0';
    return parse_pid(ppid);
}

/* SIGKILLs every child of this process; returns how many.  A child
 * cannot be reused before it is reaped, so the pid read is the child. */
static int kill_children(void)
{
    int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    pid_t me = getpid();
    int killed = 0;
    char buf[4096] __attribute__((aligned(8)));
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (long at = 0; at < n;) {
            struct dirent64 *d = (struct dirent64 *)(void *)(buf + at);
            at += d->d_reclen;
            pid_t pid = parse_pid(d->d_name);
            if (pid > 0 && pid != me && parent_of(pid) == me) {
                kill(pid, SIGKILL);
                killed++;
            }
        }
    }
    close(fd);
    return killed;
}
#else
static int kill_children(void)
{
    return 0;
}
#endif

/* Kills and reaps every child left, until there is none: each killed
 * process hands its own children to the keeper (a subreaper). */
static void end_every_child(void)
{
    int idle = 0;
    for (;;) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0
            && errno == ECHILD)
            return;
        if (kill_children() > 0) {
            idle = 0;
            waitpid(-1, NULL, 0);
        } else if (++idle > 2000) {
            return;   /* children we cannot see (no /proc): give up */
        } else {
            pause_ms(1);
        }
    }
}

/* Resets every signal to its default disposition. */
static void default_signals(void)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, NULL);
}

static void report_and_exit(int fd, int start_error, int status)
{
    keeper_report r = {start_error, status};
    ssize_t n;
    do
        n = write(fd, &r, sizeof r);
    while (n < 0 && errno == EINTR);
    _exit(0);
}

/* The keeper: runs in the forked child with SIGTERM and SIGCHLD blocked
 * (blocked by the parent before the fork, so that no SIGTERM can be lost
 * before the keeper waits for it). */
static void keeper_main(pid_t parent, int report_fd, char *const argv[],
                        char *const env[], const char *in_path,
                        const char *out_path, const char *err_path)
{
    setpgid(0, 0);   /* a terminal's Ctrl-C is convproof's to handle */
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
    bool stop = getppid() != parent;   /* convproof died already */

    pid_t sh = stop ? -1 : fork();
    if (sh == 0) {
        setpgid(0, 0);
        int in = open(in_path, O_RDONLY);
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0
            || dup2(err, 2) < 0)
            _exit(127);
        if (in > 2)
            close(in);
        if (out > 2)
            close(out);
        if (err > 2)
            close(err);
        default_signals();
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve("/bin/sh", argv, env);
        _exit(127);
    }
    if (sh < 0 && !stop)
        report_and_exit(report_fd, errno, 0);

    int status = SIGKILL;   /* as if killed, should the wait fail */
    bool done = stop;
    sigset_t wake;
    sigemptyset(&wake);
    sigaddset(&wake, SIGTERM);
    sigaddset(&wake, SIGCHLD);
    while (!done) {
        struct timespec tick = {0, 100000000L};
        siginfo_t got;
        if (sigtimedwait(&wake, &got, &tick) == SIGTERM)
            stop = true;
        /* Reap what has exited; the shell's process group is killed
         * before the shell is reaped, so that its id cannot be reused. */
        for (;;) {
            siginfo_t info;
            memset(&info, 0, sizeof info);
            if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0
                || info.si_pid == 0)
                break;
            if (info.si_pid == sh) {
                kill(-sh, SIGKILL);
                while (waitpid(sh, &status, 0) < 0 && errno == EINTR)
                    ;
                done = true;
            } else {
                waitpid(info.si_pid, NULL, 0);
            }
        }
        if (stop && !done) {
            kill(-sh, SIGKILL);
            while (waitpid(sh, &status, 0) < 0 && errno == EINTR)
                ;
            done = true;
        }
    }
    end_every_child();
    report_and_exit(report_fd, 0, status);
}

/* ---- convproof's side ------------------------------------------------- */

int cvp_impl_process_start(cvp_impl_process *p, const char *command,
                           char *const env[], const char *in_path,
                           const char *out_path, const char *err_path)
{
    p->keeper = -1;
    p->report_fd = -1;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return errno;
    char *argv[] = {(char *)"/bin/sh", (char *)"-c", (char *)command, NULL};
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        keeper_main(parent, fds[1], argv, env, in_path, out_path, err_path);
    }
    int fork_error = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return fork_error;
    }
    p->keeper = pid;
    p->report_fd = fds[0];
    return 0;
}

/* Reads the keeper's report once it has been reaped. */
static void read_report(cvp_impl_process *p, int *status, int *start_error)
{
    keeper_report r;
    ssize_t n;
    do
        n = read(p->report_fd, &r, sizeof r);
    while (n < 0 && errno == EINTR);
    close(p->report_fd);
    p->report_fd = -1;
    p->keeper = -1;
    if (n != (ssize_t)sizeof r) {
        /* The keeper itself was killed: say the command was. */
        r.start_error = 0;
        r.status = SIGKILL;
    }
    *status = r.status;
    *start_error = r.start_error;
}

bool cvp_impl_process_done(cvp_impl_process *p, int *status, int *start_error)
{
    CVP_ASSERT(p->keeper > 0);
    int keeper_status;
    pid_t r = waitpid(p->keeper, &keeper_status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR))
        return false;
    read_report(p, status, start_error);
    return true;
}

void cvp_impl_process_stop(cvp_impl_process *p, int *status, int *start_error)
{
    CVP_ASSERT(p->keeper > 0);
    kill(p->keeper, SIGTERM);
    int keeper_status;
    while (waitpid(p->keeper, &keeper_status, 0) < 0 && errno == EINTR)
        ;
    read_report(p, status, start_error);
}

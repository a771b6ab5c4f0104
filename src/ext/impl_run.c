/* impl_run.c -- running an implementation as an external command (see
 * impl_run.h and docs/impl-protocol.md); reading what a run left is in
 * impl_results.c. */
#include "ext/impl_run.h"
#include "ext/impl_process.h"
#include "ext/impl_run_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check/verdict.h"
#include "io/json_read.h"
#include "io/npy.h"

extern char **environ;

void cvp_impl_runner_init(cvp_impl_runner *r, const char *command,
                          cvp_impl_layout layout)
{
    memset(r, 0, sizeof *r);
    r->command = command;
    r->layout = layout;
    r->timeout = 10.0;
    r->jobs = 1;
    r->batch = 1;
}

/* ---- the request ------------------------------------------------------ */

static void json_pair(cvp_json *j, const char *key, const size_t v[2])
{
    cvp_json_key(j, key);
    cvp_json_begin_array(j);
    cvp_json_uint(j, v[0]);
    cvp_json_uint(j, v[1]);
    cvp_json_end_array(j);
}

static void json_shape(cvp_json *j, int rank, const size_t *shape)
{
    cvp_json_key(j, "shape");
    cvp_json_begin_array(j);
    for (int a = 0; a < rank; a++)
        cvp_json_uint(j, shape[a]);
    cvp_json_end_array(j);
}

static char *file_path(const char *dir, const char *prefix, const char *name)
{
    size_t n = strlen(dir) + strlen(prefix) + strlen(name) + 8;
    char *path = malloc(n);
    CVP_ASSERT(path != NULL);
    snprintf(path, n, "%s/%s%s.npy", dir, prefix, name);
    return path;
}

static char *status_path(const char *dir, const char *prefix)
{
    size_t n = strlen(dir) + strlen(prefix) + 16;
    char *path = malloc(n);
    CVP_ASSERT(path != NULL);
    snprintf(path, n, "%s/%sstatus.json", dir, prefix);
    return path;
}

void cvp_impl_case_json(cvp_json *j, const cvp_impl_case *c,
                        cvp_impl_layout layout, const char *dir,
                        const char *prefix)
{
    const cvp_impl_op_info *info = cvp_impl_op_get(c->op);
    const cvp_impl_dims *d = &c->d;
    cvp_json_key(j, "op");
    cvp_json_string(j, info->name);
    cvp_json_key(j, "layout");
    cvp_json_string(j, cvp_impl_layout_name(layout));
    cvp_json_key(j, "params");
    cvp_json_begin_object(j);
    json_pair(j, "kernel_size", d->kernel);
    json_pair(j, "stride", d->stride);
    json_pair(j, "padding", d->padding);
    if (info->conv) {
        json_pair(j, "dilation", d->dilation);
        cvp_json_key(j, "groups");
        cvp_json_uint(j, d->groups);
        cvp_json_key(j, "in_channels");
        cvp_json_uint(j, d->c);
        cvp_json_key(j, "out_channels");
        cvp_json_uint(j, d->o);
    } else {
        cvp_json_key(j, "ceil_mode");
        cvp_json_bool(j, false);
        if (info->average) {
            cvp_json_key(j, "count_include_pad");
            cvp_json_bool(j, true);
        }
    }
    cvp_json_end_object(j);
    for (int side = 0; side < 2; side++) {
        size_t n = side ? info->output_count : info->input_count;
        cvp_json_key(j, side ? "outputs" : "inputs");
        cvp_json_begin_object(j);
        for (size_t k = 0; k < n; k++) {
            const char *name = side ? info->outputs[k] : info->inputs[k];
            int rank;
            size_t shape[CVP_MAX_RANK];
            if (side)
                cvp_impl_output_shape(&rank, shape, d, c->op, k, layout);
            else
                cvp_impl_input_shape(&rank, shape, d, c->op, k, layout);
            char *path = file_path(dir, prefix, name);
            cvp_json_key(j, name);
            cvp_json_begin_object(j);
            cvp_json_key(j, "path");
            cvp_json_string(j, path);
            json_shape(j, rank, shape);
            cvp_json_end_object(j);
            free(path);
        }
        cvp_json_end_object(j);
    }
    /* Where an "unsupported" answer goes (docs/impl-protocol.md). */
    char *status = status_path(dir, prefix);
    cvp_json_key(j, "status");
    cvp_json_begin_object(j);
    cvp_json_key(j, "path");
    cvp_json_string(j, status);
    cvp_json_end_object(j);
    free(status);
}

/* ---- files ------------------------------------------------------------ */

static cvp_status write_file(const char *path, const char *text, cvp_error *err)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return cvp_error_set(err, CVP_ERR_LIMIT, "%s: %s", path, strerror(errno));
    size_t len = strlen(text);
    bool ok = fwrite(text, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok)
        return cvp_error_set(err, CVP_ERR_LIMIT, "%s: cannot write", path);
    return CVP_OK;
}

/* Removes a folder and everything in it, never following symbolic links. */
static void remove_tree(const char *path, int depth)
{
    DIR *dir = depth < 32 ? opendir(path) : NULL;
    if (dir != NULL) {
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
                continue;
            size_t n = strlen(path) + strlen(entry->d_name) + 2;
            char *child = malloc(n);
            CVP_ASSERT(child != NULL);
            snprintf(child, n, "%s/%s", path, entry->d_name);
            struct stat info;
            if (lstat(child, &info) == 0 && S_ISDIR(info.st_mode))
                remove_tree(child, depth + 1);
            else
                unlink(child);
            free(child);
        }
        closedir(dir);
    }
    rmdir(path);
}

/* ---- runs ------------------------------------------------------------- */

typedef struct {
    size_t first, count;       /* cases[first .. first+count-1] */
} run_plan;

typedef struct {
    bool active;
    cvp_impl_process process;
    char *dir;
    run_plan plan;
    struct timespec start;
} slot;

static double since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec)
           + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* The environment of the command: ours plus CONVPROOF_REQUEST. */
static char **make_environment(const char *request)
{
    size_t n = 0;
    while (environ != NULL && environ[n] != NULL)
        n++;
    char **env = calloc(n + 2, sizeof *env);
    CVP_ASSERT(env != NULL);
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (strncmp(environ[k], "CONVPROOF_REQUEST=", 18) != 0)
            env[m++] = environ[k];
    size_t len = strlen(request) + 20;
    env[m] = malloc(len);
    CVP_ASSERT(env[m] != NULL);
    snprintf(env[m], len, "CONVPROOF_REQUEST=%s", request);
    env[m + 1] = NULL;
    return env;
}

static void free_environment(char **env)
{
    size_t n = 0;
    while (env[n] != NULL)
        n++;
    free(env[n - 1]);
    free(env);
}

/* Prepares the folder and files of a run and starts the command.  On a
 * failure to start, the cases are marked not_started and the slot stays
 * inactive.  Errors are convproof's own. */
static cvp_status start_run(slot *s, const run_plan *plan,
                            cvp_impl_runner *runner, cvp_impl_result *results,
                            const cvp_impl_case *const *cases, cvp_error *err)
{
    const char *base = runner->tmpdir;
    if (base == NULL || base[0] == '\0')
        base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    size_t n = strlen(base) + 32;
    char *dir = malloc(n);
    CVP_ASSERT(dir != NULL);
    snprintf(dir, n, "%s/convproof-impl-XXXXXX", base);
    if (mkdtemp(dir) == NULL) {
        cvp_status st = cvp_error_set(err, CVP_ERR_LIMIT,
                                      "cannot make a temporary folder in %s: %s",
                                      base, strerror(errno));
        free(dir);
        return st;
    }

    /* The inputs and the request. */
    cvp_status st = CVP_OK;
    cvp_json j;
    cvp_json_init(&j);
    cvp_json_begin_object(&j);
    cvp_json_key(&j, "protocol");
    cvp_json_int(&j, CVP_IMPL_PROTOCOL_VERSION);
    bool batch = plan->count > 1;
    if (batch) {
        cvp_json_key(&j, "batch");
        cvp_json_begin_array(&j);
    }
    cvp_tensor_t t;
    cvp_tensor_init(t);
    for (size_t i = 0; i < plan->count && st == CVP_OK; i++) {
        const cvp_impl_case *c = cases[plan->first + i];
        const cvp_impl_op_info *info = cvp_impl_op_get(c->op);
        char prefix[32] = "";
        if (batch) {
            snprintf(prefix, sizeof prefix, "c%zu_", i);
            cvp_json_begin_object(&j);
        }
        cvp_impl_case_json(&j, c, runner->layout, dir, prefix);
        if (batch)
            cvp_json_end_object(&j);
        for (size_t k = 0; k < info->input_count && st == CVP_OK; k++) {
            char *path = file_path(dir, prefix, info->inputs[k]);
            st = cvp_impl_convert(t, c->inputs[k], info->input_kinds[k],
                                  runner->layout, false, err);
            if (st == CVP_OK)
                st = cvp_npy_write_file(path, t, err);
            free(path);
        }
    }
    cvp_tensor_clear(t);
    if (batch)
        cvp_json_end_array(&j);
    cvp_json_end_object(&j);
    if (st == CVP_OK && j.replaced > 0)
        st = cvp_error_set(err, CVP_ERR_LIMIT,
                           "the temporary folder %s is not valid UTF-8 (set "
                           "TMPDIR to another folder)", dir);
    size_t plen = strlen(dir) + 32;
    char *request = malloc(plen), *out = malloc(plen), *errp = malloc(plen);
    CVP_ASSERT(request != NULL && out != NULL && errp != NULL);
    snprintf(request, plen, "%s/request.json", dir);
    snprintf(out, plen, "%s/stdout.txt", dir);
    snprintf(errp, plen, "%s/stderr.txt", dir);
    if (st == CVP_OK)
        st = write_file(request, cvp_json_text(&j), err);
    cvp_json_clear(&j);

    /* The command, under a keeper that ends whatever it starts
     * (ext/impl_process.h). */
    int spawn_error = 0;
    cvp_impl_process process = {-1, -1};
    if (st == CVP_OK) {
        char **env = make_environment(request);
        spawn_error = cvp_impl_process_start(&process, runner->command, env,
                                             request, out, errp);
        free_environment(env);
    }
    free(request);
    free(out);
    free(errp);
    if (st != CVP_OK || spawn_error != 0) {
        for (size_t i = 0; st == CVP_OK && i < plan->count; i++) {
            cvp_impl_result *r = &results[plan->first + i];
            r->not_started = true;
            cvp_set_textf(&r->start_error, "/bin/sh: %s", strerror(spawn_error));
        }
        remove_tree(dir, 0);
        free(dir);
        return st;
    }
    runner->runs++;
    s->active = true;
    s->process = process;
    s->dir = dir;
    s->plan = *plan;
    clock_gettime(CLOCK_MONOTONIC, &s->start);
    return CVP_OK;
}

/* Ends a run: kills what is left of its process group, reaps it, reads
 * its results and removes its folder.  Returns true when the run failed
 * as a whole (a batch to be split). */
static bool finish_run(slot *s, bool timed_out, int status, int start_error,
                       double seconds, cvp_impl_runner *runner,
                       cvp_impl_result *results,
                       const cvp_impl_case *const *cases)
{
    s->active = false;
    size_t n = strlen(s->dir) + 32;
    char *errp = malloc(n);
    CVP_ASSERT(errp != NULL);
    snprintf(errp, n, "%s/stderr.txt", s->dir);
    cvp_impl_result first;
    cvp_impl_result_init(&first);
    impl_read_stderr(&first, errp);
    free(errp);
    if (start_error != 0) {
        first.not_started = true;
        cvp_set_textf(&first.start_error, "/bin/sh: %s", strerror(start_error));
    } else if (timed_out)
        first.timed_out = true;
    else if (WIFSIGNALED(status))
        first.signal = WTERMSIG(status);
    else if (WIFEXITED(status))
        first.exit_code = WEXITSTATUS(status);
    bool failed = first.timed_out || first.signal != 0 || first.exit_code != 0
                  || first.traceback;
    bool batch = s->plan.count > 1;
    if (!(failed && batch)) {
        for (size_t i = 0; i < s->plan.count; i++) {
            cvp_impl_result *r = &results[s->plan.first + i];
            const cvp_impl_case *c = cases[s->plan.first + i];
            const cvp_impl_op_info *info = cvp_impl_op_get(c->op);
            r->not_started = first.not_started;
            cvp_set_text(&r->start_error, first.start_error);
            r->timed_out = first.timed_out;
            r->signal = first.signal;
            r->exit_code = first.exit_code;
            r->traceback = first.traceback;
            r->seconds = seconds / (double)s->plan.count;
            r->run_cases = s->plan.count;
            cvp_set_text(&r->stderr_excerpt, first.stderr_excerpt);
            char prefix[32] = "";
            if (batch)
                snprintf(prefix, sizeof prefix, "c%zu_", i);
            char *status_file = status_path(s->dir, prefix);
            if (!failed)
                impl_read_status(r, status_file);
            free(status_file);
            for (size_t k = 0; !failed && !r->unsupported
                               && k < info->output_count; k++) {
                char *path = file_path(s->dir, prefix, info->outputs[k]);
                impl_read_output(r, k, path, c, runner->layout);
                free(path);
            }
        }
    }
    cvp_impl_result_clear(&first);
    remove_tree(s->dir, 0);
    free(s->dir);
    s->dir = NULL;
    return failed && batch;
}

static void sleep_briefly(long nanoseconds)
{
    struct timespec pause = {0, nanoseconds};
    nanosleep(&pause, NULL);
}

cvp_status cvp_impl_run(void *ctx, cvp_impl_result *results,
                        const cvp_impl_case *const *cases, size_t count,
                        cvp_error *err)
{
    cvp_impl_runner *runner = ctx;
    size_t batch = runner->batch ? runner->batch : 1;
    size_t jobs = runner->jobs ? runner->jobs : 1;
    for (size_t i = 0; i < count; i++)
        cvp_impl_result_reset(&results[i]);

    /* The plan: runs of up to `batch` cases; failed batches append their
     * cases as runs of one. */
    size_t plan_cap = count + count / batch + 2, plan_count = 0, next = 0;
    run_plan *plans = calloc(plan_cap, sizeof *plans);
    slot *slots = calloc(jobs, sizeof *slots);
    CVP_ASSERT(plans != NULL && slots != NULL);
    for (size_t i = 0; i < count; i += batch) {
        plans[plan_count].first = i;
        plans[plan_count].count = count - i < batch ? count - i : batch;
        plan_count++;
    }
    cvp_status st = CVP_OK;
    size_t active = 0;
    while (st == CVP_OK && (next < plan_count || active > 0)) {
        if ((runner->interrupted != NULL && *runner->interrupted)
            || (runner->stop != NULL && runner->stop())) {
            st = cvp_error_set(err, CVP_ERR_LIMIT, "interrupted");
            break;
        }
        for (size_t k = 0; k < jobs && next < plan_count && st == CVP_OK; k++)
            if (!slots[k].active) {
                st = start_run(&slots[k], &plans[next], runner, results, cases,
                               err);
                next++;
                if (slots[k].active)
                    active++;
            }
        bool progress = false;
        for (size_t k = 0; k < jobs && st == CVP_OK; k++) {
            slot *s = &slots[k];
            if (!s->active)
                continue;
            double seconds = since(&s->start);
            int status = 0, start_error = 0;
            bool exited = cvp_impl_process_done(&s->process, &status,
                                                &start_error);
            bool timed_out = !exited && seconds > runner->timeout;
            if (!exited && !timed_out)
                continue;
            if (timed_out)
                cvp_impl_process_stop(&s->process, &status, &start_error);
            run_plan plan = s->plan;
            bool split = finish_run(s, timed_out, status, start_error, seconds,
                                    runner, results, cases);
            active--;
            progress = true;
            if (split) {
                if (plan_count + plan.count > plan_cap) {
                    plan_cap = plan_count + plan.count;
                    plans = realloc(plans, plan_cap * sizeof *plans);
                    CVP_ASSERT(plans != NULL);
                }
                for (size_t i = 0; i < plan.count; i++) {
                    plans[plan_count].first = plan.first + i;
                    plans[plan_count].count = 1;
                    plan_count++;
                }
            }
        }
        if (!progress && active > 0)
            sleep_briefly(2000000);
    }
    /* On an error of our own or an interruption, stop whatever still
     * runs. */
    for (size_t k = 0; k < jobs; k++)
        if (slots[k].active) {
            int status, start_error;
            cvp_impl_process_stop(&slots[k].process, &status, &start_error);
            remove_tree(slots[k].dir, 0);
            free(slots[k].dir);
        }
    free(plans);
    free(slots);
    if (st != CVP_OK)
        return st;
    runner->cases += count;
    for (size_t i = 0; i < count && st == CVP_OK; i++)
        st = cvp_impl_judge(&results[i], cases[i], runner->layout, err);
    return st;
}

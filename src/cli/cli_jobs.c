/* cli_jobs.c -- the worker threads of `convproof check --jobs N`
 * (cli_jobs.h). */
#include "cli/cli_jobs.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <mpfr.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "report/figures.h"
#include "ext/impl_external.h"

/* One claim to check, and what came of it. */
typedef struct {
    const cvp_proof_file *file;
    size_t claim;
    cvp_report result;      /* the claim's record (none if setup failed) */
    int rc;                 /* CVP_EXIT_OK, CVP_EXIT_USAGE or CVP_EXIT_LIMIT */
    char *message;          /* with rc != OK: what the serial loop prints */
    bool started, done;
} job_task;

/* Shared by the workers and the calling thread; every field below
 * `lock` is read and written with it held. */
typedef struct {
    job_task *tasks;
    size_t count;
    const cvp_check_options *options;
    bool figures;
    int omp_threads;        /* OpenMP threads per worker */
    size_t impl_batch;      /* cases per run of an implementation */
    size_t impl_jobs;       /* runs at a time per worker */
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a task ended, or a worker did */
    size_t next;            /* the first task not taken */
    size_t stop;            /* the first task that failed; count if none */
    size_t finished;        /* tasks done */
    size_t running;         /* workers not yet ended */
    /* Read and written by the calling thread only: the tasks whose
     * records are in the report already (a prefix, in order). */
    size_t moved;
} job_pool;

bool cvp_cli_parse_jobs(size_t *jobs, const char *text)
{
    size_t value = 0;
    bool digits = text[0] != '\0';
    for (const char *c = text; digits && *c != '\0'; c++) {
        if (*c < '0' || *c > '9')
            digits = false;
        else if ((value = 10 * value + (size_t)(*c - '0')) > CVP_CLI_JOBS_MAX)
            break;
    }
    if (!digits || value < 1 || value > CVP_CLI_JOBS_MAX) {
        fprintf(stderr, "convproof check: --jobs takes a number of threads "
                        "from 1 to %d, not '%.40s'\n", CVP_CLI_JOBS_MAX, text);
        return false;
    }
    *jobs = value;
    return true;
}

static char *copy_message(const char *text)
{
    char *copy = strdup(text);
    if (copy == NULL) {
        fprintf(stderr, "convproof: out of memory\n");
        exit(CVP_EXIT_LIMIT);
    }
    return copy;
}

/* Checks one claim as an iteration of cli_check.c's loop over files and
 * cli_terminal.c's loop over claims would: the file's implementations
 * (its own registry), the claim, its figures. */
static void run_task(job_pool *pool, job_task *t)
{
    cvp_report_init(&t->result, NULL, pool->options->seed);
    t->rc = CVP_EXIT_OK;
    cvp_impl_registry impls;
    cvp_error ierr;
    if (cvp_impl_registry_init(&impls, t->file, &ierr) != CVP_OK) {
        t->rc = CVP_EXIT_LIMIT;
        t->message = copy_message(ierr.message);
        return;
    }
    cvp_impl_registry_set_batch(&impls, pool->impl_batch, pool->impl_jobs);
    cvp_check_options options = *pool->options;
    options.external = &impls.external;
    cvp_lang_error lerr;
    cvp_lang_error_clear(&lerr);
    cvp_status st = cvp_check_claim(&t->result, t->file, t->claim, &options, &lerr);
    /* an input error is the claim's verdict, in its record (verdict.h):
     * the other claims go on, as in the serial loop */
    if (st == CVP_ERR_INPUT)
        st = CVP_OK;
    else if (st == CVP_OK && pool->figures && t->result.claim_count > 0)
        cvp_figures_add(&t->result.claims[t->result.claim_count - 1], t->file,
                        t->claim);
    cvp_impl_registry_clear(&impls);
    if (st != CVP_OK) {
        char message[CVP_ERROR_MESSAGE_MAX + CVP_SOURCE_NAME_MAX + 64];
        cvp_lang_error_format(message, sizeof message, &lerr);
        t->rc = st == CVP_ERR_LIMIT ? CVP_EXIT_LIMIT : CVP_EXIT_USAGE;
        t->message = copy_message(message);
    }
}

static void *worker(void *arg)
{
    job_pool *pool = arg;
#ifdef _OPENMP
    /* The thread count of the fast kernels' parallel loops is this
     * thread's own setting (an OpenMP ICV of its initial task). */
    omp_set_num_threads(pool->omp_threads);
#endif
    pthread_mutex_lock(&pool->lock);
    /* Tasks go in order, and none after a failure: the serial check
     * would not have started them either. */
    while (pool->next < pool->count && pool->next < pool->stop) {
        job_task *t = &pool->tasks[pool->next++];
        t->started = true;
        pthread_mutex_unlock(&pool->lock);
        run_task(pool, t);
        pthread_mutex_lock(&pool->lock);
        t->done = true;
        pool->finished++;
        size_t at = (size_t)(t - pool->tasks);
        if (t->rc != CVP_EXIT_OK && at < pool->stop)
            pool->stop = at;
        pthread_cond_signal(&pool->changed);
    }
    pool->running--;
    pthread_cond_signal(&pool->changed);
    pthread_mutex_unlock(&pool->lock);
    /* MPFR's caches are per thread: give them back before it ends. */
    mpfr_free_cache();
    return NULL;
}

/* The stack of a worker: the main thread's limit when there is one (the
 * evaluator recurses as deep as an expression nests), else 8 MiB. */
static size_t worker_stack_size(void)
{
    struct rlimit limit;
    size_t size = (size_t)8 << 20;
    if (getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY
        && limit.rlim_cur > (rlim_t)(1 << 20) && limit.rlim_cur < ((rlim_t)1 << 32))
        size = (size_t)limit.rlim_cur;
    return size;
}

/* Moves the records of the tasks done, from the first not moved up to
 * the first not done (or failed), into the report, and prints their
 * blocks: so claims appear in order as soon as every claim before them is
 * decided.  A task is done only once its worker has let go of it. */
static void move_done_tasks(job_pool *pool, cvp_report *report,
                            cvp_cli_stream *stream)
{
    size_t before = pool->moved;
    /* with the lock held: `done` and `stop` are the workers' */
    while (pool->moved < pool->count && pool->moved < pool->stop
           && pool->tasks[pool->moved].done
           && pool->tasks[pool->moved].rc == CVP_EXIT_OK) {
        cvp_report_move_claims(report, &pool->tasks[pool->moved].result);
        pool->moved++;
    }
    if (pool->moved > before) {
        /* the report is this thread's alone: a slow reader of the output
         * need not hold up the workers */
        pthread_mutex_unlock(&pool->lock);
        cvp_cli_stream_claims(stream, report);
        pthread_mutex_lock(&pool->lock);
    }
}

/* Waits until every worker has ended, keeping the progress line current
 * as claims finish (as the serial loop does as they start): claims done,
 * and the first claim in order not done yet; and printing the claims
 * decided in order. */
static void wait_for_workers(job_pool *pool, cvp_cli_progress *progress,
                             cvp_report *report, cvp_cli_stream *stream)
{
    pthread_mutex_lock(&pool->lock);
    size_t shown = SIZE_MAX;
    while (pool->running > 0) {
        pthread_cond_wait(&pool->changed, &pool->lock);
        if (pool->finished == shown)
            continue;
        shown = pool->finished;
        move_done_tasks(pool, report, stream);
        size_t first = 0;
        while (first < pool->count && pool->tasks[first].done)
            first++;
        const char *title = NULL;
        if (first < pool->count && first < pool->stop && pool->tasks[first].started)
            title = pool->tasks[first].file->claims[pool->tasks[first].claim].title;
        progress->done = pool->finished;
        cvp_cli_progress_show(progress, title);
    }
    pthread_mutex_unlock(&pool->lock);
}

int cvp_cli_check_jobs(cvp_report *report, const cvp_proof_file *files,
                       size_t file_count, const cvp_check_options *options,
                       size_t jobs, size_t impl_batch,
                       const cvp_cli_shard *shard, cvp_cli_progress *progress,
                       cvp_cli_stream *stream)
{
    CVP_ASSERT(jobs >= 1 && options->external == NULL);
    job_pool pool;
    memset(&pool, 0, sizeof pool);
    size_t number = 0;   /* of each claim over all files (cli_shard.h) */
    for (size_t f = 0; f < file_count; f++)
        for (size_t k = 0; k < files[f].claim_count; k++)
            pool.count += cvp_cli_shard_has(shard, number++);
    pool.tasks = calloc(pool.count ? pool.count : 1, sizeof *pool.tasks);
    if (pool.tasks == NULL) {
        fprintf(stderr, "convproof: out of memory\n");
        return CVP_EXIT_LIMIT;
    }
    size_t n = 0;
    number = 0;
    for (size_t f = 0; f < file_count; f++)
        for (size_t k = 0; k < files[f].claim_count; k++) {
            if (!cvp_cli_shard_has(shard, number++))
                continue;
            pool.tasks[n].file = &files[f];
            pool.tasks[n].claim = k;
            n++;
        }
    pool.options = options;
    pool.figures = progress->figures;
    pool.stop = pool.count;
#ifdef _OPENMP
    int cores = omp_get_max_threads();
    pool.omp_threads = cores / (int)jobs > 1 ? cores / (int)jobs : 1;
#else
    pool.omp_threads = 1;
#endif
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.changed, NULL);
    /* Runs of implementations share the jobs: a claim checked alone may
     * run as many at a time as --jobs says. */
    pool.impl_batch = impl_batch;
    pool.impl_jobs = jobs;
    if (jobs > pool.count)
        jobs = pool.count ? pool.count : 1;
    pool.impl_jobs /= jobs;
    pthread_t threads[CVP_CLI_JOBS_MAX];
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, worker_stack_size());
    size_t started = 0;
    pthread_mutex_lock(&pool.lock);
    for (; started < jobs; started++) {
        if (pthread_create(&threads[started], &attr, worker, &pool) != 0)
            break;
        pool.running++;
    }
    pthread_mutex_unlock(&pool.lock);
    pthread_attr_destroy(&attr);
    int rc = CVP_EXIT_OK;
    if (started == 0) {
        fprintf(stderr, "convproof: cannot start a thread for --jobs\n");
        rc = CVP_EXIT_LIMIT;
    } else {
        /* Fewer threads than asked for only makes the check slower. */
        wait_for_workers(&pool, progress, report, stream);
    }
    for (size_t k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
    /* The records not moved yet in order, up to and with the first
     * failed task's (the serial loop appends a claim's record before it
     * knows the claim failed), and that task's message. */
    for (size_t k = 0; k < pool.count; k++) {
        job_task *t = &pool.tasks[k];
        if (rc == CVP_EXIT_OK && started > 0 && k >= pool.moved && k <= pool.stop) {
            cvp_report_move_claims(report, &t->result);
            if (t->rc != CVP_EXIT_OK) {
                fprintf(stderr, "convproof: %s\n", t->message);
                rc = t->rc;
            }
        }
        if (t->started)
            cvp_report_clear(&t->result);
        free(t->message);
    }
    cvp_cli_stream_claims(stream, report);
    pthread_cond_destroy(&pool.changed);
    pthread_mutex_destroy(&pool.lock);
    free(pool.tasks);
    return rc;
}

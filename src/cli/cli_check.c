/* cli_check.c -- `convproof check PATH... [options]`: decide the claims of
 * .proof files and write reports.
 *
 * Files are parsed first, all of them, so that a syntax error anywhere
 * is reported before any work is done.  An input error in a claim (a
 * shape that does not fit, an unknown function) is that claim's verdict
 * (ERROR, with the located message); the other claims are checked all
 * the same.  A text report on standard output is printed as the claims
 * are decided, in file order for any --jobs (cli.h, cvp_cli_stream).
 * Exit status: 2 on a usage or input error (also one in a single claim),
 * else 1 when some claim failed, else 3 when some claim was not decided
 * (a limit, or no method could judge it), else with --strict 4 when some
 * claim was only TESTED (sampled, not proved), else 0. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_jobs.h"
#include "cli/cli_limits.h"
#include "check/check.h"
#include "fast/fast.h"
#include "kernel/alloc.h"
#include "kernel/rng.h"
#include "ext/impl_external.h"
#include "lang/proof.h"
#include "report/render.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* Most cases per run --impl-batch accepts (a request names every file). */
#define CVP_CLI_IMPL_BATCH_MAX 4096



typedef struct {
    char **items;
    size_t count, cap;
} path_list;

static void usage(FILE *stream)
{
    fprintf(stream,
        "usage: convproof check PATH... [options]\n"
        "\n"
        "Decides the claims of .proof files (a folder is searched for *.proof).\n"
        "\n"
        "options:\n"
        "  --method M          run only method M (exact, random, symbolic,\n"
        "                      all_shapes, bounded, regions); repeatable\n"
        "  --seed N            base seed of every random choice (default: drawn\n"
        "                      from the operating system's entropy and printed\n"
        "                      in every report; --seed N replays a run, and\n"
        "                      random's evidence then says \"fixed seed\")\n"
        "  --report FORMAT     text, md, json, html or junit; repeatable; each\n"
        "                      may be followed by -o FILE (default: text on\n"
        "                      stdout); html is one self-contained page with\n"
        "                      pictures, junit the XML of CI test views\n"
        "  -o FILE             write the preceding --report to FILE\n"
        "  --quiet             text: only claims that did not pass, and the\n"
        "                      summary line\n"
        "  --verbose           text: statements and evidence of every claim\n"
        "  --full              text, md, html, junit: every entry of a\n"
        "                      counterexample's tensors (without it, tensors\n"
        "                      of more than 256 entries are summarised; json\n"
        "                      always has every entry)\n"
        "  --strict            ask for proofs: a claim only TESTED (held on\n"
        "                      sampled instances, by exact or bounded\n"
        "                      alone) makes the exit status 4\n"
        "  --color[=WHEN]      text: ANSI colours: auto (default: on a terminal,\n"
        "                      unless NO_COLOR is set), always, never\n"
        "  --max-entries N     largest tensor (default 200000000, at most\n"
        "                      10^10)\n"
        "  --max-terms N       largest polynomial, in terms (default 1000000,\n"
        "                      at most 10^9; 4 N in all polynomials at once)\n"
        "  --max-shapes N      most shapes per claim (default 100000, at\n"
        "                      most 10^9)\n"
        "  --timeout SECONDS   per claim (default 600, 0 for none, at most\n"
        "                      10^6); then it is not decided (exit 3)\n"
        "  --max-memory BYTES  GMP/MPFR memory per claim, with K, M or G\n"
        "                      (powers of 1024); above it a claim is not\n"
        "                      decided, above 1.25 times it convproof stops\n"
        "  --reference         definitional operators only (no fast kernels)\n"
        "  -j, --jobs N        check N claims at a time on N threads (1 to 64,\n"
        "                      default 1); reports are the same for any N but\n"
        "                      for the measured seconds; not with --max-memory\n"
        "  --impl-batch N      cases per run of a file's implementations (1 to\n"
        "                      4096, default 64); their runs go up to --jobs\n"
        "                      at a time; 1: each call runs alone when made\n"
        "  --shard K/N         check only shard K of N (1 <= K <= N): claim i\n"
        "                      of the run (all files, in order, from 0) is in\n"
        "                      shard (i mod N) + 1; join the shards' JSON\n"
        "                      reports with convproof merge-reports\n"
        "  --help              this text\n"
        "\n"
        "A text report on standard output is printed claim by claim, in file\n"
        "order, as the claims are decided.  A claim with an input error (a shape\n"
        "that does not fit, an unknown function) is reported as ERROR with the\n"
        "located message, and the other claims are still checked.\n"
        "\n"
        "exit status: 0 every claim passed or was tested, 1 some claim failed,\n"
        "2 usage or input error (also in one claim), 3 some claim undecided (a\n"
        "limit, or no method applies), 4 with --strict: some claim only\n"
        "tested, none failed or undecided.\n");
}

static void add_path(path_list *list, const char *path)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? 2 * list->cap : 16;
        list->items = realloc(list->items, list->cap * sizeof *list->items);
        if (list->items == NULL) {
            fprintf(stderr, "convproof: out of memory\n");
            exit(CVP_EXIT_LIMIT);
        }
    }
    list->items[list->count] = strdup(path);
    if (list->items[list->count] == NULL) {
        fprintf(stderr, "convproof: out of memory\n");
        exit(CVP_EXIT_LIMIT);
    }
    list->count++;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Adds `path` (a file) or every *.proof below it (a folder), sorted so
 * the order does not depend on the file system. */
static int collect(path_list *list, const char *path, int depth)
{
    struct stat info;
    if (stat(path, &info) != 0) {
        fprintf(stderr, "convproof: %s: %s\n", path, strerror(errno));
        return CVP_EXIT_USAGE;
    }
    if (!S_ISDIR(info.st_mode)) {
        add_path(list, path);
        return CVP_EXIT_OK;
    }
    if (depth > 32) {
        fprintf(stderr, "convproof: %s: folders nested too deeply\n", path);
        return CVP_EXIT_USAGE;
    }
    DIR *dir = opendir(path);
    if (dir == NULL) {
        fprintf(stderr, "convproof: %s: %s\n", path, strerror(errno));
        return CVP_EXIT_USAGE;
    }
    path_list here = {0};
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        size_t len = strlen(path) + strlen(entry->d_name) + 2;
        char *child = malloc(len);
        if (child == NULL) {
            closedir(dir);
            fprintf(stderr, "convproof: out of memory\n");
            return CVP_EXIT_LIMIT;
        }
        bool slash = path[0] != '\0' && path[strlen(path) - 1] == '/';
        snprintf(child, len, "%s%s%s", path, slash ? "" : "/", entry->d_name);
        struct stat child_info;
        if (stat(child, &child_info) == 0
            && (S_ISDIR(child_info.st_mode) || ends_with(child, ".proof")))
            add_path(&here, child);
        free(child);
    }
    closedir(dir);
    if (here.count > 1)   /* an empty folder's list may be NULL */
        qsort(here.items, here.count, sizeof *here.items, compare_strings);
    int rc = CVP_EXIT_OK;
    for (size_t k = 0; k < here.count; k++) {
        struct stat child_info;
        if (rc == CVP_EXIT_OK && stat(here.items[k], &child_info) == 0) {
            if (S_ISDIR(child_info.st_mode))
                rc = collect(list, here.items[k], depth + 1);
            else
                add_path(list, here.items[k]);
        }
        free(here.items[k]);
    }
    free(here.items);
    return rc;
}

int cvp_cli_check(int argc, char **argv)
{
    cvp_check_options options;
    cvp_check_options_default(&options);
    options.timeout = CVP_CLI_DEFAULT_TIMEOUT;   /* --timeout 0: none */
    bool seed_given = false;
    cvp_render_options render = {false, false, false, false};
    cvp_cli_report_request reports[CVP_CLI_MAX_REPORTS];
    size_t report_count = 0;
    int report_rc;
    path_list paths = {0};
    size_t jobs = 1, impl_batch = CVP_IMPL_DEFAULT_BATCH;
    cvp_cli_shard shard = {0, 0};
    int rc = CVP_EXIT_OK;
    cvp_error e;
    cvp_error_clear(&e);
    bool options_done = false;
    bool strict = false;   /* --strict: TESTED claims make the exit status 4 */
    for (int i = 1; i < argc && rc == CVP_EXIT_OK; i++) {
        const char *arg = argv[i], *value = NULL;
        size_t count;
        if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
            size_t before = paths.count;
            rc = collect(&paths, arg, 0);
            if (rc == CVP_EXIT_OK && paths.count == before) {
                /* a folder without one .proof file: nothing to check is
                 * not a pass */
                fprintf(stderr, "convproof check: %s: no .proof file in "
                        "this folder\n", arg);
                rc = CVP_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            for (size_t k = 0; k < paths.count; k++)
                free(paths.items[k]);
            free(paths.items);
            return CVP_EXIT_OK;
        } else if (strcmp(arg, "--quiet") == 0) {
            render.quiet = true;
        } else if (strcmp(arg, "--verbose") == 0) {
            render.verbose = true;
        } else if (strcmp(arg, "--full") == 0) {
            render.full = true;
        } else if (strcmp(arg, "--strict") == 0) {
            strict = true;
        } else if (cvp_cli_is_color_option(arg)) {
            if (!cvp_cli_set_color("check", arg))
                rc = CVP_EXIT_USAGE;
        } else if (cvp_cli_is_option(arg, "--method")) {
            if ((value = cvp_cli_option_value("check", argc, argv, &i, "--method")) == NULL) {
                rc = CVP_EXIT_USAGE;
                break;
            }
            int found = -1;
            for (int m = 0; m < CVP_METHOD_COUNT; m++)
                if (strcmp(cvp_method_name((cvp_method)m), value) == 0)
                    found = m;
            if (found < 0) {
                fprintf(stderr, "convproof check: unknown method '%s' (exact, "
                        "random, symbolic, all_shapes, bounded, regions)\n", value);
                rc = CVP_EXIT_USAGE;
            } else {
                options.only[found] = true;
                options.filtered = true;
            }
        } else if (cvp_cli_is_option(arg, "--seed")) {
            if ((value = cvp_cli_option_value("check", argc, argv, &i, "--seed")) == NULL
                || cvp_cli_parse_count(&count, value, "--seed", &e) != CVP_OK) {
                if (value != NULL)
                    fprintf(stderr, "convproof check: %s\n", e.message);
                rc = CVP_EXIT_USAGE;
            } else {
                options.seed = count;
                seed_given = true;
            }
        } else if ((report_rc = cvp_cli_report_option("check", argc, argv, &i, reports,
                                                      &report_count)) >= 0) {
            rc = report_rc;
        } else if (cvp_cli_is_option(arg, "--max-entries") || cvp_cli_is_option(arg, "--max-terms")
                   || cvp_cli_is_option(arg, "--max-shapes")) {
            const char *name = cvp_cli_is_option(arg, "--max-entries") ? "--max-entries"
                               : cvp_cli_is_option(arg, "--max-terms") ? "--max-terms"
                                                               : "--max-shapes";
            size_t max = name[6] == 'e' ? CVP_CLI_MAX_ENTRIES
                         : name[6] == 't' ? CVP_CLI_MAX_TERMS : CVP_CLI_MAX_SHAPES;
            if ((value = cvp_cli_option_value("check", argc, argv, &i, name)) == NULL
                || cvp_cli_parse_limit(&count, value, name, max, &e) != CVP_OK) {
                if (value != NULL)
                    fprintf(stderr, "convproof check: %s\n", e.message);
                rc = CVP_EXIT_USAGE;
            } else if (name[6] == 'e') {
                cvp_tensor_set_max_entries(count);
            } else if (name[6] == 't') {
                options.max_terms = count;
            } else {
                options.max_shapes = count;
            }
        } else if (cvp_cli_is_option(arg, "--timeout") || cvp_cli_is_option(arg, "--max-memory")) {
            /* cli/cli_limits.h, check/limits.h */
            bool timeout = cvp_cli_is_option(arg, "--timeout");
            const char *name = timeout ? "--timeout" : "--max-memory";
            size_t bytes = 0;
            if ((value = cvp_cli_option_value("check", argc, argv, &i, name)) == NULL) {
                rc = CVP_EXIT_USAGE;
            } else if ((timeout ? cvp_cli_parse_seconds(&options.timeout, value, name, &e)
                                : cvp_cli_parse_bytes(&bytes, value, name, &e)) != CVP_OK) {
                fprintf(stderr, "convproof check: %s\n", e.message);
                rc = CVP_EXIT_USAGE;
            } else if (!timeout) {
                cvp_cli_set_max_memory(bytes);
                options.watch_memory = true;
            }
        } else if (cvp_cli_is_option(arg, "--shard")) {
            /* cli/cli_shard.h */
            if ((value = cvp_cli_option_value("check", argc, argv, &i, "--shard")) == NULL
                || !cvp_cli_parse_shard(&shard, value))
                rc = CVP_EXIT_USAGE;
        } else if (cvp_cli_is_option(arg, "--impl-batch")) {
            /* ext/impl_external.h, docs/impl-protocol.md */
            if ((value = cvp_cli_option_value("check", argc, argv, &i,
                                              "--impl-batch")) == NULL
                || cvp_cli_parse_count(&impl_batch, value, "--impl-batch", &e) != CVP_OK
                || impl_batch < 1 || impl_batch > CVP_CLI_IMPL_BATCH_MAX) {
                if (value != NULL)
                    fprintf(stderr, "convproof check: --impl-batch takes a "
                            "number of cases from 1 to %d, not '%s'\n",
                            CVP_CLI_IMPL_BATCH_MAX, value);
                rc = CVP_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--reference") == 0) {
            cvp_fast_set_enabled(false);
        } else if (cvp_cli_is_option(arg, "--jobs") || strncmp(arg, "-j", 2) == 0) {
            /* --jobs N, --jobs=N, -j N, -jN (cli/cli_jobs.h) */
            if (strncmp(arg, "-j", 2) == 0 && arg[2] != '\0')
                value = arg + 2;
            else if ((value = cvp_cli_option_value("check", argc, argv, &i,
                                           arg[1] == 'j' ? "-j" : "--jobs")) == NULL)
                rc = CVP_EXIT_USAGE;
            if (value != NULL && !cvp_cli_parse_jobs(&jobs, value))
                rc = CVP_EXIT_USAGE;
        } else {
            fprintf(stderr, "convproof check: unknown option '%s'\n", arg);
            rc = CVP_EXIT_USAGE;
        }
    }
    if (rc == CVP_EXIT_OK && jobs > 1 && options.watch_memory) {
        /* kernel/alloc.h counts the memory of the whole process: with
         * several claims at a time, one claim's limit would depend on
         * what the others hold, and so would its verdict. */
        fprintf(stderr, "convproof check: --max-memory counts the memory of "
                        "the whole process and needs --jobs 1\n");
        rc = CVP_EXIT_USAGE;
    }
    if (rc == CVP_EXIT_OK && paths.count == 0) {
        fprintf(stderr, "convproof check: no .proof file given\n");
        usage(stderr);
        rc = CVP_EXIT_USAGE;
    }

    /* The shards of one run must draw the same random choices, which
     * separate processes can only do from a seed they are all given. */
    if (rc == CVP_EXIT_OK && shard.count > 0 && !seed_given) {
        fprintf(stderr, "convproof check: --shard needs --seed N, the same in "
                "every shard of the run (draw one fresh number for the run, "
                "e.g. od -An -N4 -tu4 /dev/urandom)\n");
        rc = CVP_EXIT_USAGE;
    }
    /* Without --seed, a seed nobody knew in advance: a claim cannot be
     * built around the primes of `random` (check_random.c). */
    if (rc == CVP_EXIT_OK && !seed_given) {
        uint64_t seed;
        if (!cvp_rng_entropy_seed(&seed)) {
            fprintf(stderr, "convproof check: the operating system gave no random "
                    "seed (getrandom, /dev/urandom); give one with --seed N\n");
            rc = CVP_EXIT_USAGE;
        } else {
            options.seed = seed == 0 ? 1 : seed;   /* --seed takes N >= 1 */
            options.seed_fixed = false;
        }
    }

    /* Parse everything first. */
    cvp_proof_file *files = calloc(paths.count ? paths.count : 1, sizeof *files);
    size_t parsed = 0;
    cvp_lang_error lerr;
    cvp_lang_error_clear(&lerr);
    char message[CVP_ERROR_MESSAGE_MAX + CVP_SOURCE_NAME_MAX + 64];
    for (size_t k = 0; rc == CVP_EXIT_OK && k < paths.count; k++) {
        cvp_proof_file_init(&files[k]);
        parsed++;
        cvp_status st = cvp_proof_parse_file(&files[k], paths.items[k], &lerr);
        if (st != CVP_OK) {
            cvp_lang_error_format(message, sizeof message, &lerr);
            fprintf(stderr, "convproof: %s\n", message);
            rc = st == CVP_ERR_LIMIT ? CVP_EXIT_LIMIT : CVP_EXIT_USAGE;
        }
        /* warnings of a file that parses (a deprecated '/' in a shape) */
        for (size_t n = 0; st == CVP_OK && n < files[k].note_count; n++) {
            cvp_lang_error_format(message, sizeof message, &files[k].notes[n]);
            fprintf(stderr, "convproof: warning: %s\n", message);
        }
    }

    cvp_report report;
    cvp_report_init(&report, PACKAGE_VERSION, options.seed);
    size_t run_total = 0;   /* claims of the whole run, over all shards */
    for (size_t k = 0; k < parsed; k++)
        run_total += files[k].claim_count;
    if (shard.count > 0) {
        report.shard_index = shard.index;
        report.shard_count = shard.count;
        report.shard_total = run_total;
    }
    /* A progress line on a terminal; pictures only for an HTML report. */
    cvp_cli_progress progress;
    size_t claim_total = 0;
    bool want_figures = false;
    if (rc == CVP_EXIT_OK && run_total == 0) {
        /* "0 passed" would read as a success */
        if (paths.count == 1)
            fprintf(stderr, "convproof check: %s: no claim to check\n",
                    paths.items[0]);
        else
            fprintf(stderr, "convproof check: no claim to check in the %zu "
                    "files given\n", paths.count);
        rc = CVP_EXIT_USAGE;
    }
    if (rc == CVP_EXIT_OK)
        claim_total = shard.count ? cvp_cli_shard_size(shard.index, shard.count,
                                                       run_total)
                                  : run_total;
    for (size_t k = 0; k < report_count; k++)
        want_figures |= reports[k].format == CVP_CLI_REPORT_HTML;
    cvp_cli_progress_init(&progress, claim_total, want_figures);
    if (report_count == 0) {   /* the default: text on standard output */
        reports[0].format = CVP_CLI_REPORT_TEXT;
        reports[0].path = NULL;
        report_count = 1;
    }
    /* A text report on standard output is printed claim by claim as the
     * claims are decided (cli.h), unless another report goes there
     * before it: the output then reads as when everything is written at
     * the end. */
    size_t streamed = report_count;   /* the report streamed, if any */
    for (size_t k = 0; k < report_count && streamed == report_count; k++)
        if (reports[k].path == NULL)
            streamed = reports[k].format == CVP_CLI_REPORT_TEXT ? k : SIZE_MAX;
    cvp_cli_stream stream;
    cvp_cli_stream_init(&stream, streamed < report_count ? stdout : NULL, &render,
                        &progress);
    if (rc == CVP_EXIT_OK && jobs > 1) {
        /* nothing reads the counts without --max-memory, and counting on
         * several threads at once is slow (kernel/alloc.h) */
        cvp_alloc_install_uncounted();
        rc = cvp_cli_check_jobs(&report, files, parsed, &options, jobs,
                                impl_batch, &shard, &progress, &stream);
    }
    size_t first = 0;   /* the number of files[k]'s first claim */
    for (size_t k = 0; rc == CVP_EXIT_OK && jobs == 1 && k < paths.count;
         first += files[k].claim_count, k++) {
        /* The file's implementations, run in the file's folder. */
        cvp_impl_registry impls;
        cvp_error ierr;
        cvp_status st = cvp_impl_registry_init(&impls, &files[k], &ierr);
        if (st != CVP_OK) {
            fprintf(stderr, "convproof: %s\n", ierr.message);
            rc = CVP_EXIT_LIMIT;
            break;
        }
        cvp_impl_registry_set_batch(&impls, impl_batch, 1);
        options.external = &impls.external;
        st = cvp_cli_check_file(&report, &files[k], &options, &lerr, &progress,
                                &stream, &shard, first);
        options.external = NULL;
        cvp_impl_registry_clear(&impls);
        if (st != CVP_OK) {
            cvp_lang_error_format(message, sizeof message, &lerr);
            fprintf(stderr, "convproof: %s\n", message);
            rc = st == CVP_ERR_LIMIT ? CVP_EXIT_LIMIT : CVP_EXIT_USAGE;
        }
    }
    cvp_cli_progress_finish(&progress);
    if (rc == CVP_EXIT_OK || rc == CVP_EXIT_LIMIT) {
        for (size_t k = 0; k < report_count; k++) {
            /* the streamed report has printed its claims already */
            int wrc = k == streamed ? cvp_cli_stream_finish(&stream, &report)
                                    : cvp_cli_write_report(&report, &reports[k], &render);
            if (wrc != CVP_EXIT_OK)
                rc = wrc;
        }
        /* Claims with an input error were reported with the others; their
         * messages go to standard error too, where editors look for
         * file:line:col. */
        size_t errors = cvp_report_error_count(&report);
        for (size_t k = 0; errors > 0 && k < report.claim_count; k++)
            if (report.claims[k].error != NULL)
                fprintf(stderr, "convproof: %s\n", report.claims[k].error);
        if (rc == CVP_EXIT_OK) {
            size_t passed, failed, undecided;
            cvp_report_counts(&report, &passed, &failed, &undecided);
            /* An input error is the writer's to fix before any verdict
             * means much; TESTED counts as verified unless proofs were
             * asked for; a failed or undecided claim says more, so it
             * wins. */
            rc = errors ? CVP_EXIT_USAGE
                 : failed ? CVP_EXIT_CLAIM_FAILED
                 : undecided ? CVP_EXIT_LIMIT
                 : strict && cvp_report_tested_count(&report) > 0 ? CVP_EXIT_UNPROVED
                 : CVP_EXIT_OK;
        }
    }
    cvp_report_clear(&report);
    for (size_t k = 0; k < parsed; k++)
        cvp_proof_file_clear(&files[k]);
    free(files);
    for (size_t k = 0; k < paths.count; k++)
        free(paths.items[k]);
    free(paths.items);
    return rc;
}

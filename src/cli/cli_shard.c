/* cli_shard.c -- `check --shard K/N` parsed, and `convproof merge-reports
 * [options] REPORT.json...`: the JSON reports of the shards of one run
 * (`check --shard K/N --report json`) joined into the report of the whole
 * run, in any format, with the exit status the whole run would have had
 * (cli_shard.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_shard.h"
#include "report/report_read.h"

/* A report larger than this is not one convproof wrote for a sane run. */
#define MERGE_MAX_BYTES ((size_t)1 << 30)

static void usage(FILE *stream)
{
    fprintf(stream,
        "usage: convproof merge-reports [options] REPORT.json...\n"
        "\n"
        "Joins the JSON reports of the shards of one run (convproof check\n"
        "--shard K/N --report json -o FILE) into the report of the whole run:\n"
        "the same claims, verdicts and order as one run of every shard's\n"
        "claims, and its exit status.  The shards may be given in any order;\n"
        "all N must be there, from one run (same version, seed and claims).\n"
        "Reports of whole runs (without --shard) are joined in the order given.\n"
        "\n"
        "options:\n"
        "  --report FORMAT     text, md, json, html or junit; repeatable; each\n"
        "                      may be followed by -o FILE (default: text on\n"
        "                      stdout); html has no pictures (the JSON of the\n"
        "                      shards does not carry them)\n"
        "  -o FILE             write the preceding --report to FILE\n"
        "  --quiet             text: only claims that did not pass, and the\n"
        "                      summary line\n"
        "  --verbose           text: statements and evidence of every claim\n"
        "  --full              every entry of a counterexample's tensors\n"
        "  --color[=WHEN]      text: ANSI colours: auto, always, never\n"
        "  --help              this text\n"
        "\n"
        "exit status: as the whole run: 0 every claim passed, 1 some claim\n"
        "failed, 3 some claim undecided; 2 usage error or a report that is\n"
        "not a convproof JSON report, or reports that are not one run.\n");
}

/* Digits only, at most CVP_CLI_SHARD_MAX; false otherwise. */
static bool parse_number(size_t *out, const char *text, size_t len)
{
    size_t v = 0;
    if (len == 0)
        return false;
    for (size_t k = 0; k < len; k++) {
        if (text[k] < '0' || text[k] > '9')
            return false;
        v = 10 * v + (size_t)(text[k] - '0');
        if (v > CVP_CLI_SHARD_MAX)
            return false;
    }
    *out = v;
    return true;
}

bool cvp_cli_parse_shard(cvp_cli_shard *shard, const char *text)
{
    const char *slash = strchr(text, '/');
    size_t k, n;
    if (slash == NULL || !parse_number(&k, text, (size_t)(slash - text))
        || !parse_number(&n, slash + 1, strlen(slash + 1))) {
        fprintf(stderr, "convproof check: --shard wants K/N, two whole "
                "numbers such as 2/5 (N at most %d), not '%s'\n",
                CVP_CLI_SHARD_MAX, text);
        return false;
    }
    if (n == 0 || k < 1 || k > n) {
        fprintf(stderr, "convproof check: --shard %s: K must be from 1 to N "
                "(shards are numbered 1..N)\n", text);
        return false;
    }
    shard->index = k;
    shard->count = n;
    return true;
}

/* Reads the whole file; NULL after printing why. */
static char *read_file(const char *path, size_t *len)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (in == NULL) {
        fprintf(stderr, "convproof merge-reports: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *data = malloc(cap);
    while (data != NULL) {
        if (n == cap) {
            char *bigger = cap < MERGE_MAX_BYTES ? realloc(data, 2 * cap) : NULL;
            if (bigger == NULL) {
                fprintf(stderr, "convproof merge-reports: %s: larger than "
                                "%zu bytes\n", path, MERGE_MAX_BYTES);
                free(data);
                data = NULL;
                break;
            }
            data = bigger;
            cap *= 2;
        }
        size_t got = fread(data + n, 1, cap - n, in);
        n += got;
        if (got == 0) {
            if (ferror(in)) {
                fprintf(stderr, "convproof merge-reports: %s: cannot read\n", path);
                free(data);
                data = NULL;
            }
            break;
        }
    }
    if (in != stdin)
        fclose(in);
    *len = n;
    return data;
}

static bool same_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Checks that reports[0..n-1] are one run and joins them into *merged.
 * Prints why not and returns false otherwise. */
static bool merge(cvp_report *merged, cvp_report *reports, char **paths, size_t n)
{
    const cvp_report *first = &reports[0];
    for (size_t k = 1; k < n; k++) {
        if (!same_text(reports[k].tool_version, first->tool_version)) {
            fprintf(stderr, "convproof merge-reports: %s was written by "
                    "convproof %s, %s by %s: not one run\n", paths[0],
                    first->tool_version ? first->tool_version : "(unknown)",
                    paths[k], reports[k].tool_version ? reports[k].tool_version
                                                      : "(unknown)");
            return false;
        }
        if (reports[k].seed != first->seed) {
            fprintf(stderr, "convproof merge-reports: %s has seed %llu, %s "
                    "seed %llu: the shards of one run share its seed (run "
                    "every shard with the same --seed)\n", paths[0], first->seed,
                    paths[k], reports[k].seed);
            return false;
        }
        if ((reports[k].shard_count == 0) != (first->shard_count == 0)) {
            fprintf(stderr, "convproof merge-reports: %s is %s, %s is not: "
                    "give the shards of one run, or whole runs\n",
                    first->shard_count ? paths[0] : paths[k],
                    "a report of check --shard", first->shard_count ? paths[k] : paths[0]);
            return false;
        }
    }
    cvp_report_init(merged, first->tool_version, first->seed);
    if (first->shard_count == 0) {
        for (size_t k = 0; k < n; k++)
            cvp_report_move_claims(merged, &reports[k]);
        return true;
    }
    size_t count = first->shard_count, total = first->shard_total;
    if (n != count) {
        fprintf(stderr, "convproof merge-reports: %zu report%s given, but the "
                "run has %zu shards\n", n, n == 1 ? "" : "s", count);
        return false;
    }
    /* by_index[K-1]: the report of shard K */
    cvp_report **by_index = calloc(count, sizeof *by_index);
    if (by_index == NULL) {
        fprintf(stderr, "convproof merge-reports: out of memory\n");
        return false;
    }
    bool ok = true;
    for (size_t k = 0; ok && k < n; k++) {
        cvp_report *r = &reports[k];
        size_t want = cvp_cli_shard_size(r->shard_index, count, total);
        if (r->shard_count != count || r->shard_total != total) {
            fprintf(stderr, "convproof merge-reports: %s is shard %zu/%zu of a "
                    "run of %zu claims, %s shard %zu/%zu of %zu: not one run\n",
                    paths[0], first->shard_index, count, total, paths[k],
                    r->shard_index, r->shard_count, r->shard_total);
            ok = false;
        } else if (by_index[r->shard_index - 1] != NULL) {
            size_t other = (size_t)(by_index[r->shard_index - 1] - reports);
            fprintf(stderr, "convproof merge-reports: %s and %s are both shard "
                    "%zu/%zu\n", paths[other], paths[k], r->shard_index, count);
            ok = false;
        } else if (r->claim_count != want) {
            fprintf(stderr, "convproof merge-reports: %s: shard %zu/%zu of %zu "
                    "claims has %zu claims, not %zu (cut short?)\n", paths[k],
                    r->shard_index, count, total, r->claim_count, want);
            ok = false;
        } else {
            by_index[r->shard_index - 1] = r;
        }
    }
    /* n == count, every index once: no shard is missing.  Claim i of the
     * run is claim i / N of shard (i mod N) + 1. */
    for (size_t i = 0; ok && i < total; i++)
        cvp_report_take_claim(merged, by_index[i % count], i / count);
    free(by_index);
    return ok;
}

int cvp_cli_merge_reports(int argc, char **argv)
{
    cvp_render_options render = {false, false, false, false};
    cvp_cli_report_request reports[CVP_CLI_MAX_REPORTS];
    size_t report_count = 0;
    int report_rc, rc = CVP_EXIT_OK;
    char **paths = calloc(argc > 0 ? (size_t)argc : 1, sizeof *paths);
    size_t path_count = 0;
    bool options_done = false;
    if (paths == NULL) {
        fprintf(stderr, "convproof merge-reports: out of memory\n");
        return CVP_EXIT_LIMIT;
    }
    for (int i = 1; i < argc && rc == CVP_EXIT_OK; i++) {
        const char *arg = argv[i];
        if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
            paths[path_count++] = argv[i];
        } else if (strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            free(paths);
            return CVP_EXIT_OK;
        } else if (strcmp(arg, "--quiet") == 0) {
            render.quiet = true;
        } else if (strcmp(arg, "--verbose") == 0) {
            render.verbose = true;
        } else if (strcmp(arg, "--full") == 0) {
            render.full = true;
        } else if (cvp_cli_is_color_option(arg)) {
            if (!cvp_cli_set_color("merge-reports", arg))
                rc = CVP_EXIT_USAGE;
        } else if ((report_rc = cvp_cli_report_option("merge-reports", argc, argv, &i,
                                                      reports, &report_count)) >= 0) {
            rc = report_rc;
        } else {
            fprintf(stderr, "convproof merge-reports: unknown option '%s'\n", arg);
            rc = CVP_EXIT_USAGE;
        }
    }
    if (rc == CVP_EXIT_OK && path_count == 0) {
        fprintf(stderr, "convproof merge-reports: no report given\n");
        usage(stderr);
        rc = CVP_EXIT_USAGE;
    }
    cvp_report *read = calloc(path_count ? path_count : 1, sizeof *read);
    size_t read_count = 0;
    if (read == NULL) {
        fprintf(stderr, "convproof merge-reports: out of memory\n");
        rc = CVP_EXIT_LIMIT;
    }
    for (size_t k = 0; rc == CVP_EXIT_OK && k < path_count; k++) {
        size_t len;
        char *text = read_file(paths[k], &len);
        if (text == NULL) {
            rc = CVP_EXIT_USAGE;
            break;
        }
        cvp_error e;
        cvp_error_clear(&e);
        if (cvp_report_read_json(&read[k], text, len, paths[k], &e) != CVP_OK) {
            fprintf(stderr, "convproof merge-reports: %s\n", e.message);
            rc = CVP_EXIT_USAGE;
        } else {
            read_count++;
        }
        free(text);
    }
    cvp_report merged;
    memset(&merged, 0, sizeof merged);
    if (rc == CVP_EXIT_OK && !merge(&merged, read, paths, path_count))
        rc = CVP_EXIT_USAGE;
    if (rc == CVP_EXIT_OK) {
        if (report_count == 0) {
            reports[0].format = CVP_CLI_REPORT_TEXT;
            reports[0].path = NULL;
            report_count = 1;
        }
        for (size_t k = 0; k < report_count; k++) {
            int wrc = cvp_cli_write_report(&merged, &reports[k], &render);
            if (wrc != CVP_EXIT_OK)
                rc = wrc;
        }
        if (rc == CVP_EXIT_OK) {
            size_t passed, failed, undecided;
            cvp_report_counts(&merged, &passed, &failed, &undecided);
            /* as `check` would have exited on the whole run */
            rc = cvp_report_error_count(&merged) > 0 ? CVP_EXIT_USAGE
                 : failed ? CVP_EXIT_CLAIM_FAILED
                 : undecided ? CVP_EXIT_LIMIT : CVP_EXIT_OK;
        }
    }
    cvp_report_clear(&merged);
    for (size_t k = 0; k < read_count; k++)
        cvp_report_clear(&read[k]);
    free(read);
    free(paths);
    return rc;
}

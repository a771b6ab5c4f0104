/* cli_test_impl.c -- `convproof test-impl`: test somebody's implementation
 * of conv2d or pooling (an external command speaking the protocol of
 * docs/impl-protocol.md) against the exact operators, shrink the first
 * failure, and report.
 *
 * A clean sweep is reported as TESTED, not PASS: it samples cases, and
 * no number of cases proves an implementation right.
 *
 * Exit status: 0 every operation held on the whole sweep, 1 some operation
 * failed (a finding), 2 usage error, 3 an operation undecided (every case
 * answered "unsupported") or an error of convproof itself (no temporary
 * folder, a report that cannot be written). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_limits.h"
#include "ext/impl.h"
#include "ext/impl_run.h"
#include "report/render.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif



/* SIGINT, SIGTERM or SIGHUP: the runner kills the commands' process
 * groups (which a terminal's Ctrl-C does not reach) and removes their
 * folders, then the command exits with status 3. */
static volatile sig_atomic_t interrupted = 0;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void usage(FILE *stream)
{
    fprintf(stream,
        "usage: convproof test-impl --command CMD --op OP [options]\n"
        "\n"
        "Runs CMD (through /bin/sh) once per test case, giving it the inputs\n"
        "as .npy files and a JSON request on standard input (the protocol of\n"
        "docs/impl-protocol.md), and checks every output against the exact\n"
        "operator: exactly where float64 must be exact, else within the\n"
        "rigorous rounding bound.  The first failure is shrunk to a smallest\n"
        "failing case.\n"
        "\n"
        "operations (--op, repeatable, comma-separated, or 'all'):\n"
        "  conv2d, conv2d_backward, max_pool2d, max_pool2d_backward,\n"
        "  avg_pool2d, avg_pool2d_backward\n"
        "\n"
        "options:\n"
        "  --command CMD       the implementation, e.g. 'python3 my_conv.py'\n"
        "  --op OP             what to test\n"
        "  --layout L          nchw (PyTorch: NCHW, OIHW kernels; the default)\n"
        "                      or nhwc (NHWC, HWIO kernels, bias 1x1x1xC_out);\n"
        "                      an implementation that answers \"unsupported\"\n"
        "                      naming other layouts only is a usage error\n"
        "  --shapes SPEC       parameter ranges, e.g. N=1..2,H=3..8,K=2\n"
        "                      (N C O H W K S P D G; repeatable): N batch,\n"
        "                      C input and O output channels, H W input\n"
        "                      size, K kernel (pooling: window), S stride,\n"
        "                      D dilation, G groups; P padding on each side:\n"
        "                      conv2d zeros (default 0..2), max_pool2d\n"
        "                      minus infinity (it never wins a window)\n"
        "                      and avg_pool2d zeros counted in the divisor\n"
        "                      (both at most half the window; default 0 in\n"
        "                      nhwc, 0..1 in nchw); a _backward op takes\n"
        "                      the P of its forward op\n"
        "  --values LO..HI     integers of the ordinary cases (default -9..9)\n"
        "  --trials N          random cases after the grid (default 40)\n"
        "  --seed N            seed of the sweep (default 1)\n"
        "  --no-large          leave out the cases with integers up to 2^30\n"
        "  --timeout SECONDS   time limit of one run (default 10)\n"
        "  --jobs N            runs at the same time (default: CPUs, at most 8)\n"
        "  --batch N           cases per run (default 1; see the protocol)\n"
        "  --no-shrink         report the first failing case as found\n"
        "  --max-shrink-runs N stop shrinking after N runs (default 1000)\n"
        "  --max-entries N     largest tensor of a case (default 4000000, at\n"
        "                      most 10^10)\n"
        "  --report FORMAT     text, md, json, html or junit; repeatable; each\n"
        "                      may be followed by -o FILE (default: text on\n"
        "                      stdout)\n"
        "  -o FILE             write the preceding --report to FILE\n"
        "  --brief             text: without statements and sweep coverage\n"
        "  --color[=WHEN]      text: ANSI colours: auto (default: on a terminal,\n"
        "                      unless NO_COLOR is set), always, never\n"
        "  --help              this text\n"
        "\n"
        "An operation that held on every case is reported as TESTED: the sweep\n"
        "samples cases, it does not prove the implementation right.\n"
        "\n"
        "exit status: 0 every operation held on every case tested, 1 a finding,\n"
        "2 usage error, 3 an operation undecided (every case answered\n"
        "\"unsupported\") or an error of convproof itself.\n");
}

/* Adds the operations of "conv2d,max_pool2d" or "all". */
static bool add_ops(bool *ops, const char *text)
{
    if (strcmp(text, "all") == 0) {
        for (int k = 0; k < CVP_IMPL_OP_COUNT; k++)
            ops[k] = true;
        return true;
    }
    char *copy = strdup(text);
    CVP_ASSERT(copy != NULL);
    bool ok = true;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL && ok;
         tok = strtok_r(NULL, ",", &save)) {
        cvp_impl_op op;
        if (cvp_impl_op_parse(&op, tok)) {
            ops[op] = true;
        } else {
            fprintf(stderr, "convproof test-impl: unknown operation '%s' "
                    "(conv2d, conv2d_backward, max_pool2d, max_pool2d_backward, "
                    "avg_pool2d, avg_pool2d_backward, all)\n", tok);
            ok = false;
        }
    }
    if (copy[0] == '\0') {
        fprintf(stderr, "convproof test-impl: --op needs an operation\n");
        ok = false;
    }
    free(copy);
    return ok;
}

static bool parse_seconds(double *out, const char *text)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(v > 0) || v > 86400)
        return false;
    *out = v;
    return true;
}

/* Joins the --shapes options with commas (later ones win). */
static char *join_shapes(char *joined, const char *more)
{
    size_t a = joined ? strlen(joined) : 0, b = strlen(more);
    char *s = realloc(joined, a + b + 2);
    CVP_ASSERT(s != NULL);
    if (a > 0)
        s[a++] = ',';
    memcpy(s + a, more, b + 1);
    return s;
}

int cvp_cli_test_impl(int argc, char **argv)
{
    cvp_impl_test_options options;
    cvp_impl_test_options_default(&options);
    cvp_render_options render = {true, false, false, false};
    cvp_cli_report_request reports[CVP_CLI_MAX_REPORTS];
    size_t report_count = 0;
    int report_rc;
    bool ops[CVP_IMPL_OP_COUNT] = {false};
    bool any_op = false;
    const char *command = NULL;
    char *shapes = NULL;
    double timeout = 10;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t jobs = cpus < 1 ? 1 : cpus > 8 ? 8 : (size_t)cpus, batch = 1;
    size_t max_entries = 4000000;
    int rc = CVP_EXIT_OK;
    cvp_error e;
    cvp_error_clear(&e);

    for (int i = 1; i < argc && rc == CVP_EXIT_OK; i++) {
        const char *arg = argv[i], *value = NULL;
        size_t count;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            free(shapes);
            return CVP_EXIT_OK;
        } else if (strcmp(arg, "--brief") == 0) {
            render.verbose = false;
        } else if (cvp_cli_is_color_option(arg)) {
            if (!cvp_cli_set_color("test-impl", arg))
                rc = CVP_EXIT_USAGE;
        } else if (strcmp(arg, "--no-shrink") == 0) {
            options.shrink = false;
        } else if (strcmp(arg, "--no-large") == 0) {
            options.large = false;
        } else if (cvp_cli_is_option(arg, "--command")) {
            if ((value = cvp_cli_option_value("test-impl", argc, argv, &i, "--command")) == NULL)
                rc = CVP_EXIT_USAGE;
            else if (value[0] == '\0') {
                fprintf(stderr, "convproof test-impl: --command is empty\n");
                rc = CVP_EXIT_USAGE;
            } else
                command = value;
        } else if (cvp_cli_is_option(arg, "--op")) {
            if ((value = cvp_cli_option_value("test-impl", argc, argv, &i, "--op")) == NULL
                || !add_ops(ops, value))
                rc = CVP_EXIT_USAGE;
            else
                any_op = true;
        } else if (cvp_cli_is_option(arg, "--layout")) {
            if ((value = cvp_cli_option_value("test-impl", argc, argv, &i, "--layout")) == NULL)
                rc = CVP_EXIT_USAGE;
            else if (!cvp_impl_layout_parse(&options.layout, value)) {
                fprintf(stderr, "convproof test-impl: unknown layout '%s' "
                        "(nchw, nhwc)\n", value);
                rc = CVP_EXIT_USAGE;
            } else
                options.layout_set = true;
        } else if (cvp_cli_is_option(arg, "--shapes")) {
            if ((value = cvp_cli_option_value("test-impl", argc, argv, &i, "--shapes")) == NULL)
                rc = CVP_EXIT_USAGE;
            else {
                /* Checked here so a typo fails before anything runs. */
                cvp_impl_space probe;
                cvp_impl_space_default(&probe, CVP_IMPL_CONV2D, CVP_IMPL_NCHW);
                if (cvp_impl_space_parse(&probe, value, &e) != CVP_OK) {
                    fprintf(stderr, "convproof test-impl: %s\n", e.message);
                    rc = CVP_EXIT_USAGE;
                } else
                    shapes = join_shapes(shapes, value);
            }
        } else if (cvp_cli_is_option(arg, "--values")) {
            cvp_cli_range range;
            if ((value = cvp_cli_option_value("test-impl", argc, argv, &i, "--values")) == NULL)
                rc = CVP_EXIT_USAGE;
            else if (cvp_cli_parse_range(&range, value, &e) != CVP_OK
                     || range.lo < -(INT64_C(1) << 40)
                     || range.hi > (INT64_C(1) << 40)) {
                const char *why = e.status != CVP_OK ? e.message
                                                     : "at most 2^40 in magnitude";
                if (strncmp(why, "--range: ", 9) == 0)
                    why += 9;
                fprintf(stderr, "convproof test-impl: --values: %s\n", why);
                rc = CVP_EXIT_USAGE;
            } else {
                options.values.lo = (long)range.lo;
                options.values.hi = (long)range.hi;
                options.values_set = true;
            }
        } else if (cvp_cli_is_option(arg, "--trials") || cvp_cli_is_option(arg, "--seed")
                   || cvp_cli_is_option(arg, "--jobs") || cvp_cli_is_option(arg, "--batch")
                   || cvp_cli_is_option(arg, "--max-shrink-runs")
                   || cvp_cli_is_option(arg, "--max-entries")) {
            const char *name = cvp_cli_is_option(arg, "--trials") ? "--trials"
                             : cvp_cli_is_option(arg, "--seed") ? "--seed"
                             : cvp_cli_is_option(arg, "--jobs") ? "--jobs"
                             : cvp_cli_is_option(arg, "--batch") ? "--batch"
                             : cvp_cli_is_option(arg, "--max-entries") ? "--max-entries"
                                                         : "--max-shrink-runs";
            bool zero_ok = strcmp(name, "--trials") == 0
                           || strcmp(name, "--seed") == 0;
            if ((value = cvp_cli_option_value("test-impl", argc, argv, &i, name)) == NULL) {
                rc = CVP_EXIT_USAGE;
            } else if (zero_ok && strcmp(value, "0") == 0) {
                count = 0;
            } else if (cvp_cli_parse_count(&count, value, name, &e) != CVP_OK) {
                fprintf(stderr, "convproof test-impl: %s\n", e.message);
                rc = CVP_EXIT_USAGE;
            }
            if (rc == CVP_EXIT_OK) {
                if (strcmp(name, "--trials") == 0) {
                    if (count > 100000) {
                        fprintf(stderr, "convproof test-impl: --trials: at "
                                "most 100000\n");
                        rc = CVP_EXIT_USAGE;
                    }
                    options.trials = count;
                } else if (strcmp(name, "--seed") == 0) {
                    options.seed = count;
                } else if (strcmp(name, "--jobs") == 0) {
                    jobs = count > 64 ? 64 : count;
                } else if (strcmp(name, "--batch") == 0) {
                    batch = count > 1000 ? 1000 : count;
                } else if (strcmp(name, "--max-entries") == 0) {
                    if (count > CVP_CLI_MAX_ENTRIES) {
                        fprintf(stderr, "convproof test-impl: --max-entries: "
                                "at most %zu\n", CVP_CLI_MAX_ENTRIES);
                        rc = CVP_EXIT_USAGE;
                    }
                    max_entries = count;
                } else {
                    options.max_shrink_runs = count;
                }
            }
        } else if (cvp_cli_is_option(arg, "--timeout")) {
            if ((value = cvp_cli_option_value("test-impl", argc, argv, &i, "--timeout")) == NULL)
                rc = CVP_EXIT_USAGE;
            else if (!parse_seconds(&timeout, value)) {
                fprintf(stderr, "convproof test-impl: --timeout: expected "
                        "seconds above 0 (at most 86400), got '%s'\n", value);
                rc = CVP_EXIT_USAGE;
            }
        } else if ((report_rc = cvp_cli_report_option("test-impl", argc, argv, &i, reports,
                                                      &report_count)) >= 0) {
            rc = report_rc;
        } else {
            fprintf(stderr, "convproof test-impl: unknown %s '%s'\n",
                    arg[0] == '-' ? "option" : "argument", arg);
            rc = CVP_EXIT_USAGE;
        }
    }
    if (rc == CVP_EXIT_OK && (command == NULL || !any_op)) {
        fprintf(stderr, "convproof test-impl: %s\n",
                command == NULL ? "--command is required" : "--op is required");
        fprintf(stderr, "try 'convproof test-impl --help'\n");
        rc = CVP_EXIT_USAGE;
    }
    if (rc != CVP_EXIT_OK) {
        free(shapes);
        return rc;
    }

    /* A case too large to evaluate exactly in reasonable time is an
     * error (exit 3) rather than minutes of work or gigabytes. */
    cvp_tensor_set_max_entries(max_entries);
    cvp_impl_runner runner;
    cvp_impl_runner_init(&runner, command, options.layout);
    runner.timeout = timeout;
    runner.jobs = jobs;
    runner.batch = batch;
    options.command = command;
    options.shapes = shapes;
    options.window = jobs * batch;
    runner.interrupted = &interrupted;
    struct sigaction action, old_int, old_term, old_hup;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int);
    sigaction(SIGTERM, &action, &old_term);
    sigaction(SIGHUP, &action, &old_hup);

    /* One line per operation on a terminal, so a long sweep is not
     * silent; nothing when stderr is a file or a pipe. */
    bool show_progress = isatty(STDERR_FILENO) != 0;
    cvp_report report;
    cvp_report_init(&report, PACKAGE_VERSION, options.seed);
    for (int k = 0; k < CVP_IMPL_OP_COUNT && rc == CVP_EXIT_OK; k++) {
        if (!ops[k])
            continue;
        if (show_progress) {
            fprintf(stderr, "convproof test-impl: %s ...\n",
                    cvp_impl_op_get((cvp_impl_op)k)->name);
            fflush(stderr);
        }
        cvp_status st = cvp_impl_test(&report, (cvp_impl_op)k, &options,
                                      cvp_impl_run, &runner, &e);
        if (st != CVP_OK) {
            fprintf(stderr, "convproof test-impl: %s\n", e.message);
            rc = st == CVP_ERR_INPUT ? CVP_EXIT_USAGE : CVP_EXIT_LIMIT;
        }
    }
    if (rc == CVP_EXIT_OK) {
        if (report_count == 0) {
            reports[0].format = CVP_CLI_REPORT_TEXT;
            reports[0].path = NULL;
            report_count = 1;
        }
        for (size_t k = 0; k < report_count; k++) {
            int wrc = cvp_cli_write_report(&report, &reports[k], &render);
            if (wrc != CVP_EXIT_OK)
                rc = wrc;
        }
        if (rc == CVP_EXIT_OK) {
            size_t passed, failed, undecided;
            cvp_report_counts(&report, &passed, &failed, &undecided);
            rc = failed ? CVP_EXIT_CLAIM_FAILED
                 : undecided ? CVP_EXIT_LIMIT : CVP_EXIT_OK;
        }
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    cvp_report_clear(&report);
    free(shapes);
    return rc;
}

/* main.c -- the `convproof` command: dispatches to a subcommand.
 *
 *   convproof --help | -h        what the command does
 *   convproof --version          the version
 *   convproof COMMAND ...        run COMMAND (convproof COMMAND --help)
 *
 * New subcommands (check, ...) are one entry in `commands`.
 */
#include <stdio.h>
#include <malloc.h>
#include <string.h>

#include "cli/cli.h"
#include "kernel/alloc.h"
#include "lang/lang_error.h"
#include "lang/suggest.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"check", cvp_cli_check, "decide the claims of .proof files"},
    {"eval", cvp_cli_eval, "evaluate an expression exactly and print it"},
    {"merge-reports", cvp_cli_merge_reports,
     "join the JSON reports of check --shard into one report"},
    {"test-impl", cvp_cli_test_impl,
     "test a conv/pool implementation (a command) against the exact operators"},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_usage(FILE *stream)
{
    fprintf(stream,
            "usage: convproof COMMAND [ARGUMENTS]\n"
            "       convproof --help | --version\n"
            "\n"
            "convproof decides claims about convolutional networks in exact\n"
            "rational arithmetic.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(stream, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fprintf(stream,
            "\n"
            "'convproof COMMAND --help' describes a command.\n"
            "exit status: 0 success, 1 a claim does not hold, 2 usage or\n"
            "input error, 3 internal error or resource limit.\n");
}

/* Large blocks come from the heap and freed ones stay there.  An
 * evaluation makes and drops many tensors of tens of MB (operands copied
 * out of the bindings, products, their sums); by default glibc maps each
 * afresh and unmaps it when freed, so every one costs a page fault per 4
 * KB at its first touch -- a quarter of a second in a `random` claim at
 * exercise 5-4's size, on this project's test machine.  Reused heap
 * memory has no such cost.  The price is that the process keeps its peak
 * memory until it exits, which for a command that runs to completion is
 * no price at all.  (Threads' own arenas still map blocks too large for
 * them; malloc falls back to that by itself.) */
static void keep_freed_memory(void)
{
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, -1);
}

int main(int argc, char **argv)
{
    /* GMP and MPFR allocate through the counting functions from the start,
     * so that a memory limit (cvp_alloc_set_limit) holds for everything. */
    cvp_alloc_install();
    keep_freed_memory();
    if (argc < 2) {
        print_usage(stderr);
        return CVP_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        cvp_cli_print_help(stdout);
        return fflush(stdout) == 0 ? CVP_EXIT_OK : CVP_EXIT_LIMIT;
    }
    if (strcmp(name, "--version") == 0) {
        cvp_cli_print_version(stdout);
        return fflush(stdout) == 0 ? CVP_EXIT_OK : CVP_EXIT_LIMIT;
    }
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);

    char shown[120];
    cvp_lang_quote(shown, sizeof shown, name, strlen(name));
    cvp_suggest suggest;
    cvp_suggest_init(&suggest, name);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        cvp_suggest_consider(&suggest, commands[i].name);
    if (name[0] == '-')
        fprintf(stderr, "convproof: unknown option '%s'\n", shown);
    else if (suggest.best != NULL)
        fprintf(stderr, "convproof: unknown command '%s' (did you mean "
                        "'%s'?)\n", shown, suggest.best);
    else
        fprintf(stderr, "convproof: unknown command '%s'\n", shown);
    fprintf(stderr, "try 'convproof --help'\n");
    return CVP_EXIT_USAGE;
}

/* cli_help.c -- `convproof --help` and `convproof --version`, in the GNU
 * style: a usage line, a one-paragraph description, the commands, the
 * options, the exit status, where to read more.  The full manual is the
 * man page docs/convproof.1 (`man convproof` after `make install`). */
#include "cli/cli.h"

#include <gmp.h>
#include <mpfr.h>
#include <stdio.h>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

void cvp_cli_print_help(FILE *stream)
{
    fputs(
        "Usage: convproof COMMAND [OPTION]... [ARGUMENT]...\n"
        "  or:  convproof --help | --version\n"
        "Decide claims about convolutional neural networks in exact rational\n"
        "arithmetic: per shape for every real input (symbolic), for every shape\n"
        "(all_shapes), by random identity testing (random) or on concrete\n"
        "instances (exact); never with a tolerance.\n"
        "\n"
        "Commands:\n"
        "  check PATH...     decide the claims of .proof files (folders are\n"
        "                    searched for *.proof) and write reports: text, md,\n"
        "                    json, html, junit\n"
        "  eval 'EXPR'       evaluate an expression exactly and print it;\n"
        "                    with --symbolic, print an explicit matrix with\n"
        "                    symbolic entries (w11, w12, ...)\n"
        "  test-impl         test a conv or pooling implementation (a command)\n"
        "                    against the exact operators\n"
        "  merge-reports     join the JSON reports of check --shard K/N (one\n"
        "                    run split over machines) into one report\n"
        "\n"
        "Options:\n"
        "  -h, --help        display this help and exit\n"
        "      --version     output version information and exit\n"
        "\n"
        "'convproof COMMAND --help' lists the options of COMMAND.\n"
        "\n"
        "Exit status:\n"
        "  0  every claim verified: PASS, or TESTED (held on sampled instances,\n"
        "     not proved) (eval: success)\n"
        "  1  some claim does not hold\n"
        "  2  usage or input error (a malformed proof or expression, a bad file)\n"
        "  3  a limit was reached, a claim was not decided, or an internal error\n"
        "  4  check --strict: every claim verified, but some only TESTED\n"
        "\n"
        "Examples:\n"
        "  convproof check proofs/ --report html -o report.html\n"
        "  convproof eval --symbolic 'jacobian(xcorr(W, X), X)' --shape X=3x3 "
        "--shape W=2x2\n"
        "\n"
        "Full documentation: man convproof (the proof language, every option).\n",
        stream);
}

void cvp_cli_print_version(FILE *stream)
{
    fprintf(stream,
            "convproof %s\n"
            "built with GMP %s and MPFR %s\n",
            PACKAGE_VERSION, gmp_version, mpfr_get_version());
}

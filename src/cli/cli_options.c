/* cli_options.c -- the option parsing the commands share: "--name VALUE"
 * and "--name=VALUE", and the --report FORMAT [-o FILE] pairs of check
 * and test-impl. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

bool cvp_cli_is_option(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

const char *cvp_cli_option_value(const char *command, int argc, char **argv,
                                 int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (*i + 1 >= argc) {
        if (command != NULL)
            fprintf(stderr, "convproof %s: %s needs a value\n", command, name);
        return NULL;
    }
    return argv[++*i];
}

int cvp_cli_report_option(const char *command, int argc, char **argv, int *i,
                          cvp_cli_report_request *reports, size_t *count)
{
    const char *arg = argv[*i], *value;
    if (cvp_cli_is_option(arg, "--report")) {
        if ((value = cvp_cli_option_value(command, argc, argv, i, "--report")) == NULL)
            return CVP_EXIT_USAGE;
        if (*count == CVP_CLI_MAX_REPORTS) {
            fprintf(stderr, "convproof %s: at most %d reports\n", command,
                    CVP_CLI_MAX_REPORTS);
            return CVP_EXIT_USAGE;
        }
        cvp_cli_report_format f = CVP_CLI_REPORT_TEXT;
        bool known = cvp_cli_parse_report_format(&f, value);
        reports[*count].format = f;
        reports[*count].path = NULL;
        ++*count;
        if (!known) {
            fprintf(stderr, "convproof %s: unknown report format '%s' "
                    "(text, md, json, html, junit)\n", command, value);
            return CVP_EXIT_USAGE;
        }
        return CVP_EXIT_OK;
    }
    if (strcmp(arg, "-o") == 0 || cvp_cli_is_option(arg, "--output")) {
        const char *name = strcmp(arg, "-o") == 0 ? "-o" : "--output";
        if ((value = cvp_cli_option_value(command, argc, argv, i, name)) == NULL)
            return CVP_EXIT_USAGE;
        if (*count == 0 || reports[*count - 1].path != NULL) {
            fprintf(stderr, "convproof %s: -o must follow a --report\n", command);
            return CVP_EXIT_USAGE;
        }
        reports[*count - 1].path = value;
        return CVP_EXIT_OK;
    }
    return -1;
}

/* cli_bindings.c -- tensors named on the command line: --let, --random,
 * and the small number formats of --range and --max-entries.
 *
 * Every message names the option and shows the offending text quoted
 * (non-printable bytes as \xNN), since these strings come straight from
 * the user (or a fuzzer).
 */
#include "cli/cli.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "io/npy.h"
#include "io/tensor_text.h"
#include "kernel/rng.h"
#include "lang/lang_error.h"

/* Largest magnitude accepted in --range, so that hi - lo + 1 cannot
 * overflow inside the random generator. */
#define RANGE_LIMIT ((int64_t)1 << 62)

/* Reads an unsigned decimal integer from text[0..len-1] (digits only,
 * at least one); false on anything else or on overflow of `limit`. */
static bool parse_unsigned(uint64_t *out, const char *text, size_t len,
                           uint64_t limit)
{
    if (len == 0)
        return false;
    uint64_t value = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        unsigned digit = (unsigned)(text[i] - '0');
        if (value > (limit - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *out = value;
    return true;
}

static bool parse_signed(int64_t *out, const char *text, size_t len)
{
    bool negative = len > 0 && text[0] == '-';
    size_t skip = len > 0 && (text[0] == '-' || text[0] == '+') ? 1 : 0;
    uint64_t magnitude;
    if (!parse_unsigned(&magnitude, text + skip, len - skip,
                        (uint64_t)RANGE_LIMIT))
        return false;
    *out = negative ? -(int64_t)magnitude : (int64_t)magnitude;
    return true;
}

static void quote(char *buf, size_t size, const char *text)
{
    cvp_lang_quote(buf, size, text, strlen(text));
}

cvp_status cvp_cli_parse_range(cvp_cli_range *range, const char *text,
                               cvp_error *err)
{
    char shown[80];
    quote(shown, sizeof shown, text);
    const char *dots = strstr(text, "..");
    if (dots == NULL
        || !parse_signed(&range->lo, text, (size_t)(dots - text))
        || !parse_signed(&range->hi, dots + 2, strlen(dots + 2)))
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "--range: expected LO..HI with integers of "
                             "magnitude at most 2^62, got '%s'", shown);
    if (range->lo > range->hi)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "--range: LO must not exceed HI, got '%s'",
                             shown);
    return CVP_OK;
}

cvp_status cvp_cli_parse_count(size_t *count, const char *text,
                               const char *option, cvp_error *err)
{
    uint64_t value;
    if (!parse_unsigned(&value, text, strlen(text), SIZE_MAX) || value == 0) {
        char shown[80];
        quote(shown, sizeof shown, text);
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: expected a positive integer, got '%s'",
                             option, shown);
    }
    *count = (size_t)value;
    return CVP_OK;
}

/* Splits "NAME=REST" into a NUL-terminated name (in `name`, of size
 * `size`) and a pointer to REST; checks that NAME is a valid name. */
static cvp_status split_binding(char *name, size_t size, const char **rest,
                                const char *spec, const char *option,
                                const char *form, cvp_error *err)
{
    char shown[120];
    quote(shown, sizeof shown, spec);
    const char *equals = strchr(spec, '=');
    if (equals == NULL)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: expected %s, got '%s'", option, form,
                             shown);
    size_t len = (size_t)(equals - spec);
    if (len == 0)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: expected %s with a name before '=', got "
                             "'%s'", option, form, shown);
    if (len >= size)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: the name in '%s' is longer than %zu "
                             "characters", option, shown, size - 1);
    memcpy(name, spec, len);
    name[len] = '\0';
    if (!cvp_env_valid_name(name))
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: '%s' does not start with a valid name "
                             "(letters, digits and '_', not starting with a "
                             "digit, not true/false)", option, shown);
    *rest = equals + 1;
    return CVP_OK;
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && strcmp(text + n - m, suffix) == 0;
}

cvp_status cvp_cli_bind_let(cvp_env *env, const char *spec, cvp_error *err)
{
    char name[128];
    const char *value;
    cvp_status status = split_binding(name, sizeof name, &value, spec,
                                      "--let", "NAME=FILE or NAME=TENSOR",
                                      err);
    if (status != CVP_OK)
        return status;
    if (value[0] == '\0')
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "--let %s: nothing after '='", name);
    if (cvp_env_lookup(env, name) != NULL)
        return cvp_error_set(err, CVP_ERR_INPUT, "--let %s: '%s' is bound "
                             "twice", name, name);
    cvp_tensor_t tensor;
    cvp_tensor_init(tensor);
    bool inline_text = value[0] == '[' || value[0] == '-' || value[0] == '+'
                       || (value[0] >= '0' && value[0] <= '9');
    if (inline_text) {
        char source[160];
        snprintf(source, sizeof source, "--let %s", name);
        status = cvp_tensor_parse_text(tensor, value, strlen(value), source,
                                       err);
    } else if (ends_with(value, ".npy")) {
        status = cvp_npy_read_file(tensor, value, err);
    } else {
        status = cvp_tensor_read_text_file(tensor, value, err);
    }
    if (status == CVP_OK)
        status = cvp_env_bind(env, name, tensor, err);
    cvp_tensor_clear(tensor);
    return status;
}

/* Parses SHAPE: dimensions joined by 'x' or ','. */
static cvp_status parse_shape(int *rank, size_t *shape, const char *text,
                              size_t len, const char *name, cvp_error *err)
{
    char shown[120];
    cvp_lang_quote(shown, sizeof shown, text, len);
    *rank = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != 'x' && text[i] != ',')
            continue;
        uint64_t dim;
        if (!parse_unsigned(&dim, text + start, i - start, SIZE_MAX))
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "--random %s: expected a shape like 2x3x4, "
                                 "got '%s'", name, shown);
        if (*rank == CVP_MAX_RANK)
            return cvp_error_set(err, CVP_ERR_INPUT,
                                 "--random %s: shape '%s' has more than %d "
                                 "dimensions", name, shown, CVP_MAX_RANK);
        shape[(*rank)++] = (size_t)dim;
        start = i + 1;
    }
    return CVP_OK;
}

cvp_status cvp_cli_bind_random(cvp_env *env, const char *spec,
                               const cvp_cli_range *range, cvp_error *err)
{
    char name[128];
    const char *rest;
    cvp_status status = split_binding(name, sizeof name, &rest, spec,
                                      "--random", "NAME=SHAPE[:SEED]", err);
    if (status != CVP_OK)
        return status;
    if (cvp_env_lookup(env, name) != NULL)
        return cvp_error_set(err, CVP_ERR_INPUT, "--random %s: '%s' is bound "
                             "twice", name, name);
    const char *colon = strchr(rest, ':');
    size_t shape_len = colon != NULL ? (size_t)(colon - rest) : strlen(rest);
    /* Without an explicit seed, each name gets its own stream (a hash of
     * the name), so that `--random X=3x3 --random Y=3x3` are two different
     * tensors: equal inputs would let a false commutativity claim pass. */
    uint64_t seed = 14695981039346656037ULL;   /* FNV-1a */
    for (const char *c = name; *c != '\0'; c++)
        seed = (seed ^ (unsigned char)*c) * 1099511628211ULL;
    if (colon != NULL
        && !parse_unsigned(&seed, colon + 1, strlen(colon + 1), UINT64_MAX)) {
        char shown[80];
        quote(shown, sizeof shown, colon + 1);
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "--random %s: the seed must be a non-negative "
                             "integer, got '%s'", name, shown);
    }
    int rank;
    size_t shape[CVP_MAX_RANK];
    if ((status = parse_shape(&rank, shape, rest, shape_len, name, err))
        != CVP_OK)
        return status;
    cvp_tensor_t tensor;
    cvp_tensor_init(tensor);
    status = cvp_tensor_resize(tensor, rank, shape, err);
    if (status == CVP_OK) {
        cvp_rng rng;
        cvp_rng_seed(&rng, seed);
        cvp_tensor_random_int(tensor, &rng, range->lo, range->hi);
        status = cvp_env_bind(env, name, tensor, err);
    } else {
        cvp_error_prefix(err, "--random %s", name);
    }
    cvp_tensor_clear(tensor);
    return status;
}

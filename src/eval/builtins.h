/* builtins.h -- the registry of functions callable from expressions.
 *
 * Each function is one table entry (builtins_table.c): its name, its
 * parameters in order with their defaults, how many of them may be given
 * by position, and a handler.  The call machinery (eval/call.c) binds
 * the arguments of a call to the parameters -- reporting unknown,
 * duplicate, missing and surplus arguments at their columns -- evaluates
 * them, fills in the defaults and only then runs the handler, so a
 * handler sees every parameter holding a value (none for an absent
 * optional one) and only checks types and ranges through the accessors
 * of eval/call.h.
 *
 * Adding a function is one table entry plus its handler.
 */
#ifndef CVP_BUILTINS_H
#define CVP_BUILTINS_H

#include <stddef.h>

#include "eval/value.h"

#define CVP_BUILTIN_MAX_PARAMS 10

typedef enum {
    CVP_PARAM_REQUIRED,  /* must be given */
    CVP_PARAM_NONE,      /* optional; absent is none */
    CVP_PARAM_INT,       /* default: the integer `int_value` */
    CVP_PARAM_BOOL,      /* default: the boolean int_value != 0 */
    CVP_PARAM_SAME_AS    /* default: the value of parameter `same_as` */
} cvp_param_default;

typedef struct {
    const char *name;            /* NULL ends the list */
    cvp_param_default dflt;
    long int_value;
    const char *same_as;         /* an earlier parameter's name */
} cvp_param_spec;

typedef struct cvp_call cvp_call;    /* eval/call.h */

/* Computes the result of a call into `out` (an initialised value). */
typedef cvp_status (*cvp_builtin_handler)(cvp_value *out, cvp_call *call);

typedef struct {
    const char *name;
    cvp_builtin_handler handler;
    int max_positional;   /* parameters [0, max_positional) by position */
    cvp_param_spec params[CVP_BUILTIN_MAX_PARAMS + 1];
    const char *summary;  /* one line for --help */
} cvp_builtin;

/* The function called `name`, or NULL. */
const cvp_builtin *cvp_builtin_find(const char *name);

/* The i-th registered function (0 <= i < cvp_builtin_count()), in the
 * order of the table, for help texts and suggestions. */
size_t cvp_builtin_count(void);
const cvp_builtin *cvp_builtin_at(size_t i);

/* Number of parameters of fn; index of parameter `name` or -1. */
int cvp_builtin_param_count(const cvp_builtin *fn);
int cvp_builtin_param_index(const cvp_builtin *fn, const char *name);

/* Writes "conv2d(input, weight, [bias], stride=1, ...)" into buf (an
 * optional parameter without default in brackets). */
void cvp_builtin_signature(char *buf, size_t bufsize, const cvp_builtin *fn);

/* The registered function whose name is closest to `name` (for "did you
 * mean"), or NULL. */
const char *cvp_builtin_suggest(const char *name);

#endif

/* env.h -- name -> tensor bindings an expression is evaluated in.
 *
 * The command fills an environment from --let and --random; proof files
 * will fill it from their declarations.
 *
 * Ownership: the environment owns its names (copied) and tensors.
 * cvp_env_lookup returns a pointer into the environment that stays valid
 * until the next cvp_env_bind or cvp_env_clear.
 */
#ifndef CVP_ENV_H
#define CVP_ENV_H

#include <stdbool.h>

#include "kernel/tensor.h"

typedef struct {
    char *name;
    cvp_tensor_t value;
    /* A constant of the problem rather than an input (a proof's dims):
     * its value is kept where inputs become placeholders (mults, size). */
    bool constant;
} cvp_binding;

typedef struct {
    cvp_binding *bindings;
    size_t count, capacity;
} cvp_env;

void cvp_env_init(cvp_env *env);
void cvp_env_clear(cvp_env *env);

/* True when `name` is a valid name: [A-Za-z_][A-Za-z0-9_]* and not one
 * of the reserved words true/false. */
bool cvp_env_valid_name(const char *name);

/* Binds `name` to `value`, which is moved into the environment (`value`
 * is left the scalar 0).  An invalid name, or a name already bound, is
 * CVP_ERR_INPUT; out of memory is CVP_ERR_LIMIT. */
cvp_status cvp_env_bind(cvp_env *env, const char *name, cvp_tensor_t value,
                        cvp_error *err);

/* Named expressions (a proof's `let`s), evaluated where they are used so
 * that they follow the ring and the inputs of each evaluation (a
 * derivative re-evaluates them with seeded inputs).  Borrowed: the
 * caller keeps the names and nodes alive.  A definition may only use
 * earlier definitions, so evaluation cannot cycle. */
typedef struct {
    const char *name;
    const struct cvp_ast_node *expr;
} cvp_definition;

struct cvp_external;   /* eval/external.h */

typedef struct {
    const cvp_definition *items;
    size_t count;
    /* The implementations a proof file declares, for calls such as
     * course.conv2d(X, K); NULL when there are none.  Borrowed. */
    const struct cvp_external *external;
} cvp_definitions;

/* Like cvp_env_bind, marking the binding as a constant (see above). */
cvp_status cvp_env_bind_constant(cvp_env *env, const char *name,
                                 cvp_tensor_t value, cvp_error *err);

/* The tensor bound to `name`, or NULL. */
const cvp_tensor_struct *cvp_env_lookup(const cvp_env *env, const char *name);

#endif

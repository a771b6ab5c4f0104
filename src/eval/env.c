/* env.c -- name -> tensor bindings. */
#include "eval/env.h"

#include <stdlib.h>
#include <string.h>

void cvp_env_init(cvp_env *env)
{
    env->bindings = NULL;
    env->count = 0;
    env->capacity = 0;
}

void cvp_env_clear(cvp_env *env)
{
    for (size_t i = 0; i < env->count; i++) {
        free(env->bindings[i].name);
        cvp_tensor_clear(env->bindings[i].value);
    }
    free(env->bindings);
    cvp_env_init(env);
}

bool cvp_env_valid_name(const char *name)
{
    if (name == NULL || name[0] == '\0')
        return false;
    for (size_t i = 0; name[i] != '\0'; i++) {
        char c = name[i];
        bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                      || c == '_';
        bool digit = c >= '0' && c <= '9';
        if (!letter && !(digit && i > 0))
            return false;
    }
    return strcmp(name, "true") != 0 && strcmp(name, "false") != 0;
}

cvp_status cvp_env_bind(cvp_env *env, const char *name, cvp_tensor_t value,
                        cvp_error *err)
{
    if (!cvp_env_valid_name(name))
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "'%.100s' is not a valid name (letters, digits "
                             "and '_', not starting with a digit, not "
                             "true/false)", name);
    if (cvp_env_lookup(env, name) != NULL)
        return cvp_error_set(err, CVP_ERR_INPUT, "'%.100s' is bound twice",
                             name);
    if (env->count == env->capacity) {
        size_t grown = env->capacity ? 2 * env->capacity : 8;
        cvp_binding *bigger = realloc(env->bindings, grown * sizeof *bigger);
        if (bigger == NULL)
            return cvp_error_set(err, CVP_ERR_LIMIT, "out of memory");
        env->bindings = bigger;
        env->capacity = grown;
    }
    size_t len = strlen(name);
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return cvp_error_set(err, CVP_ERR_LIMIT, "out of memory");
    memcpy(copy, name, len + 1);
    cvp_binding *binding = &env->bindings[env->count++];
    binding->name = copy;
    binding->constant = false;
    cvp_tensor_init(binding->value);
    cvp_tensor_swap(binding->value, value);
    return CVP_OK;
}

cvp_status cvp_env_bind_constant(cvp_env *env, const char *name,
                                 cvp_tensor_t value, cvp_error *err)
{
    cvp_status st = cvp_env_bind(env, name, value, err);
    if (st == CVP_OK)
        env->bindings[env->count - 1].constant = true;
    return st;
}

const cvp_tensor_struct *cvp_env_lookup(const cvp_env *env, const char *name)
{
    for (size_t i = 0; i < env->count; i++)
        if (strcmp(env->bindings[i].name, name) == 0)
            return env->bindings[i].value;
    return NULL;
}

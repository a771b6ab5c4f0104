/* ast.h -- syntax trees of expressions.
 *
 * Every node records the position of the construct it stands for:
 *   number, boolean, name   the first character of the token;
 *   unary                   the operator;
 *   binary                  the operator (so "shape mismatch in '+'"
 *                           points at the '+');
 *   call                    the function name;
 *   tuple, list             the opening bracket.
 * Call arguments record where they start, and keyword arguments also
 * where their keyword is, so errors can point at the argument at fault.
 *
 * Ownership: all nodes, their arrays and their strings belong to one
 * cvp_ast_tree and are freed together by cvp_ast_tree_clear; nothing
 * points back into the source text, which may be freed once parsing is
 * done.  Nodes are read-only to everyone but the parser.
 *
 * Depth: every node knows the height of its subtree, and the parser
 * refuses trees higher than CVP_AST_MAX_DEPTH, so recursive walks over a
 * tree (the evaluator) cannot exhaust the stack whatever the input.
 */
#ifndef CVP_AST_H
#define CVP_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>   /* before gmp.h: it declares gmp_fprintf & co. only then */
#include <gmp.h>

#include "lang/lang_error.h"

#define CVP_AST_MAX_DEPTH 1000
/* Subscripts of one index X[...]: one per axis of the largest tensor
 * (CVP_MAX_RANK of kernel/tensor.h). */
#define CVP_AST_MAX_SUBSCRIPTS 8

typedef enum {
    CVP_AST_NUMBER,   /* exact rational literal */
    CVP_AST_BOOL,     /* true / false */
    CVP_AST_NAME,     /* a variable */
    CVP_AST_UNARY,    /* op is '-' or '+' */
    CVP_AST_BINARY,   /* op is '+', '-', '*', '/' or '@' */
    CVP_AST_CALL,     /* name(args) */
    CVP_AST_TUPLE,    /* (a, b), (a,), () */
    CVP_AST_LIST      /* [a, b] -- a tensor built from equal-shaped items */
} cvp_ast_kind;

typedef struct cvp_ast_node cvp_ast_node;

typedef struct {
    const char *keyword;     /* NUL-terminated, or NULL when positional */
    cvp_srcpos keyword_pos;  /* position of the keyword (if any) */
    cvp_srcpos pos;          /* start of the argument (keyword or value) */
    cvp_ast_node *value;
} cvp_ast_arg;

struct cvp_ast_node {
    cvp_ast_kind kind;
    cvp_srcpos pos;
    int depth;  /* height of the subtree: 1 for a leaf */
    union {
        struct {
            mpq_t value;
            const char *text;   /* literal text, NUL-terminated */
        } number;
        bool boolean;
        struct {
            const char *text;   /* NUL-terminated */
        } name;
        struct {
            char op;
            cvp_ast_node *operand;
        } unary;
        struct {
            char op;
            cvp_ast_node *lhs, *rhs;
        } binary;
        struct {
            const char *name;   /* NUL-terminated */
            cvp_ast_arg *args;
            size_t count;
        } call;
        struct {
            cvp_ast_node **items;
            size_t count;
        } items;  /* tuple and list */
    } u;
};

/* The owner of a tree's memory.  Zero-initialise with cvp_ast_tree_init;
 * `root` is set by the parser. */
typedef struct {
    cvp_ast_node *root;
    void **blocks;        /* every allocation made for the tree */
    size_t block_count, block_capacity;
    void **numbers;       /* the number nodes, whose mpq_t need clearing */
    size_t number_count, number_capacity;
} cvp_ast_tree;

void cvp_ast_tree_init(cvp_ast_tree *tree);

/* Frees every node, array and string of the tree and makes it empty
 * again (it may be reused). */
void cvp_ast_tree_clear(cvp_ast_tree *tree);

/* ---- construction (used by the parser) ------------------------------
 * Each returns NULL when memory runs out; what was allocated still
 * belongs to the tree.  Children are nodes of the same tree. */

/* A zeroed block of `size` bytes owned by the tree. */
void *cvp_ast_alloc(cvp_ast_tree *tree, size_t size);

/* A NUL-terminated copy of text[0..len-1] owned by the tree. */
char *cvp_ast_strdup(cvp_ast_tree *tree, const char *text, size_t len);

/* A node of the given kind with depth 1; a number node gets its mpq_t
 * initialised to 0. */
cvp_ast_node *cvp_ast_new(cvp_ast_tree *tree, cvp_ast_kind kind,
                          cvp_srcpos pos);

/* Writes the tree back as fully parenthesised text, e.g.
 * "(1 + (2 * 3))", "conv2d(X, K, stride=(2, 1))" -- for tests and
 * debugging.  Always NUL-terminates; truncates to bufsize. */
void cvp_ast_to_string(char *buf, size_t bufsize, const cvp_ast_node *node);

/* Readable name of a binary operator for messages, e.g. "'@'". */
const char *cvp_ast_op_name(char op);

#endif

/* ast.c -- memory of syntax trees, and printing them back. */
#include "lang/ast.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cvp_ast_tree_init(cvp_ast_tree *tree)
{
    memset(tree, 0, sizeof *tree);
}

void cvp_ast_tree_clear(cvp_ast_tree *tree)
{
    for (size_t i = 0; i < tree->number_count; i++)
        mpq_clear(((cvp_ast_node *)tree->numbers[i])->u.number.value);
    for (size_t i = 0; i < tree->block_count; i++)
        free(tree->blocks[i]);
    free(tree->blocks);
    free(tree->numbers);
    cvp_ast_tree_init(tree);
}

/* Appends p to a growable array of pointers; false when out of memory. */
static bool push_pointer(void ***array, size_t *count, size_t *capacity,
                         void *p)
{
    if (*count == *capacity) {
        size_t grown = *capacity ? 2 * *capacity : 16;
        void **bigger = realloc(*array, grown * sizeof *bigger);
        if (bigger == NULL)
            return false;
        *array = bigger;
        *capacity = grown;
    }
    (*array)[(*count)++] = p;
    return true;
}

void *cvp_ast_alloc(cvp_ast_tree *tree, size_t size)
{
    void *block = calloc(1, size ? size : 1);
    if (block == NULL)
        return NULL;
    if (!push_pointer(&tree->blocks, &tree->block_count,
                      &tree->block_capacity, block)) {
        free(block);
        return NULL;
    }
    return block;
}

char *cvp_ast_strdup(cvp_ast_tree *tree, const char *text, size_t len)
{
    char *copy = cvp_ast_alloc(tree, len + 1);
    if (copy != NULL)
        memcpy(copy, text, len);
    return copy;
}

cvp_ast_node *cvp_ast_new(cvp_ast_tree *tree, cvp_ast_kind kind,
                          cvp_srcpos pos)
{
    cvp_ast_node *node = cvp_ast_alloc(tree, sizeof *node);
    if (node == NULL)
        return NULL;
    node->kind = kind;
    node->pos = pos;
    node->depth = 1;
    if (kind == CVP_AST_NUMBER) {
        /* Register before initialising so clear never sees a number node
         * whose mpq_t was not set up. */
        if (!push_pointer(&tree->numbers, &tree->number_count,
                          &tree->number_capacity, node))
            return NULL;
        mpq_init(node->u.number.value);
    }
    return node;
}

const char *cvp_ast_op_name(char op)
{
    switch (op) {
    case '+': return "'+'";
    case '-': return "'-'";
    case '*': return "'*'";
    case '/': return "'/'";
    case '@': return "'@'";
    }
    return "operator";
}

/* ---- printing ------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t size, used;
} text_sink;

static void emit(text_sink *sink, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void emit(text_sink *sink, const char *format, ...)
{
    if (sink->used + 1 >= sink->size)
        return;
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(sink->buf + sink->used, sink->size - sink->used,
                      format, ap);
    va_end(ap);
    if (n < 0)
        return;
    sink->used += (size_t)n;
    if (sink->used >= sink->size)
        sink->used = sink->size - 1;
}

static void print_node(text_sink *sink, const cvp_ast_node *node);

static void print_items(text_sink *sink, const cvp_ast_node *node,
                        const char *open, const char *close)
{
    emit(sink, "%s", open);
    for (size_t i = 0; i < node->u.items.count; i++) {
        if (i > 0)
            emit(sink, ", ");
        print_node(sink, node->u.items.items[i]);
    }
    if (node->kind == CVP_AST_TUPLE && node->u.items.count == 1)
        emit(sink, ",");
    emit(sink, "%s", close);
}

static void print_node(text_sink *sink, const cvp_ast_node *node)
{
    switch (node->kind) {
    case CVP_AST_NUMBER:
        emit(sink, "%s", node->u.number.text);
        break;
    case CVP_AST_BOOL:
        emit(sink, "%s", node->u.boolean ? "true" : "false");
        break;
    case CVP_AST_NAME:
        emit(sink, "%s", node->u.name.text);
        break;
    case CVP_AST_UNARY:
        emit(sink, "(%c", node->u.unary.op);
        print_node(sink, node->u.unary.operand);
        emit(sink, ")");
        break;
    case CVP_AST_BINARY:
        emit(sink, "(");
        print_node(sink, node->u.binary.lhs);
        emit(sink, " %c ", node->u.binary.op);
        print_node(sink, node->u.binary.rhs);
        emit(sink, ")");
        break;
    case CVP_AST_CALL:
        emit(sink, "%s(", node->u.call.name);
        for (size_t i = 0; i < node->u.call.count; i++) {
            const cvp_ast_arg *arg = &node->u.call.args[i];
            if (i > 0)
                emit(sink, ", ");
            if (arg->keyword != NULL)
                emit(sink, "%s=", arg->keyword);
            print_node(sink, arg->value);
        }
        emit(sink, ")");
        break;
    case CVP_AST_TUPLE:
        print_items(sink, node, "(", ")");
        break;
    case CVP_AST_LIST:
        print_items(sink, node, "[", "]");
        break;
    }
}

void cvp_ast_to_string(char *buf, size_t bufsize, const cvp_ast_node *node)
{
    if (bufsize == 0)
        return;
    text_sink sink = {buf, bufsize, 0};
    buf[0] = '\0';
    print_node(&sink, node);
}

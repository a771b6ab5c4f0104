/* parser_internal.h -- what parser.c (the parser's state, errors and
 * operator levels) and parser_primary.c (the operands) share.  Not for
 * use outside src/lang/parser*.c: the public interface is parser.h.
 *
 * Every function here reports an error at most once, into parser->err,
 * and returns its status; nodes are allocated in parser->tree (owned by
 * the tree, never freed here). */
#ifndef CVP_PARSER_INTERNAL_H
#define CVP_PARSER_INTERNAL_H

#include "lang/parser.h"

/* An input error at pos (CVP_ERR_INPUT), formatted like printf. */
cvp_status cvp_parser_fail(cvp_parser *parser, cvp_srcpos pos, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* The limit error of a failed allocation in the tree. */
cvp_status cvp_parser_out_of_memory(cvp_parser *parser);

/* Past an opening bracket (newlines up to its partner continue the
 * expression), and past a closing one. */
cvp_status cvp_parser_advance_open(cvp_parser *parser);
cvp_status cvp_parser_advance_close(cvp_parser *parser);

/* The kind of the token after the current one, nothing consumed. */
cvp_token_kind cvp_parser_peek_kind(const cvp_parser *parser);

/* One more level of the grammar's recursion (refused past
 * CVP_AST_MAX_DEPTH). */
cvp_status cvp_parser_enter(cvp_parser *parser);

/* node's depth raised to 1 + child's; refused past CVP_AST_MAX_DEPTH. */
cvp_status cvp_parser_grow_depth(cvp_parser *parser, cvp_ast_node *node,
                                 const cvp_ast_node *child);

/* A call node `name` at `pos` with room for `count` arguments (NULL when
 * out of memory), and appending one (keyword may be NULL). */
cvp_ast_node *cvp_parser_new_call(cvp_parser *parser, const char *name,
                                  cvp_srcpos pos, size_t count);
cvp_status cvp_parser_add_arg(cvp_parser *parser, cvp_ast_node *call,
                              const char *keyword, cvp_ast_node *value);

/* postfix := primary { '[' subscripts ']' | '.' 'T' } (parser_primary.c). */
cvp_status cvp_parser_postfix(cvp_parser *parser, cvp_ast_node **out);

#endif

/* json_read.h -- a small strict JSON reader (RFC 8259), for the reports
 * `convproof merge-reports` reads back (report/report_read.h).
 *
 * The whole text is parsed into a tree of nodes, each with the line and
 * column (1-based; a column is one character) where it starts, so that a reader
 * of the tree can say where a value it refuses is.  Strict means: exactly
 * one value, surrounded only by white space; no comments, no trailing
 * commas, no single quotes; strings of valid UTF-8 without raw control
 * characters, escapes as RFC 8259 lists them with surrogates paired, and
 * no \u0000 (strings are NUL-terminated C strings here); numbers as the
 * RFC's grammar writes them; no duplicate keys in an object; at most
 * CVP_JSON_READ_MAX_DEPTH levels of nesting.  Anything else is
 * CVP_ERR_INPUT with "SOURCE:LINE:COL: what" in the error.
 *
 * Ownership: a node owns its text, keys and children; cvp_json_node_clear
 * frees them.  Running out of memory is fatal (an always-on assertion), as
 * in the rest of the library.
 */
#ifndef CVP_JSON_READ_H
#define CVP_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/status.h"

#define CVP_JSON_READ_MAX_DEPTH 64

/* The length of the valid UTF-8 sequence at s (at most `len` bytes: 1 to
 * 4), or 0 when it is not one (overlong forms, surrogates, code points
 * above U+10FFFF, a cut sequence, len 0).  The reader's strings and the
 * writer's (ext/json.h) are judged by this one function. */
size_t cvp_json_utf8_length(const unsigned char *s, size_t len);

typedef enum {
    CVP_JSON_NODE_NULL,
    CVP_JSON_NODE_BOOL,
    CVP_JSON_NODE_NUMBER,
    CVP_JSON_NODE_STRING,
    CVP_JSON_NODE_ARRAY,
    CVP_JSON_NODE_OBJECT
} cvp_json_node_type;

typedef struct cvp_json_node {
    cvp_json_node_type type;
    int line, col;              /* where the value starts */
    bool boolean;               /* BOOL */
    char *text;                 /* STRING: decoded UTF-8; NUMBER: the
                                   literal as written; else NULL */
    size_t count;               /* ARRAY: items; OBJECT: members */
    struct cvp_json_node *items;/* ARRAY items, OBJECT member values */
    char **keys;                /* OBJECT member names, in order */
} cvp_json_node;

/* Parses text[0..len-1] (which need not be NUL-terminated) into *root.
 * `source` names the text in errors (a file name).  On failure *root is
 * left empty (a NULL node) and err says where and why. */
cvp_status cvp_json_read(cvp_json_node *root, const char *text, size_t len,
                         const char *source, cvp_error *err);

/* Frees what the node owns and leaves it a NULL node. */
void cvp_json_node_clear(cvp_json_node *node);

/* The member `key` of an object, or NULL (also when node is no object). */
const cvp_json_node *cvp_json_node_member(const cvp_json_node *node,
                                          const char *key);

/* "null", "a boolean", "a number", "a string", "an array", "an object". */
const char *cvp_json_node_type_name(cvp_json_node_type type);

#endif

/* ms_strlist.h - a capped, ordered list of strings.
 *
 * Session lists (recipients, users, capabilities...) are filled from
 * hostile traffic, so each one stops growing at a cap and counts what it
 * dropped; the owner reports the first drop as an anomaly.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_STRLIST_H
#define MS_STRLIST_H

#include "ms_common.h"

/* Text a list keeps at most, whatever its entry cap: 256 recipients of 2 KB
 * (512 bytes escaped) would otherwise keep 512 KB per ended session. */
#ifndef MS_STRLIST_BYTES_MAX
#define MS_STRLIST_BYTES_MAX 32768
#endif

typedef struct {
    char   **items;    /* owned, NUL-terminated strings */
    uint32_t count;    /* entries stored */
    uint32_t cap;      /* maximum entries stored */
    uint32_t alloc;    /* allocated slots */
    uint32_t bytes;    /* text stored, at most MS_STRLIST_BYTES_MAX */
    uint64_t dropped;  /* entries refused because the list was full */
} ms_strlist_t;

/* Result of an add. */
typedef enum {
    MS_LIST_ADDED,     /* stored */
    MS_LIST_DUPLICATE, /* already present (distinct lists only), not stored */
    MS_LIST_FULL       /* cap reached, counted in 'dropped' */
} ms_list_result_t;

void ms_strlist_init(ms_strlist_t *l, uint32_t cap);
void ms_strlist_clear(ms_strlist_t *l);
/* Would an entry of len bytes be refused (entry cap or text budget reached)? */
bool ms_strlist_full(const ms_strlist_t *l, size_t len);
/* Appends a copy of s (len bytes, need not be NUL-terminated). */
ms_list_result_t ms_strlist_add(ms_strlist_t *l, const char *s, size_t len);
/* Appends only when no equal entry exists (case-sensitive). */
ms_list_result_t ms_strlist_add_distinct(ms_strlist_t *l, const char *s, size_t len);
bool ms_strlist_contains(const ms_strlist_t *l, const char *s, size_t len);
/* The same as ms_strlist_add / ms_strlist_add_distinct (distinct: true), for a
 * string the caller allocated (g_malloc, NUL-terminated, strlen(s) == len):
 * the list keeps it, or frees it when it does not (full, duplicate). Saves a
 * copy of text the caller had to build anyway (escaped text). */
ms_list_result_t ms_strlist_add_owned(ms_strlist_t *l, char *s, size_t len, bool distinct);
/* Keeps the entries in one allocation with their slots (a list that will
 * likely not grow again: an ended session's); the same entries in the same
 * order, and an add still works (it unpacks first). */
void ms_strlist_pack(ms_strlist_t *l);

#endif /* MS_STRLIST_H */

/* ms_strlist.c - a capped, ordered list of strings.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_strlist.h"

#include <glib.h>
#include <string.h>

void ms_strlist_init(ms_strlist_t *l, uint32_t cap)
{
    memset(l, 0, sizeof(*l));
    l->cap = cap;
}

void ms_strlist_clear(ms_strlist_t *l)
{
    for (uint32_t i = 0; i < l->count; i++)
        g_free(l->items[i]);
    g_free(l->items);
    uint32_t cap = l->cap;
    ms_strlist_init(l, cap);
}

bool ms_strlist_contains(const ms_strlist_t *l, const char *s, size_t len)
{
    for (uint32_t i = 0; i < l->count; i++) {
        if (strlen(l->items[i]) == len && memcmp(l->items[i], s, len) == 0)
            return true;
    }
    return false;
}

bool ms_strlist_full(const ms_strlist_t *l, size_t len)
{
    return l->count >= l->cap || len > MS_STRLIST_BYTES_MAX - l->bytes;
}

/* Room for one more entry of len bytes (grows the slots), or false: full. */
static bool make_room(ms_strlist_t *l, size_t len)
{
    if (ms_strlist_full(l, len)) {
        l->dropped++;
        return false;
    }
    if (l->count == l->alloc) {
        uint32_t n = l->alloc ? l->alloc * 2 : 4;
        if (n > l->cap)
            n = l->cap;
        l->items = g_renew(char *, l->items, n);
        l->alloc = n;
    }
    return true;
}

ms_list_result_t ms_strlist_add(ms_strlist_t *l, const char *s, size_t len)
{
    if (!make_room(l, len))
        return MS_LIST_FULL;
    l->items[l->count++] = g_strndup(s, len);
    l->bytes += (uint32_t)len;
    return MS_LIST_ADDED;
}

ms_list_result_t ms_strlist_add_owned(ms_strlist_t *l, char *s, size_t len, bool distinct)
{
    if (distinct && ms_strlist_contains(l, s, len)) {
        g_free(s);
        return MS_LIST_DUPLICATE;
    }
    if (!make_room(l, len)) {
        g_free(s);
        return MS_LIST_FULL;
    }
    l->items[l->count++] = s;
    l->bytes += (uint32_t)len;
    return MS_LIST_ADDED;
}

ms_list_result_t ms_strlist_add_distinct(ms_strlist_t *l, const char *s, size_t len)
{
    if (ms_strlist_contains(l, s, len))
        return MS_LIST_DUPLICATE;
    return ms_strlist_add(l, s, len);
}

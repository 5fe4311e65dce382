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

/* A packed list (ms_strlist_pack()): its entries and their slots are one
 * block, items; no slot is spare (alloc 0). */
static bool packed(const ms_strlist_t *l)
{
    return l->count > 0 && l->alloc == 0;
}

void ms_strlist_clear(ms_strlist_t *l)
{
    if (!packed(l))
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

void ms_strlist_pack(ms_strlist_t *l)
{
    if (l->count == 0 || packed(l))
        return;
    size_t slots = (size_t)l->count * sizeof(char *), text = 0;
    for (uint32_t i = 0; i < l->count; i++)
        text += strlen(l->items[i]) + 1;
    char **block = g_malloc(slots + text);
    char *p = (char *)block + slots;
    for (uint32_t i = 0; i < l->count; i++) {
        size_t n = strlen(l->items[i]) + 1;
        memcpy(p, l->items[i], n);
        g_free(l->items[i]);
        block[i] = p;
        p += n;
    }
    g_free(l->items);
    l->items = block;
    l->alloc = 0;
}

/* A packed list that grows again: each entry its own copy, as before. */
static void unpack(ms_strlist_t *l)
{
    char **block = l->items;
    l->items = g_new(char *, l->count);
    for (uint32_t i = 0; i < l->count; i++)
        l->items[i] = g_strdup(block[i]);
    l->alloc = l->count;
    g_free(block);
}

/* Room for one more entry of len bytes (grows the slots), or false: full. */
static bool make_room(ms_strlist_t *l, size_t len)
{
    if (ms_strlist_full(l, len)) {
        l->dropped++;
        return false;
    }
    if (packed(l))
        unpack(l);
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

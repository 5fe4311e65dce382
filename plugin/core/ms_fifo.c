/* ms_fifo.c - the bounded queue of commands awaiting their replies.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_fifo.h"

#include <glib.h>
#include <string.h>

void ms_fifo_init(ms_fifo_t *q, size_t size, uint32_t cap)
{
    memset(q, 0, sizeof(*q));
    q->size = size;
    q->cap = cap;
    /* a few slots first: most sessions never have more than a handful pending */
    q->alloc = cap < 8 ? cap : 8;
    q->items = g_malloc0(size * q->alloc);
}

void ms_fifo_free(ms_fifo_t *q)
{
    g_free(q->items);
    q->items = NULL;
}

void *ms_fifo_at(const ms_fifo_t *q, uint32_t i)
{
    if (i >= q->count)
        return NULL;
    return q->items + (size_t)((q->head + i) % q->alloc) * q->size;
}

void *ms_fifo_push(ms_fifo_t *q, ms_reporter_t *r, ms_frame_t frame)
{
    if (q->count == q->cap) {
        if (q->dropped++ == 0)
            ms_report_anomaly(r, frame, MS_AN_CAP_REACHED, "More than %u commands await a "
                              "reply: further ones are not matched", q->cap);
        return NULL;
    }
    if (q->count == q->alloc) {
        /* grow, the oldest entry first */
        uint32_t n = q->alloc * 2 < q->cap ? q->alloc * 2 : q->cap;
        uint8_t *items = g_malloc(q->size * n);
        for (uint32_t i = 0; i < q->count; i++)
            memcpy(items + (size_t)i * q->size, ms_fifo_at(q, i), q->size);
        g_free(q->items);
        q->items = items;
        q->alloc = n;
        q->head = 0;
    }
    q->count++;
    void *slot = ms_fifo_at(q, q->count - 1);
    memset(slot, 0, q->size);
    return slot;
}

void ms_fifo_pop(ms_fifo_t *q)
{
    if (q->count == 0)
        return;
    q->head = (q->head + 1) % q->alloc;
    q->count--;
}

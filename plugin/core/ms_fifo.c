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
    q->items = g_malloc0(size * cap);
    q->size = size;
    q->cap = cap;
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
    return q->items + (size_t)((q->head + i) % q->cap) * q->size;
}

void *ms_fifo_push(ms_fifo_t *q, ms_reporter_t *r, ms_frame_t frame)
{
    if (q->count == q->cap) {
        if (q->dropped++ == 0)
            ms_report_anomaly(r, frame, MS_AN_CAP_REACHED, "More than %u commands await a "
                              "reply: further ones are not matched", q->cap);
        return NULL;
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
    q->head = (q->head + 1) % q->cap;
    q->count--;
}

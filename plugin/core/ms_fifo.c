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
    /* no slot until the first push */
}

void ms_fifo_free(ms_fifo_t *q)
{
    g_free(q->items);
    g_free(q->runs);
    ms_fifo_init(q, q->size, q->cap); /* empty, and usable again */
}

bool ms_fifo_spilled_front(const ms_fifo_t *q, uint32_t *kind)
{
    if (q->count > 0 || (q->runs_count == 0 && q->unknown == 0))
        return false;
    *kind = q->runs_count ? q->runs[q->runs_head].kind : MS_FIFO_KIND_UNKNOWN;
    return true;
}

static void spill(ms_fifo_t *q, uint32_t kind)
{
    q->spilled++;
    if (q->unknown == 0 && q->runs_count > 0 &&
        q->runs[q->runs_head + q->runs_count - 1].kind == kind) {
        q->runs[q->runs_head + q->runs_count - 1].count++;
        return;
    }
    if (q->unknown > 0 || q->runs_count == MS_FIFO_SPILL_RUNS) {
        q->unknown++;
        return;
    }
    if (q->runs_head > 0) { /* consumed runs: move the rest to the front */
        memmove(q->runs, q->runs + q->runs_head, q->runs_count * sizeof(*q->runs));
        q->runs_head = 0;
    }
    if (q->runs_count == q->runs_alloc) {
        q->runs_alloc = q->runs_alloc ? q->runs_alloc * 2 : 4;
        if (q->runs_alloc > MS_FIFO_SPILL_RUNS)
            q->runs_alloc = MS_FIFO_SPILL_RUNS;
        q->runs = g_realloc(q->runs, q->runs_alloc * sizeof(*q->runs));
    }
    q->runs[q->runs_count].kind = kind;
    q->runs[q->runs_count].count = 1;
    q->runs_count++;
}

void *ms_fifo_push(ms_fifo_t *q, ms_reporter_t *r, ms_frame_t frame, uint32_t kind)
{
    /* once spilling, keep spilling until the spill is answered: order matters */
    if (q->count == q->cap || q->runs_count > 0 || q->unknown > 0) {
        if (q->dropped++ == 0)
            ms_report_anomaly(r, frame, MS_AN_CAP_REACHED, "More than %u commands await a "
                              "reply: later ones are followed by their kind only (their replies "
                              "get no request/response links, refused recipients no address)",
                              q->cap);
        spill(q, kind);
        return NULL;
    }
    if (q->count == q->alloc) {
        /* grow, the oldest entry first; a few slots first: most sessions
         * never have more than a handful pending */
        uint32_t n = q->alloc ? q->alloc * 2 : 8;
        if (n > q->cap)
            n = q->cap;
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
    if (q->count > 0) {
        q->head = (q->head + 1) % q->alloc;
        q->count--;
    } else if (q->runs_count > 0) {
        q->spilled--;
        if (--q->runs[q->runs_head].count == 0) {
            q->runs_head++;
            if (--q->runs_count == 0)
                q->runs_head = 0;
        }
    } else if (q->unknown > 0) {
        q->spilled--;
        q->unknown--;
    }
}

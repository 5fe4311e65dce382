/* ms_fifo.h - the bounded queue of commands awaiting their replies.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_FIFO_H
#define MS_FIFO_H

#include "ms_session.h"

/*
 * Commands beyond 'cap' are not dropped: that would pair every later reply
 * with the wrong command. They are kept in order as runs of (kind, count)
 * (e.g. 1,000,000 pipelined RCPTs are one run), at most MS_FIFO_SPILL_RUNS
 * runs; beyond that as commands of unknown kind. Their replies are still
 * matched in order, to their kind only: no frame, argument or size.
 */
#ifndef MS_FIFO_SPILL_RUNS
#define MS_FIFO_SPILL_RUNS 1024
#endif
#define MS_FIFO_KIND_UNKNOWN UINT32_MAX

typedef struct {
    uint32_t kind;
    uint64_t count;
} ms_fifo_run_t;

typedef struct {
    uint8_t *items;   /* alloc slots of 'size' bytes, a ring */
    size_t   size;
    uint32_t cap;
    uint32_t alloc;   /* slots allocated: grows up to cap */
    uint32_t head;
    uint32_t count;
    uint64_t dropped; /* pushes kept by kind only (spilled) */
    ms_fifo_run_t *runs;  /* spilled commands, oldest run at runs_head */
    uint32_t runs_head, runs_count, runs_alloc;
    uint64_t unknown;     /* spilled after the runs were full, after them in order */
    uint64_t spilled;     /* all spilled commands waiting (runs + unknown) */
} ms_fifo_t;

void ms_fifo_init(ms_fifo_t *q, size_t size, uint32_t cap);
void ms_fifo_free(ms_fifo_t *q);
/* A zeroed slot at the back; NULL when the command was spilled (kept by
 * kind only; the first time is reported as cap_reached). */
void *ms_fifo_push(ms_fifo_t *q, ms_reporter_t *r, ms_frame_t frame, uint32_t kind);
/* The i-th slot from the front, or NULL (spilled commands have no slot). */
static inline void *ms_fifo_at(const ms_fifo_t *q, uint32_t i)
{
    if (i >= q->count)
        return NULL;
    return q->items + (size_t)((q->head + i) % q->alloc) * q->size;
}
/* Commands waiting, slots and spilled. */
static inline uint64_t ms_fifo_waiting(const ms_fifo_t *q)
{
    return q->count + q->spilled;
}
/* When no slot is left but spilled commands wait: true, and the oldest one's
 * kind (MS_FIFO_KIND_UNKNOWN when not kept). */
bool ms_fifo_spilled_front(const ms_fifo_t *q, uint32_t *kind);
/* Removes the oldest command: a slot, else a spilled one. */
void ms_fifo_pop(ms_fifo_t *q);

#endif /* MS_FIFO_H */

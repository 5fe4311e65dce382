/* ms_fifo.h - the bounded queue of commands awaiting their replies.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_FIFO_H
#define MS_FIFO_H

#include "ms_session.h"

typedef struct {
    uint8_t *items;   /* alloc slots of 'size' bytes, a ring */
    size_t   size;
    uint32_t cap;
    uint32_t alloc;   /* slots allocated: grows up to cap */
    uint32_t head;
    uint32_t count;
    uint64_t dropped; /* pushes refused because the queue was full */
} ms_fifo_t;

void ms_fifo_init(ms_fifo_t *q, size_t size, uint32_t cap);
void ms_fifo_free(ms_fifo_t *q);
/* A zeroed slot at the back; NULL when full (reported once as cap_reached). */
void *ms_fifo_push(ms_fifo_t *q, ms_reporter_t *r, ms_frame_t frame);
/* The i-th slot from the front, or NULL. */
void *ms_fifo_at(const ms_fifo_t *q, uint32_t i);
void ms_fifo_pop(ms_fifo_t *q);

#endif /* MS_FIFO_H */

/* ms_linebuf.h - a bounded line assembler for one direction of a stream.
 *
 * Bytes arrive in arbitrary pieces (TCP segments); lines end with CRLF, or
 * with a bare LF which is tolerated but reported. At most 'keep' bytes of a
 * line are kept; the full length is still counted, so an over-long line is
 * measured and reported without unbounded memory.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_LINEBUF_H
#define MS_LINEBUF_H

#include "ms_common.h"

/* How a line ended. */
typedef enum {
    MS_TERM_CRLF = 0, /* CR LF, as RFC 5321 / RFC 1939 require */
    MS_TERM_LF   = 1, /* bare LF */
    MS_TERM_NONE = 2  /* no terminator: flushed at end of stream */
} ms_term_t;

typedef struct {
    const uint8_t *data;  /* kept bytes, terminator excluded, NUL-terminated copy */
    size_t         len;   /* kept length (<= keep) */
    uint64_t       total; /* real length, terminator excluded */
    ms_term_t      term;
    bool           bare_cr;   /* a CR not followed by LF occurred inside the line */
    bool           truncated; /* total > len */
    ms_frame_t     first_frame; /* frame holding the line's first byte */
} ms_line_t;

typedef struct {
    uint8_t   *buf;      /* alloc + 1 bytes, alloc grows up to keep */
    size_t     keep;
    size_t     alloc;
    size_t     len;      /* bytes kept so far */
    uint64_t   total;    /* bytes seen so far in the current line */
    bool       last_cr;  /* previous byte was CR */
    bool       bare_cr;
    ms_frame_t first_frame;
} ms_linebuf_t;

void ms_linebuf_init(ms_linebuf_t *lb, size_t keep);
/* The same with the smallest buffer (it grows as lines need): for a
 * connection that ended, where more bytes are rare. */
void ms_linebuf_init_small(ms_linebuf_t *lb, size_t keep);
void ms_linebuf_free(ms_linebuf_t *lb);
/* True when part of a line is buffered. */
bool ms_linebuf_pending(const ms_linebuf_t *lb);
/* Drops a partial line (e.g. when the stream switches to raw data). */
void ms_linebuf_reset(ms_linebuf_t *lb);

/*
 * Consumes bytes of data[0..len) up to and including the first line end.
 * Returns the number of bytes consumed (always > 0 when len > 0). When a line
 * was completed, *done is set and *out describes it until the next call.
 */
size_t ms_linebuf_take(ms_linebuf_t *lb, const uint8_t *data, size_t len,
                       ms_frame_t frame, ms_line_t *out, bool *done);

/* Completes a pending partial line without terminator (end of stream). */
bool ms_linebuf_flush(ms_linebuf_t *lb, ms_line_t *out);

#endif /* MS_LINEBUF_H */

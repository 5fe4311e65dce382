/* ms_linebuf.c - a bounded line assembler for one direction of a stream.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_linebuf.h"

#include <glib.h>
#include <string.h>

void ms_linebuf_init(ms_linebuf_t *lb, size_t keep)
{
    memset(lb, 0, sizeof(*lb));
    lb->keep = keep;
    lb->alloc = keep < 128 ? keep : 128;
    lb->buf = g_malloc(lb->alloc + 1);
    lb->buf[0] = '\0';
}

void ms_linebuf_init_small(ms_linebuf_t *lb, size_t keep)
{
    memset(lb, 0, sizeof(*lb));
    lb->keep = keep;
    lb->alloc = keep < 16 ? keep : 16; /* 17 bytes fit malloc's smallest chunk */
    lb->buf = g_malloc(lb->alloc + 1);
    lb->buf[0] = '\0';
}

void ms_linebuf_free(ms_linebuf_t *lb)
{
    g_free(lb->buf);
    lb->buf = NULL;
}

bool ms_linebuf_pending(const ms_linebuf_t *lb)
{
    return lb->total > 0 || lb->last_cr;
}

void ms_linebuf_reset(ms_linebuf_t *lb)
{
    lb->len = 0;
    lb->total = 0;
    lb->last_cr = false;
    lb->bare_cr = false;
    lb->first_frame = 0;
}

static void emit(ms_linebuf_t *lb, ms_term_t term, ms_line_t *out)
{
    lb->buf[lb->len] = '\0';
    out->data = lb->buf;
    out->len = lb->len;
    out->total = lb->total;
    out->term = term;
    out->bare_cr = lb->bare_cr;
    out->truncated = lb->total > lb->len;
    out->first_frame = lb->first_frame;
    /* the next line starts empty; the emitted bytes stay valid until then */
    lb->len = 0;
    lb->total = 0;
    lb->last_cr = false;
    lb->bare_cr = false;
    lb->first_frame = 0;
}

/* Makes room for n more kept bytes (n <= keep - len). */
static void reserve(ms_linebuf_t *lb, size_t n)
{
    if (lb->len + n <= lb->alloc)
        return;
    size_t a = lb->alloc * 2;
    while (a < lb->len + n)
        a *= 2;
    lb->alloc = a < lb->keep ? a : lb->keep;
    lb->buf = g_realloc(lb->buf, lb->alloc + 1);
}

static void append(ms_linebuf_t *lb, uint8_t c)
{
    if (lb->len < lb->keep) {
        reserve(lb, 1);
        lb->buf[lb->len++] = c;
    }
    lb->total++;
}

/* Appends n content bytes (no line end among them): a CR among them is bare. */
static void append_run(ms_linebuf_t *lb, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    if (memchr(p, '\r', n))
        lb->bare_cr = true;
    size_t room = lb->keep - lb->len;
    size_t k = n < room ? n : room;
    reserve(lb, k);
    memcpy(lb->buf + lb->len, p, k);
    lb->len += k;
    lb->total += n;
}

size_t ms_linebuf_take(ms_linebuf_t *lb, const uint8_t *data, size_t len,
                       ms_frame_t frame, ms_line_t *out, bool *done)
{
    *done = false;
    if (len == 0)
        return 0;
    if (lb->total == 0 && !lb->last_cr)
        lb->first_frame = frame;
    if (lb->last_cr) {
        lb->last_cr = false;
        if (data[0] == '\n') {
            emit(lb, MS_TERM_CRLF, out);
            *done = true;
            return 1;
        }
        /* the previous CR was not followed by LF: it is line content */
        lb->bare_cr = true;
        append(lb, '\r');
    }
    const uint8_t *nl = memchr(data, '\n', len);
    if (nl) {
        size_t n = (size_t)(nl - data);
        bool crlf = n > 0 && data[n - 1] == '\r';
        append_run(lb, data, crlf ? n - 1 : n);
        emit(lb, crlf ? MS_TERM_CRLF : MS_TERM_LF, out);
        *done = true;
        return n + 1;
    }
    /* no line end: a CR at the very end may be the first half of CRLF */
    lb->last_cr = data[len - 1] == '\r';
    append_run(lb, data, lb->last_cr ? len - 1 : len);
    return len;
}

bool ms_linebuf_flush(ms_linebuf_t *lb, ms_line_t *out)
{
    if (!ms_linebuf_pending(lb))
        return false;
    if (lb->last_cr) {
        lb->bare_cr = true;
        append(lb, '\r');
        lb->last_cr = false;
    }
    emit(lb, MS_TERM_NONE, out);
    return true;
}

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
    lb->buf = g_malloc(keep + 1);
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

static void append(ms_linebuf_t *lb, uint8_t c)
{
    if (lb->len < lb->keep)
        lb->buf[lb->len++] = c;
    lb->total++;
}

size_t ms_linebuf_take(ms_linebuf_t *lb, const uint8_t *data, size_t len,
                       ms_frame_t frame, ms_line_t *out, bool *done)
{
    *done = false;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if (lb->total == 0 && !lb->last_cr)
            lb->first_frame = frame;
        if (c == '\n') {
            emit(lb, lb->last_cr ? MS_TERM_CRLF : MS_TERM_LF, out);
            *done = true;
            return i + 1;
        }
        if (lb->last_cr) {
            /* the previous CR was not followed by LF: it is line content */
            lb->bare_cr = true;
            append(lb, '\r');
        }
        lb->last_cr = (c == '\r');
        if (!lb->last_cr)
            append(lb, c);
    }
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

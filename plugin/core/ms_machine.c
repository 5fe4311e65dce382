/* ms_machine.c - the one front door to the session machines.
 *
 * The protocol is chosen here, once, from the handler table; everything a
 * connection does whatever its protocol (line intake, TLS guards, gaps,
 * close) is written here and in ms_conn.c, once.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_machine.h"
#include "ms_proto.h"

#include <glib.h>
#include <stddef.h>
#include <string.h>

/*
 * An ended machine (a FIN each way, a reset) is frozen: what rendering reads,
 * the session record, stays as it is, and the rest of the machine (the
 * connection's and the protocol's state, mostly zeros once the queue and line
 * buffers are released) is kept packed, zero runs counted, in the same
 * allocation. Any call that needs more than the record thaws it back, byte
 * for byte, and it is frozen again when the call returns: an ended session
 * that gets more bytes behaves exactly as before. The record moves when the
 * machine freezes or thaws: ms_machine_summary() is valid until the next call.
 */
typedef struct {
    ms_summary_t sum;
    size_t       packed_len;
    uint8_t      packed[]; /* the machine's bytes after its ms_summary_t, packed */
} frozen_t;

struct ms_machine {
    const ms_proto_ops_t *ops;
    ms_conn_t            *c; /* the protocol's machine (ms_conn_t first); NULL: frozen */
    frozen_t             *f; /* while frozen */
};

_Static_assert(offsetof(ms_conn_t, sum) == 0, "the session record starts the machine");

static const ms_proto_ops_t *const protocols[] = {
    [MS_PROTO_SMTP] = &ms_smtp_ops,
    [MS_PROTO_POP3] = &ms_pop3_ops,
};

static const ms_proto_ops_t *ops(const ms_machine_t *m)
{
    return m->ops;
}

/* Packs n bytes into dst: a byte 0x80 | (k - 1) stands for k zero bytes, a
 * byte k - 1 for the k literal bytes after it (k <= 128). Returns the packed
 * length, at most n + n / 128 + 1 (a literal run ends at 128 bytes or before
 * two zeros, which take one byte). */
static size_t pack(const uint8_t *src, size_t n, uint8_t *dst)
{
    size_t i = 0, out = 0;
    while (i < n) {
        size_t k = 0;
        if (src[i] == 0) {
            while (i + k < n && k < 128 && src[i + k] == 0)
                k++;
            dst[out++] = (uint8_t)(0x80 | (k - 1));
        } else {
            /* literal bytes up to the next run of two zeros */
            while (i + k < n && k < 128 &&
                   !(src[i + k] == 0 && (i + k + 1 == n || src[i + k + 1] == 0)))
                k++;
            dst[out] = (uint8_t)(k - 1);
            memcpy(dst + out + 1, src + i, k);
            out += 1 + k;
        }
        i += k;
    }
    return out;
}

static void unpack(const uint8_t *src, size_t len, uint8_t *dst)
{
    size_t i = 0;
    while (i < len) {
        size_t k = (size_t)(src[i] & 0x7F) + 1;
        if (src[i] & 0x80) {
            memset(dst, 0, k);
            i++;
        } else {
            memcpy(dst, src + i + 1, k);
            i += 1 + k;
        }
        dst += k;
    }
}

static void freeze(ms_machine_t *m)
{
    ms_conn_t *c = m->c;
    size_t rest = m->ops->size - sizeof(ms_summary_t);
    /* a line buffer holding no partial line is remade on thawing */
    for (int d = 0; d < 2; d++)
        if (c->lb[d].total == 0 && !c->lb[d].last_cr)
            ms_linebuf_free(&c->lb[d]);
    const uint8_t *src = (const uint8_t *)c + sizeof(ms_summary_t);
    /* packed once into room for the worst case (a header byte per 128
     * literal bytes), then cut to its length */
    frozen_t *f = g_malloc(sizeof(frozen_t) + rest + rest / 128 + 1);
    f->sum = c->sum;
    ms_summary_pack(&f->sum); /* its lists, each in one block */
    f->packed_len = pack(src, rest, f->packed);
    f = g_realloc(f, sizeof(frozen_t) + f->packed_len);
    g_free(c);
    m->c = NULL;
    m->f = f;
}

static void thaw(ms_machine_t *m)
{
    frozen_t *f = m->f;
    ms_conn_t *c = g_malloc(m->ops->size);
    c->sum = f->sum;
    unpack(f->packed, f->packed_len, (uint8_t *)c + sizeof(ms_summary_t));
    for (int d = 0; d < 2; d++)
        if (!c->lb[d].buf)
            ms_linebuf_init_small(&c->lb[d], c->lb[d].keep);
    g_free(f);
    m->f = NULL;
    m->c = c;
}

/* The whole machine, thawed if it was frozen. */
static ms_conn_t *awake(ms_machine_t *m)
{
    if (!m->c)
        thaw(m);
    return m->c;
}

/* After a call: an ended machine freezes again. */
static void settle(ms_machine_t *m)
{
    if (m->c && m->c->ended)
        freeze(m);
}

ms_machine_t *ms_machine_new(ms_proto_t proto, ms_frame_t first_frame, ms_time_t first_ts,
                             ms_note_fn fn, void *ctx)
{
    const ms_proto_ops_t *o = protocols[proto];
    ms_machine_t *m = g_new0(ms_machine_t, 1);
    m->ops = o;
    m->c = g_malloc0(o->size);
    ms_conn_init(m->c, proto, first_frame, first_ts, fn, ctx, o->cmd_size, o->queue_cap,
                 o->unknown_kind, o->line_keep);
    m->c->cmd_name = o->cmd_name;
    return m;
}

ms_conn_t *ms_machine_conn(ms_machine_t *m)
{
    return m->c;
}

void ms_machine_free(ms_machine_t *m)
{
    if (!m)
        return;
    ms_conn_t *c = awake(m);
    ops(m)->clear(c);
    ops(m)->free(c);
    ms_conn_clear(c);
    g_free(c);
    g_free(m);
}

void ms_machine_shrink(ms_machine_t *m)
{
    ms_conn_t *c = awake(m);
    ops(m)->clear(c);
    ms_conn_shrink(c);
    c->ended = true;
    freeze(m);
}

bool ms_machine_fin(ms_machine_t *m, ms_dir_t dir)
{
    if (!m->c)
        return false; /* frozen: ended already (fin[] is read only here) */
    ms_conn_t *c = m->c;
    c->fin[dir] = true;
    if (c->ended || !c->fin[MS_DIR_CLIENT] || !c->fin[MS_DIR_SERVER])
        return false;
    ms_machine_shrink(m);
    return true;
}

void ms_machine_touch(ms_machine_t *m, ms_frame_t frame, ms_time_t ts)
{
    ms_summary_touch(m->c ? &m->c->sum : &m->f->sum, frame, ts);
}

void ms_machine_feed(ms_machine_t *m, ms_dir_t dir, const uint8_t *data, size_t len,
                     ms_frame_t frame, ms_time_t ts)
{
    const ms_proto_ops_t *o = ops(m);
    ms_conn_t *c = awake(m);
    size_t off = 0;

    ms_machine_touch(m, frame, ts);
    while (off < len) {
        if (dir == MS_DIR_CLIENT && c->raw_client) {
            size_t n = o->client_raw(c, data + off, len - off);
            if (n > 0) {
                off += n;
                continue;
            }
        }
        ms_line_t line;
        bool done;
        off += ms_linebuf_take(&c->lb[dir], data + off, len - off, frame, &line, &done);
        if (done && ms_conn_line_in(c, dir, frame))
            (dir == MS_DIR_CLIENT ? o->client_line : o->server_line)(c, &line, frame, ts);
    }
    settle(m);
}

void ms_machine_tls_implicit(ms_machine_t *m)
{
    ms_conn_tls_implicit(awake(m));
    settle(m);
}

void ms_machine_tls_record(ms_machine_t *m, ms_dir_t dir, unsigned type, int alert_level,
                           int alert_desc, ms_frame_t frame, ms_time_t ts)
{
    ms_machine_touch(m, frame, ts);
    ms_conn_tls_record(awake(m), dir, type, alert_level, alert_desc, frame);
    settle(m);
}

void ms_machine_tls_cleartext(ms_machine_t *m, ms_dir_t dir, ms_frame_t frame, ms_time_t ts)
{
    ms_machine_touch(m, frame, ts);
    ms_conn_tls_cleartext(awake(m), dir, frame);
    settle(m);
}

static const char *side(ms_dir_t dir)
{
    return dir == MS_DIR_CLIENT ? "client" : "server";
}

/* Bytes from one side are missing here: the line they cut is dropped. */
static void missing(ms_machine_t *m, ms_dir_t dir, const char *where, ms_frame_t frame,
                    ms_time_t ts)
{
    ms_machine_touch(m, frame, ts);
    ms_conn_t *c = awake(m);
    if (ms_conn_visible(c)) { /* else encrypted and not decrypted: nothing is followed anyway */
        ms_linebuf_reset(&c->lb[dir]);
        const char *what = ops(m)->gap(c, dir);
        ms_report_anomaly(&c->rep, frame, MS_AN_PARTIAL, "Data from the %s is missing %s: %s",
                          side(dir), where, what ? what : "commands or replies may be missing");
    }
    settle(m);
}

void ms_machine_gap(ms_machine_t *m, ms_dir_t dir, ms_frame_t frame, ms_time_t ts)
{
    missing(m, dir, "before this frame (segment not captured)", frame, ts);
}

void ms_machine_cut(ms_machine_t *m, ms_dir_t dir, ms_frame_t frame, ms_time_t ts)
{
    missing(m, dir, "after the captured part of this frame (cut by the capture's snap length)",
            frame, ts);
}

static void close_conn(ms_machine_t *m, ms_conn_t *c, ms_dir_t dir, bool reset, ms_frame_t frame)
{
    if (c->closed)
        return;
    c->closed = true;
    for (int d = 0; d < 2; d++) {
        if (ms_linebuf_pending(&c->lb[d])) {
            ms_report_anomaly(&c->rep, frame, MS_AN_SYNTAX, "The %s's last line has no line "
                              "terminator", side((ms_dir_t)d));
            ms_linebuf_reset(&c->lb[d]);
        }
    }
    if (c->client_lines > 0 && c->server_lines == 0)
        ms_report_anomaly(&c->rep, frame, MS_AN_PARTIAL, "No server data in the capture: only "
                          "the client's side of the session was seen");
    /* a QUIT could not be seen: inside TLS without decryption, or without client data */
    if (!c->quit_sent && ms_conn_client_visible(c))
        ms_report_anomaly(&c->rep, frame, MS_AN_NO_QUIT, "The %s %s the connection without QUIT",
                          side(dir), reset ? "reset" : "closed");
    ms_conn_tls_close(c, dir, reset, frame);
    if (ops(m)->close)
        ops(m)->close(c, frame);
}

void ms_machine_close(ms_machine_t *m, ms_dir_t dir, bool reset, ms_frame_t frame, ms_time_t ts)
{
    ms_machine_touch(m, frame, ts);
    close_conn(m, awake(m), dir, reset, frame);
    settle(m);
}

const ms_summary_t *ms_machine_summary(const ms_machine_t *m)
{
    return m->c ? &m->c->sum : &m->f->sum;
}

uint16_t ms_machine_cmd_kinds(ms_proto_t proto)
{
    return proto <= MS_PROTO_POP3 ? protocols[proto]->cmd_kinds : 0;
}

const char *ms_machine_cmd_name(ms_proto_t proto, uint16_t kind)
{
    return proto <= MS_PROTO_POP3 ? protocols[proto]->cmd_name(kind) : "?";
}

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

struct ms_machine {
    ms_conn_t conn; /* the protocol machine's first member */
};

static const ms_proto_ops_t *const protocols[] = {
    [MS_PROTO_SMTP] = &ms_smtp_ops,
    [MS_PROTO_POP3] = &ms_pop3_ops,
};

static const ms_proto_ops_t *ops(const ms_machine_t *m)
{
    return protocols[m->conn.sum.proto];
}

ms_machine_t *ms_machine_new(ms_proto_t proto, ms_frame_t first_frame, ms_time_t first_ts,
                             ms_note_fn fn, void *ctx)
{
    const ms_proto_ops_t *o = protocols[proto];
    ms_machine_t *m = g_malloc0(o->size);
    ms_conn_init(&m->conn, proto, first_frame, first_ts, fn, ctx, o->cmd_size, o->queue_cap,
                 o->unknown_kind, o->line_keep);
    m->conn.cmd_name = o->cmd_name;
    return m;
}

void ms_machine_free(ms_machine_t *m)
{
    if (!m)
        return;
    ops(m)->clear(&m->conn);
    ops(m)->free(&m->conn);
    ms_conn_clear(&m->conn);
    g_free(m);
}

void ms_machine_shrink(ms_machine_t *m)
{
    ops(m)->clear(&m->conn);
    ms_conn_shrink(&m->conn);
    m->conn.ended = true;
}

bool ms_machine_fin(ms_machine_t *m, ms_dir_t dir)
{
    ms_conn_t *c = &m->conn;
    c->fin[dir] = true;
    if (c->ended || !c->fin[MS_DIR_CLIENT] || !c->fin[MS_DIR_SERVER])
        return false;
    ms_machine_shrink(m);
    return true;
}

void ms_machine_touch(ms_machine_t *m, ms_frame_t frame, ms_time_t ts)
{
    ms_summary_touch(&m->conn.sum, frame, ts);
}

void ms_machine_feed(ms_machine_t *m, ms_dir_t dir, const uint8_t *data, size_t len,
                     ms_frame_t frame, ms_time_t ts)
{
    const ms_proto_ops_t *o = ops(m);
    ms_conn_t *c = &m->conn;
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
}

void ms_machine_tls_implicit(ms_machine_t *m)
{
    ms_conn_tls_implicit(&m->conn);
}

void ms_machine_tls_record(ms_machine_t *m, ms_dir_t dir, unsigned type, int alert_level,
                           int alert_desc, ms_frame_t frame, ms_time_t ts)
{
    ms_machine_touch(m, frame, ts);
    ms_conn_tls_record(&m->conn, dir, type, alert_level, alert_desc, frame);
}

void ms_machine_tls_cleartext(ms_machine_t *m, ms_dir_t dir, ms_frame_t frame, ms_time_t ts)
{
    ms_machine_touch(m, frame, ts);
    ms_conn_tls_cleartext(&m->conn, dir, frame);
}

static const char *side(ms_dir_t dir)
{
    return dir == MS_DIR_CLIENT ? "client" : "server";
}

/* Bytes from one side are missing here: the line they cut is dropped. */
static void missing(ms_machine_t *m, ms_dir_t dir, const char *where, ms_frame_t frame,
                    ms_time_t ts)
{
    ms_conn_t *c = &m->conn;

    ms_machine_touch(m, frame, ts);
    if (!ms_conn_visible(c))
        return; /* encrypted and not decrypted: nothing of the protocol is followed anyway */
    ms_linebuf_reset(&c->lb[dir]);
    const char *what = ops(m)->gap(c, dir);
    ms_report_anomaly(&c->rep, frame, MS_AN_PARTIAL, "Data from the %s is missing %s: %s",
                      side(dir), where, what ? what : "commands or replies may be missing");
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

void ms_machine_close(ms_machine_t *m, ms_dir_t dir, bool reset, ms_frame_t frame, ms_time_t ts)
{
    ms_conn_t *c = &m->conn;

    ms_machine_touch(m, frame, ts);
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

const ms_summary_t *ms_machine_summary(const ms_machine_t *m)
{
    return &m->conn.sum;
}

uint16_t ms_machine_cmd_kinds(ms_proto_t proto)
{
    return proto <= MS_PROTO_POP3 ? protocols[proto]->cmd_kinds : 0;
}

const char *ms_machine_cmd_name(ms_proto_t proto, uint16_t kind)
{
    return proto <= MS_PROTO_POP3 ? protocols[proto]->cmd_name(kind) : "?";
}

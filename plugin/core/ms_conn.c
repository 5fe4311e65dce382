/* ms_conn.c - the connection part both session machines share.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_conn.h"

#include <glib.h>
#include <string.h>

void ms_conn_init(ms_conn_t *c, ms_proto_t proto, ms_frame_t first_frame, ms_time_t first_ts,
                  ms_note_fn fn, void *ctx, size_t cmd_size, uint32_t queue_cap,
                  uint16_t unknown_kind, size_t line_keep)
{
    memset(c, 0, sizeof(*c));
    c->rep.fn = fn;
    c->rep.ctx = ctx;
    ms_summary_init(&c->sum, proto, first_frame, first_ts);
    ms_fifo_init(&c->queue, cmd_size, queue_cap);
    c->unknown_kind = unknown_kind;
    ms_linebuf_init(&c->lb[MS_DIR_CLIENT], line_keep);
    ms_linebuf_init(&c->lb[MS_DIR_SERVER], line_keep);
}

void ms_conn_clear(ms_conn_t *c)
{
    g_free(c->reply_text);
    ms_fifo_free(&c->queue);
    g_free(c->spill_slot);
    c->spill_slot = NULL;
    ms_linebuf_free(&c->lb[MS_DIR_CLIENT]);
    ms_linebuf_free(&c->lb[MS_DIR_SERVER]);
    ms_summary_clear(&c->sum);
}

void ms_conn_shrink(ms_conn_t *c)
{
    g_free(c->reply_text);
    c->reply_text = NULL;
    ms_fifo_free(&c->queue);
    g_free(c->spill_slot);
    c->spill_slot = NULL;
    for (int d = 0; d < 2; d++) {
        size_t keep = c->lb[d].keep;
        ms_linebuf_free(&c->lb[d]);
        ms_linebuf_init_small(&c->lb[d], keep);
    }
}

const char *ms_conn_tls_verb(const ms_conn_t *c)
{
    return c->sum.proto == MS_PROTO_POP3 ? "STLS" : "STARTTLS";
}

/* ---- the command queue --------------------------------------------------- */

/* A spilled command is kept in the queue as one number: kind and flags. */
#define SPILL_CODE(kind, flags) ((uint32_t)(kind) | (uint32_t)(flags) << 16)

ms_cmd_t *ms_conn_push(ms_conn_t *c, uint16_t kind, uint16_t flags, ms_frame_t frame,
                       ms_time_t ts)
{
    ms_cmd_t *e = (ms_cmd_t *)ms_fifo_push(&c->queue, &c->rep, frame, SPILL_CODE(kind, flags));
    if (e) {
        e->kind = kind;
        e->flags = flags;
        e->frame = frame;
        e->ts = ts;
    }
    return e;
}

ms_cmd_t *ms_conn_spilled_front(ms_conn_t *c)
{
    uint32_t code;
    if (!ms_fifo_spilled_front(&c->queue, &code))
        return NULL;
    if (!c->spill_slot)
        c->spill_slot = g_malloc(c->queue.size);
    memset(c->spill_slot, 0, c->queue.size);
    ms_cmd_t *e = (ms_cmd_t *)c->spill_slot;
    if (code == MS_FIFO_KIND_UNKNOWN) {
        e->kind = c->unknown_kind;
    } else {
        e->kind = (uint16_t)(code & 0xFFFF);
        e->flags = (uint16_t)(code >> 16);
    }
    return e;
}

void ms_conn_pop(ms_conn_t *c)
{
    ms_fifo_pop(&c->queue);
}

/* ---- lines ---------------------------------------------------------------- */

bool ms_conn_line_in(ms_conn_t *c, ms_dir_t dir, ms_frame_t frame)
{
    if (dir == MS_DIR_SERVER) {
        c->server_lines++;
        if (c->in_tls && frame == c->tls_go_frame && c->sum.tls == MS_TLS_STARTTLS) {
            ms_report_anomaly(&c->rep, frame, MS_AN_STARTTLS_INJECTION, "The server sent "
                              "clear-text data after its %s go-ahead, before the TLS handshake "
                              "(response injection)", ms_conn_tls_verb(c));
            return false;
        }
        return true;
    }
    c->client_lines++;
    if (c->tls_pending) {
        /* a fixed server discards these; a vulnerable one runs them inside TLS */
        ms_report_anomaly(&c->rep, frame, MS_AN_STARTTLS_INJECTION, "The client sent data after "
                          "%s before the server's go-ahead (CVE-2011-0411 class command "
                          "injection): not taken as a command", ms_conn_tls_verb(c));
        return false;
    }
    if (c->in_tls) {
        c->tls_seen = true;
        c->sum.tls_hidden = false;
        /* decrypted mail data from the client: the handshake completed */
        if (c->sum.tls_handshake == MS_TLS_HS_PENDING)
            c->sum.tls_handshake = MS_TLS_HS_COMPLETED;
    }
    return true;
}

/* ---- replies -------------------------------------------------------------- */

void ms_conn_answered(ms_conn_t *c, const ms_cmd_t *cmd, uint16_t code, ms_frame_t frame,
                      ms_time_t ts)
{
    if (cmd->frame) /* not for a spilled command */
        ms_report_link(&c->rep, cmd->frame, cmd->ts, frame, ts,
                       c->cmd_name ? c->cmd_name(cmd->kind) : "?", cmd->kind, code);
}

void ms_conn_unmatched(ms_conn_t *c, const char *what, ms_frame_t frame)
{
    if (c->client_lines == 0) {
        if (!c->one_side_noted)
            ms_report_anomaly(&c->rep, frame, MS_AN_PARTIAL, "No client data in the capture: "
                              "replies cannot be matched to commands");
        c->one_side_noted = true;
        return;
    }
    ms_report_anomaly(&c->rep, frame, MS_AN_UNMATCHED_REPLY,
                      "Reply %s answers no outstanding command", what);
}

void ms_conn_midstream(ms_conn_t *c, ms_frame_t frame)
{
    if (!c->midstream)
        ms_report_anomaly(&c->rep, frame, MS_AN_PARTIAL, "The capture starts after the session "
                          "began (no server greeting): earlier commands and state are unknown");
    c->midstream = true;
}

void ms_conn_greeting(ms_conn_t *c, bool ok, const char *status, const char *text,
                      ms_frame_t frame, ms_time_t ts)
{
    c->sum.greeting_seen = true;
    c->sum.banner = g_strdup(text);
    c->sum.greeting_time = ms_time_diff(ts, c->sum.first_ts);
    if (ms_conn_waiting(c) > 0)
        ms_report_anomaly(&c->rep, frame, MS_AN_SEQUENCE, "The client sent commands before the "
                          "server greeting%s", c->sum.proto == MS_PROTO_SMTP
                          ? " (only allowed with PIPE_CONNECT early pipelining)" : "");
    if (!ok)
        ms_report_anomaly(&c->rep, frame, MS_AN_SEQUENCE, "The server refused the session in its "
                          "greeting: %s %s", status, text);
}

void ms_conn_tls_reply(ms_conn_t *c, bool ok, const char *reply, ms_frame_t frame)
{
    c->tls_pending = false;
    c->sum.starttls_result = ok ? MS_STARTTLS_ACCEPTED : MS_STARTTLS_REFUSED;
    if (!ok) {
        ms_report_anomaly(&c->rep, frame, MS_AN_STARTTLS_FAILED, "%s refused: %s",
                          ms_conn_tls_verb(c), reply);
        return;
    }
    c->tls_go_frame = frame;
    c->sum.tls = MS_TLS_STARTTLS;
    c->sum.tls_handshake = MS_TLS_HS_PENDING;
    c->tls_client_enc = c->tls_client_app = false;
    c->in_tls = true;
    c->sum.tls_hidden = !c->tls_seen;
    ms_linebuf_reset(&c->lb[MS_DIR_CLIENT]);
}

void ms_conn_cleartext_use(ms_conn_t *c, const char *what, ms_frame_t frame)
{
    /* (clear text after the go-ahead is tls_cleartext, not an unused offer) */
    if (c->in_tls || !c->sum.starttls_offered || c->starttls_unused_noted || c->sum.tls_cleartext)
        return;
    c->starttls_unused_noted = true;
    ms_report_anomaly(&c->rep, frame, MS_AN_STARTTLS_UNUSED, "The server offered %s, but %s "
                      "went in clear text", ms_conn_tls_verb(c), what);
}

void ms_conn_loose_words(ms_conn_t *c, const char *verb, ms_frame_t frame)
{
    if (c->loose_noted)
        return;
    c->loose_noted = true;
    ms_report_anomaly(&c->rep, frame, MS_AN_SYNTAX, "%s: words separated by a TAB or several "
                      "spaces (the RFC asks for one SP); read as servers such as postfix do",
                      verb);
}

/* ---- the connection's life ------------------------------------------------ */

void ms_conn_tls_implicit(ms_conn_t *c)
{
    c->sum.tls = MS_TLS_IMPLICIT;
    c->in_tls = c->tls_seen = true;
    c->sum.tls_handshake = MS_TLS_HS_PENDING;
}

static const char *tls_where(const ms_conn_t *c)
{
    return c->sum.tls == MS_TLS_IMPLICIT ? "of the implicit TLS session"
           : c->sum.proto == MS_PROTO_POP3 ? "after the STLS go-ahead"
                                           : "after the STARTTLS go-ahead";
}

static const char *tls_side(ms_dir_t dir)
{
    return dir == MS_DIR_CLIENT ? "client" : "server";
}

void ms_conn_tls_record(ms_conn_t *c, ms_dir_t dir, unsigned type, int level, int desc,
                        ms_frame_t frame)
{
    if (c->sum.tls_handshake != MS_TLS_HS_PENDING)
        return;
    if (type == MS_TLS_CT_ALERT && desc >= 0) {
        /* in clear text: sent before that side encrypted anything, so before
         * the handshake completed */
        const char *lv = level >= 0 ? ms_tls_alert_level_name((unsigned)level) : NULL;
        const char *name = ms_tls_alert_name((unsigned)desc);
        c->sum.tls_handshake = MS_TLS_HS_FAILED;
        g_free(c->sum.tls_alert);
        c->sum.tls_alert = g_strdup_printf("%s: %s%s%s (%d)", tls_side(dir), lv ? lv : "",
                                           lv ? " " : "", name ? name : "unknown", desc);
        ms_report_anomaly(&c->rep, frame, MS_AN_TLS_HANDSHAKE_FAILED, "The TLS handshake %s "
                          "failed: the %s sent the alert %s%s%s (%d)", tls_where(c),
                          tls_side(dir), lv ? lv : "", lv ? " " : "", name ? name : "unknown",
                          desc);
        return;
    }
    if (dir == MS_DIR_CLIENT) {
        if (type == MS_TLS_CT_CHANGE_CIPHER_SPEC || type == MS_TLS_CT_APPLICATION_DATA)
            c->tls_client_enc = true;
        if (type == MS_TLS_CT_APPLICATION_DATA)
            c->tls_client_app = true;
    } else if (type == MS_TLS_CT_APPLICATION_DATA && c->tls_client_app) {
        /* TLS 1.2: the client sends application data only after both
         * Finished messages; TLS 1.3: its first encrypted record is its
         * Finished (or an alert the server would not answer with data) */
        c->sum.tls_handshake = MS_TLS_HS_COMPLETED;
    }
}

void ms_conn_tls_cleartext(ms_conn_t *c, ms_dir_t dir, ms_frame_t frame)
{
    uint8_t bit = (uint8_t)(1u << dir);
    if (c->sum.tls == MS_TLS_NONE || (c->sum.tls_cleartext & bit))
        return;
    c->sum.tls_cleartext |= bit;
    ms_report_anomaly(&c->rep, frame, MS_AN_TLS_CLEARTEXT, "The %s sent clear text %s, where "
                      "TLS records belong: not TLS, read as clear-text %s", tls_side(dir),
                      c->sum.tls == MS_TLS_IMPLICIT ? "on the implicit TLS port"
                      : c->sum.proto == MS_PROTO_POP3 ? "after the STLS go-ahead"
                                                      : "after the STARTTLS go-ahead",
                      dir == MS_DIR_CLIENT ? "commands" : "replies");
    /* its lines are no longer inside TLS, nor hidden by it */
    c->in_tls = false;
    c->tls_pending = false;
    c->sum.tls_hidden = false;
}

void ms_conn_tls_close(ms_conn_t *c, ms_dir_t dir, bool reset, ms_frame_t frame)
{
    if (c->sum.tls_handshake != MS_TLS_HS_PENDING || c->tls_client_enc)
        return;
    c->sum.tls_handshake = MS_TLS_HS_CLOSED;
    ms_report_anomaly(&c->rep, frame, MS_AN_TLS_HANDSHAKE_FAILED, "The %s %s the connection "
                      "%s before the TLS handshake completed: the client never sent an encrypted "
                      "record (no Finished)", tls_side(dir), reset ? "reset" : "closed",
                      c->sum.tls == MS_TLS_IMPLICIT ? "of the implicit TLS session"
                      : c->sum.proto == MS_PROTO_POP3 ? "after the STLS go-ahead,"
                                                      : "after the STARTTLS go-ahead,");
}

bool ms_conn_visible(const ms_conn_t *c)
{
    return !c->in_tls || c->tls_seen;
}

bool ms_conn_client_visible(const ms_conn_t *c)
{
    return c->client_lines > 0 && ms_conn_visible(c);
}

/* ms_smtp.c - the SMTP session machine.
 *
 * Two inputs, in capture order: the client's bytes (commands, SASL responses,
 * message content) and the server's bytes (greeting and replies). Commands
 * wait in a FIFO for their replies, so pipelined commands (RFC 2920) are
 * matched to the right reply; a reply that cannot belong to the command at
 * the head of the FIFO (354, 334, 221) resynchronises on the first command
 * it can belong to instead of shifting every later reply.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_smtp.h"
#include "ms_auth.h"
#include "ms_fifo.h"
#include "ms_linebuf.h"
#include "ms_sasl.h"
#include "ms_smtp_parse.h"
#include "ms_text.h"

#include <glib.h>
#include <stdarg.h>
#include <string.h>

#define RESYNC_WINDOW 8     /* queued commands searched for a reply's owner */

/* What a queued command waits for. */
typedef enum {
    CMD_HELO,     /* HELO: 250 or refusal */
    CMD_EHLO,     /* EHLO: 250 with capability lines */
    CMD_MAIL,     /* MAIL FROM */
    CMD_RCPT,     /* RCPT TO */
    CMD_DATA,     /* DATA: 354 go-ahead or refusal */
    CMD_DATA_END, /* the "." ending message content: accepted or refused */
    CMD_BDAT,     /* one BDAT chunk */
    CMD_AUTH,     /* AUTH, or a SASL response: 334 continues, else final */
    CMD_STARTTLS, /* STARTTLS: 220 starts TLS */
    CMD_RSET,     /* RSET */
    CMD_QUIT,     /* QUIT */
    CMD_OTHER     /* NOOP, VRFY, unknown verbs... */
} cmd_kind_t;

typedef struct {
    cmd_kind_t kind;
    ms_frame_t frame;    /* frame holding the end of the command line */
    ms_time_t  ts;
    char      *arg;      /* RCPT: the address (owned) */
    bool       last;     /* BDAT: the LAST chunk */
    bool       nested;   /* MAIL: sent inside an open transaction */
    bool       partial;  /* DATA_END: the content started before the capture or has a gap */
    uint64_t   bytes;    /* DATA_END/BDAT: message size so far */
    ms_time_t  start_ts; /* DATA_END/BDAT: time of the DATA or first BDAT command */
} pending_t;

/* What the client's next line is. SASL responses are recognised by an open
 * AUTH exchange (auth_open) rather than a mode: the client may not send a
 * command before the exchange ends (RFC 4954). */
typedef enum {
    CMODE_COMMAND, /* command lines */
    CMODE_DATA,    /* message content lines, until the "." line */
    CMODE_BDAT     /* raw BDAT chunk bytes */
} cmode_t;

struct ms_smtp {
    ms_summary_t  sum;
    ms_reporter_t rep;
    ms_linebuf_t  lb[2];

    /* reply being assembled (multi-line replies end at "NNN ") */
    bool       reply_open;
    unsigned   reply_code;
    char      *reply_text; /* first line */
    uint32_t   reply_lines;

    ms_fifo_t  pend;        /* commands waiting for replies (pending_t) */
    pending_t  spill_slot;  /* stands for a spilled command (kind only) */

    /* client side */
    cmode_t    cmode;
    bool       in_tls;
    bool       tls_seen;    /* decrypted client data arrived after STARTTLS */
    bool       starttls_pending; /* STARTTLS sent, no reply yet */
    ms_frame_t tls_go_frame;     /* frame of the 220 go-ahead */
    bool       helo_sent;   /* HELO/EHLO sent since the start or STARTTLS */
    bool       quit_sent;
    bool       closed;      /* a FIN/RST was seen */
    bool       start_known; /* the first server line was seen: greeting or not */
    bool       midstream;   /* the capture starts after the session began */
    uint64_t   client_lines;
    uint64_t   server_lines;
    bool       one_side_noted;

    /* mail transaction, as the client drives it */
    bool       mail_open;   /* MAIL sent and not refused or ended */
    uint32_t   rcpt_sent;
    uint32_t   rcpt_ok;
    uint32_t   rcpt_pending;
    bool       bdat_open;   /* a BDAT message without LAST is in progress */
    uint64_t   bdat_remaining;
    ms_time_t  msg_start_ts;
    uint64_t   content_bytes;
    bool       content_seen;
    bool       content_partial; /* content started before the capture, or a gap */
    bool       content_long_noted;
    bool       content_lf_noted;
    bool       prev_content_lf;

    ms_auth_t  auth;        /* the AUTH exchange */
};

/* Reporting goes through the shared reporter (caps per anomaly kind). */
#define anomaly(s, ...) ms_report_anomaly(&(s)->rep, __VA_ARGS__)
#define list_add(s, ...) ms_report_list_add(&(s)->rep, __VA_ARGS__)
#define check_line(s, ...) ms_report_line_checks(&(s)->rep, __VA_ARGS__)

/* ---- the command FIFO -------------------------------------------------- */

static pending_t *pend_at(ms_smtp_t *s, uint32_t i)
{
    return (pending_t *)ms_fifo_at(&s->pend, i);
}

/* A command spilled beyond the queue's cap is kept as its kind and this flag
 * (a BDAT LAST closes its message even when spilled). */
#define SPILL_LAST 0x100u

static pending_t *push_last(ms_smtp_t *s, cmd_kind_t kind, bool last, ms_frame_t frame,
                            ms_time_t ts)
{
    uint32_t k = (uint32_t)kind | (last ? SPILL_LAST : 0);
    pending_t *p = (pending_t *)ms_fifo_push(&s->pend, &s->rep, frame, k);
    if (p) {
        p->kind = kind;
        p->frame = frame;
        p->ts = ts;
        p->last = last;
    }
    return p;
}

static pending_t *push(ms_smtp_t *s, cmd_kind_t kind, ms_frame_t frame, ms_time_t ts)
{
    return push_last(s, kind, false, frame, ts);
}

/* The oldest command waiting: a queued one, or one spilled beyond the queue's
 * cap, which is known by its kind only (frame 0, no argument). */
static pending_t *front(ms_smtp_t *s)
{
    uint32_t k;
    if (s->pend.count > 0)
        return pend_at(s, 0);
    if (!ms_fifo_spilled_front(&s->pend, &k))
        return NULL;
    memset(&s->spill_slot, 0, sizeof(s->spill_slot));
    s->spill_slot.kind = k == MS_FIFO_KIND_UNKNOWN ? CMD_OTHER : (cmd_kind_t)(k & 0xFF);
    s->spill_slot.last = k != MS_FIFO_KIND_UNKNOWN && (k & SPILL_LAST);
    return &s->spill_slot;
}

static void pop(ms_smtp_t *s)
{
    if (s->pend.count > 0)
        g_free(pend_at(s, 0)->arg);
    ms_fifo_pop(&s->pend);
}

/* Can a reply with this code answer a command of this kind? */
static bool reply_fits(cmd_kind_t kind, unsigned code)
{
    if (code == 354)
        return kind == CMD_DATA;
    if (code == 334)
        return kind == CMD_AUTH;
    if (kind == CMD_DATA)
        return code >= 400;
    return true;
}

static const char *kind_name(cmd_kind_t k)
{
    static const char *const names[] = { "HELO", "EHLO", "MAIL", "RCPT", "DATA", "end of data",
                                         "BDAT", "AUTH", "STARTTLS", "RSET", "QUIT", "command" };
    return names[k];
}

/* The queued command a reply answers, after resynchronising if needed. */
static pending_t *match_reply(ms_smtp_t *s, unsigned code, ms_frame_t frame)
{
    if (s->pend.count == 0)
        return front(s);
    if (reply_fits(pend_at(s, 0)->kind, code))
        return pend_at(s, 0);
    uint32_t n = s->pend.count < RESYNC_WINDOW ? s->pend.count : RESYNC_WINDOW;
    for (uint32_t i = 1; i < n; i++) {
        if (!reply_fits(pend_at(s, i)->kind, code))
            continue;
        while (i-- > 0) {
            anomaly(s, pend_at(s, 0)->frame, MS_AN_UNANSWERED,
                    "%s got no reply: the reply %u in frame %u belongs to a later command",
                    kind_name(pend_at(s, 0)->kind), code, frame);
            pop(s);
        }
        return pend_at(s, 0);
    }
    return pend_at(s, 0);
}

/* ---- transaction helpers ----------------------------------------------- */

static void reset_transaction(ms_smtp_t *s)
{
    s->mail_open = false;
    s->rcpt_sent = s->rcpt_ok = s->rcpt_pending = 0;
    s->bdat_open = false;
    s->content_bytes = 0;
}

static void message_done(ms_smtp_t *s, const pending_t *p, unsigned code,
                         ms_frame_t frame, ms_time_t ts)
{
    if (code / 100 == 2) {
        s->sum.msg_count++;
        s->sum.msg_bytes += p->bytes;
        if (p->frame == 0)
            anomaly(s, frame, MS_AN_PARTIAL, "Message accepted, but its last command (end of "
                    "data or BDAT LAST) was spilled beyond the command queue's cap: its size is "
                    "not counted");
        else if (p->partial)
            anomaly(s, frame, MS_AN_PARTIAL, "Message accepted, but part of its content is not "
                    "in the capture: its %" G_GUINT64_FORMAT " bytes are a lower bound", p->bytes);
        else
            ms_report_transfer(&s->rep, &s->sum, ts - p->start_ts, frame);
    } else {
        anomaly(s, frame, MS_AN_MSG_REJECTED, "Message of %" G_GUINT64_FORMAT
                " bytes refused: %u %s", p->bytes, code, s->reply_text);
    }
    reset_transaction(s);
}

/* ---- SASL -------------------------------------------------------------- */

/* ---- client lines -------------------------------------------------------- */

static void cmd_mail(ms_smtp_t *s, const ms_smtp_cmd_t *c, ms_frame_t frame, ms_time_t ts)
{
    const uint8_t *path = NULL;
    size_t plen = 0;

    if (!s->helo_sent && s->sum.greeting_seen)
        anomaly(s, frame, MS_AN_SEQUENCE, "MAIL before HELO/EHLO");
    ms_report_cleartext_use(&s->rep, &s->sum, s->in_tls, "mail", frame);
    bool nested = s->mail_open;
    if (nested)
        anomaly(s, frame, MS_AN_SEQUENCE, "Nested MAIL: a mail transaction is already open");
    ms_path_status_t st = ms_smtp_path_parse(c->arg, c->arg_len, "FROM:", &path, &plen);
    if (st != MS_PATH_OK)
        anomaly(s, frame, MS_AN_SYNTAX, "MAIL argument is not FROM:<reverse-path>");
    if (path)
        list_add(s, &s->sum.mail_from, "sender", false, path, plen, frame);
    if (!nested) {
        /* a server refuses a nested MAIL (503) and keeps the open transaction */
        reset_transaction(s);
        s->mail_open = true;
    }
    pending_t *p = push(s, CMD_MAIL, frame, ts);
    if (p)
        p->nested = nested;
}

static void cmd_rcpt(ms_smtp_t *s, const ms_smtp_cmd_t *c, ms_frame_t frame, ms_time_t ts)
{
    const uint8_t *path = NULL;
    size_t plen = 0;

    if (!s->mail_open && s->sum.greeting_seen)
        anomaly(s, frame, MS_AN_SEQUENCE, "RCPT without MAIL");
    ms_path_status_t st = ms_smtp_path_parse(c->arg, c->arg_len, "TO:", &path, &plen);
    if (st != MS_PATH_OK)
        anomaly(s, frame, MS_AN_SYNTAX, "RCPT argument is not TO:<forward-path>");
    if (path)
        list_add(s, &s->sum.rcpt_to, "recipient", false, path, plen, frame);
    s->rcpt_sent++;
    s->rcpt_pending++;
    pending_t *p = push(s, CMD_RCPT, frame, ts);
    if (p && path)
        p->arg = ms_text_printable(path, plen, MS_TEXT_MAX);
}

static void cmd_data(ms_smtp_t *s, ms_frame_t frame, ms_time_t ts)
{
    if (!s->mail_open && !s->sum.greeting_seen)
        ; /* the transaction may have begun before the capture */
    else if (!s->mail_open)
        anomaly(s, frame, MS_AN_SEQUENCE, "DATA without MAIL");
    else if (s->rcpt_sent == 0)
        anomaly(s, frame, MS_AN_SEQUENCE, "DATA without RCPT");
    else if (s->rcpt_pending == 0 && s->rcpt_ok == 0)
        anomaly(s, frame, MS_AN_SEQUENCE, "DATA although every recipient was refused");
    push(s, CMD_DATA, frame, ts);
    s->cmode = CMODE_DATA;
    s->msg_start_ts = ts;
    s->content_bytes = 0;
    s->content_seen = false;
    s->content_partial = false;
    s->content_long_noted = false;
    s->content_lf_noted = false;
    s->prev_content_lf = false;
}

static void cmd_bdat(ms_smtp_t *s, const ms_smtp_cmd_t *c, ms_frame_t frame, ms_time_t ts)
{
    uint64_t size;
    bool last;

    if (ms_smtp_bdat_parse(c->arg, c->arg_len, &size, &last) != MS_BDAT_OK) {
        /* the server cannot know the chunk size either: what follows is commands */
        anomaly(s, frame, MS_AN_SYNTAX, "BDAT argument is not \"chunk-size [LAST]\"");
        push(s, CMD_OTHER, frame, ts);
        return;
    }
    if (!s->mail_open && s->sum.greeting_seen)
        anomaly(s, frame, MS_AN_SEQUENCE, "BDAT without MAIL");
    if (!s->bdat_open) {
        s->bdat_open = true;
        s->msg_start_ts = ts;
        s->content_bytes = 0;
    }
    s->content_bytes += size;
    pending_t *p = push_last(s, CMD_BDAT, last, frame, ts);
    if (p) {
        p->bytes = s->content_bytes;
        p->start_ts = s->msg_start_ts;
    }
    if (size > 0) {
        s->cmode = CMODE_BDAT;
        s->bdat_remaining = size;
    }
    if (last)
        s->bdat_open = false;
}

static void cmd_auth(ms_smtp_t *s, const ms_smtp_cmd_t *c, ms_frame_t frame, ms_time_t ts)
{
    ms_smtp_auth_t a;

    if (!ms_smtp_auth_parse(c->arg, c->arg_len, &a)) {
        anomaly(s, frame, MS_AN_SYNTAX, "AUTH without a valid mechanism name");
        push(s, CMD_OTHER, frame, ts);
        return;
    }
    ms_report_cleartext_use(&s->rep, &s->sum, s->in_tls, "authentication", frame);
    char label[sizeof(s->auth.label)];
    g_snprintf(label, sizeof(label), "AUTH %s", a.mech);
    ms_auth_start(&s->auth, &s->sum, &s->rep, a.mech, label, frame);
    if (a.has_ir)
        ms_auth_sasl_response(&s->auth, &s->sum, &s->rep, s->in_tls, a.ir, a.ir_len, frame);
    push(s, CMD_AUTH, frame, ts);
}

static void on_command(ms_smtp_t *s, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    ms_smtp_cmd_t c;

    s->sum.commands++;
    bool is_auth = ms_text_iprefix(l->data, l->len, "AUTH ");
    check_line(s, l, is_auth ? MS_AUTH_LINE_MAX : MS_SMTP_CMD_LINE_MAX, "Command", frame);
    if (!ms_smtp_cmd_split(l->data, l->len, &c)) {
        char *t = ms_text_printable(l->data, l->len, 40);
        anomaly(s, frame, MS_AN_SYNTAX, "Not an SMTP command: \"%s\"", t);
        g_free(t);
        push(s, CMD_OTHER, frame, ts);
        return;
    }
    if (!strcmp(c.verb, "EHLO") || !strcmp(c.verb, "HELO")) {
        g_free(s->sum.helo);
        s->sum.helo = ms_text_printable(c.arg, c.arg_len, MS_TEXT_MAX);
        s->helo_sent = true;
        reset_transaction(s);
        push(s, c.verb[0] == 'E' ? CMD_EHLO : CMD_HELO, frame, ts);
    } else if (!strcmp(c.verb, "MAIL")) {
        cmd_mail(s, &c, frame, ts);
    } else if (!strcmp(c.verb, "RCPT")) {
        cmd_rcpt(s, &c, frame, ts);
    } else if (!strcmp(c.verb, "DATA")) {
        cmd_data(s, frame, ts);
    } else if (!strcmp(c.verb, "BDAT")) {
        cmd_bdat(s, &c, frame, ts);
    } else if (!strcmp(c.verb, "AUTH")) {
        cmd_auth(s, &c, frame, ts);
    } else if (!strcmp(c.verb, "STARTTLS")) {
        s->starttls_pending = true;
        push(s, CMD_STARTTLS, frame, ts);
    } else if (!strcmp(c.verb, "RSET")) {
        reset_transaction(s);
        push(s, CMD_RSET, frame, ts);
    } else if (!strcmp(c.verb, "QUIT")) {
        s->quit_sent = true;
        push(s, CMD_QUIT, frame, ts);
    } else {
        push(s, CMD_OTHER, frame, ts);
    }
}

static void on_sasl_line(ms_smtp_t *s, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    check_line(s, l, MS_AUTH_LINE_MAX, "AUTH response", frame);
    ms_auth_sasl_response(&s->auth, &s->sum, &s->rep, s->in_tls, l->data, l->len, frame);
    push(s, CMD_AUTH, frame, ts);
}

static void on_content(ms_smtp_t *s, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    bool lf = l->term == MS_TERM_LF;

    if (l->len == 1 && l->data[0] == '.' && !l->truncated) {
        if (!lf && !s->prev_content_lf) {
            pending_t *p = push(s, CMD_DATA_END, frame, ts);
            if (p) {
                p->bytes = s->content_bytes;
                p->start_ts = s->msg_start_ts;
                p->partial = s->content_partial;
            }
            s->cmode = CMODE_COMMAND;
            return;
        }
        anomaly(s, frame, MS_AN_SMUGGLING, "End-of-data look-alike with a bare LF "
                "(SMTP smuggling): servers disagree on where this message ends; "
                "taken as message content (RFC 5321)");
    }
    if (lf && !s->content_lf_noted) {
        s->content_lf_noted = true;
        anomaly(s, frame, MS_AN_BARE_NEWLINE, "Message line ended by a bare LF");
    }
    if (l->total + 2 > MS_SMTP_TEXT_LINE_MAX && !s->content_long_noted) {
        s->content_long_noted = true;
        anomaly(s, frame, MS_AN_LINE_TOO_LONG, "Message line of %" G_GUINT64_FORMAT
                " octets exceeds the limit of %d (CRLF included)", l->total + 2,
                MS_SMTP_TEXT_LINE_MAX);
    }
    s->content_seen = true;
    uint64_t n = l->total + (l->term == MS_TERM_CRLF ? 2 : l->term == MS_TERM_LF ? 1 : 0);
    if (l->len > 0 && l->data[0] == '.' && !s->prev_content_lf)
        n--; /* dot-stuffing (RFC 5321 4.5.2): only at the start of a CRLF line */
    s->content_bytes += n;
    s->prev_content_lf = lf;
}

/* ---- server lines -------------------------------------------------------- */

static void reply_ehlo_line(ms_smtp_t *s, const ms_smtp_reply_line_t *r, ms_frame_t frame)
{
    list_add(s, &s->sum.capabilities, "capability", true, r->text, r->text_len, frame);
    if (ms_text_ieq(r->text, r->text_len, "STARTTLS") ||
        ms_text_iprefix(r->text, r->text_len, "STARTTLS "))
        s->sum.starttls_offered = true;
    else if (!s->in_tls)
        ms_report_masked_capability(&s->rep, r->text, r->text_len, "STARTTLS", frame);
}

static void on_greeting(ms_smtp_t *s, unsigned code, ms_frame_t frame, ms_time_t ts)
{
    s->sum.greeting_seen = true;
    s->sum.banner = g_strdup(s->reply_text);
    s->sum.greeting_time = ts - s->sum.first_ts;
    if (ms_fifo_waiting(&s->pend) > 0)
        anomaly(s, frame, MS_AN_SEQUENCE, "The client sent commands before the server greeting "
                "(only allowed with PIPE_CONNECT early pipelining)");
    if (code != 220)
        anomaly(s, frame, MS_AN_SEQUENCE, "The server refused the session in its greeting: %u %s",
                code, s->reply_text);
}

static void on_auth_reply(ms_smtp_t *s, unsigned code, ms_frame_t frame)
{
    if (code == 334) {
        s->auth.expect++;
        return;
    }
    char *reply = g_strdup_printf("%u %s", code, s->reply_text);
    ms_auth_done(&s->auth, &s->sum, &s->rep, code / 100 == 2, reply, frame);
    g_free(reply);
}

/* The first server reply tells whether the capture holds the session's start. */
static bool first_reply(ms_smtp_t *s, unsigned code, ms_frame_t frame, ms_time_t ts)
{
    s->start_known = true;
    pending_t *p = front(s);
    if (!p ? code == 220 || code == 421 || code == 554
           : code == 220 && p->kind != CMD_STARTTLS) {
        on_greeting(s, code, frame, ts);
        return true;
    }
    if (!s->midstream)
        anomaly(s, frame, MS_AN_PARTIAL, "The capture starts after the session began (no "
                "server greeting): earlier commands and state are unknown");
    s->midstream = true;
    return false;
}

static void on_reply(ms_smtp_t *s, unsigned code, ms_frame_t frame, ms_time_t ts)
{
    s->sum.replies++;
    if (!s->start_known && first_reply(s, code, frame, ts))
        return;
    pending_t *p = match_reply(s, code, frame);
    if (!p && code == 421)
        return; /* RFC 5321 3.8: the server may announce that it closes at any time */
    if (!p && s->client_lines == 0) {
        if (!s->one_side_noted)
            anomaly(s, frame, MS_AN_PARTIAL, "No client data in the capture: replies cannot "
                    "be matched to commands");
        s->one_side_noted = true;
        return;
    }
    if (!p) {
        anomaly(s, frame, MS_AN_UNMATCHED_REPLY, "Reply %u %s answers no outstanding command",
                code, s->reply_text);
        return;
    }
    if (p->frame) /* not for a spilled command */
        ms_report_link(&s->rep, p->frame, p->ts, frame, ts);
    bool ok = code / 100 == 2;
    switch (p->kind) {
    case CMD_MAIL:
        if (!ok && !p->nested)
            s->mail_open = false;
        break;
    case CMD_RCPT:
        if (s->rcpt_pending > 0)
            s->rcpt_pending--;
        if (ok) {
            s->rcpt_ok++;
        } else {
            const char *a = p->arg ? p->arg : "";
            if (p->frame) {
                list_add(s, &s->sum.rcpt_rejected, "rejected recipient", false,
                         (const uint8_t *)a, strlen(a), frame);
                anomaly(s, frame, MS_AN_RCPT_REJECTED, "Recipient <%s> refused: %u %s", a, code,
                        s->reply_text);
            } else {
                anomaly(s, frame, MS_AN_RCPT_REJECTED, "A recipient was refused: %u %s (its "
                        "address was not kept: the command queue was full)", code, s->reply_text);
            }
        }
        break;
    case CMD_DATA:
        if (code != 354 && s->cmode == CMODE_DATA) {
            if (s->content_seen)
                anomaly(s, frame, MS_AN_SEQUENCE,
                        "Message data was sent although DATA was refused (%u)", code);
            else
                s->cmode = CMODE_COMMAND;
        }
        break;
    case CMD_DATA_END:
        message_done(s, p, code, frame, ts);
        break;
    case CMD_BDAT:
        if (p->last || !ok)
            message_done(s, p, code, frame, ts);
        break;
    case CMD_AUTH:
        on_auth_reply(s, code, frame);
        break;
    case CMD_STARTTLS: {
        char *reply = g_strdup_printf("%u %s", code, s->reply_text);
        ms_report_starttls(&s->rep, &s->sum, code == 220, reply, frame);
        g_free(reply);
        s->starttls_pending = false;
        if (code == 220) {
            s->tls_go_frame = frame;
            s->sum.tls = MS_TLS_STARTTLS;
            s->in_tls = true;
            s->helo_sent = false; /* RFC 3207: the client must start over */
            s->auth.open = false;
            reset_transaction(s);
            ms_linebuf_reset(&s->lb[MS_DIR_CLIENT]);
        }
        break;
    }
    case CMD_EHLO:
        if (code == 250 && !s->in_tls) {
            s->sum.clear_caps++;
            s->sum.clear_caps_frame = frame;
        }
        break;
    case CMD_QUIT:
        s->sum.quit = true;
        break;
    default:
        break;
    }
    pop(s);
}

static void on_reply_line(ms_smtp_t *s, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    ms_smtp_reply_line_t r;

    check_line(s, l, MS_SMTP_REPLY_LINE_MAX, "Reply", frame);
    if (!ms_smtp_reply_line_parse(l->data, l->len, &r)) {
        char *t = ms_text_printable(l->data, l->len, 40);
        anomaly(s, frame, MS_AN_SYNTAX, "Not an SMTP reply line: \"%s\"", t);
        g_free(t);
        return;
    }
    if (!s->reply_open) {
        s->reply_open = true;
        s->reply_code = r.code;
        s->reply_lines = 0;
        g_free(s->reply_text);
        s->reply_text = ms_text_printable(r.text, r.text_len, MS_TEXT_MAX);
    } else if (r.code != s->reply_code) {
        anomaly(s, frame, MS_AN_SYNTAX, "Reply code changes from %u to %u inside a multi-line reply",
                s->reply_code, r.code);
    }
    if (s->reply_lines++ > 0 && s->reply_code == 250) {
        const pending_t *p = front(s);
        if (p && p->kind == CMD_EHLO)
            reply_ehlo_line(s, &r, frame);
    }
    if (r.last) {
        s->reply_open = false;
        on_reply(s, s->reply_code, frame, ts);
    }
}

/* ---- lines of an unknown context (partial captures) ---------------------- */

static bool known_verb(const ms_line_t *l)
{
    static const char *const verbs[] = {
        "EHLO", "HELO", "MAIL", "RCPT", "DATA", "BDAT", "AUTH", "STARTTLS", "RSET", "QUIT",
        "NOOP", "VRFY", "EXPN", "HELP", "ETRN", "ATRN", "BURL", "TURN", "XCLIENT", "XFORWARD",
    };
    ms_smtp_cmd_t c;
    if (!ms_smtp_cmd_split(l->data, l->len, &c))
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++)
        if (!strcmp(c.verb, verbs[i]))
            return true;
    return false;
}

/* Inside an AUTH exchange: a SASL response answers a 334 challenge. When the
 * challenge was not captured (one side missing), a base64 line that is not a
 * command is still taken as the response. */
static bool is_sasl_response(ms_smtp_t *s, const ms_line_t *l)
{
    if (s->auth.expect > 0) {
        s->auth.expect--;
        return true;
    }
    if (l->len == 1 && (l->data[0] == '*' || l->data[0] == '='))
        return true;
    if (ms_base64_valid(l->data, l->len) && !known_verb(l))
        return true;
    s->auth.open = false; /* the client moved on: the reply to AUTH decides the result */
    return false;
}

/* Before any greeting, a client line that is no SMTP command means the capture
 * began inside message content. */
static bool looks_like_content(ms_smtp_t *s, const ms_line_t *l)
{
    return s->sum.commands == 0 && !known_verb(l);
}

static void start_partial_content(ms_smtp_t *s, const ms_line_t *l, ms_frame_t frame,
                                  ms_time_t ts)
{
    s->midstream = true;
    anomaly(s, frame, MS_AN_PARTIAL, "The capture starts inside message content: client lines "
            "up to the end-of-data line are taken as content");
    s->cmode = CMODE_DATA;
    s->msg_start_ts = ts;
    s->content_bytes = 0;
    s->content_seen = false;
    s->content_partial = true;
    s->prev_content_lf = false;
    on_content(s, l, frame, ts);
}

/* ---- public interface ---------------------------------------------------- */

static void on_line(ms_smtp_t *s, ms_dir_t dir, const ms_line_t *l, ms_frame_t frame,
                    ms_time_t ts)
{
    if (dir == MS_DIR_SERVER) {
        s->server_lines++;
        if (s->in_tls && frame == s->tls_go_frame && s->sum.tls == MS_TLS_STARTTLS) {
            anomaly(s, frame, MS_AN_STARTTLS_INJECTION, "The server sent clear-text data after "
                    "its STARTTLS go-ahead, before the TLS handshake (response injection)");
            return;
        }
        on_reply_line(s, l, frame, ts);
        return;
    }
    s->client_lines++;
    if (s->starttls_pending) {
        /* a fixed server discards these; a vulnerable one runs them inside TLS */
        anomaly(s, frame, MS_AN_STARTTLS_INJECTION, "The client sent data after STARTTLS before "
                "the server's go-ahead (CVE-2011-0411 class command injection): not taken as a "
                "command");
        return;
    }
    if (s->in_tls)
        s->tls_seen = true;
    if (s->cmode == CMODE_DATA)
        on_content(s, l, frame, ts);
    else if (s->auth.open && is_sasl_response(s, l))
        on_sasl_line(s, l, frame, ts);
    else if (!s->sum.greeting_seen && looks_like_content(s, l))
        start_partial_content(s, l, frame, ts);
    else
        on_command(s, l, frame, ts);
}

ms_smtp_t *ms_smtp_new(ms_frame_t first_frame, ms_time_t first_ts, ms_note_fn fn, void *ctx)
{
    ms_smtp_t *s = g_new0(ms_smtp_t, 1);
    s->rep.fn = fn;
    s->rep.ctx = ctx;
    ms_summary_init(&s->sum, MS_PROTO_SMTP, first_frame, first_ts);
    ms_fifo_init(&s->pend, sizeof(pending_t), MS_SMTP_CAP_PENDING);
    ms_linebuf_init(&s->lb[MS_DIR_CLIENT], MS_SMTP_LINE_KEEP);
    ms_linebuf_init(&s->lb[MS_DIR_SERVER], MS_SMTP_LINE_KEEP);
    return s;
}

void ms_smtp_free(ms_smtp_t *s)
{
    if (!s)
        return;
    while (s->pend.count > 0)
        pop(s);
    ms_fifo_free(&s->pend);
    ms_linebuf_free(&s->lb[0]);
    ms_linebuf_free(&s->lb[1]);
    g_free(s->reply_text);
    ms_summary_clear(&s->sum);
    g_free(s);
}

void ms_smtp_touch(ms_smtp_t *s, ms_frame_t frame, ms_time_t ts)
{
    ms_summary_touch(&s->sum, frame, ts);
}

void ms_smtp_feed(ms_smtp_t *s, ms_dir_t dir, const uint8_t *data, size_t len,
                  ms_frame_t frame, ms_time_t ts)
{
    size_t off = 0;

    ms_smtp_touch(s, frame, ts);
    while (off < len) {
        if (dir == MS_DIR_CLIENT && s->cmode == CMODE_BDAT) {
            uint64_t take = len - off < s->bdat_remaining ? len - off : s->bdat_remaining;
            s->bdat_remaining -= take;
            off += (size_t)take;
            if (s->bdat_remaining == 0)
                s->cmode = CMODE_COMMAND;
            continue;
        }
        ms_line_t line;
        bool done;
        off += ms_linebuf_take(&s->lb[dir], data + off, len - off, frame, &line, &done);
        if (done)
            on_line(s, dir, &line, frame, ts);
    }
}

void ms_smtp_close(ms_smtp_t *s, ms_dir_t dir, bool reset, ms_frame_t frame, ms_time_t ts)
{
    ms_smtp_touch(s, frame, ts);
    if (s->closed)
        return;
    s->closed = true;
    for (int d = 0; d < 2; d++) {
        if (ms_linebuf_pending(&s->lb[d])) {
            anomaly(s, frame, MS_AN_SYNTAX, "The %s's last line has no line terminator",
                    d == MS_DIR_CLIENT ? "client" : "server");
            ms_linebuf_reset(&s->lb[d]);
        }
    }
    if (s->client_lines > 0 && s->server_lines == 0)
        anomaly(s, frame, MS_AN_PARTIAL, "No server data in the capture: only the client's side "
                "of the session was seen");
    /* a QUIT could not be seen: after STARTTLS without decryption, or without client data */
    if (!s->quit_sent && s->client_lines > 0 && (!s->in_tls || s->tls_seen))
        anomaly(s, frame, MS_AN_NO_QUIT, "The %s %s the connection without QUIT",
                dir == MS_DIR_CLIENT ? "client" : "server", reset ? "reset" : "closed");
}

void ms_smtp_tls_implicit(ms_smtp_t *s)
{
    s->sum.tls = MS_TLS_IMPLICIT;
    s->in_tls = s->tls_seen = true;
}

void ms_smtp_gap(ms_smtp_t *s, ms_dir_t dir, ms_frame_t frame, ms_time_t ts)
{
    ms_smtp_touch(s, frame, ts);
    if (s->in_tls && !s->tls_seen)
        return; /* encrypted and not decrypted: nothing of SMTP is followed anyway */
    ms_linebuf_reset(&s->lb[dir]);
    if (dir == MS_DIR_CLIENT && s->cmode == CMODE_DATA)
        s->content_partial = true;
    anomaly(s, frame, MS_AN_PARTIAL, "Data from the %s is missing before this frame (segment "
            "not captured): %s", dir == MS_DIR_CLIENT ? "client" : "server",
            dir == MS_DIR_CLIENT && s->cmode != CMODE_COMMAND
                ? "message content is incomplete"
                : "commands or replies may be missing");
}

const ms_summary_t *ms_smtp_summary(const ms_smtp_t *s)
{
    return &s->sum;
}

/* ms_smtp.c - the SMTP session machine (RFC 5321, 4954, 3207, 3030, 2920).
 *
 * Two inputs, in capture order: the client's lines (commands, SASL responses,
 * message content) and raw BDAT chunk bytes, and the server's lines (greeting
 * and replies). Commands wait in the connection's queue for their replies, so
 * pipelined commands (RFC 2920) are matched to the right reply; a reply that
 * cannot belong to the command at the front of the queue (354, 334, 221)
 * resynchronises on the first command it can belong to instead of shifting
 * every later reply. The connection part (ms_conn.c) and the front door
 * (ms_machine.c) do what POP3 does too.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_smtp.h"
#include "ms_auth.h"
#include "ms_conn.h"
#include "ms_proto.h"
#include "ms_sasl.h"
#include "ms_smtp_parse.h"
#include "ms_smtp_split.h"
#include "ms_text.h"

#include <glib.h>
#include <string.h>

#define RESYNC_WINDOW 8     /* queued commands searched for a reply's owner */

/* What a queued command waits for. */
typedef enum {
    SMTP_CMD_HELO,     /* HELO: 250 or refusal */
    SMTP_CMD_EHLO,     /* EHLO: 250 with capability lines */
    SMTP_CMD_MAIL,     /* MAIL FROM */
    SMTP_CMD_RCPT,     /* RCPT TO */
    SMTP_CMD_DATA,     /* DATA: 354 go-ahead or refusal */
    SMTP_CMD_DATA_END, /* the "." ending message content: accepted or refused */
    SMTP_CMD_BDAT,     /* one BDAT chunk */
    SMTP_CMD_AUTH,     /* AUTH, or a SASL response: 334 continues, else final */
    SMTP_CMD_STARTTLS, /* STARTTLS: 220 starts TLS */
    SMTP_CMD_RSET,     /* RSET */
    SMTP_CMD_QUIT,     /* QUIT */
    SMTP_CMD_OTHER     /* NOOP, VRFY, unknown verbs... */
} smtp_cmd_t;

static const char *cmd_name(uint16_t kind);

/* Command flags kept even for a command spilled beyond the queue's cap. */
#define SMTP_F_LAST    0x1u /* BDAT: the LAST chunk (it closes its message) */
#define SMTP_F_IN_AUTH 0x2u /* QUIT: sent where the AUTH exchange wanted a response */

typedef struct {
    ms_cmd_t   cmd;      /* kind: smtp_cmd_t, flags: SMTP_F_* */
    uint8_t   *arg;      /* RCPT: the address, HELO/EHLO: the name, as sent (owned, at
                          * most MS_TEXT_MAX bytes) */
    size_t     arg_len;
    bool       nested;   /* MAIL: sent inside an open transaction */
    bool       partial;  /* DATA_END: the content started before the capture or has a gap */
    uint64_t   bytes;    /* DATA_END/BDAT: message size so far */
    ms_time_t  start_ts; /* DATA_END/BDAT: time of the DATA or first BDAT command */
    ms_split_cand_t *split; /* DATA_END: the message's end-of-data look-alikes (owned) */
    uint32_t   n_split;
} smtp_pending_t;

/* What the client's next bytes are. SASL responses are recognised by an open
 * AUTH exchange (auth.open) rather than a mode: the client may not send a
 * command before the exchange ends (RFC 4954). */
typedef enum {
    CMODE_COMMAND, /* command lines */
    CMODE_DATA,    /* message content lines, until the "." line */
    CMODE_BDAT     /* raw BDAT chunk bytes */
} cmode_t;

typedef struct {
    ms_conn_t  c;           /* the connection part: first member */

    /* reply being assembled (multi-line replies end at "NNN ") */
    bool       reply_open;
    unsigned   reply_code;
    uint32_t   reply_lines;
    char      *reply_qid;   /* a queue id in the reply (printable), NULL when none */

    /* client side */
    cmode_t    cmode;
    bool       helo_sent;   /* HELO/EHLO sent since the start or STARTTLS */

    /* mail transaction, as the client drives it */
    bool       mail_open;   /* MAIL sent and not refused or ended */
    uint32_t   rcpt_sent;
    uint32_t   rcpt_ok;
    uint32_t   rcpt_pending;
    bool       bdat_open;   /* a BDAT message without LAST is in progress */
    uint64_t   bdat_remaining;
    bool       bdat_gap;    /* bytes of the current chunk were not captured */
    ms_time_t  msg_start_ts;
    uint64_t   content_bytes;
    bool       content_seen;
    bool       content_partial; /* content started before the capture, or a gap */
    bool       content_long_noted;
    bool       content_lf_noted;
    bool       content_cr_noted;
    bool       prev_content_lf;

    /* SMTP smuggling: the server's reading of the data (ms_smtp_split.h) */
    ms_split_t       split;     /* look-alikes of the message being read */
    ms_split_cand_t *watch;     /* those of the message just answered: the next reply decides */
    uint32_t         n_watch;
    ms_split_cand_t *smug;      /* the look-alike the server took: its commands await replies */
    uint32_t         smug_next; /* its next item to answer */

    ms_auth_t  auth;        /* the AUTH exchange */
} ms_smtp_t;

/* Reporting goes through the shared reporter (caps per anomaly kind). */
#define anomaly(s, ...) ms_report_anomaly(&(s)->c.rep, __VA_ARGS__)
#define list_add(s, ...) ms_report_list_add(&(s)->c.rep, __VA_ARGS__)
#define check_line(s, ...) ms_report_line_checks(&(s)->c.rep, __VA_ARGS__)

/* ---- the command queue ------------------------------------------------- */

static smtp_pending_t *at(ms_smtp_t *s, uint32_t i)
{
    return (smtp_pending_t *)ms_conn_at(&s->c, i);
}

static smtp_pending_t *push_flags(ms_smtp_t *s, smtp_cmd_t kind, uint16_t flags,
                                  ms_frame_t frame, ms_time_t ts)
{
    return (smtp_pending_t *)ms_conn_push(&s->c, (uint16_t)kind, flags, frame, ts);
}

static smtp_pending_t *push(ms_smtp_t *s, smtp_cmd_t kind, ms_frame_t frame, ms_time_t ts)
{
    return push_flags(s, kind, 0, frame, ts);
}

/* The oldest command waiting: a queued one, or one spilled beyond the queue's
 * cap, which is known by its kind and flags only (frame 0, no argument). */
static smtp_pending_t *front(ms_smtp_t *s)
{
    return (smtp_pending_t *)ms_conn_front(&s->c);
}

static void pop(ms_smtp_t *s)
{
    if (ms_conn_queued(&s->c) > 0) {
        g_free(at(s, 0)->arg);
        ms_split_free_cands(at(s, 0)->split, at(s, 0)->n_split);
    }
    ms_conn_pop(&s->c);
}

/* Can a reply with this code answer a command of this kind? */
static bool reply_fits(const smtp_pending_t *p, unsigned code)
{
    unsigned kind = p->cmd.kind;
    if (code == 354)
        return kind == SMTP_CMD_DATA;
    if (code == 334) /* a QUIT inside AUTH may have been taken as the response */
        return kind == SMTP_CMD_AUTH || (p->cmd.flags & SMTP_F_IN_AUTH);
    if (kind == SMTP_CMD_DATA)
        return code >= 400;
    return true;
}

static const char *kind_name(unsigned k)
{
    static const char *const names[] = { "HELO", "EHLO", "MAIL", "RCPT", "DATA", "end of data",
                                         "BDAT", "AUTH", "STARTTLS", "RSET", "QUIT", "command" };
    return k < G_N_ELEMENTS(names) ? names[k] : "command";
}

/* The queued command a reply answers, after resynchronising if needed. */
static smtp_pending_t *match_reply(ms_smtp_t *s, unsigned code, ms_frame_t frame)
{
    uint32_t queued = ms_conn_queued(&s->c);
    if (queued == 0)
        return front(s);
    if (reply_fits(at(s, 0), code))
        return at(s, 0);
    uint32_t n = queued < RESYNC_WINDOW ? queued : RESYNC_WINDOW;
    for (uint32_t i = 1; i < n; i++) {
        if (!reply_fits(at(s, i), code))
            continue;
        while (i-- > 0) {
            anomaly(s, at(s, 0)->cmd.frame, MS_AN_UNANSWERED,
                    "%s got no reply: the reply %u in frame %u belongs to a later command",
                    kind_name(at(s, 0)->cmd.kind), code, frame);
            pop(s);
        }
        return at(s, 0);
    }
    return at(s, 0);
}

/* ---- transaction helpers ----------------------------------------------- */

static void reset_transaction(ms_smtp_t *s)
{
    s->mail_open = false;
    s->rcpt_sent = s->rcpt_ok = s->rcpt_pending = 0;
    s->bdat_open = false;
    s->content_bytes = 0;
}

static void message_done(ms_smtp_t *s, const smtp_pending_t *p, unsigned code,
                         ms_frame_t frame, ms_time_t ts)
{
    if (code / 100 == 2) {
        s->c.sum.msg_count++;
        ms_report_queue_id(&s->c.rep, &s->c.sum, s->reply_qid, frame);
        s->c.sum.msg_bytes += p->bytes;
        ms_report_message(&s->c.rep, frame, p->bytes);
        if (p->cmd.frame == 0)
            anomaly(s, frame, MS_AN_PARTIAL, "Message accepted, but its last command (end of "
                    "data or BDAT LAST) was spilled beyond the command queue's cap: its size is "
                    "not counted");
        else if (p->partial)
            anomaly(s, frame, MS_AN_PARTIAL, "Message accepted, but part of its content is not "
                    "in the capture: its %" G_GUINT64_FORMAT " bytes are a lower bound", p->bytes);
        else
            ms_report_transfer(&s->c.rep, &s->c.sum, ms_time_diff(ts, p->start_ts), frame);
    } else {
        anomaly(s, frame, MS_AN_MSG_REJECTED, "Message of %" G_GUINT64_FORMAT
                " bytes refused: %u %s", p->bytes, code, s->c.reply_text);
    }
    reset_transaction(s);
}

/* ---- client lines -------------------------------------------------------- */

/* The path of "FROM:<path>" / "TO:<path>": noted when malformed, added to its list. */
static const uint8_t *envelope_path(ms_smtp_t *s, const ms_smtp_cmd_t *c, const char *keyword,
                                    const char *syntax, ms_strlist_t *list, const char *what,
                                    ms_frame_t frame, size_t *plen)
{
    const uint8_t *path = NULL;
    *plen = 0;
    if (ms_smtp_path_parse(c->arg, c->arg_len, keyword, &path, plen) != MS_PATH_OK)
        anomaly(s, frame, MS_AN_SYNTAX, "%s", syntax);
    if (path)
        list_add(s, list, what, false, path, *plen, frame);
    return path;
}

static void cmd_mail(ms_smtp_t *s, const ms_smtp_cmd_t *c, ms_frame_t frame, ms_time_t ts)
{
    size_t plen;

    if (!s->helo_sent && s->c.sum.greeting_seen)
        anomaly(s, frame, MS_AN_SEQUENCE, "MAIL before HELO/EHLO");
    ms_conn_cleartext_use(&s->c, "mail", frame);
    bool nested = s->mail_open;
    if (nested)
        anomaly(s, frame, MS_AN_SEQUENCE, "Nested MAIL: a mail transaction is already open");
    envelope_path(s, c, "FROM:", "MAIL argument is not FROM:<reverse-path>", &s->c.sum.mail_from,
                  "sender", frame, &plen);
    if (!nested) {
        /* a server refuses a nested MAIL (503) and keeps the open transaction */
        reset_transaction(s);
        s->mail_open = true;
    }
    smtp_pending_t *p = push(s, SMTP_CMD_MAIL, frame, ts);
    if (p)
        p->nested = nested;
}

static void cmd_rcpt(ms_smtp_t *s, const ms_smtp_cmd_t *c, ms_frame_t frame, ms_time_t ts)
{
    size_t plen;

    if (!s->mail_open && s->c.sum.greeting_seen)
        anomaly(s, frame, MS_AN_SEQUENCE, "RCPT without MAIL");
    const uint8_t *path = envelope_path(s, c, "TO:", "RCPT argument is not TO:<forward-path>",
                                        &s->c.sum.rcpt_to, "recipient", frame, &plen);
    s->rcpt_sent++;
    s->rcpt_pending++;
    smtp_pending_t *p = push(s, SMTP_CMD_RCPT, frame, ts);
    if (p && path) {
        p->arg_len = plen < MS_TEXT_MAX ? plen : MS_TEXT_MAX;
        p->arg = g_memdup2(path, p->arg_len);
    }
}

static void cmd_data(ms_smtp_t *s, ms_frame_t frame, ms_time_t ts)
{
    if (!s->mail_open && !s->c.sum.greeting_seen)
        ; /* the transaction may have begun before the capture */
    else if (!s->mail_open)
        anomaly(s, frame, MS_AN_SEQUENCE, "DATA without MAIL");
    else if (s->rcpt_sent == 0)
        anomaly(s, frame, MS_AN_SEQUENCE, "DATA without RCPT");
    else if (s->rcpt_pending == 0 && s->rcpt_ok == 0)
        anomaly(s, frame, MS_AN_SEQUENCE, "DATA although every recipient was refused");
    push(s, SMTP_CMD_DATA, frame, ts);
    s->cmode = CMODE_DATA;
    s->msg_start_ts = ts;
    s->content_bytes = 0;
    s->content_seen = false;
    s->content_partial = false;
    s->content_long_noted = false;
    s->content_lf_noted = false;
    s->content_cr_noted = false;
    s->prev_content_lf = false;
    ms_split_reset(&s->split);
}

static void cmd_bdat(ms_smtp_t *s, const ms_smtp_cmd_t *c, ms_frame_t frame, ms_time_t ts)
{
    uint64_t size;
    bool last;

    if (ms_smtp_bdat_parse(c->arg, c->arg_len, &size, &last) != MS_BDAT_OK) {
        /* the server cannot know the chunk size either: what follows is commands */
        anomaly(s, frame, MS_AN_SYNTAX, "BDAT argument is not \"chunk-size [LAST]\"");
        push(s, SMTP_CMD_OTHER, frame, ts);
        return;
    }
    if (!s->mail_open && s->c.sum.greeting_seen)
        anomaly(s, frame, MS_AN_SEQUENCE, "BDAT without MAIL");
    if (!s->bdat_open) {
        s->bdat_open = true;
        s->msg_start_ts = ts;
        s->content_bytes = 0;
    }
    s->content_bytes += size;
    smtp_pending_t *p = push_flags(s, SMTP_CMD_BDAT, last ? SMTP_F_LAST : 0, frame, ts);
    if (p) {
        p->bytes = s->content_bytes;
        p->start_ts = s->msg_start_ts;
    }
    if (size > 0) {
        s->cmode = CMODE_BDAT;
        s->c.raw_client = true;
        s->bdat_remaining = size;
    }
    if (last)
        s->bdat_open = false;
}

static void cmd_auth(ms_smtp_t *s, const ms_smtp_cmd_t *c, bool truncated, ms_frame_t frame,
                     ms_time_t ts)
{
    ms_smtp_auth_t a;

    if (!ms_smtp_auth_parse(c->arg, c->arg_len, &a)) {
        anomaly(s, frame, MS_AN_SYNTAX, "AUTH without a valid mechanism name");
        push(s, SMTP_CMD_OTHER, frame, ts);
        return;
    }
    ms_conn_cleartext_use(&s->c, "authentication", frame);
    char label[sizeof(s->auth.label)];
    g_snprintf(label, sizeof(label), "AUTH %s", a.mech);
    ms_auth_start(&s->auth, &s->c.sum, &s->c.rep, a.mech, label, frame);
    if (a.has_ir)
        ms_auth_sasl_response(&s->auth, &s->c.sum, &s->c.rep, s->c.in_tls, a.ir, a.ir_len,
                              truncated, frame);
    push(s, SMTP_CMD_AUTH, frame, ts);
}

static void on_command(ms_smtp_t *s, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    ms_smtp_cmd_t c;

    s->c.sum.commands++;
    bool ok = ms_smtp_cmd_split(l->data, l->len, &c);
    bool is_auth = ok && !strcmp(c.verb, "AUTH");
    check_line(s, l, is_auth ? MS_AUTH_LINE_MAX : MS_SMTP_CMD_LINE_MAX, "Command", frame);
    if (!ok) {
        char *t = ms_text_printable(l->data, l->len, 40);
        anomaly(s, frame, MS_AN_SYNTAX, "Not an SMTP command: \"%s\"", t);
        g_free(t);
        push(s, SMTP_CMD_OTHER, frame, ts);
        return;
    }
    if (c.loose)
        ms_conn_loose_words(&s->c, c.verb, frame);
    if (!strcmp(c.verb, "EHLO") || !strcmp(c.verb, "HELO")) {
        /* the name counts once the server accepts it (a refused EHLO does not
         * replace an accepted one); the first one counts until a reply says */
        if (!s->c.sum.helo)
            s->c.sum.helo = ms_text_printable(c.arg, c.arg_len, MS_TEXT_MAX);
        s->helo_sent = true;
        reset_transaction(s);
        smtp_pending_t *p = push(s, c.verb[0] == 'E' ? SMTP_CMD_EHLO : SMTP_CMD_HELO, frame, ts);
        if (p) {
            p->arg_len = c.arg_len < MS_TEXT_MAX ? c.arg_len : MS_TEXT_MAX;
            p->arg = g_memdup2(c.arg, p->arg_len);
        }
    } else if (!strcmp(c.verb, "MAIL")) {
        cmd_mail(s, &c, frame, ts);
    } else if (!strcmp(c.verb, "RCPT")) {
        cmd_rcpt(s, &c, frame, ts);
    } else if (!strcmp(c.verb, "DATA")) {
        cmd_data(s, frame, ts);
    } else if (!strcmp(c.verb, "BDAT")) {
        cmd_bdat(s, &c, frame, ts);
    } else if (!strcmp(c.verb, "AUTH")) {
        cmd_auth(s, &c, l->truncated, frame, ts);
    } else if (!strcmp(c.verb, "STARTTLS")) {
        s->c.tls_pending = true;
        push(s, SMTP_CMD_STARTTLS, frame, ts);
    } else if (!strcmp(c.verb, "RSET")) {
        reset_transaction(s);
        push(s, SMTP_CMD_RSET, frame, ts);
    } else if (!strcmp(c.verb, "QUIT")) {
        s->c.quit_sent = true;
        push(s, SMTP_CMD_QUIT, frame, ts);
    } else {
        push(s, SMTP_CMD_OTHER, frame, ts);
    }
}

static void on_sasl_line(ms_smtp_t *s, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    check_line(s, l, MS_AUTH_LINE_MAX, "AUTH response", frame);
    ms_auth_sasl_response(&s->auth, &s->c.sum, &s->c.rep, s->c.in_tls, l->data, l->len,
                          l->truncated, frame);
    push(s, SMTP_CMD_AUTH, frame, ts);
}

/* "QUIT" where the AUTH exchange waits for a response: valid base64 too, so
 * only the reply says which one the server read (221: QUIT). */
static void on_quit_in_auth(ms_smtp_t *s, ms_frame_t frame, ms_time_t ts)
{
    s->c.sum.commands++;
    s->auth.expect--;
    s->c.quit_sent = true;
    push_flags(s, SMTP_CMD_QUIT, SMTP_F_IN_AUTH, frame, ts);
}

static void on_content(ms_smtp_t *s, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    bool lf = l->term == MS_TERM_LF;

    /* how a server that ends lines at a bare LF or CR reads it (look-alikes) */
    ms_split_line(&s->split, &s->c.rep, l, s->prev_content_lf, frame, ts);
    if (l->len == 1 && l->data[0] == '.' && !l->truncated && !lf && !s->prev_content_lf) {
        smtp_pending_t *p = push(s, SMTP_CMD_DATA_END, frame, ts);
        uint32_t n;
        ms_split_cand_t *cand = ms_split_take(&s->split, &n);
        if (p) {
            p->bytes = s->content_bytes;
            p->start_ts = s->msg_start_ts;
            p->partial = s->content_partial;
            p->split = cand;
            p->n_split = n;
        } else {
            ms_split_free_cands(cand, n); /* spilled: its reply cannot be followed anyway */
        }
        s->cmode = CMODE_COMMAND;
        return;
    }
    if (lf && !s->content_lf_noted) {
        s->content_lf_noted = true;
        anomaly(s, frame, MS_AN_BARE_NEWLINE, "Message line ended by a bare LF");
    }
    if (l->bare_cr && !s->content_cr_noted) {
        s->content_cr_noted = true;
        anomaly(s, frame, MS_AN_BARE_NEWLINE, "Message line contains a bare CR");
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
    list_add(s, &s->c.sum.capabilities, "capability", true, r->text, r->text_len, frame);
    if (ms_text_ieq(r->text, r->text_len, "STARTTLS") ||
        ms_text_iprefix(r->text, r->text_len, "STARTTLS "))
        s->c.sum.starttls_offered = true;
    else if (!s->c.in_tls)
        ms_report_masked_capability(&s->c.rep, r->text, r->text_len, "STARTTLS", frame);
}

static void on_auth_reply(ms_smtp_t *s, unsigned code, ms_frame_t frame)
{
    if (code == 334) {
        s->auth.expect++;
        return;
    }
    char *reply = g_strdup_printf("%u %s", code, s->c.reply_text);
    ms_auth_done(&s->auth, &s->c.sum, &s->c.rep, code / 100 == 2, reply, frame);
    g_free(reply);
}

/* The first server reply tells whether the capture holds the session's start. */
static bool first_reply(ms_smtp_t *s, unsigned code, ms_frame_t frame, ms_time_t ts)
{
    s->c.start_known = true;
    smtp_pending_t *p = front(s);
    if (!p ? code == 220 || code == 421 || code == 554
           : code == 220 && p->cmd.kind != SMTP_CMD_STARTTLS) {
        char status[8];
        g_snprintf(status, sizeof(status), "%u", code);
        ms_conn_greeting(&s->c, code == 220, status, s->c.reply_text, frame, ts);
        return true;
    }
    ms_conn_midstream(&s->c, frame);
    return false;
}

/* ---- SMTP smuggling: following the server's reading -------------------- */

/* Could a server give this reply to a command of this kind? Stricter than
 * reply_fits: it chooses between the RFC reading and the server's. */
static bool plausible(unsigned kind, unsigned code)
{
    if (code >= 400)
        return true;
    switch (kind) {
    case SMTP_CMD_QUIT:
        return code == 221;
    case SMTP_CMD_DATA:
        return code == 354;
    case SMTP_CMD_STARTTLS:
        return code == 220;
    case SMTP_CMD_AUTH:
        return code == 334 || code == 235;
    default: /* 220 is a greeting or a go-ahead, 221 a goodbye */
        return code / 100 == 2 && code != 220 && code != 221;
    }
}

static bool item_plausible(const ms_split_item_t *it, unsigned code)
{
    static const smtp_cmd_t kinds[] = {
        [MS_SPLIT_MAIL] = SMTP_CMD_MAIL, [MS_SPLIT_RCPT] = SMTP_CMD_RCPT,
        [MS_SPLIT_DATA] = SMTP_CMD_DATA, [MS_SPLIT_END] = SMTP_CMD_DATA_END,
        [MS_SPLIT_QUIT] = SMTP_CMD_QUIT, [MS_SPLIT_OTHER] = SMTP_CMD_OTHER,
    };
    return plausible(kinds[it->kind], code);
}

static void set_result(ms_smtp_t *s, ms_smuggling_result_t r)
{
    if (r > s->c.sum.smuggling_result)
        s->c.sum.smuggling_result = r;
}

static void watch_drop(ms_smtp_t *s)
{
    ms_split_free_cands(s->watch, s->n_watch);
    s->watch = NULL;
    s->n_watch = 0;
}

static void smug_drop(ms_smtp_t *s)
{
    ms_split_free_cands(s->smug, s->smug ? 1 : 0);
    s->smug = NULL;
    s->smug_next = 0;
}

/* The reply answered a message that held end-of-data look-alikes: the next
 * reply tells whether the server ended it at one of them. */
static void watch_start(ms_smtp_t *s, smtp_pending_t *p, unsigned code)
{
    if (!p->split)
        return;
    watch_drop(s);
    smug_drop(s);
    s->watch = p->split;
    s->n_watch = p->n_split;
    p->split = NULL;
    p->n_split = 0;
    set_result(s, code / 100 == 2 ? MS_SMUGGLING_NOT_SPLIT : MS_SMUGGLING_REFUSED);
}

/* "<a>, <b>" for the recipients the server accepted in items (from, to), at most 8. */
static char *accepted_rcpts(const ms_split_cand_t *c, uint32_t from, uint32_t to)
{
    GString *g = g_string_new(NULL);
    uint32_t n = 0;
    for (uint32_t j = from; j < to; j++) {
        const ms_split_item_t *it = &c->items[j];
        if (it->kind != MS_SPLIT_RCPT || it->code / 100 != 2)
            continue;
        if (n++ < 8)
            g_string_append_printf(g, "%s<%s>", n > 1 ? ", " : "", it->arg ? it->arg : "");
    }
    if (n > 8)
        g_string_append_printf(g, " and %u more", n - 8);
    if (n == 0)
        g_string_append(g, "none accepted");
    return g_string_free(g, FALSE);
}

/* The reply to the end of a smuggled message (item 'end'). */
static void smuggled_done(ms_smtp_t *s, const ms_split_cand_t *c, uint32_t end, unsigned code,
                          ms_frame_t frame)
{
    uint32_t mail = end;
    for (uint32_t j = end; j-- > 0;) {
        if (c->items[j].kind == MS_SPLIT_MAIL) {
            mail = j;
            break;
        }
    }
    const char *from = mail < end && c->items[mail].arg ? c->items[mail].arg : "";
    char *rcpts = accepted_rcpts(c, mail < end ? mail + 1 : 0, end);
    uint64_t bytes = c->items[end].bytes;
    if (code / 100 == 2) {
        s->c.sum.smuggled++;
        s->c.sum.smuggled_bytes += bytes;
        set_result(s, MS_SMUGGLING_ACCEPTED);
        anomaly(s, frame, MS_AN_SMUGGLED_MESSAGE, "Smuggled message accepted: the server ended "
                "the message at the end-of-data look-alike %s in frame %u (%" G_GUINT64_FORMAT
                " bytes by its reading) and read what followed as commands: MAIL FROM:<%s>, "
                "RCPT TO: %s, %" G_GUINT64_FORMAT " bytes", c->name, c->frame, c->carrier_bytes,
                from, rcpts, bytes);
    } else {
        anomaly(s, frame, MS_AN_SMUGGLED_MESSAGE, "Smuggled message refused (%u %s): the server "
                "ended the message at the end-of-data look-alike %s in frame %u and read what "
                "followed as commands: MAIL FROM:<%s>, RCPT TO: %s", code, s->c.reply_text,
                c->name, c->frame, from, rcpts);
    }
    g_free(rcpts);
}

/* A reply while the server's reading has smuggled commands waiting: true
 * when it answers one of them. */
static bool smug_reply(ms_smtp_t *s, unsigned code, ms_frame_t frame, ms_time_t ts)
{
    ms_split_cand_t *c = s->smug;
    const smtp_pending_t *f = front(s);
    uint32_t i = s->smug_next;

    if (i >= c->n_items) { /* commands beyond the items: counted, not kept */
        /* they take any 2xx/4xx/5xx; a 221, 354... belongs to a command sent later */
        if (c->more == 0 || !plausible(SMTP_CMD_OTHER, code)) {
            smug_drop(s);
            return false;
        }
        if (--c->more == 0)
            smug_drop(s);
        return true;
    }
    if (!item_plausible(&c->items[i], code)) {
        if (f && plausible(f->cmd.kind, code)) {
            smug_drop(s); /* the server's reading ended sooner: back to the RFC's */
            return false;
        }
        uint32_t end = c->n_items < i + RESYNC_WINDOW ? c->n_items : i + RESYNC_WINDOW;
        while (i < end && !item_plausible(&c->items[i], code))
            i++;
        if (i == end) {
            smug_drop(s);
            return false;
        }
    }
    ms_split_item_t *it = &c->items[i];
    s->smug_next = i + 1;
    it->code = code;
    /* the smuggled command as the server read it */
    static const uint16_t kinds[] = {
        [MS_SPLIT_MAIL] = SMTP_CMD_MAIL, [MS_SPLIT_RCPT] = SMTP_CMD_RCPT,
        [MS_SPLIT_DATA] = SMTP_CMD_DATA, [MS_SPLIT_END] = SMTP_CMD_DATA_END,
        [MS_SPLIT_QUIT] = SMTP_CMD_QUIT, [MS_SPLIT_OTHER] = SMTP_CMD_OTHER,
    };
    uint16_t kind = (unsigned)it->kind < sizeof(kinds) / sizeof(kinds[0]) ? kinds[it->kind]
                                                                           : SMTP_CMD_OTHER;
    ms_report_link(&s->c.rep, it->frame, it->ts, frame, ts, cmd_name(kind), kind,
                   (uint16_t)code);
    bool ok = code / 100 == 2;
    if (it->kind == MS_SPLIT_MAIL && ok && it->arg)
        ms_report_list_add_text(&s->c.rep, &s->c.sum.smuggled_from, "smuggled sender", false,
                                it->arg, frame);
    else if (it->kind == MS_SPLIT_RCPT && ok && it->arg)
        ms_report_list_add_text(&s->c.rep, &s->c.sum.smuggled_rcpt, "smuggled recipient", false,
                                it->arg, frame);
    else if (it->kind == MS_SPLIT_END)
        smuggled_done(s, c, i, code, frame);
    if (s->smug_next >= c->n_items && c->more == 0)
        smug_drop(s);
    return true;
}

/* The first reply after the answer to a message with look-alikes: one more
 * than the RFC reading expects (no command waits, or it cannot take this
 * reply) proves the server ended the data at a look-alike: the first one
 * whose commands can take it. */
static bool watch_reply(ms_smtp_t *s, unsigned code, ms_frame_t frame, ms_time_t ts)
{
    const smtp_pending_t *f = front(s);
    ms_split_cand_t *w = s->watch;
    uint32_t n = s->n_watch, pick = n;

    s->watch = NULL;
    s->n_watch = 0;
    /* a 421 may come at any time (RFC 5321 3.8): it proves nothing */
    if (code != 421 && (!f || !plausible(f->cmd.kind, code)))
        for (uint32_t i = 0; i < n && pick == n; i++)
            if (w[i].n_items > 0 && item_plausible(&w[i].items[0], code))
                pick = i;
    if (pick == n) {
        ms_split_free_cands(w, n);
        return false;
    }
    s->smug = g_memdup2(&w[pick], sizeof(*w));
    w[pick].n_items = 0; /* its paths now belong to the copy */
    ms_split_free_cands(w, n);
    s->smug_next = 0;
    set_result(s, MS_SMUGGLING_SPLIT);
    return smug_reply(s, code, frame, ts);
}

static void on_reply(ms_smtp_t *s, unsigned code, ms_frame_t frame, ms_time_t ts)
{
    if (!s->c.start_known && first_reply(s, code, frame, ts))
        return;
    if (s->smug && smug_reply(s, code, frame, ts))
        return;
    if (s->watch && watch_reply(s, code, frame, ts))
        return;
    smtp_pending_t *p = match_reply(s, code, frame);
    if (!p && code == 421)
        return; /* RFC 5321 3.8: the server may announce that it closes at any time */
    if (!p) {
        char *what = g_strdup_printf("%u %s", code, s->c.reply_text);
        ms_conn_unmatched(&s->c, what, frame);
        g_free(what);
        return;
    }
    ms_conn_answered(&s->c, &p->cmd, (uint16_t)code, frame, ts);
    bool ok = code / 100 == 2;
    switch (p->cmd.kind) {
    case SMTP_CMD_MAIL:
        if (!ok && !p->nested)
            s->mail_open = false;
        break;
    case SMTP_CMD_RCPT:
        if (s->rcpt_pending > 0)
            s->rcpt_pending--;
        if (ok) {
            s->rcpt_ok++;
        } else {
            if (p->cmd.frame && !ms_report_anomaly_kept(&s->c.rep, MS_AN_RCPT_REJECTED)) {
                /* past the expert cap: the address only to the list, escaped
                 * only if the list keeps it (nothing escaped past a cap) */
                ms_report_list_add(&s->c.rep, &s->c.sum.rcpt_rejected, "rejected recipient",
                                   false, p->arg ? p->arg : (const uint8_t *)"", p->arg_len, frame);
                anomaly(s, frame, MS_AN_RCPT_REJECTED, "Recipient refused"); /* counted */
            } else if (p->cmd.frame) {
                /* escaped once, from the bytes sent: the same text as in rcpt_to */
                char *a = ms_text_printable(p->arg ? p->arg : (const uint8_t *)"", p->arg_len,
                                            MS_TEXT_MAX);
                ms_report_list_add_text(&s->c.rep, &s->c.sum.rcpt_rejected, "rejected recipient",
                                        false, a, frame);
                anomaly(s, frame, MS_AN_RCPT_REJECTED, "Recipient <%s> refused: %u %s", a, code,
                        s->c.reply_text);
                g_free(a);
            } else {
                anomaly(s, frame, MS_AN_RCPT_REJECTED, "A recipient was refused: %u %s (its "
                        "address was not kept: the command queue was full)", code, s->c.reply_text);
            }
        }
        break;
    case SMTP_CMD_DATA:
        if (code != 354 && s->cmode == CMODE_DATA) {
            if (s->content_seen)
                anomaly(s, frame, MS_AN_SEQUENCE,
                        "Message data was sent although DATA was refused (%u)", code);
            else
                s->cmode = CMODE_COMMAND;
        }
        break;
    case SMTP_CMD_DATA_END:
        message_done(s, p, code, frame, ts);
        watch_start(s, p, code);
        break;
    case SMTP_CMD_BDAT:
        if (s->cmode == CMODE_BDAT && s->bdat_gap && ms_conn_queued(&s->c) == 1) {
            /* the server answers a chunk once it has all of it: the capture
             * lost part of this one, and its end is here, not further on */
            s->cmode = CMODE_COMMAND;
            s->c.raw_client = false;
            s->bdat_remaining = 0;
            s->bdat_gap = false;
            anomaly(s, frame, MS_AN_PARTIAL, "The server answered a BDAT chunk part of which is "
                    "not in the capture: the client's commands resume after it");
        }
        if ((p->cmd.flags & SMTP_F_LAST) || !ok)
            message_done(s, p, code, frame, ts);
        break;
    case SMTP_CMD_AUTH:
        on_auth_reply(s, code, frame);
        break;
    case SMTP_CMD_STARTTLS: {
        char *reply = g_strdup_printf("%u %s", code, s->c.reply_text);
        ms_conn_tls_reply(&s->c, code == 220, reply, frame);
        g_free(reply);
        if (code == 220) {
            s->helo_sent = false; /* RFC 3207: the client must start over */
            s->auth.open = false;
            reset_transaction(s);
        }
        break;
    }
    case SMTP_CMD_EHLO:
        if (code == 250 && !s->c.in_tls) {
            s->c.sum.clear_caps++;
            s->c.sum.clear_caps_frame = frame;
        }
        /* fall through */
    case SMTP_CMD_HELO:
        if (ok && p->cmd.frame) {
            g_free(s->c.sum.helo);
            s->c.sum.helo = ms_text_printable(p->arg ? p->arg : (const uint8_t *)"", p->arg_len,
                                              MS_TEXT_MAX);
        }
        break;
    case SMTP_CMD_QUIT:
        if ((p->cmd.flags & SMTP_F_IN_AUTH) && code != 221) {
            /* the server read it as the SASL response it waited for (the
             * decoded "QUIT" is no user name worth listing) */
            s->c.quit_sent = false;
            s->auth.step++;
            on_auth_reply(s, code, frame);
            break;
        }
        if (p->cmd.flags & SMTP_F_IN_AUTH)
            s->auth.open = false; /* ended by QUIT: no result */
        s->c.sum.quit = true;
        break;
    default:
        break;
    }
    pop(s);
}

/* Can the reply being read close a message: is an end of data or a BDAT LAST
 * among the commands match_reply() may give it to? Only then is a queue id
 * looked for in its text (message_done() is its only reader): the parse costs
 * ~1,200 instructions, and most 2xx replies answer MAIL or RCPT. */
static bool may_close_message(ms_smtp_t *s)
{
    uint32_t queued = ms_conn_queued(&s->c);
    uint32_t n = queued == 0 ? 1 : queued < RESYNC_WINDOW ? queued : RESYNC_WINDOW;
    for (uint32_t i = 0; i < n; i++) {
        const smtp_pending_t *p = queued == 0 ? front(s) : at(s, i);
        if (p && (p->cmd.kind == SMTP_CMD_DATA_END ||
                  (p->cmd.kind == SMTP_CMD_BDAT && (p->cmd.flags & SMTP_F_LAST))))
            return true;
    }
    return false;
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
        g_free(s->c.reply_text);
        s->c.reply_text = ms_text_printable(r.text, r.text_len, MS_TEXT_MAX);
        g_free(s->reply_qid);
        s->reply_qid = NULL;
    } else if (r.code != s->reply_code) {
        anomaly(s, frame, MS_AN_SYNTAX, "Reply code changes from %u to %u inside a multi-line reply",
                s->reply_code, r.code);
    }
    const smtp_pending_t *p = front(s);
    bool ehlo = p && p->cmd.kind == SMTP_CMD_EHLO;
    if (s->reply_lines++ > 0 && s->reply_code == 250 && ehlo)
        reply_ehlo_line(s, &r, frame);
    /* the reply that accepts a message may name its queue id (first one found) */
    const uint8_t *qid;
    size_t qid_len;
    if (s->reply_code / 100 == 2 && !ehlo && !s->reply_qid && may_close_message(s) &&
        ms_smtp_queue_id_parse(r.text, r.text_len, &qid, &qid_len))
        s->reply_qid = ms_text_printable(qid, qid_len, MS_QUEUE_ID_MAX);
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
    return s->c.sum.commands == 0 && !known_verb(l);
}

static void start_partial_content(ms_smtp_t *s, const ms_line_t *l, ms_frame_t frame,
                                  ms_time_t ts)
{
    s->c.midstream = true;
    anomaly(s, frame, MS_AN_PARTIAL, "The capture starts inside message content: client lines "
            "up to the end-of-data line are taken as content");
    s->cmode = CMODE_DATA;
    s->msg_start_ts = ts;
    s->content_bytes = 0;
    s->content_seen = false;
    s->content_partial = true;
    s->prev_content_lf = false;
    ms_split_reset(&s->split);
    on_content(s, l, frame, ts);
}

/* ---- the front door's handlers ----------------------------------------- */

static void client_line(ms_conn_t *c, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    ms_smtp_t *s = (ms_smtp_t *)c;
    if (s->cmode == CMODE_DATA)
        on_content(s, l, frame, ts);
    else if (s->auth.open && s->auth.expect > 0 && ms_text_ieq(l->data, l->len, "QUIT"))
        on_quit_in_auth(s, frame, ts);
    else if (s->auth.open && is_sasl_response(s, l))
        on_sasl_line(s, l, frame, ts);
    else if (!s->c.sum.greeting_seen && looks_like_content(s, l))
        start_partial_content(s, l, frame, ts);
    else
        on_command(s, l, frame, ts);
}

static void server_line(ms_conn_t *c, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    on_reply_line((ms_smtp_t *)c, l, frame, ts);
}

/* BDAT chunk bytes are not lines. */
static size_t client_raw(ms_conn_t *c, const uint8_t *data, size_t len)
{
    ms_smtp_t *s = (ms_smtp_t *)c;
    (void)data;
    if (s->cmode != CMODE_BDAT)
        return 0;
    uint64_t take = len < s->bdat_remaining ? len : s->bdat_remaining;
    s->bdat_remaining -= take;
    if (s->bdat_remaining == 0) {
        s->cmode = CMODE_COMMAND;
        s->c.raw_client = false;
        s->bdat_gap = false;
    }
    return (size_t)take;
}

static const char *gap(ms_conn_t *c, ms_dir_t dir)
{
    ms_smtp_t *s = (ms_smtp_t *)c;
    if (dir != MS_DIR_CLIENT || s->cmode == CMODE_COMMAND)
        return NULL;
    if (s->cmode == CMODE_DATA)
        s->content_partial = true;
    else
        s->bdat_gap = true; /* the reply to the chunk will say where it ended */
    return "message content is incomplete";
}

static void clear(ms_conn_t *c)
{
    ms_smtp_t *s = (ms_smtp_t *)c;
    while (ms_conn_queued(&s->c) > 0)
        pop(s);
    s->reply_open = false;
    ms_split_reset(&s->split);
    watch_drop(s);
    smug_drop(s);
    g_free(s->reply_qid);
    s->reply_qid = NULL;
}

static void release(ms_conn_t *c)
{
    ms_auth_free(&((ms_smtp_t *)c)->auth);
}

static const char *cmd_name(uint16_t kind)
{
    static const char *const names[] = {
        [SMTP_CMD_HELO] = "HELO", [SMTP_CMD_EHLO] = "EHLO", [SMTP_CMD_MAIL] = "MAIL",
        [SMTP_CMD_RCPT] = "RCPT", [SMTP_CMD_DATA] = "DATA", [SMTP_CMD_DATA_END] = "end of data",
        [SMTP_CMD_BDAT] = "BDAT", [SMTP_CMD_AUTH] = "AUTH", [SMTP_CMD_STARTTLS] = "STARTTLS",
        [SMTP_CMD_RSET] = "RSET", [SMTP_CMD_QUIT] = "QUIT", [SMTP_CMD_OTHER] = "other",
    };
    return kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "other";
}

const ms_proto_ops_t ms_smtp_ops = {
    .size = sizeof(ms_smtp_t), .cmd_size = sizeof(smtp_pending_t),
    .queue_cap = MS_SMTP_CAP_PENDING, .unknown_kind = SMTP_CMD_OTHER,
    .line_keep = MS_SMTP_LINE_KEEP, .client_line = client_line, .server_line = server_line,
    .client_raw = client_raw, .gap = gap, .clear = clear, .free = release, /* no extra close checks */
    .cmd_name = cmd_name, .cmd_kinds = SMTP_CMD_OTHER + 1,
};

/* ms_pop3.c - the POP3 session machine (RFC 1939, 2449, 2595, 5034).
 *
 * Commands wait in the connection's queue for their replies (RFC 2449
 * PIPELINING makes several outstanding possible). A reply is "+OK", "-ERR",
 * or a SASL challenge "+ ..." during AUTH; after "+OK" the replies to RETR,
 * TOP, CAPA and argument-less LIST/UIDL/AUTH go on until a line holding only
 * ".". Keeps the shared session record plus the mailbox accounting (STAT,
 * RETR, TOP, DELE, and whether QUIT committed deletions). The connection
 * part (ms_conn.c) and the front door (ms_machine.c) do what SMTP does too.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_pop3.h"
#include "ms_auth.h"
#include "ms_conn.h"
#include "ms_pop3_parse.h"
#include "ms_proto.h"
#include "ms_text.h"

#include <glib.h>
#include <string.h>

/* The RFC 1939 session states. */
typedef enum {
    POP_AUTHORIZATION, /* before a successful login */
    POP_TRANSACTION,   /* logged in: maildrop commands allowed */
    POP_UPDATE         /* QUIT answered +OK after login: deletions take effect */
} pop_state_t;

/* Command flags kept even for a command spilled beyond the queue's cap. */
#define POP3_F_MULTI   0x1u /* "+OK" opens a multi-line reply */
#define POP3_F_LISTING 0x2u /* AUTH without a mechanism: a list, not an attempt */

/* A queued command is a bare ms_cmd_t: kind an ms_pop3_verb_t, flags POP3_F_*. */

/* Where the server's next line belongs. */
typedef enum {
    SMODE_STATUS,  /* a status line: +OK, -ERR, or "+ " during AUTH */
    SMODE_MULTI,   /* lines of a multi-line reply, until "." */
    SMODE_UNKNOWN  /* the capture began inside a multi-line reply */
} smode_t;

typedef struct {
    ms_conn_t     c;             /* the connection part: first member */
    pop_state_t   state;
    smode_t       smode;
    bool          user_sent;     /* USER sent, PASS may follow */
    uint64_t      multi_bytes;   /* content of the current multi-line reply */
    ms_auth_t     auth;
} ms_pop3_t;

#define anomaly(p, ...) ms_report_anomaly(&(p)->c.rep, __VA_ARGS__)

/* ---- the command queue ------------------------------------------------- */

static ms_cmd_t *push(ms_pop3_t *p, ms_pop3_verb_t kind, uint16_t flags, ms_frame_t frame,
                      ms_time_t ts)
{
    return ms_conn_push(&p->c, (uint16_t)kind, flags, frame, ts);
}

/* The oldest command waiting: a queued one, or a spilled one known by its
 * kind and flags only (frame 0). */
static ms_cmd_t *front(ms_pop3_t *p)
{
    return ms_conn_front(&p->c);
}

static void pop(ms_pop3_t *p)
{
    ms_conn_pop(&p->c);
}

/* ---- client lines -------------------------------------------------------- */

/* ---- client lines -------------------------------------------------------- */

static void cmd_auth(ms_pop3_t *p, const uint8_t *arg, size_t len, bool truncated,
                     ms_frame_t frame)
{
    size_t ml = ms_pop3_word_len(arg, len);
    char mech[MS_SASL_MECH_MAX + 1], label[sizeof(p->auth.label)];

    if (ml == 0) /* "AUTH": the server lists its mechanisms (queued as a listing) */
        return;
    bool valid = ml <= MS_SASL_MECH_MAX;
    for (size_t i = 0; valid && i < ml; i++) /* RFC 4422 3.1: A-Z, 0-9, "-", "_" */
        valid = g_ascii_isalnum(arg[i]) || arg[i] == '-' || arg[i] == '_';
    if (!valid) {
        anomaly(p, frame, MS_AN_SYNTAX, "AUTH without a valid mechanism name");
        return;
    }
    for (size_t i = 0; i < ml; i++)
        mech[i] = g_ascii_toupper((char)arg[i]);
    mech[ml] = '\0';
    g_snprintf(label, sizeof(label), "AUTH %s", mech);
    ms_auth_start(&p->auth, &p->c.sum, &p->c.rep, mech, label, frame);
    while (ml < len && MS_IS_BLANK(arg[ml]))
        ml++;
    if (ml < len)
        ms_auth_sasl_response(&p->auth, &p->c.sum, &p->c.rep, p->c.in_tls, arg + ml, len - ml,
                              truncated, frame);
}

/* Does "+OK" to this command open a multi-line reply? */
static uint16_t cmd_flags(const ms_pop3_cmd_t *c)
{
    bool listing = c->verb == POP3_CMD_AUTH && ms_pop3_word_len(c->arg, c->arg_len) == 0;
    bool multi = c->verb == POP3_CMD_RETR || c->verb == POP3_CMD_TOP || c->verb == POP3_CMD_CAPA ||
                 listing ||
                 ((c->verb == POP3_CMD_LIST || c->verb == POP3_CMD_UIDL) && c->arg_len == 0);
    return (multi ? POP3_F_MULTI : 0) | (listing ? POP3_F_LISTING : 0);
}

static void on_command(ms_pop3_t *p, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    ms_pop3_cmd_t c;

    p->c.sum.commands++;
    ms_report_line_checks(&p->c.rep, l, MS_POP3_CMD_LINE_MAX, "Command", frame);
    ms_pop3_cmd_parse(l->data, l->len, &c);
    if (!c.known) {
        if (!c.plausible) {
            char *t = ms_text_printable(l->data, l->len, 40);
            anomaly(p, frame, MS_AN_SYNTAX, "Not a POP3 command: \"%s\"", t);
            g_free(t);
        }
        push(p, POP3_CMD_OTHER, 0, frame, ts);
        return;
    }
    if (c.loose)
        ms_conn_loose_words(&p->c, c.name, frame);
    if (c.needs_login && p->state != POP_TRANSACTION && p->c.sum.greeting_seen)
        anomaly(p, frame, MS_AN_SEQUENCE, "%s before authentication", c.name);
    push(p, c.verb, cmd_flags(&c), frame, ts);
    if (c.verb == POP3_CMD_USER || c.verb == POP3_CMD_APOP ||
        (c.verb == POP3_CMD_AUTH && c.arg_len > 0))
        ms_conn_cleartext_use(&p->c, "authentication", frame);
    switch (c.verb) {
    case POP3_CMD_USER:
        ms_auth_start(&p->auth, &p->c.sum, &p->c.rep, "USER", "USER/PASS", frame);
        ms_auth_user(&p->auth, &p->c.sum, &p->c.rep, c.arg, c.arg_len, frame);
        p->user_sent = true;
        break;
    case POP3_CMD_PASS:
        if (!p->user_sent && p->c.sum.greeting_seen)
            anomaly(p, frame, MS_AN_SEQUENCE, "PASS without USER");
        if (!p->auth.open)
            ms_auth_start(&p->auth, &p->c.sum, &p->c.rep, "USER", "USER/PASS", frame);
        ms_auth_secret(&p->auth, &p->c.sum, &p->c.rep, p->c.in_tls, frame);
        p->user_sent = false;
        break;
    case POP3_CMD_APOP:
        ms_auth_start(&p->auth, &p->c.sum, &p->c.rep, "APOP", "APOP", frame);
        ms_auth_user(&p->auth, &p->c.sum, &p->c.rep, c.arg, ms_pop3_word_len(c.arg, c.arg_len),
                     frame);
        ms_auth_secret(&p->auth, &p->c.sum, &p->c.rep, p->c.in_tls, frame);
        break;
    case POP3_CMD_AUTH:
        cmd_auth(p, c.arg, c.arg_len, l->truncated, frame);
        break;
    case POP3_CMD_STLS:
        p->c.tls_pending = true;
        break;
    case POP3_CMD_QUIT:
        p->c.quit_sent = true;
        break;
    default:
        break;
    }
}

static void on_sasl_line(ms_pop3_t *p, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    ms_report_line_checks(&p->c.rep, l, MS_AUTH_LINE_MAX, "AUTH response", frame);
    ms_auth_sasl_response(&p->auth, &p->c.sum, &p->c.rep, p->c.in_tls, l->data, l->len,
                          l->truncated, frame);
    push(p, POP3_CMD_AUTH, 0, frame, ts);
}

/* ---- server lines -------------------------------------------------------- */

/* "+OK nn mm" after STAT */
static void on_stat(ms_pop3_t *p, ms_frame_t frame)
{
    uint32_t n;
    uint64_t m;
    if (!ms_pop3_stat_parse(p->c.reply_text, &n, &m)) {
        anomaly(p, frame, MS_AN_SYNTAX, "STAT reply is not \"+OK messages octets\"");
        return;
    }
    p->c.sum.stat_seen = true;
    p->c.sum.maildrop_msgs = n;
    p->c.sum.maildrop_bytes = m;
}

/* A complete reply (status line, plus its multi-line body when there is one). */
static void on_reply(ms_pop3_t *p, const ms_cmd_t *e, bool ok, ms_frame_t frame, ms_time_t ts)
{
    ms_conn_answered(&p->c, e, ok ? MS_POP3_CODE_OK : MS_POP3_CODE_ERR, frame, ts);
    switch (e->kind) {
    case POP3_CMD_USER:
        if (!ok) {
            p->user_sent = false;
            ms_auth_done(&p->auth, &p->c.sum, &p->c.rep, false, p->c.reply_text, frame);
        }
        break;
    case POP3_CMD_PASS:
    case POP3_CMD_APOP:
    case POP3_CMD_AUTH:
        if ((e->flags & POP3_F_LISTING) || !p->auth.open)
            break;
        ms_auth_done(&p->auth, &p->c.sum, &p->c.rep, ok, p->c.reply_text, frame);
        if (ok)
            p->state = POP_TRANSACTION;
        break;
    case POP3_CMD_STAT:
        if (ok)
            on_stat(p, frame);
        break;
    case POP3_CMD_RETR:
    case POP3_CMD_TOP:
        if (!ok)
            break;
        if (e->kind == POP3_CMD_RETR) {
            p->c.sum.msg_count++;
            p->c.sum.msg_bytes += p->multi_bytes;
            ms_report_message(&p->c.rep, frame, p->multi_bytes);
        } else {
            p->c.sum.top_count++;
        }
        ms_report_transfer(&p->c.rep, &p->c.sum, ms_time_diff(ts, e->ts), frame);
        break;
    case POP3_CMD_DELE:
        if (ok)
            p->c.sum.deleted++;
        break;
    case POP3_CMD_RSET:
        if (ok)
            p->c.sum.deleted = 0;
        break;
    case POP3_CMD_QUIT:
        p->c.sum.quit = true;
        if (ok && p->state == POP_TRANSACTION) {
            p->state = POP_UPDATE;
            p->c.sum.deleted_committed = true;
        }
        break;
    case POP3_CMD_CAPA:
        if (ok && !p->c.in_tls) {
            p->c.sum.clear_caps++;
            p->c.sum.clear_caps_frame = frame;
        }
        break;
    case POP3_CMD_STLS:
        ms_conn_tls_reply(&p->c, ok, p->c.reply_text, frame);
        break;
    default:
        break;
    }
    pop(p);
}

/* A line of a multi-line reply, or its "." end. */
static void on_multi_line(ms_pop3_t *p, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    ms_cmd_t *e = front(p);
    if (l->len == 1 && l->data[0] == '.' && !l->truncated) {
        if (p->smode == SMODE_UNKNOWN) {
            p->smode = SMODE_STATUS;
            return;
        }
        p->smode = SMODE_STATUS;
        if (e)
            on_reply(p, e, true, frame, ts);
        return;
    }
    if (l->term == MS_TERM_LF)
        ms_report_line_checks(&p->c.rep, l, SIZE_MAX, "Reply", frame);
    uint64_t n = l->total + (l->term == MS_TERM_CRLF ? 2 : l->term == MS_TERM_LF ? 1 : 0);
    if (l->len > 0 && l->data[0] == '.')
        n--; /* RFC 1939 3: byte-stuffed termination octet */
    p->multi_bytes += n;
    if (e && e->kind == POP3_CMD_CAPA && p->smode == SMODE_MULTI) {
        ms_report_list_add(&p->c.rep, &p->c.sum.capabilities, "capability", true, l->data,
                           l->len, frame);
        if (ms_text_ieq(l->data, l->len, "STLS"))
            p->c.sum.starttls_offered = true;
        else if (!p->c.in_tls)
            ms_report_masked_capability(&p->c.rep, l->data, l->len, "STLS", frame);
    }
}

static const char *status_name(ms_pop3_status_t st)
{
    return st == MS_POP3_OK ? "+OK" : st == MS_POP3_ERR ? "-ERR" : "+";
}

/* A status line: the greeting, a reply, or a SASL challenge. */
static void on_reply_line(ms_pop3_t *p, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    const uint8_t *text;
    size_t text_len;
    ms_pop3_status_t st = ms_pop3_status_parse(l->data, l->len, &text, &text_len);
    bool ok = st == MS_POP3_OK;

    ms_report_line_checks(&p->c.rep, l, MS_POP3_REPLY_LINE_MAX, "Reply", frame);
    if (st == MS_POP3_NOT_STATUS) {
        if (!p->c.start_known) {
            p->c.start_known = p->c.midstream = true;
            p->smode = SMODE_UNKNOWN;
            anomaly(p, frame, MS_AN_PARTIAL, "The capture starts inside a multi-line reply: "
                    "server lines up to the next \".\" line are skipped");
            on_multi_line(p, l, frame, ts);
            return;
        }
        char *t = ms_text_printable(l->data, l->len, 40);
        anomaly(p, frame, MS_AN_SYNTAX, "Not a POP3 status line: \"%s\"", t);
        g_free(t);
        return;
    }
    g_free(p->c.reply_text);
    p->c.reply_text = ms_text_printable(text, text_len, MS_TEXT_MAX);

    if (!p->c.start_known) {
        p->c.start_known = true;
        if (!front(p) && st != MS_POP3_CHALLENGE) {
            ms_conn_greeting(&p->c, ok, "-ERR", p->c.reply_text, frame, ts);
            return;
        }
        ms_conn_midstream(&p->c, frame);
    }
    ms_cmd_t *e = front(p);
    if (!e) {
        ms_conn_unmatched(&p->c, status_name(st), frame);
        return;
    }
    if (st == MS_POP3_CHALLENGE) {
        if (e->kind == POP3_CMD_AUTH && p->auth.open) {
            p->auth.expect++;
            ms_conn_answered(&p->c, e, MS_POP3_CODE_CONT, frame, ts);
            pop(p);
        } else {
            anomaly(p, frame, MS_AN_SYNTAX, "A \"+\" continuation outside an AUTH exchange");
        }
        return;
    }
    if (ok && (e->flags & POP3_F_MULTI)) {
        p->smode = SMODE_MULTI;
        p->multi_bytes = 0;
        return;
    }
    on_reply(p, e, ok, frame, ts);
}

/* ---- the front door's handlers ----------------------------------------- */

static void client_line(ms_conn_t *c, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    ms_pop3_t *p = (ms_pop3_t *)c;
    if (p->auth.open && p->auth.expect > 0) {
        p->auth.expect--;
        on_sasl_line(p, l, frame, ts);
    } else {
        on_command(p, l, frame, ts);
    }
}

static void server_line(ms_conn_t *c, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    ms_pop3_t *p = (ms_pop3_t *)c;
    if (p->smode == SMODE_STATUS)
        on_reply_line(p, l, frame, ts);
    else
        on_multi_line(p, l, frame, ts);
}

static const char *gap(ms_conn_t *c, ms_dir_t dir)
{
    ms_pop3_t *p = (ms_pop3_t *)c;
    return dir == MS_DIR_SERVER && p->smode != SMODE_STATUS
               ? "the multi-line reply (and its size) is incomplete"
               : NULL;
}

static void close_checks(ms_conn_t *c, ms_frame_t frame)
{
    ms_pop3_t *p = (ms_pop3_t *)c;
    if (p->c.sum.deleted > 0 && !p->c.sum.deleted_committed && ms_conn_client_visible(c))
        anomaly(p, frame, MS_AN_DELETIONS_UNCOMMITTED, "%u message%s marked for deletion, but the "
                "session never reached the UPDATE state (QUIT +OK): nothing was deleted",
                p->c.sum.deleted, p->c.sum.deleted == 1 ? "" : "s");
}

static void clear(ms_conn_t *c)
{
    ((ms_pop3_t *)c)->smode = SMODE_STATUS;
}

static void release(ms_conn_t *c)
{
    ms_auth_free(&((ms_pop3_t *)c)->auth);
}

static const char *cmd_name(uint16_t kind)
{
    static const char *const names[] = {
        [POP3_CMD_USER] = "USER", [POP3_CMD_PASS] = "PASS", [POP3_CMD_APOP] = "APOP",
        [POP3_CMD_AUTH] = "AUTH", [POP3_CMD_STAT] = "STAT", [POP3_CMD_LIST] = "LIST",
        [POP3_CMD_RETR] = "RETR", [POP3_CMD_DELE] = "DELE", [POP3_CMD_RSET] = "RSET",
        [POP3_CMD_QUIT] = "QUIT", [POP3_CMD_TOP] = "TOP", [POP3_CMD_UIDL] = "UIDL",
        [POP3_CMD_CAPA] = "CAPA", [POP3_CMD_STLS] = "STLS", [POP3_CMD_OTHER] = "other",
    };
    return kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "other";
}

const ms_proto_ops_t ms_pop3_ops = {
    .size = sizeof(ms_pop3_t), .cmd_size = sizeof(ms_cmd_t),
    .queue_cap = MS_POP3_CAP_PENDING, .unknown_kind = POP3_CMD_OTHER,
    .line_keep = MS_POP3_LINE_KEEP, .client_line = client_line, .server_line = server_line,
    .gap = gap, .close = close_checks, .clear = clear, .free = release, /* only lines from the client */
    .cmd_name = cmd_name, .cmd_kinds = POP3_CMD_OTHER + 1,
};

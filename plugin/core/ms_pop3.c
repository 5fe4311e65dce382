/* ms_pop3.c - the POP3 session machine.
 *
 * Commands wait in a FIFO for their replies (RFC 2449 PIPELINING makes
 * several outstanding possible). A reply is "+OK", "-ERR", or a SASL
 * challenge "+ ..." during AUTH; after "+OK" the replies to RETR, TOP, CAPA
 * and argument-less LIST/UIDL/AUTH go on until a line holding only ".".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_pop3.h"
#include "ms_auth.h"
#include "ms_fifo.h"
#include "ms_linebuf.h"
#include "ms_text.h"

#include <glib.h>
#include <string.h>

/* The RFC 1939 session states. */
typedef enum {
    POP_AUTHORIZATION, /* before a successful login */
    POP_TRANSACTION,   /* logged in: maildrop commands allowed */
    POP_UPDATE         /* QUIT answered +OK after login: deletions take effect */
} pop_state_t;

/* What a queued command waits for. */
typedef enum {
    P_USER, P_PASS, P_APOP, P_AUTH, P_STAT, P_LIST, P_RETR, P_DELE, P_RSET, P_QUIT,
    P_TOP, P_UIDL, P_CAPA, P_STLS, P_OTHER
} pcmd_t;

typedef struct {
    pcmd_t     kind;
    ms_frame_t frame;
    ms_time_t  ts;
    bool       multi;   /* "+OK" opens a multi-line reply */
    bool       listing; /* AUTH without a mechanism: a list, not an attempt */
} pending_t;

/* Where the server's next line belongs. */
typedef enum {
    SMODE_STATUS,  /* a status line: +OK, -ERR, or "+ " during AUTH */
    SMODE_MULTI,   /* lines of a multi-line reply, until "." */
    SMODE_UNKNOWN  /* the capture began inside a multi-line reply */
} smode_t;

struct ms_pop3 {
    ms_summary_t  sum;
    ms_reporter_t rep;
    ms_linebuf_t  lb[2];
    ms_fifo_t     pend;          /* commands waiting for replies (pending_t) */
    pending_t     spill_slot;    /* stands for a spilled command (kind only) */

    pop_state_t   state;
    smode_t       smode;
    bool          start_known;   /* the first server line was seen */
    bool          midstream;     /* the capture starts after the session began */
    bool          in_tls;
    bool          tls_seen;      /* decrypted client data arrived after STLS */
    bool          stls_pending;  /* STLS sent, no reply yet */
    ms_frame_t    tls_go_frame;  /* frame of the +OK go-ahead */
    bool          quit_sent;
    bool          closed;
    bool          user_sent;     /* USER sent, PASS may follow */
    uint64_t      client_lines;
    uint64_t      server_lines;
    bool          one_side_noted;
    char         *status_text;   /* text of the current reply's status line */
    uint64_t      multi_bytes;   /* content of the current multi-line reply */
    ms_auth_t     auth;
};

#define anomaly(p, ...) ms_report_anomaly(&(p)->rep, __VA_ARGS__)

/* ---- the command FIFO -------------------------------------------------- */

/* A command spilled beyond the queue's cap is kept as its kind and these flags. */
#define SPILL_MULTI   0x100u
#define SPILL_LISTING 0x200u

static pending_t *push(ms_pop3_t *p, pcmd_t kind, bool multi, bool listing, ms_frame_t frame,
                       ms_time_t ts)
{
    uint32_t k = (uint32_t)kind | (multi ? SPILL_MULTI : 0) | (listing ? SPILL_LISTING : 0);
    pending_t *e = (pending_t *)ms_fifo_push(&p->pend, &p->rep, frame, k);
    if (e) {
        e->kind = kind;
        e->frame = frame;
        e->ts = ts;
        e->multi = multi;
        e->listing = listing;
    }
    return e;
}

static void pop_head(ms_pop3_t *p)
{
    ms_fifo_pop(&p->pend);
}

/* The oldest command waiting: a queued one, or a spilled one known by its
 * kind only (frame 0). */
static pending_t *head(ms_pop3_t *p)
{
    uint32_t k;
    if (p->pend.count > 0)
        return (pending_t *)ms_fifo_at(&p->pend, 0);
    if (!ms_fifo_spilled_front(&p->pend, &k))
        return NULL;
    memset(&p->spill_slot, 0, sizeof(p->spill_slot));
    p->spill_slot.kind = k == MS_FIFO_KIND_UNKNOWN ? P_OTHER : (pcmd_t)(k & 0xFF);
    p->spill_slot.multi = k != MS_FIFO_KIND_UNKNOWN && (k & SPILL_MULTI);
    p->spill_slot.listing = k != MS_FIFO_KIND_UNKNOWN && (k & SPILL_LISTING);
    return &p->spill_slot;
}

/* ---- client lines -------------------------------------------------------- */

static const struct {
    const char *verb;
    pcmd_t      kind;
    bool        needs_login; /* a TRANSACTION-state command */
} verbs[] = {
    { "USER", P_USER, false }, { "PASS", P_PASS, false }, { "APOP", P_APOP, false },
    { "AUTH", P_AUTH, false }, { "STAT", P_STAT, true },  { "LIST", P_LIST, true },
    { "RETR", P_RETR, true },  { "DELE", P_DELE, true },  { "RSET", P_RSET, true },
    { "QUIT", P_QUIT, false }, { "TOP", P_TOP, true },    { "UIDL", P_UIDL, true },
    { "CAPA", P_CAPA, false }, { "STLS", P_STLS, false }, { "NOOP", P_OTHER, true },
};

/* Splits "VERB args": returns the verb's index in verbs[], or -1. */
static int parse_verb(const ms_line_t *l, const uint8_t **arg, size_t *arg_len)
{
    size_t i = 0;
    while (i < l->len && l->data[i] != ' ')
        i++;
    *arg = i < l->len ? l->data + i + 1 : l->data + l->len;
    *arg_len = i < l->len ? l->len - i - 1 : 0;
    for (size_t k = 0; k < G_N_ELEMENTS(verbs); k++)
        if (ms_text_ieq(l->data, i, verbs[k].verb))
            return (int)k;
    return -1;
}

static size_t first_word(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len && s[i] != ' ')
        i++;
    return i;
}

static void cmd_auth(ms_pop3_t *p, const uint8_t *arg, size_t len, pending_t *e,
                     ms_frame_t frame)
{
    size_t ml = first_word(arg, len);
    char mech[MS_SASL_MECH_MAX + 1], label[sizeof(p->auth.label)];

    if (ml == 0) { /* "AUTH": the server lists its mechanisms */
        if (e) {
            e->multi = true;
            e->listing = true;
        }
        return;
    }
    if (ml > MS_SASL_MECH_MAX) {
        anomaly(p, frame, MS_AN_SYNTAX, "AUTH without a valid mechanism name");
        return;
    }
    for (size_t i = 0; i < ml; i++)
        mech[i] = g_ascii_toupper((char)arg[i]);
    mech[ml] = '\0';
    g_snprintf(label, sizeof(label), "AUTH %s", mech);
    ms_auth_start(&p->auth, &p->sum, &p->rep, mech, label, frame);
    while (ml < len && arg[ml] == ' ')
        ml++;
    if (ml < len)
        ms_auth_sasl_response(&p->auth, &p->sum, &p->rep, p->in_tls, arg + ml, len - ml, frame);
}

static void on_command(ms_pop3_t *p, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    const uint8_t *arg;
    size_t arg_len;

    p->sum.commands++;
    ms_report_line_checks(&p->rep, l, MS_POP3_CMD_LINE_MAX, "Command", frame);
    int k = parse_verb(l, &arg, &arg_len);
    if (k < 0) {
        size_t vl = first_word(l->data, l->len);
        bool alpha = vl > 0 && vl <= 8;
        for (size_t i = 0; alpha && i < vl; i++)
            alpha = g_ascii_isalpha(l->data[i]);
        if (!alpha) {
            char *t = ms_text_printable(l->data, l->len, 40);
            anomaly(p, frame, MS_AN_SYNTAX, "Not a POP3 command: \"%s\"", t);
            g_free(t);
        }
        push(p, P_OTHER, false, false, frame, ts);
        return;
    }
    pcmd_t kind = verbs[k].kind;
    if (verbs[k].needs_login && p->state != POP_TRANSACTION && p->sum.greeting_seen)
        anomaly(p, frame, MS_AN_SEQUENCE, "%s before authentication", verbs[k].verb);
    bool listing = kind == P_AUTH && first_word(arg, arg_len) == 0;
    pending_t *e = push(p, kind, kind == P_RETR || kind == P_TOP || kind == P_CAPA || listing ||
                        ((kind == P_LIST || kind == P_UIDL) && arg_len == 0), listing, frame, ts);
    if (kind == P_USER || kind == P_APOP || (kind == P_AUTH && arg_len > 0))
        ms_report_cleartext_use(&p->rep, &p->sum, p->in_tls, "authentication", frame);
    if (kind == P_STLS)
        p->stls_pending = true;
    switch (kind) {
    case P_USER:
        ms_auth_start(&p->auth, &p->sum, &p->rep, "USER", "USER/PASS", frame);
        ms_auth_user(&p->auth, &p->sum, &p->rep, arg, arg_len, frame);
        p->user_sent = true;
        break;
    case P_PASS:
        if (!p->user_sent && p->sum.greeting_seen)
            anomaly(p, frame, MS_AN_SEQUENCE, "PASS without USER");
        if (!p->auth.open)
            ms_auth_start(&p->auth, &p->sum, &p->rep, "USER", "USER/PASS", frame);
        ms_auth_secret(&p->auth, &p->sum, &p->rep, p->in_tls, frame);
        p->user_sent = false;
        break;
    case P_APOP:
        ms_auth_start(&p->auth, &p->sum, &p->rep, "APOP", "APOP", frame);
        ms_auth_user(&p->auth, &p->sum, &p->rep, arg, first_word(arg, arg_len), frame);
        ms_auth_secret(&p->auth, &p->sum, &p->rep, p->in_tls, frame);
        break;
    case P_AUTH:
        cmd_auth(p, arg, arg_len, e, frame);
        break;
    case P_QUIT:
        p->quit_sent = true;
        break;
    default:
        break;
    }
}

static void on_sasl_line(ms_pop3_t *p, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    ms_report_line_checks(&p->rep, l, MS_AUTH_LINE_MAX, "AUTH response", frame);
    ms_auth_sasl_response(&p->auth, &p->sum, &p->rep, p->in_tls, l->data, l->len, frame);
    push(p, P_AUTH, false, false, frame, ts);
}

/* ---- server lines -------------------------------------------------------- */

static void on_greeting(ms_pop3_t *p, bool ok, ms_frame_t frame, ms_time_t ts)
{
    p->sum.greeting_seen = true;
    p->sum.banner = g_strdup(p->status_text);
    p->sum.greeting_time = ts - p->sum.first_ts;
    if (ms_fifo_waiting(&p->pend) > 0)
        anomaly(p, frame, MS_AN_SEQUENCE, "The client sent commands before the server greeting");
    if (!ok)
        anomaly(p, frame, MS_AN_SEQUENCE, "The server refused the session in its greeting: -ERR %s",
                p->status_text);
}

/* "+OK nn mm" after STAT */
static void parse_stat(ms_pop3_t *p, const char *text, ms_frame_t frame)
{
    guint64 n, m;
    char *end;
    n = g_ascii_strtoull(text, &end, 10);
    if (end == text || *end != ' ') {
        anomaly(p, frame, MS_AN_SYNTAX, "STAT reply is not \"+OK messages octets\"");
        return;
    }
    const char *t2 = end + 1;
    m = g_ascii_strtoull(t2, &end, 10);
    if (end == t2 || n > G_MAXUINT32) {
        anomaly(p, frame, MS_AN_SYNTAX, "STAT reply is not \"+OK messages octets\"");
        return;
    }
    p->sum.stat_seen = true;
    p->sum.maildrop_msgs = (uint32_t)n;
    p->sum.maildrop_bytes = m;
}

/* A complete reply (status line, plus its multi-line body when there is one). */
static void on_reply(ms_pop3_t *p, pending_t *e, bool ok, ms_frame_t frame, ms_time_t ts)
{
    p->sum.replies++;
    if (e->frame) /* not for a spilled command */
        ms_report_link(&p->rep, e->frame, e->ts, frame, ts);
    switch (e->kind) {
    case P_USER:
        if (!ok) {
            p->user_sent = false;
            ms_auth_done(&p->auth, &p->sum, &p->rep, false, p->status_text, frame);
        }
        break;
    case P_PASS:
    case P_APOP:
    case P_AUTH:
        if (e->listing || !p->auth.open)
            break;
        ms_auth_done(&p->auth, &p->sum, &p->rep, ok, p->status_text, frame);
        if (ok)
            p->state = POP_TRANSACTION;
        break;
    case P_STAT:
        if (ok)
            parse_stat(p, p->status_text, frame);
        break;
    case P_RETR:
    case P_TOP:
        if (!ok)
            break;
        if (e->kind == P_RETR) {
            p->sum.msg_count++;
            p->sum.msg_bytes += p->multi_bytes;
        } else {
            p->sum.top_count++;
        }
        ms_report_transfer(&p->rep, &p->sum, ts - e->ts, frame);
        break;
    case P_DELE:
        if (ok)
            p->sum.deleted++;
        break;
    case P_RSET:
        if (ok)
            p->sum.deleted = 0;
        break;
    case P_QUIT:
        p->sum.quit = true;
        if (ok && p->state == POP_TRANSACTION) {
            p->state = POP_UPDATE;
            p->sum.deleted_committed = true;
        }
        break;
    case P_CAPA:
        if (ok && !p->in_tls) {
            p->sum.clear_caps++;
            p->sum.clear_caps_frame = frame;
        }
        break;
    case P_STLS:
        p->stls_pending = false;
        ms_report_starttls(&p->rep, &p->sum, ok, p->status_text, frame);
        if (ok) {
            p->tls_go_frame = frame;
            p->sum.tls = MS_TLS_STARTTLS;
            p->in_tls = true;
            ms_linebuf_reset(&p->lb[MS_DIR_CLIENT]);
        }
        break;
    default:
        break;
    }
    pop_head(p);
}

static void multi_line(ms_pop3_t *p, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    pending_t *e = head(p);
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
        ms_report_line_checks(&p->rep, l, SIZE_MAX, "Reply", frame);
    uint64_t n = l->total + (l->term == MS_TERM_CRLF ? 2 : l->term == MS_TERM_LF ? 1 : 0);
    if (l->len > 0 && l->data[0] == '.')
        n--; /* RFC 1939 3: byte-stuffed termination octet */
    p->multi_bytes += n;
    if (e && e->kind == P_CAPA && p->smode == SMODE_MULTI) {
        ms_report_list_add(&p->rep, &p->sum.capabilities, "capability", true, l->data, l->len,
                           frame);
        if (ms_text_ieq(l->data, l->len, "STLS"))
            p->sum.starttls_offered = true;
        else if (!p->in_tls)
            ms_report_masked_capability(&p->rep, l->data, l->len, "STLS", frame);
    }
}

static void status_line(ms_pop3_t *p, const ms_line_t *l, ms_frame_t frame, ms_time_t ts)
{
    bool ok = ms_text_iprefix(l->data, l->len, "+OK");
    bool err = ms_text_iprefix(l->data, l->len, "-ERR");
    bool challenge = !ok && l->len >= 1 && l->data[0] == '+' && (l->len == 1 || l->data[1] == ' ');
    size_t skip = ok ? 3 : err ? 4 : challenge ? 1 : 0;
    pending_t *e;

    ms_report_line_checks(&p->rep, l, MS_POP3_REPLY_LINE_MAX, "Reply", frame);
    if (!ok && !err && !challenge) {
        if (!p->start_known) {
            p->start_known = p->midstream = true;
            p->smode = SMODE_UNKNOWN;
            anomaly(p, frame, MS_AN_PARTIAL, "The capture starts inside a multi-line reply: "
                    "server lines up to the next \".\" line are skipped");
            multi_line(p, l, frame, ts);
            return;
        }
        char *t = ms_text_printable(l->data, l->len, 40);
        anomaly(p, frame, MS_AN_SYNTAX, "Not a POP3 status line: \"%s\"", t);
        g_free(t);
        return;
    }
    while (skip < l->len && l->data[skip] == ' ')
        skip++;
    g_free(p->status_text);
    p->status_text = ms_text_printable(l->data + skip, l->len - skip, MS_TEXT_MAX);

    if (!p->start_known) {
        p->start_known = true;
        if (!head(p) && !challenge) {
            on_greeting(p, ok, frame, ts);
            return;
        }
        p->midstream = true;
        anomaly(p, frame, MS_AN_PARTIAL, "The capture starts after the session began (no server "
                "greeting): earlier commands and state are unknown");
    }
    e = head(p);
    if (!e) {
        if (p->client_lines == 0) {
            if (!p->one_side_noted)
                anomaly(p, frame, MS_AN_PARTIAL, "No client data in the capture: replies cannot "
                        "be matched to commands");
            p->one_side_noted = true;
        } else {
            anomaly(p, frame, MS_AN_UNMATCHED_REPLY, "Reply %s answers no outstanding command",
                    ok ? "+OK" : err ? "-ERR" : "+");
        }
        return;
    }
    if (challenge) {
        if (e->kind == P_AUTH && p->auth.open) {
            p->auth.expect++;
            p->sum.replies++;
            if (e->frame)
                ms_report_link(&p->rep, e->frame, e->ts, frame, ts);
            pop_head(p);
        } else {
            anomaly(p, frame, MS_AN_SYNTAX, "A \"+\" continuation outside an AUTH exchange");
        }
        return;
    }
    if (ok && e->multi) {
        p->smode = SMODE_MULTI;
        p->multi_bytes = 0;
        return;
    }
    on_reply(p, e, ok, frame, ts);
}

/* ---- public interface ---------------------------------------------------- */

static void on_line(ms_pop3_t *p, ms_dir_t dir, const ms_line_t *l, ms_frame_t frame,
                    ms_time_t ts)
{
    if (dir == MS_DIR_SERVER) {
        p->server_lines++;
        if (p->in_tls && frame == p->tls_go_frame && p->sum.tls == MS_TLS_STARTTLS) {
            anomaly(p, frame, MS_AN_STARTTLS_INJECTION, "The server sent clear-text data after "
                    "its STLS go-ahead, before the TLS handshake (response injection)");
            return;
        }
        if (p->smode == SMODE_STATUS)
            status_line(p, l, frame, ts);
        else
            multi_line(p, l, frame, ts);
        return;
    }
    p->client_lines++;
    if (p->stls_pending) {
        anomaly(p, frame, MS_AN_STARTTLS_INJECTION, "The client sent data after STLS before "
                "the server's go-ahead (CVE-2011-0411 class command injection): not taken as a "
                "command");
        return;
    }
    if (p->in_tls)
        p->tls_seen = true;
    if (p->auth.open && p->auth.expect > 0) {
        p->auth.expect--;
        on_sasl_line(p, l, frame, ts);
    } else {
        on_command(p, l, frame, ts);
    }
}

ms_pop3_t *ms_pop3_new(ms_frame_t first_frame, ms_time_t first_ts, ms_note_fn fn, void *ctx)
{
    ms_pop3_t *p = g_new0(ms_pop3_t, 1);
    p->rep.fn = fn;
    p->rep.ctx = ctx;
    ms_summary_init(&p->sum, MS_PROTO_POP3, first_frame, first_ts);
    ms_fifo_init(&p->pend, sizeof(pending_t), MS_POP3_CAP_PENDING);
    ms_linebuf_init(&p->lb[MS_DIR_CLIENT], MS_POP3_LINE_KEEP);
    ms_linebuf_init(&p->lb[MS_DIR_SERVER], MS_POP3_LINE_KEEP);
    return p;
}

void ms_pop3_free(ms_pop3_t *p)
{
    if (!p)
        return;
    ms_fifo_free(&p->pend);
    ms_linebuf_free(&p->lb[0]);
    ms_linebuf_free(&p->lb[1]);
    g_free(p->status_text);
    ms_summary_clear(&p->sum);
    g_free(p);
}

void ms_pop3_touch(ms_pop3_t *p, ms_frame_t frame, ms_time_t ts)
{
    ms_summary_touch(&p->sum, frame, ts);
}

void ms_pop3_feed(ms_pop3_t *p, ms_dir_t dir, const uint8_t *data, size_t len,
                  ms_frame_t frame, ms_time_t ts)
{
    size_t off = 0;

    ms_summary_touch(&p->sum, frame, ts);
    while (off < len) {
        ms_line_t line;
        bool done;
        off += ms_linebuf_take(&p->lb[dir], data + off, len - off, frame, &line, &done);
        if (done)
            on_line(p, dir, &line, frame, ts);
    }
}

void ms_pop3_tls_implicit(ms_pop3_t *p)
{
    p->sum.tls = MS_TLS_IMPLICIT;
    p->in_tls = p->tls_seen = true;
}

void ms_pop3_gap(ms_pop3_t *p, ms_dir_t dir, ms_frame_t frame, ms_time_t ts)
{
    ms_summary_touch(&p->sum, frame, ts);
    if (p->in_tls && !p->tls_seen)
        return;
    ms_linebuf_reset(&p->lb[dir]);
    anomaly(p, frame, MS_AN_PARTIAL, "Data from the %s is missing before this frame (segment "
            "not captured): %s", dir == MS_DIR_CLIENT ? "client" : "server",
            dir == MS_DIR_SERVER && p->smode != SMODE_STATUS
                ? "the multi-line reply (and its size) is incomplete"
                : "commands or replies may be missing");
}

void ms_pop3_close(ms_pop3_t *p, ms_dir_t dir, bool reset, ms_frame_t frame, ms_time_t ts)
{
    ms_summary_touch(&p->sum, frame, ts);
    if (p->closed)
        return;
    p->closed = true;
    if (p->client_lines > 0 && p->server_lines == 0)
        anomaly(p, frame, MS_AN_PARTIAL, "No server data in the capture: only the client's side "
                "of the session was seen");
    bool visible = p->client_lines > 0 && (!p->in_tls || p->tls_seen);
    if (!p->quit_sent && visible)
        anomaly(p, frame, MS_AN_NO_QUIT, "The %s %s the connection without QUIT",
                dir == MS_DIR_CLIENT ? "client" : "server", reset ? "reset" : "closed");
    if (p->sum.deleted > 0 && !p->sum.deleted_committed && visible)
        anomaly(p, frame, MS_AN_DELETIONS_UNCOMMITTED, "%u message%s marked for deletion, but the "
                "session never reached the UPDATE state (QUIT +OK): nothing was deleted",
                p->sum.deleted, p->sum.deleted == 1 ? "" : "s");
}

const ms_summary_t *ms_pop3_summary(const ms_pop3_t *p)
{
    return &p->sum;
}

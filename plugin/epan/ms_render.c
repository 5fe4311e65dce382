/* ms_render.c - the "Mail Session" tree and expert infos.
 *
 * Built from the session record and the frame's stored notes only, so every
 * pass over a frame shows the same thing (running values on the first pass,
 * final values on later passes, flagged by mailsess.final).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_epan.h"
#include "ms_compat.h"

#include <wsutil/str_util.h>
#include <epan/unit_strings.h>

#include <inttypes.h>

static int proto;

static int hf_mailsess_proto = -1;
static int hf_mailsess_final = -1;
static int hf_mailsess_session = -1;
static int hf_mailsess_heuristic = -1;
static int hf_mailsess_last_frame = -1;
static int hf_mailsess_banner = -1;
static int hf_mailsess_helo = -1;
static int hf_mailsess_capabilities = -1;
static int hf_mailsess_tls = -1;
static int hf_mailsess_starttls_offered = -1;
static int hf_mailsess_starttls_result = -1;
static int hf_mailsess_tls_handshake = -1;
static int hf_mailsess_tls_alert = -1;
static int hf_mailsess_tls_cleartext = -1;
static int hf_mailsess_auth_method = -1;
static int hf_mailsess_auth_user = -1;
static int hf_mailsess_auth_result = -1;
static int hf_mailsess_auth_attempts = -1;
static int hf_mailsess_auth_failures = -1;
static int hf_mailsess_auth_plaintext = -1;
static int hf_mailsess_mail_from = -1;
static int hf_mailsess_rcpt_to = -1;
static int hf_mailsess_rcpt_rejected = -1;
static int hf_mailsess_msg_count = -1;
static int hf_mailsess_msg_bytes = -1;
static int hf_mailsess_smuggling_result = -1;
static int hf_mailsess_smuggled = -1;
static int hf_mailsess_smuggled_bytes = -1;
static int hf_mailsess_smuggled_from = -1;
static int hf_mailsess_smuggled_rcpt = -1;
static int hf_mailsess_smuggled_from_more = -1;
static int hf_mailsess_smuggled_rcpt_more = -1;
static int hf_mailsess_queue_id = -1;
static int hf_mailsess_queue_id_more = -1;
static int hf_mailsess_reply_queue_id = -1;
static int hf_mailsess_quit = -1;
static int hf_mailsess_maildrop_msgs = -1;
static int hf_mailsess_maildrop_bytes = -1;
static int hf_mailsess_top_count = -1;
static int hf_mailsess_deleted = -1;
static int hf_mailsess_deleted_committed = -1;
static int hf_mailsess_greeting_time = -1;
static int hf_mailsess_transfer_time = -1;
static int hf_mailsess_duration = -1;
static int hf_mailsess_response_time = -1;
static int hf_mailsess_request_in = -1;
static int hf_mailsess_login_method = -1;
static int hf_mailsess_login_user = -1;
static int hf_mailsess_login_result = -1;
static int hf_mailsess_mail_from_more = -1;
static int hf_mailsess_rcpt_to_more = -1;
static int hf_mailsess_rcpt_rejected_more = -1;
static int hf_mailsess_capabilities_more = -1;
static int hf_mailsess_auth_method_more = -1;
static int hf_mailsess_auth_user_more = -1;
static int hf_mailsess_transfer_time_more = -1;
static int hf_mailsess_response_in = -1;
static int hf_mailsess_client_auth_failures = -1;
static int hf_mailsess_client_auth_successes = -1;
static int hf_mailsess_client_users_tried = -1;
static int hf_mailsess_client_sessions = -1;
static int hf_mailsess_user_auth_failures = -1;
static int hf_mailsess_user_clients = -1;
static int hf_mailsess_guessing = -1;

static gint ett_mailsess = -1;
static gint ett_mailsess_capabilities = -1;
static gint ett_mailsess_auth = -1;
static gint ett_mailsess_envelope = -1;
static gint ett_mailsess_timing = -1;
static gint ett_mailsess_mailbox = -1;
static gint ett_mailsess_session = -1;
static gint ett_mailsess_guessing = -1;
static gint ett_mailsess_guessing_user = -1;

static expert_field ei_mailsess[MS_AN_COUNT];

/* Group, severity and summary of each anomaly, by id; plugin/core/ms_note.h
 * declares id, stable name and meaning. */
static const struct {
    int         group;
    int         severity;
    const char *summary;
} expert_info[MS_AN_COUNT] = {
    [MS_AN_PLAINTEXT_AUTH]     = { PI_SECURITY, PI_WARN, "Credentials sent in clear text" },
    [MS_AN_WEAK_AUTH]          = { PI_SECURITY, PI_NOTE, "Challenge-response authentication crackable offline" },
    [MS_AN_AUTH_FAILED]        = { PI_RESPONSE_CODE, PI_WARN, "Authentication failed" },
    [MS_AN_RCPT_REJECTED]      = { PI_RESPONSE_CODE, PI_NOTE, "Recipient refused" },
    [MS_AN_MSG_REJECTED]       = { PI_RESPONSE_CODE, PI_WARN, "Message refused" },
    [MS_AN_NO_QUIT]            = { PI_SEQUENCE, PI_NOTE, "Session ended without QUIT" },
    [MS_AN_SEQUENCE]           = { PI_SEQUENCE, PI_WARN, "Command out of sequence" },
    [MS_AN_UNMATCHED_REPLY]    = { PI_SEQUENCE, PI_WARN, "Reply without a command" },
    [MS_AN_UNANSWERED]         = { PI_SEQUENCE, PI_NOTE, "Command without a reply" },
    [MS_AN_LINE_TOO_LONG]      = { PI_PROTOCOL, PI_WARN, "Line longer than the RFC limit" },
    [MS_AN_BARE_NEWLINE]       = { PI_PROTOCOL, PI_WARN, "Bare LF or CR" },
    [MS_AN_SMUGGLING]          = { PI_SECURITY, PI_WARN, "End-of-data look-alike (SMTP smuggling)" },
    [MS_AN_SMUGGLED_MESSAGE]   = { PI_SECURITY, PI_ERROR, "Smuggled message: the server ended the data at a look-alike" },
    [MS_AN_SYNTAX]             = { PI_PROTOCOL, PI_WARN, "Malformed line or argument" },
    [MS_AN_CAP_REACHED]        = { PI_UNDECODED, PI_WARN, "Per-session limit reached" },
    [MS_AN_PARTIAL]            = { PI_SEQUENCE, PI_WARN, "Part of the session is not in the capture" },
    [MS_AN_DELETIONS_UNCOMMITTED] = { PI_SEQUENCE, PI_WARN, "Deletions not committed (no QUIT)" },
    [MS_AN_STARTTLS_FAILED]    = { PI_SECURITY, PI_WARN, "STARTTLS refused" },
    [MS_AN_STARTTLS_UNUSED]    = { PI_SECURITY, PI_WARN, "STARTTLS offered but not used" },
    [MS_AN_STARTTLS_INJECTION] = { PI_SECURITY, PI_ERROR, "Clear-text data around the switch to TLS (injection)" },
    [MS_AN_STARTTLS_STRIPPED]  = { PI_SECURITY, PI_WARN, "STARTTLS offer stripped" },
    [MS_AN_TLS_HANDSHAKE_FAILED] = { PI_SECURITY, PI_WARN, "TLS handshake failed or never completed" },
    [MS_AN_TLS_CLEARTEXT]      = { PI_SECURITY, PI_WARN, "Clear text where TLS records belong" },
    [MS_AN_BRUTE_FORCE]        = { PI_SECURITY, PI_WARN, "Password guessing: many failed logins from one client" },
    [MS_AN_PASSWORD_SPRAYING]  = { PI_SECURITY, PI_WARN, "Password spraying: failed logins for many users from one client" },
    [MS_AN_DISTRIBUTED_GUESSING] = { PI_SECURITY, PI_WARN, "Distributed guessing: failed logins for one user from many clients" },
    [MS_AN_GUESSING_CAP]       = { PI_UNDECODED, PI_WARN, "Capture-wide guessing counters full" },
    [MS_AN_HEURISTIC]          = { PI_PROTOCOL, PI_CHAT, "Session found by content, not by port" },
};

/* One expert info per anomaly, named "mailsess.expert.<stable name>". */
static void register_experts(int proto_id)
{
    static ei_register_info eis[MS_AN_COUNT];
    for (int i = 0; i < MS_AN_COUNT; i++) {
        /* a row missing above is a bug in this file, not in packet data */
        DISSECTOR_ASSERT(expert_info[i].summary != NULL);
        ei_register_info e = {
            &ei_mailsess[i],
            { g_strdup_printf("mailsess.expert.%s", ms_anomaly_name((ms_anomaly_t)i)),
              expert_info[i].group, expert_info[i].severity, expert_info[i].summary, EXPFILL }
        };
        ei_mailsess[i] = (expert_field)EI_INIT;
        eis[i] = e;
    }
    expert_register_field_array(expert_register_protocol(proto_id), eis, MS_AN_COUNT);
}

/*
 * The value strings of the enumerated fields, made once at registration from
 * the core's names (one spelling for the tree, the filters and the session
 * table). The fields are integers so that Wireshark's filter dialog offers
 * the values; a filter may name them in words (mailsess.tls == "starttls").
 */
#define VALS_MAX 8
static value_string vals_proto[VALS_MAX], vals_tls[VALS_MAX], vals_starttls[VALS_MAX],
    vals_tls_hs[VALS_MAX], vals_auth_result[VALS_MAX], vals_login_result[VALS_MAX],
    vals_smuggling[VALS_MAX], vals_guessing[VALS_MAX], vals_sides[VALS_MAX];

static void add_val(value_string *vs, guint32 v, const char *name)
{
    int i = 0;
    while (i < VALS_MAX - 1 && vs[i].strptr)
        i++;
    if (name && i < VALS_MAX - 1)
        vs[i] = (value_string){ v, name };
}

static void make_vals(void)
{
    for (int p = MS_PROTO_SMTP; p <= MS_PROTO_POP3; p++)
        add_val(vals_proto, (guint32)p, ms_proto_name((ms_proto_t)p));
    for (int t = MS_TLS_NONE; t <= MS_TLS_IMPLICIT; t++)
        add_val(vals_tls, (guint32)t, ms_tls_name((ms_tls_t)t));
    for (int r = MS_STARTTLS_ACCEPTED; r <= MS_STARTTLS_REFUSED; r++)
        add_val(vals_starttls, (guint32)r, ms_starttls_result_name((ms_starttls_result_t)r));
    for (int h = MS_TLS_HS_NONE; h <= MS_TLS_HS_CLOSED; h++)
        add_val(vals_tls_hs, (guint32)h, ms_tls_hs_name((ms_tls_hs_t)h));
    for (int r = MS_AUTH_RESULT_UNKNOWN; r <= MS_AUTH_RESULT_FAILURE; r++)
        add_val(vals_auth_result, (guint32)r, ms_auth_result_name((ms_auth_result_t)r));
    add_val(vals_login_result, MS_AUTH_RESULT_SUCCESS, ms_auth_result_name(MS_AUTH_RESULT_SUCCESS));
    add_val(vals_login_result, MS_AUTH_RESULT_FAILURE, ms_auth_result_name(MS_AUTH_RESULT_FAILURE));
    for (int r = MS_SMUGGLING_NOT_SPLIT; r <= MS_SMUGGLING_ACCEPTED; r++)
        add_val(vals_smuggling, (guint32)r, ms_smuggling_result_name((ms_smuggling_result_t)r));
    for (guint32 bit = MS_GUESS_BRUTE_FORCE; bit <= MS_GUESS_DISTRIBUTED; bit <<= 1)
        add_val(vals_guessing, bit, ms_guess_flag_name(bit));
    for (guint32 bits = 1; bits <= 3; bits++)
        add_val(vals_sides, bits, ms_sides_name(bits));
}

static nstime_t to_nstime(ms_time_t t)
{
    nstime_t n;
    n.secs = (time_t)(t / MS_NS_PER_SEC);
    n.nsecs = (int)(t % MS_NS_PER_SEC);
    if (n.nsecs < 0) {
        n.secs -= 1;
        n.nsecs += (int)MS_NS_PER_SEC;
    }
    return n;
}

/* Every session item is derived, not read from this frame's bytes. */
static proto_item *gen(proto_item *pi)
{
    proto_item_set_generated(pi);
    return pi;
}

/* an integer field shown as its name, generated */
static void add_enum(proto_tree *t, int hf, tvbuff_t *tvb, guint32 v)
{
    gen(proto_tree_add_uint(t, hf, tvb, 0, 0, v));
}

/* A capped list, then how many values it could not list (only when some). */
static void add_list(proto_tree *t, int hf, int hf_more, tvbuff_t *tvb, const ms_strlist_t *l)
{
    for (guint32 i = 0; i < l->count; i++)
        gen(proto_tree_add_string(t, hf, tvb, 0, 0, l->items[i]));
    if (l->dropped > 0)
        gen(proto_tree_add_uint64(t, hf_more, tvb, 0, 0, l->dropped));
}

static void add_time(proto_tree *t, int hf, tvbuff_t *tvb, ms_time_t v)
{
    nstime_t n = to_nstime(v);
    gen(proto_tree_add_time(t, hf, tvb, 0, 0, &n));
}

/* POP3: the maildrop and what the session did to it. */
static void render_mailbox(proto_tree *st, tvbuff_t *tvb, const ms_summary_t *s)
{
    proto_tree *t = proto_tree_add_subtree_format(st, tvb, 0, 0, ett_mailsess_mailbox, NULL,
                                                  "Mailbox: %u retrieved, %u deleted%s",
                                                  s->msg_count, s->deleted,
                                                  s->deleted_committed ? " (committed)" : "");
    if (s->stat_seen) {
        gen(proto_tree_add_uint(t, hf_mailsess_maildrop_msgs, tvb, 0, 0, s->maildrop_msgs));
        gen(proto_tree_add_uint64(t, hf_mailsess_maildrop_bytes, tvb, 0, 0, s->maildrop_bytes));
    }
    gen(proto_tree_add_uint(t, hf_mailsess_msg_count, tvb, 0, 0, s->msg_count));
    gen(proto_tree_add_uint64(t, hf_mailsess_msg_bytes, tvb, 0, 0, s->msg_bytes));
    gen(proto_tree_add_uint(t, hf_mailsess_top_count, tvb, 0, 0, s->top_count));
    gen(proto_tree_add_uint(t, hf_mailsess_deleted, tvb, 0, 0, s->deleted));
    /* only when TRUE, like auth_plaintext: "!mailsess.deleted_committed" selects the others */
    if (s->deleted_committed)
        gen(proto_tree_add_boolean(t, hf_mailsess_deleted_committed, tvb, 0, 0, TRUE));
}

/* SMTP: the envelope of the mail transactions. */
static void render_envelope(proto_tree *st, tvbuff_t *tvb, const ms_summary_t *s)
{
    proto_tree *t = proto_tree_add_subtree_format(st, tvb, 0, 0, ett_mailsess_envelope, NULL,
                                                  "Envelope: %u message%s accepted", s->msg_count,
                                                  plurality(s->msg_count, "", "s"));
    add_list(t, hf_mailsess_mail_from, hf_mailsess_mail_from_more, tvb, &s->mail_from);
    add_list(t, hf_mailsess_rcpt_to, hf_mailsess_rcpt_to_more, tvb, &s->rcpt_to);
    add_list(t, hf_mailsess_rcpt_rejected, hf_mailsess_rcpt_rejected_more, tvb, &s->rcpt_rejected);
    gen(proto_tree_add_uint(t, hf_mailsess_msg_count, tvb, 0, 0, s->msg_count));
    gen(proto_tree_add_uint64(t, hf_mailsess_msg_bytes, tvb, 0, 0, s->msg_bytes));
    /* one per accepted message ("" for a reply without one), once a reply named one */
    if (s->queue_id_seen)
        add_list(t, hf_mailsess_queue_id, hf_mailsess_queue_id_more, tvb, &s->queue_ids);
    /* the server's reading, once a message held an end-of-data look-alike */
    if (s->smuggling_result == MS_SMUGGLING_NONE)
        return;
    add_enum(t, hf_mailsess_smuggling_result, tvb, s->smuggling_result);
    gen(proto_tree_add_uint(t, hf_mailsess_smuggled, tvb, 0, 0, s->smuggled));
    gen(proto_tree_add_uint64(t, hf_mailsess_smuggled_bytes, tvb, 0, 0, s->smuggled_bytes));
    add_list(t, hf_mailsess_smuggled_from, hf_mailsess_smuggled_from_more, tvb, &s->smuggled_from);
    add_list(t, hf_mailsess_smuggled_rcpt, hf_mailsess_smuggled_rcpt_more, tvb, &s->smuggled_rcpt);
}

/* The names of the guessing findings, as mailsess.guessing shows them. */
static void add_guessing(proto_tree *t, tvbuff_t *tvb, guint32 flags)
{
    for (guint32 bit = MS_GUESS_BRUTE_FORCE; bit <= MS_GUESS_DISTRIBUTED; bit <<= 1)
        if (flags & bit)
            add_enum(t, hf_mailsess_guessing, tvb, bit);
}

/* The capture-wide counters of this session's client address and of the
 * users it tried: absent until the client has an authentication result. */
static void render_guessing(proto_tree *st, tvbuff_t *tvb, const ms_session_t *sess,
                            const ms_summary_t *s, const ms_guess_t *guess)
{
    ms_guess_client_t c;
    const address *a = &sess->cli_addr;
    if ((a->type != AT_IPv4 && a->type != AT_IPv6) ||
        !ms_guess_client(guess, (const guint8 *)a->data, (size_t)a->len, &c))
        return;
    proto_tree *t = proto_tree_add_subtree_format(st, tvb, 0, 0, ett_mailsess_guessing, NULL,
        "Logins from this client in the capture: %u failed, %u succeeded, %u user%s, %u session%s",
        c.failures, c.successes, c.users, plurality(c.users, "", "s"), c.sessions,
        plurality(c.sessions, "", "s"));
    gen(proto_tree_add_uint(t, hf_mailsess_client_auth_failures, tvb, 0, 0, c.failures));
    gen(proto_tree_add_uint(t, hf_mailsess_client_auth_successes, tvb, 0, 0, c.successes));
    gen(proto_tree_add_uint(t, hf_mailsess_client_users_tried, tvb, 0, 0, c.users));
    gen(proto_tree_add_uint(t, hf_mailsess_client_sessions, tvb, 0, 0, c.sessions));
    for (guint32 i = 0; i < s->auth_users.count; i++) {
        ms_guess_user_t u;
        if (!ms_guess_user(guess, s->auth_users.items[i], &u))
            continue;
        proto_tree *ut = proto_tree_add_subtree_format(t, tvb, 0, 0, ett_mailsess_guessing_user,
            NULL, "User \"%s\" in the capture: %u failed, %u succeeded, from %u client%s",
            s->auth_users.items[i], u.failures, u.successes, u.clients,
            plurality(u.clients, "", "s"));
        gen(proto_tree_add_uint(ut, hf_mailsess_user_auth_failures, tvb, 0, 0, u.failures));
        gen(proto_tree_add_uint(ut, hf_mailsess_user_clients, tvb, 0, 0, u.clients));
    }
    add_guessing(t, tvb, ms_guess_session_flags(guess, (const guint8 *)a->data, (size_t)a->len,
                                                &s->auth_users));
}

static void render_summary(proto_tree *st, tvbuff_t *tvb, const ms_session_t *sess,
                           const ms_summary_t *s, const ms_guess_t *guess, gboolean final)
{
    proto_tree *t;

    add_enum(st, hf_mailsess_proto, tvb, s->proto);
    gen(proto_tree_add_boolean(st, hf_mailsess_final, tvb, 0, 0, final));
    gen(proto_tree_add_uint(st, hf_mailsess_session, tvb, 0, 0, sess->stream));
    gen(proto_tree_add_boolean(st, hf_mailsess_heuristic, tvb, 0, 0, sess->heuristic));
    /* unknown on the first pass (any frame may be the last so far): a filter
     * "frame.number == mailsess.last_frame" selects one frame per session or none */
    if (final)
        gen(proto_tree_add_uint(st, hf_mailsess_last_frame, tvb, 0, 0, s->last_frame));
    if (s->banner)
        gen(proto_tree_add_string(st, hf_mailsess_banner, tvb, 0, 0, s->banner));
    if (s->helo)
        gen(proto_tree_add_string(st, hf_mailsess_helo, tvb, 0, 0, s->helo));
    add_enum(st, hf_mailsess_tls, tvb, s->tls);
    gen(proto_tree_add_boolean(st, hf_mailsess_starttls_offered, tvb, 0, 0, s->starttls_offered));
    if (s->starttls_result != MS_STARTTLS_NONE)
        add_enum(st, hf_mailsess_starttls_result, tvb, s->starttls_result);
    if (s->tls_handshake != MS_TLS_HS_NONE)
        add_enum(st, hf_mailsess_tls_handshake, tvb, s->tls_handshake);
    if (s->tls_alert)
        gen(proto_tree_add_string(st, hf_mailsess_tls_alert, tvb, 0, 0, s->tls_alert));
    if (s->tls_cleartext)
        add_enum(st, hf_mailsess_tls_cleartext, tvb, s->tls_cleartext);
    t = proto_tree_add_subtree_format(st, tvb, 0, 0, ett_mailsess_capabilities, NULL,
                                      "Capabilities (%u)", s->capabilities.count);
    add_list(t, hf_mailsess_capabilities, hf_mailsess_capabilities_more, tvb, &s->capabilities);

    /* inside TLS without a key, "0 attempts" and "QUIT: False" would be guesses */
    gboolean blind = ms_summary_tls_blind(s);
    if (blind && s->auth_attempts == 0)
        t = proto_tree_add_subtree(st, tvb, 0, 0, ett_mailsess_auth, NULL,
                                   "Authentication: not visible (inside TLS, not decrypted)");
    else
        t = proto_tree_add_subtree_format(st, tvb, 0, 0, ett_mailsess_auth, NULL,
                                          "Authentication: %u attempt%s%s", s->auth_attempts,
                                          plurality(s->auth_attempts, "", "s"),
                                          blind ? " before TLS (the rest is not decrypted)" : "");
    add_list(t, hf_mailsess_auth_method, hf_mailsess_auth_method_more, tvb, &s->auth_methods);
    add_list(t, hf_mailsess_auth_user, hf_mailsess_auth_user_more, tvb, &s->auth_users);
    if (s->auth_result != MS_AUTH_RESULT_NONE)
        add_enum(t, hf_mailsess_auth_result, tvb, s->auth_result);
    if (!blind || s->auth_attempts > 0) {
        gen(proto_tree_add_uint(t, hf_mailsess_auth_attempts, tvb, 0, 0, s->auth_attempts));
        gen(proto_tree_add_uint(t, hf_mailsess_auth_failures, tvb, 0, 0, s->auth_failures));
    }
    /* only when TRUE: the bare filter "mailsess.auth_plaintext" tests presence */
    if (s->auth_plaintext)
        gen(proto_tree_add_boolean(t, hf_mailsess_auth_plaintext, tvb, 0, 0, TRUE));
    render_guessing(st, tvb, sess, s, guess);

    if (s->proto == MS_PROTO_SMTP)
        render_envelope(st, tvb, s);
    else
        render_mailbox(st, tvb, s);
    if (s->quit || !blind)
        gen(proto_tree_add_boolean(st, hf_mailsess_quit, tvb, 0, 0, s->quit));

    t = proto_tree_add_subtree(st, tvb, 0, 0, ett_mailsess_timing, NULL, "Timing");
    if (s->greeting_seen)
        add_time(t, hf_mailsess_greeting_time, tvb, s->greeting_time);
    for (guint32 i = 0; i < s->transfer_count; i++)
        add_time(t, hf_mailsess_transfer_time, tvb, s->transfer_times[i]);
    if (s->transfer_dropped > 0)
        gen(proto_tree_add_uint64(t, hf_mailsess_transfer_time_more, tvb, 0, 0, s->transfer_dropped));
    add_time(t, hf_mailsess_duration, tvb, ms_time_diff(s->last_ts, s->first_ts));
}

/* The session fields (all but the protocol item), set at registration. */
static const hf_register_info *session_hf;
static size_t session_hf_count;

/*
 * Whether anyone can see the session items of this frame: a visible tree
 * (details pane, -V, -T fields/json/pdml), or an invisible one in which a
 * filter, column or output field names one of them. tshark and Wireshark
 * build an invisible tree on every frame because mailsess wants fields; in
 * it, Wireshark fakes each item of an unreferenced field, but mailsess would
 * still pay for ~30 calls and their labels on every frame (more than the
 * built-in SMTP dissection itself). The protocol item alone answers the bare
 * filter "mailsess" and carries the expert infos.
 */
static gboolean session_items_wanted(proto_tree *tree)
{
    if (!tree)
        return FALSE;
    if (PTREE_DATA(tree)->visible)
        return TRUE;
    /* naming a field marks its protocol too (proto_tree_prime_with_hfid and
     * _print set the parent's ref_type): a protocol no filter, column or
     * output field names has no named field either (e.g. -Y smtp) */
    header_field_info *p = proto_registrar_get_nth((guint)proto);
    if (p && p->ref_type == HF_REF_TYPE_NONE)
        return FALSE;
    for (size_t i = 0; i < session_hf_count; i++)
        if (session_hf[i].hfinfo.ref_type != HF_REF_TYPE_NONE)
            return TRUE;
    return FALSE;
}

int ms_render_login_hf(void)
{
    return hf_mailsess_login_user;
}

/* The top line: protocol, who logged in how, clear text, outcome, messages. */
static void append_summary(proto_item *ti, const ms_summary_t *s, gboolean final)
{
    GString *g = g_string_new(ms_proto_name(s->proto));
    if (s->auth_users.count > 0)
        g_string_append_printf(g, ", %s%s", s->auth_users.items[0],
                               s->auth_users.count > 1 || s->auth_users.dropped ? " and others" : "");
    if (s->auth_result != MS_AUTH_RESULT_NONE)
        g_string_append_printf(g, "%s(%s%s: %s)", s->auth_users.count > 0 ? " " : ", login ",
                               s->auth_methods.count > 0 ? s->auth_methods.items[0] : "?",
                               s->auth_methods.count > 1 || s->auth_methods.dropped ? "..." : "",
                               ms_auth_result_name(s->auth_result));
    if (s->auth_plaintext)
        g_string_append(g, ", CLEAR-TEXT CREDENTIALS");
    if (s->tls != MS_TLS_NONE)
        g_string_append_printf(g, ", TLS (%s%s)",
                               s->tls == MS_TLS_IMPLICIT ? "implicit" : s->proto == MS_PROTO_SMTP ? "STARTTLS" : "STLS",
                               ms_summary_tls_blind(s) ? ", not decrypted" : "");
    if (s->msg_count > 0)
        g_string_append_printf(g, ", %u message%s %s (%" PRIu64 " bytes)", s->msg_count,
                               plurality(s->msg_count, "", "s"),
                               s->proto == MS_PROTO_SMTP ? "sent" : "retrieved", s->msg_bytes);
    if (s->proto == MS_PROTO_POP3 && s->deleted > 0)
        g_string_append_printf(g, ", %u deleted%s", s->deleted, s->deleted_committed ? "" : " (not committed)");
    if (!final)
        g_string_append(g, " (so far)");
    proto_item_append_text(ti, ": %s", g->str);
    g_string_free(g, TRUE);
}

/* This frame's own facts: the command a reply answers and its response time,
 * the reply to this command, a login that ended here, its expert infos. */
static void render_frame(proto_tree *st, proto_item *ti, tvbuff_t *tvb, packet_info *pinfo,
                         wmem_array_t *notes)
{
    guint n = notes ? wmem_array_get_count(notes) : 0;
    for (guint i = 0; i < n; i++) {
        const ms_stored_note_t *note = (const ms_stored_note_t *)wmem_array_index(notes, i);
        switch (note->kind) {
        case MS_NOTE_REQUEST_IN:
            if (st) {
                gen(proto_tree_add_uint(st, hf_mailsess_request_in, tvb, 0, 0, note->other));
                add_time(st, hf_mailsess_response_time, tvb, note->delta);
            }
            break;
        case MS_NOTE_RESPONSE_IN:
            if (st)
                gen(proto_tree_add_uint(st, hf_mailsess_response_in, tvb, 0, 0, note->other));
            break;
        case MS_NOTE_LOGIN:
            if (st) {
                gen(proto_tree_add_string(st, hf_mailsess_login_method, tvb, 0, 0, note->method));
                if (note->user)
                    gen(proto_tree_add_string(st, hf_mailsess_login_user, tvb, 0, 0, note->user));
                add_enum(st, hf_mailsess_login_result, tvb,
                         note->ok ? MS_AUTH_RESULT_SUCCESS : MS_AUTH_RESULT_FAILURE);
            }
            break;
        case MS_NOTE_QUEUE_ID:
            if (st)
                gen(proto_tree_add_string(st, hf_mailsess_reply_queue_id, tvb, 0, 0, note->text));
            break;
        case MS_NOTE_ANOMALY:
            expert_add_info_format(pinfo, ti, &ei_mailsess[note->anomaly], "%s", note->text);
            break;
        case MS_NOTE_MESSAGE: /* counted in the session record */
            break;
        }
    }
}

void ms_render(const ms_session_t *sess, const ms_summary_t *s, const ms_guess_t *guess,
               tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, wmem_array_t *notes)
{
    gboolean final = PINFO_FD_VISITED(pinfo);
    gboolean items = session_items_wanted(tree);
    /* (no tree: no item, without the call's checks on every frame) */
    proto_item *ti = tree ? proto_tree_add_item(tree, proto, tvb, 0, 0, ENC_NA) : NULL;
    proto_tree *st = items ? proto_item_add_subtree(ti, ett_mailsess) : NULL;
    gboolean visible = tree && PTREE_DATA(tree)->visible;

    /* the label is formatted only for a tree someone reads */
    if (visible)
        append_summary(ti, s, final);
    if (sess->heuristic && pinfo->num == sess->first_seen && sess->taken_from)
        expert_add_info_format(pinfo, ti, &ei_mailsess[MS_AN_HEURISTIC],
                               "%s found by its content on port %u (Wireshark gives it to %s)",
                               ms_proto_name(s->proto), sess->srv_port, sess->taken_from);
    else if (sess->heuristic && pinfo->num == sess->first_seen)
        expert_add_info_format(pinfo, ti, &ei_mailsess[MS_AN_HEURISTIC], "%s found by its content on port %u",
                               ms_proto_name(s->proto), sess->srv_port);
    render_frame(st, ti, tvb, pinfo, notes);
    /* the session record below this frame's facts, in its own subtree */
    if (st) {
        proto_tree *rt = proto_tree_add_subtree_format(st, tvb, 0, 0, ett_mailsess_session, NULL,
                                                       "Session %u (%s)", sess->stream,
                                                       final ? "final values" : "values so far");
        render_summary(rt, tvb, sess, s, guess, final);
    }
}

void ms_render_register(int proto_id)
{
    static hf_register_info hf[] = {
        { &hf_mailsess_proto, { "Protocol", "mailsess.proto", FT_UINT8, BASE_DEC, VALS(vals_proto), 0x0,
            "Mail protocol of the session: SMTP or POP3", HFILL } },
        { &hf_mailsess_final, { "Final values", "mailsess.final", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "TRUE when the session values shown are final (later pass); FALSE: running values of the first pass", HFILL } },
        { &hf_mailsess_session, { "Session", "mailsess.session", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Session number (the TCP stream index, as tcp.stream)", HFILL } },
        { &hf_mailsess_heuristic, { "Found heuristically", "mailsess.heuristic", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "TRUE when the session was recognised by its content on a port not registered for SMTP/POP3", HFILL } },
        { &hf_mailsess_last_frame, { "Last frame", "mailsess.last_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "Last frame of the session: shown once known (later passes, -2), absent on the first pass", HFILL } },
        { &hf_mailsess_banner, { "Banner", "mailsess.banner", FT_STRING, BASE_NONE, NULL, 0x0,
            "Server greeting text", HFILL } },
        { &hf_mailsess_helo, { "HELO/EHLO", "mailsess.helo", FT_STRING, BASE_NONE, NULL, 0x0,
            "Client name of the last EHLO or HELO the server accepted (of the first one sent, until a reply accepts one)", HFILL } },
        { &hf_mailsess_capabilities, { "Capability", "mailsess.capabilities", FT_STRING, BASE_NONE, NULL, 0x0,
            "SMTP: an EHLO keyword with its parameters; POP3: a CAPA line", HFILL } },
        { &hf_mailsess_tls, { "TLS", "mailsess.tls", FT_UINT8, BASE_DEC, VALS(vals_tls), 0x0,
            "none, starttls (STARTTLS or STLS accepted) or implicit (TLS from the first byte: 465/995)", HFILL } },
        { &hf_mailsess_starttls_offered, { "STARTTLS/STLS offered", "mailsess.starttls_offered", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The server advertised STARTTLS (SMTP, in its EHLO reply) or STLS (POP3, in its CAPA reply)", HFILL } },
        { &hf_mailsess_starttls_result, { "STARTTLS/STLS result", "mailsess.starttls_result", FT_UINT8, BASE_DEC, VALS(vals_starttls), 0x0,
            "accepted or refused: the reply to the last STARTTLS/STLS (absent when none was sent)", HFILL } },
        { &hf_mailsess_tls_handshake, { "TLS handshake", "mailsess.tls_handshake", FT_UINT8, BASE_DEC, VALS(vals_tls_hs), 0x0,
            "The TLS handshake after the STARTTLS/STLS go-ahead (or of implicit TLS): completed, failed (an alert in clear text), closed (the connection ended before the client sent any encrypted record) or unknown", HFILL } },
        { &hf_mailsess_tls_alert, { "TLS alert", "mailsess.tls_alert", FT_STRING, BASE_NONE, NULL, 0x0,
            "The clear-text TLS alert that ended the handshake: side, level, description and its code", HFILL } },
        { &hf_mailsess_tls_cleartext, { "TLS: clear text from", "mailsess.tls_cleartext", FT_UINT8, BASE_DEC, VALS(vals_sides), 0x0,
            "client, server or both: the side(s) that sent bytes that are not TLS records where TLS belongs (after the STARTTLS/STLS go-ahead, or on the implicit TLS port); those bytes are read as clear text (absent when none)", HFILL } },
        { &hf_mailsess_auth_method, { "Auth method", "mailsess.auth_method", FT_STRING, BASE_NONE, NULL, 0x0,
            "Authentication method attempted: the SASL mechanism, or for POP3 USER (USER/PASS) or APOP", HFILL } },
        { &hf_mailsess_auth_user, { "Auth user", "mailsess.auth_user", FT_STRING, BASE_NONE, NULL, 0x0,
            "User name sent in an authentication attempt (decoded)", HFILL } },
        { &hf_mailsess_auth_result, { "Auth result", "mailsess.auth_result", FT_UINT8, BASE_DEC, VALS(vals_auth_result), 0x0,
            "success, failure or unknown (no reply) for the last attempt", HFILL } },
        { &hf_mailsess_auth_attempts, { "Auth attempts", "mailsess.auth_attempts", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Authentication attempts: AUTH commands; for POP3 also APOP and each USER/PASS pair (absent when none was seen and the rest is inside TLS without a key)", HFILL } },
        { &hf_mailsess_auth_failures, { "Auth failures", "mailsess.auth_failures", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Authentication attempts the server refused (SMTP: any reply but 2xx/334; POP3: -ERR)", HFILL } },
        { &hf_mailsess_auth_plaintext, { "Clear-text credentials", "mailsess.auth_plaintext", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "A password or bearer token crossed the wire outside TLS (present only when TRUE)", HFILL } },
        { &hf_mailsess_mail_from, { "MAIL FROM", "mailsess.mail_from", FT_STRING, BASE_NONE, NULL, 0x0,
            "SMTP: the reverse-path of a MAIL command (empty: the null sender)", HFILL } },
        { &hf_mailsess_rcpt_to, { "RCPT TO", "mailsess.rcpt_to", FT_STRING, BASE_NONE, NULL, 0x0,
            "SMTP: the forward-path of a RCPT command", HFILL } },
        { &hf_mailsess_rcpt_rejected, { "Rejected recipient", "mailsess.rcpt_rejected", FT_STRING, BASE_NONE, NULL, 0x0,
            "SMTP: a recipient the server refused (4xx/5xx)", HFILL } },
        { &hf_mailsess_msg_count, { "Messages", "mailsess.msg_count", FT_UINT32, BASE_DEC, NULL, 0x0,
            "SMTP: messages the server accepted; POP3: messages retrieved (RETR answered +OK)", HFILL } },
        { &hf_mailsess_msg_bytes, { "Message size", "mailsess.msg_bytes", FT_UINT64, BASE_DEC | BASE_UNIT_STRING, UNS(&units_byte_bytes), 0x0,
            "Size in octets of those messages (SMTP: accepted, POP3: retrieved), dot-stuffing removed, terminating line excluded", HFILL } },
        { &hf_mailsess_smuggling_result, { "Smuggling result", "mailsess.smuggling_result", FT_UINT8, BASE_DEC, VALS(vals_smuggling), 0x0,
            "SMTP: what the server did with message data holding an end-of-data look-alike: accepted (it ended the data there and accepted a smuggled message), split (it ended the data there, the smuggled message was not accepted), refused (it refused the message), not-split (one reply: no sign of a split); absent when no message held one", HFILL } },
        { &hf_mailsess_smuggled, { "Smuggled messages", "mailsess.smuggled", FT_UINT32, BASE_DEC, NULL, 0x0,
            "SMTP: messages the server accepted after ending the data at an end-of-data look-alike (the RFC 5321 reading counts them as content: msg_count does not); present with smuggling_result", HFILL } },
        { &hf_mailsess_smuggled_bytes, { "Smuggled size", "mailsess.smuggled_bytes", FT_UINT64, BASE_DEC | BASE_UNIT_STRING, UNS(&units_byte_bytes), 0x0,
            "SMTP: size of the smuggled messages by the server's reading, dot-stuffing removed, terminating line excluded", HFILL } },
        { &hf_mailsess_smuggled_from, { "Smuggled MAIL FROM", "mailsess.smuggled_from", FT_STRING, BASE_NONE, NULL, 0x0,
            "SMTP: a reverse-path the server accepted (2xx) from a MAIL command inside message data, after an end-of-data look-alike", HFILL } },
        { &hf_mailsess_smuggled_rcpt, { "Smuggled RCPT TO", "mailsess.smuggled_rcpt", FT_STRING, BASE_NONE, NULL, 0x0,
            "SMTP: a forward-path the server accepted (2xx) from a RCPT command inside message data, after an end-of-data look-alike", HFILL } },
        { &hf_mailsess_smuggled_from_more, { "Smuggled senders not listed", "mailsess.smuggled_from_more", FT_UINT64, BASE_DEC, NULL, 0x0,
            "Smuggled senders beyond the list's cap: counted, not listed (present only when some)", HFILL } },
        { &hf_mailsess_smuggled_rcpt_more, { "Smuggled recipients not listed", "mailsess.smuggled_rcpt_more", FT_UINT64, BASE_DEC, NULL, 0x0,
            "Smuggled recipients beyond the list's cap: counted, not listed (present only when some)", HFILL } },
        { &hf_mailsess_queue_id, { "Queue id", "mailsess.queue_id", FT_STRING, BASE_NONE, NULL, 0x0,
            "SMTP: the queue id in the reply accepting each message, in order (empty when that reply named none); present once a reply named one", HFILL } },
        { &hf_mailsess_queue_id_more, { "Queue ids not listed", "mailsess.queue_id_more", FT_UINT64, BASE_DEC, NULL, 0x0,
            "Queue ids beyond the list's cap: counted, not listed (present only when some)", HFILL } },
        { &hf_mailsess_reply_queue_id, { "Queued as", "mailsess.reply_queue_id", FT_STRING, BASE_NONE, NULL, 0x0,
            "SMTP: the queue id in this frame's reply, which accepted a message", HFILL } },
        { &hf_mailsess_quit, { "QUIT", "mailsess.quit", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The client sent QUIT and the server answered it (SMTP and POP3); absent while the rest of the session is inside TLS without a key", HFILL } },
        { &hf_mailsess_maildrop_msgs, { "Maildrop messages", "mailsess.maildrop_msgs", FT_UINT32, BASE_DEC, NULL, 0x0,
            "POP3: messages in the maildrop (STAT reply)", HFILL } },
        { &hf_mailsess_maildrop_bytes, { "Maildrop size", "mailsess.maildrop_bytes", FT_UINT64, BASE_DEC | BASE_UNIT_STRING, UNS(&units_byte_bytes), 0x0,
            "POP3: size of the maildrop in octets (STAT reply)", HFILL } },
        { &hf_mailsess_top_count, { "TOP commands", "mailsess.top_count", FT_UINT32, BASE_DEC, NULL, 0x0,
            "POP3: TOP commands answered +OK", HFILL } },
        { &hf_mailsess_deleted, { "Deleted", "mailsess.deleted", FT_UINT32, BASE_DEC, NULL, 0x0,
            "POP3: DELE answered +OK since the last RSET", HFILL } },
        { &hf_mailsess_deleted_committed, { "Deletions committed", "mailsess.deleted_committed", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "POP3: QUIT answered +OK after login (UPDATE state): the deletions took effect (present only when TRUE)", HFILL } },
        { &hf_mailsess_greeting_time, { "Greeting time", "mailsess.greeting_time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "First frame of the connection (SYN) to the server greeting", HFILL } },
        { &hf_mailsess_transfer_time, { "Transfer time", "mailsess.transfer_time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "DATA (or first BDAT) to the reply accepting the message", HFILL } },
        { &hf_mailsess_duration, { "Duration", "mailsess.duration", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "First to last frame of the session", HFILL } },
        { &hf_mailsess_response_time, { "Response time", "mailsess.response_time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Time from the command to this reply", HFILL } },
        { &hf_mailsess_request_in, { "Request in", "mailsess.request_in", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
            "The command this reply answers is in this frame", HFILL } },
        { &hf_mailsess_mail_from_more, { "Senders not listed", "mailsess.mail_from_more", FT_UINT64, BASE_DEC, NULL, 0x0,
            "Senders beyond the list's cap: counted, not listed (present only when some)", HFILL } },
        { &hf_mailsess_rcpt_to_more, { "Recipients not listed", "mailsess.rcpt_to_more", FT_UINT64, BASE_DEC, NULL, 0x0,
            "Recipients beyond the list's cap: counted, not listed (present only when some)", HFILL } },
        { &hf_mailsess_rcpt_rejected_more, { "Rejected recipients not listed", "mailsess.rcpt_rejected_more", FT_UINT64, BASE_DEC, NULL, 0x0,
            "Rejected recipients beyond the list's cap: counted, not listed (present only when some)", HFILL } },
        { &hf_mailsess_capabilities_more, { "Capabilities not listed", "mailsess.capabilities_more", FT_UINT64, BASE_DEC, NULL, 0x0,
            "Capabilities beyond the list's cap: counted, not listed (present only when some)", HFILL } },
        { &hf_mailsess_auth_method_more, { "Auth methods not listed", "mailsess.auth_method_more", FT_UINT64, BASE_DEC, NULL, 0x0,
            "Authentication methods beyond the list's cap: counted, not listed (present only when some)", HFILL } },
        { &hf_mailsess_auth_user_more, { "Auth users not listed", "mailsess.auth_user_more", FT_UINT64, BASE_DEC, NULL, 0x0,
            "User names beyond the list's cap: counted, not listed (present only when some)", HFILL } },
        { &hf_mailsess_transfer_time_more, { "Transfer times not listed", "mailsess.transfer_time_more", FT_UINT64, BASE_DEC, NULL, 0x0,
            "Transfer times beyond the list's cap: counted, not listed (present only when some)", HFILL } },
        { &hf_mailsess_response_in, { "Response in", "mailsess.response_in", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0,
            "The reply to this command is in this frame", HFILL } },
        { &hf_mailsess_login_method, { "Login method", "mailsess.login.method", FT_STRING, BASE_NONE, NULL, 0x0,
            "On the final reply to a login: its method (AUTH PLAIN, USER/PASS, APOP...)", HFILL } },
        { &hf_mailsess_login_user, { "Login user", "mailsess.login.user", FT_STRING, BASE_NONE, NULL, 0x0,
            "On the final reply to a login: the user name it tried (absent when not seen)", HFILL } },
        { &hf_mailsess_login_result, { "Login result", "mailsess.login.result", FT_UINT8, BASE_DEC, VALS(vals_login_result), 0x0,
            "On the final reply to a login: success or failure of this login (the session's "
            "mailsess.auth_result is its last one)", HFILL } },
        { &hf_mailsess_client_auth_failures, { "Client's failed logins", "mailsess.client_auth_failures", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Failed authentication attempts from this session's client address in the whole capture (SMTP and POP3; first pass: so far)", HFILL } },
        { &hf_mailsess_client_auth_successes, { "Client's successful logins", "mailsess.client_auth_successes", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Successful authentication attempts from this session's client address in the whole capture (first pass: so far)", HFILL } },
        { &hf_mailsess_client_users_tried, { "Client's distinct users", "mailsess.client_users_tried", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Distinct user names in the attempts (with a result) from this session's client address in the whole capture (first pass: so far)", HFILL } },
        { &hf_mailsess_client_sessions, { "Client's sessions with logins", "mailsess.client_sessions", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Sessions from this session's client address with an authentication result, in the whole capture (first pass: so far)", HFILL } },
        { &hf_mailsess_user_auth_failures, { "User's failed logins", "mailsess.user_auth_failures", FT_UINT32, BASE_DEC, NULL, 0x0,
            "For each user this session tried: failed attempts for that user from any client in the whole capture (first pass: so far)", HFILL } },
        { &hf_mailsess_user_clients, { "User's distinct clients", "mailsess.user_clients", FT_UINT32, BASE_DEC, NULL, 0x0,
            "For each user this session tried: distinct client addresses that tried it (with a result) in the whole capture (first pass: so far)", HFILL } },
        { &hf_mailsess_guessing, { "Password guessing", "mailsess.guessing", FT_UINT8, BASE_DEC, VALS(vals_guessing), 0x0,
            "brute_force, password_spraying (this session's client) or distributed_guessing (a user of this session): "
            "the finding was raised in the capture (first pass: so far); absent when none", HFILL } },
    };
    static gint *ett[] = {
        &ett_mailsess, &ett_mailsess_capabilities, &ett_mailsess_auth, &ett_mailsess_envelope,
        &ett_mailsess_timing, &ett_mailsess_mailbox, &ett_mailsess_session,
        &ett_mailsess_guessing, &ett_mailsess_guessing_user,
    };
    proto = proto_id;
    make_vals();
    proto_register_field_array(proto, hf, array_length(hf));
    session_hf = hf;
    session_hf_count = array_length(hf);
    proto_register_subtree_array(ett, array_length(ett));
    register_experts(proto);
}

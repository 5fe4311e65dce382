/* ms_stats.c - mail statistics and service response times, from each frame's
 * stored notes on the "mailsess_frame" tap:
 *   - Statistics > Mail > Mail Statistics, `tshark -z mailsess,stat[,filter]`
 *     (a stats_tree, also `-z mailsess,tree`): sessions, logins by method and outcome, clear-text
 *     logins, STARTTLS/STLS, reply codes per command, messages, findings;
 *   - Statistics > Service Response Time > MAILSESS, `tshark -z mailsess,srt`
 *     (SRT tables, one per protocol): per command, count, min, max, average,
 *     from the command-reply pairs the machines make (pipelining-aware).
 * Counts are of events on frames (a reply, a login, a finding), so one pass
 * and two give the same numbers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_epan.h"
#include "ms_compat.h"

#include <epan/srt_table.h>
#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>
#include <stdio.h>
#include <string.h>

#define FRAME_TAP "mailsess_frame"

static int frame_tap = -1;

/* What a frame queues (packet scope). */
typedef struct {
    const ms_session_t *sess;
    wmem_array_t       *notes;   /* may be NULL */
    gboolean            first;   /* the session's first frame with mail data */
} ms_frame_rec_t;

void ms_tap_frame(packet_info *pinfo, const ms_session_t *sess, wmem_array_t *notes)
{
    if (!have_tap_listener(frame_tap))
        return;
    gboolean first = pinfo->num == sess->first_seen;
    if (!notes && !first)
        return;
    ms_frame_rec_t *r = wmem_new(pinfo->pool, ms_frame_rec_t);
    r->sess = sess;
    r->notes = notes;
    r->first = first;
    tap_queue_packet(frame_tap, pinfo, r);
}

static guint note_count(const ms_frame_rec_t *r)
{
    return r->notes ? wmem_array_get_count(r->notes) : 0;
}

static const ms_stored_note_t *note_at(const ms_frame_rec_t *r, guint i)
{
    return (const ms_stored_note_t *)wmem_array_index(r->notes, i);
}

/* ---- Mail Statistics (stats_tree) ------------------------------------------ */

static const char st_sessions[] = "Sessions";
static const char st_logins[] = "Logins by method and result";
static const char st_clear[] = "Logins with clear-text credentials";
static const char st_tls[] = "STARTTLS and STLS replies";
static const char st_replies[] = "Replies by command and code";
static const char st_messages[] = "Messages";
static const char st_bytes[] = "Message bytes";
static const char st_findings[] = "Findings (expert infos) by name";
static int st_node_sessions, st_node_logins, st_node_clear, st_node_tls, st_node_replies,
           st_node_messages, st_node_bytes, st_node_findings;

static void stat_init(stats_tree *st)
{
    st_node_sessions = stats_tree_create_node(st, st_sessions, 0, STAT_DT_INT, TRUE);
    st_node_logins = stats_tree_create_node(st, st_logins, 0, STAT_DT_INT, TRUE);
    st_node_clear = stats_tree_create_node(st, st_clear, 0, STAT_DT_INT, TRUE);
    st_node_tls = stats_tree_create_node(st, st_tls, 0, STAT_DT_INT, TRUE);
    st_node_replies = stats_tree_create_node(st, st_replies, 0, STAT_DT_INT, TRUE);
    st_node_messages = stats_tree_create_node(st, st_messages, 0, STAT_DT_INT, TRUE);
    st_node_bytes = stats_tree_create_node(st, st_bytes, 0, STAT_DT_INT, TRUE);
    st_node_findings = stats_tree_create_node(st, st_findings, 0, STAT_DT_INT, TRUE);
}

/* "250", "+OK", "-ERR", "+ (continue)" */
static const char *code_name(ms_proto_t proto, guint16 code, char buf[8])
{
    if (proto == MS_PROTO_POP3)
        return code == MS_POP3_CODE_OK ? "+OK" : code == MS_POP3_CODE_ERR ? "-ERR" : "+ (continue)";
    snprintf(buf, 8, "%u", code);
    return buf;
}

static tap_packet_status stat_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                     const void *data, tap_flags_t flags _U_)
{
    const ms_frame_rec_t *r = (const ms_frame_rec_t *)data;
    ms_proto_t proto = r->sess->proto;
    const char *pname = ms_proto_name(proto);
    char buf[8];

    if (r->first) {
        tick_stat_node(st, st_sessions, 0, TRUE);
        tick_stat_node(st, pname, st_node_sessions, FALSE);
    }
    for (guint i = 0; i < note_count(r); i++) {
        const ms_stored_note_t *n = note_at(r, i);
        int id;
        switch (n->kind) {
        case MS_NOTE_REQUEST_IN:
            tick_stat_node(st, st_replies, 0, TRUE);
            id = tick_stat_node(st, pname, st_node_replies, TRUE);
            id = tick_stat_node(st, n->cmd, id, TRUE);
            tick_stat_node(st, code_name(proto, n->code, buf), id, FALSE);
            if (strcmp(n->cmd, "STARTTLS") == 0 || strcmp(n->cmd, "STLS") == 0) {
                gboolean ok = proto == MS_PROTO_POP3 ? n->code == MS_POP3_CODE_OK : n->code == 220;
                tick_stat_node(st, st_tls, 0, TRUE);
                id = tick_stat_node(st, n->cmd, st_node_tls, TRUE);
                tick_stat_node(st, ms_starttls_result_name(ok ? MS_STARTTLS_ACCEPTED : MS_STARTTLS_REFUSED),
                               id, FALSE);
            }
            break;
        case MS_NOTE_MESSAGE:
            tick_stat_node(st, st_messages, 0, TRUE);
            tick_stat_node(st, proto == MS_PROTO_POP3 ? "POP3 retrieved" : "SMTP accepted",
                           st_node_messages, FALSE);
            increase_stat_node(st, st_bytes, 0, TRUE, (gint)MIN(n->bytes, G_MAXINT));
            increase_stat_node(st, proto == MS_PROTO_POP3 ? "POP3 retrieved" : "SMTP accepted",
                               st_node_bytes, FALSE, (gint)MIN(n->bytes, G_MAXINT));
            break;
        case MS_NOTE_LOGIN:
            tick_stat_node(st, st_logins, 0, TRUE);
            id = tick_stat_node(st, n->method, st_node_logins, TRUE);
            tick_stat_node(st, ms_auth_result_name(n->ok ? MS_AUTH_RESULT_SUCCESS : MS_AUTH_RESULT_FAILURE),
                           id, FALSE);
            if (n->clear) {
                tick_stat_node(st, st_clear, 0, TRUE);
                tick_stat_node(st, n->method, st_node_clear, FALSE);
            }
            break;
        case MS_NOTE_ANOMALY:
            tick_stat_node(st, st_findings, 0, TRUE);
            tick_stat_node(st, ms_anomaly_name(n->anomaly), st_node_findings, FALSE);
            break;
        case MS_NOTE_RESPONSE_IN:
        case MS_NOTE_QUEUE_ID:
            break;
        }
    }
    /* the glue's own finding: a session found by its content */
    if (r->first && r->sess->heuristic) {
        tick_stat_node(st, st_findings, 0, TRUE);
        tick_stat_node(st, ms_anomaly_name(MS_AN_HEURISTIC), st_node_findings, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

/* ---- Service response time (SRT tables) ----------------------------------- */

static void srt_init(struct register_srt *srt _U_, GArray *srt_array)
{
    static const char *const names[] = { "SMTP commands", "POP3 commands" };
    static const char *const shorts[] = { "SMTP", "POP3" };
    for (int p = MS_PROTO_SMTP; p <= MS_PROTO_POP3; p++) {
        int n = ms_machine_cmd_kinds((ms_proto_t)p);
        srt_stat_table *t = init_srt_table(names[p], shorts[p], srt_array, n, "Command", NULL, NULL);
        for (int k = 0; k < n; k++)
            init_srt_table_row(t, k, ms_machine_cmd_name((ms_proto_t)p, (uint16_t)k));
    }
}

static tap_packet_status srt_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                    const void *data, tap_flags_t flags _U_)
{
    srt_data_t *d = (srt_data_t *)tapdata;
    const ms_frame_rec_t *r = (const ms_frame_rec_t *)data;
    tap_packet_status st = TAP_PACKET_DONT_REDRAW;
    int p = r->sess->proto;
    if (!d->srt_array || (guint)p >= d->srt_array->len)
        return st;
    srt_stat_table *t = g_array_index(d->srt_array, srt_stat_table *, p);
    for (guint i = 0; i < note_count(r); i++) {
        const ms_stored_note_t *n = note_at(r, i);
        if (n->kind != MS_NOTE_REQUEST_IN || n->cmd_kind >= (guint)t->num_procs)
            continue;
        /* the command's time: this reply's minus the response time */
        nstime_t delta, req;
        delta.secs = (time_t)(n->delta / MS_NS_PER_SEC);
        delta.nsecs = (int)(n->delta % MS_NS_PER_SEC);
        nstime_delta(&req, &pinfo->abs_ts, &delta);
        add_srt_table_data(t, n->cmd_kind, &req, pinfo);
        st = TAP_PACKET_REDRAW;
    }
    return st;
}

/* `-z mailsess,stat[,filter]`: the stats tree's own name is "mailsess,tree"
 * (a stats tree is ABBR,tree, ABBR without a comma); this form asks
 * tshark for that one (the requests are started in order, so one added while
 * they start is started too). */
static ms_stat_init_ret_t stat_short_init(const char *arg, void *u _U_)
{
    const char *rest = arg + strlen("mailsess,stat");
    char *full = g_strdup_printf("mailsess,tree%s", rest);
    gboolean ok = process_stat_cmd_arg(full);
    if (!ok)
        fprintf(stderr, "tshark: -z %s: the Mail Statistics tree is not registered\n", arg);
    g_free(full);
    MS_STAT_INIT_RETURN(ok);
}

static tap_param stat_param[] = { { PARAM_FILTER, "filter", "Filter", NULL, TRUE } };
static stat_tap_ui stat_short_ui = { REGISTER_STAT_GROUP_GENERIC, "Mail Statistics",
                                     "mailsess,stat", stat_short_init, 1, stat_param };

void ms_tap_register_stats(int proto)
{
    frame_tap = register_tap(FRAME_TAP);
    stats_tree_register_plugin(FRAME_TAP, "mailsess", "Mail/Mail Statistics", 0,
                               stat_packet, stat_init, NULL);
    register_srt_table(proto, FRAME_TAP, 2, srt_packet, srt_init, NULL);
    register_stat_tap_ui(&stat_short_ui, NULL);
}

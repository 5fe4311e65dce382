/* ms_session.c - the session record and the note reporter.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_session.h"
#include "ms_text.h"

#include <glib.h>
#include <stdarg.h>
#include <string.h>

void ms_summary_init(ms_summary_t *m, ms_proto_t proto, ms_frame_t first_frame, ms_time_t first_ts)
{
    memset(m, 0, sizeof(*m));
    m->proto = proto;
    m->first_frame = m->last_frame = first_frame;
    m->first_ts = m->last_ts = first_ts;
    ms_strlist_init(&m->capabilities, MS_CAP_CAPABILITIES);
    ms_strlist_init(&m->auth_methods, MS_CAP_AUTH_METHODS);
    ms_strlist_init(&m->auth_users, MS_CAP_AUTH_USERS);
    ms_strlist_init(&m->mail_from, MS_CAP_MAIL_FROM);
    ms_strlist_init(&m->rcpt_to, MS_CAP_RCPT_TO);
    ms_strlist_init(&m->rcpt_rejected, MS_CAP_RCPT_TO);
    ms_strlist_init(&m->smuggled_from, MS_CAP_MAIL_FROM);
    ms_strlist_init(&m->smuggled_rcpt, MS_CAP_RCPT_TO);
    ms_strlist_init(&m->queue_ids, MS_CAP_QUEUE_IDS);
}

void ms_summary_clear(ms_summary_t *m)
{
    g_free(m->banner);
    g_free(m->helo);
    g_free(m->tls_alert);
    ms_strlist_clear(&m->capabilities);
    ms_strlist_clear(&m->auth_methods);
    ms_strlist_clear(&m->auth_users);
    ms_strlist_clear(&m->mail_from);
    ms_strlist_clear(&m->rcpt_to);
    ms_strlist_clear(&m->rcpt_rejected);
    ms_strlist_clear(&m->smuggled_from);
    ms_strlist_clear(&m->smuggled_rcpt);
    ms_strlist_clear(&m->queue_ids);
    g_free(m->transfer_times);
    memset(m, 0, sizeof(*m));
}

void ms_summary_pack(ms_summary_t *m)
{
    ms_strlist_t *lists[] = {
        &m->capabilities, &m->auth_methods, &m->auth_users, &m->mail_from, &m->rcpt_to,
        &m->rcpt_rejected, &m->smuggled_from, &m->smuggled_rcpt, &m->queue_ids,
    };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        ms_strlist_pack(lists[i]);
}

bool ms_summary_tls_blind(const ms_summary_t *m)
{
    /* a handshake that failed or never finished carried no mail: nothing hidden */
    if (m->tls_handshake == MS_TLS_HS_FAILED || m->tls_handshake == MS_TLS_HS_CLOSED)
        return false;
    return m->tls_hidden || (m->tls == MS_TLS_IMPLICIT && m->commands == 0);
}

void ms_summary_touch(ms_summary_t *m, ms_frame_t frame, ms_time_t ts)
{
    if (frame >= m->last_frame) {
        m->last_frame = frame;
        m->last_ts = ts;
    }
}

static void emit(ms_reporter_t *r, ms_frame_t frame, const ms_note_t *n)
{
    if (r->fn && frame)
        r->fn(r->ctx, frame, n);
}

void ms_report_anomaly(ms_reporter_t *r, ms_frame_t frame, ms_anomaly_t an, const char *fmt, ...)
{
    ms_note_t n = { .kind = MS_NOTE_ANOMALY, .anomaly = an };
    uint32_t c = r->count[an];
    char *t;

    if (c < UINT8_MAX)
        r->count[an] = (uint8_t)(c + 1);
    if (c > MS_CAP_NOTES)
        return;
    if (c == MS_CAP_NOTES) {
        t = g_strdup_printf("More than %u \"%s\" anomalies in this session: further ones are "
                            "not reported", MS_CAP_NOTES, ms_anomaly_name(an));
        n.anomaly = MS_AN_CAP_REACHED;
    } else {
        va_list ap;
        va_start(ap, fmt);
        t = g_strdup_vprintf(fmt, ap);
        va_end(ap);
    }
    n.text = t;
    emit(r, frame, &n);
    g_free(t);
}

bool ms_report_anomaly_kept(const ms_reporter_t *r, ms_anomaly_t an)
{
    return r->count[an] < MS_CAP_NOTES;
}

void ms_report_link(ms_reporter_t *r, ms_frame_t cmd_frame, ms_time_t cmd_ts,
                    ms_frame_t reply_frame, ms_time_t reply_ts, const char *cmd,
                    uint16_t cmd_kind, uint16_t code)
{
    ms_note_t req = { .kind = MS_NOTE_REQUEST_IN, .other = cmd_frame,
                      .delta = ms_time_diff(reply_ts, cmd_ts), .cmd = cmd,
                      .cmd_kind = cmd_kind, .code = code };
    ms_note_t rsp = { .kind = MS_NOTE_RESPONSE_IN, .other = reply_frame };
    emit(r, reply_frame, &req);
    emit(r, cmd_frame, &rsp);
}

/* The first entry a list could not keep is reported. */
static void note_full(ms_reporter_t *r, const ms_strlist_t *l, const char *what, ms_frame_t frame)
{
    if (l->dropped == 1)
        ms_report_anomaly(r, frame, MS_AN_CAP_REACHED, "The %s list is full (%u entries): "
                          "further ones are counted, not listed", what, l->count);
}

void ms_report_list_add_text(ms_reporter_t *r, ms_strlist_t *l, const char *what, bool distinct,
                             const char *text, ms_frame_t frame)
{
    ms_list_result_t res = distinct ? ms_strlist_add_distinct(l, text, strlen(text))
                                    : ms_strlist_add(l, text, strlen(text));
    if (res == MS_LIST_FULL)
        note_full(r, l, what, frame);
}

void ms_report_list_add(ms_reporter_t *r, ms_strlist_t *l, const char *what, bool distinct,
                        const uint8_t *v, size_t len, ms_frame_t frame)
{
    if (!distinct && ms_strlist_full(l, len < MS_TEXT_MAX ? len : MS_TEXT_MAX)) {
        /* full (escaping never shortens): counted, and nothing is escaped that
         * would not be stored */
        l->dropped++;
        note_full(r, l, what, frame);
        return;
    }
    char *t = ms_text_printable(v, len, MS_TEXT_MAX);
    if (ms_strlist_add_owned(l, t, strlen(t), distinct) == MS_LIST_FULL)
        note_full(r, l, what, frame);
}

void ms_report_message(ms_reporter_t *r, ms_frame_t frame, uint64_t bytes)
{
    ms_note_t n = { .kind = MS_NOTE_MESSAGE, .bytes = bytes };
    emit(r, frame, &n);
}

void ms_report_login(ms_reporter_t *r, ms_frame_t frame, const ms_login_t *login)
{
    ms_note_t n = { .kind = MS_NOTE_LOGIN, .login = login };
    emit(r, frame, &n);
}

void ms_report_queue_id(ms_reporter_t *r, ms_summary_t *m, const char *id, ms_frame_t frame)
{
    ms_report_list_add_text(r, &m->queue_ids, "queue id", false, id ? id : "", frame);
    if (!id)
        return;
    m->queue_id_seen = true;
    ms_note_t n = { .kind = MS_NOTE_QUEUE_ID, .text = id };
    emit(r, frame, &n);
}

void ms_report_transfer(ms_reporter_t *r, ms_summary_t *m, ms_time_t d, ms_frame_t frame)
{
    if (m->transfer_count < MS_CAP_TRANSFERS) {
        uint32_t c = m->transfer_count;
        if (c == 0 || (c >= 4 && (c & (c - 1)) == 0)) /* room for 4, 8, 16... entries */
            m->transfer_times = g_renew(ms_time_t, m->transfer_times, c < 4 ? 4 : c * 2);
        m->transfer_times[m->transfer_count++] = d;
        return;
    }
    if (m->transfer_dropped++ == 0)
        ms_report_anomaly(r, frame, MS_AN_CAP_REACHED,
                          "The transfer time list is full (%u entries)", MS_CAP_TRANSFERS);
}

void ms_report_line_checks(ms_reporter_t *r, const ms_line_t *l, size_t max, const char *what,
                           ms_frame_t frame)
{
    if (l->total + 2 > max)
        ms_report_anomaly(r, frame, MS_AN_LINE_TOO_LONG, "%s line of %" G_GUINT64_FORMAT
                          " octets exceeds the limit of %zu (CRLF included)", what,
                          l->total + 2, max);
    if (l->term == MS_TERM_LF)
        ms_report_anomaly(r, frame, MS_AN_BARE_NEWLINE, "%s line ended by a bare LF", what);
    if (l->bare_cr)
        ms_report_anomaly(r, frame, MS_AN_BARE_NEWLINE, "%s line contains a bare CR", what);
}

bool ms_report_masked_capability(ms_reporter_t *r, const uint8_t *line, size_t len,
                                 const char *real, ms_frame_t frame)
{
    size_t n = strlen(real), kw = 0;
    while (kw < len && line[kw] != ' ')
        kw++;
    if (kw != n || ms_text_ieq(line, kw, real))
        return false;
    size_t x = 0, diff = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = g_ascii_toupper(line[i]);
        x += c == 'X' || (c == 'A' && i == n - 1 && x == n - 1);
        diff += c != (uint8_t)real[i];
    }
    if (x != n && diff > n / 4)
        return false;
    char *t = ms_text_printable(line, kw, MS_TEXT_MAX);
    ms_report_anomaly(r, frame, MS_AN_STARTTLS_STRIPPED, "Capability \"%s\" looks like %s masked "
                      "by a middlebox: the offer of TLS was stripped", t, real);
    g_free(t);
    return true;
}

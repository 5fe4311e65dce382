/* ms_row.c - one session as one row (see ms_row.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_row.h"

#include <glib.h>
#include <inttypes.h>
#include <string.h>

static const struct {
    const char *key, *title;
    bool numeric;
} columns[MS_COL_COUNT] = {
#define MS_ROW_INFO(id, k, t, n) [MS_COL_##id] = { k, t, n },
    MS_ROW_COLUMNS(MS_ROW_INFO)
#undef MS_ROW_INFO
};

const char *ms_row_key(ms_col_t c)
{
    return c < MS_COL_COUNT ? columns[c].key : "?";
}

const char *ms_row_title(ms_col_t c)
{
    return c < MS_COL_COUNT ? columns[c].title : "?";
}

bool ms_row_numeric(ms_col_t c)
{
    return c < MS_COL_COUNT && columns[c].numeric;
}

const char *ms_proto_name(ms_proto_t p)
{
    return p == MS_PROTO_POP3 ? "POP3" : "SMTP";
}

const char *ms_tls_name(ms_tls_t t)
{
    return t == MS_TLS_STARTTLS ? "starttls" : t == MS_TLS_IMPLICIT ? "implicit" : "none";
}

const char *ms_auth_result_name(ms_auth_result_t r)
{
    switch (r) {
    case MS_AUTH_RESULT_SUCCESS: return "success";
    case MS_AUTH_RESULT_FAILURE: return "failure";
    case MS_AUTH_RESULT_UNKNOWN: return "unknown";
    case MS_AUTH_RESULT_NONE:    break;
    }
    return NULL;
}

const char *ms_starttls_result_name(ms_starttls_result_t r)
{
    return r == MS_STARTTLS_ACCEPTED ? "accepted" : r == MS_STARTTLS_REFUSED ? "refused" : NULL;
}

const char *ms_smuggling_result_name(ms_smuggling_result_t r)
{
    switch (r) {
    case MS_SMUGGLING_NOT_SPLIT: return "not-split";
    case MS_SMUGGLING_REFUSED:   return "refused";
    case MS_SMUGGLING_SPLIT:     return "split";
    case MS_SMUGGLING_ACCEPTED:  return "accepted";
    case MS_SMUGGLING_NONE:      break;
    }
    return NULL;
}

const char *ms_sides_name(unsigned bits)
{
    switch (bits) {
    case 1u << MS_DIR_CLIENT: return "client";
    case 1u << MS_DIR_SERVER: return "server";
    case (1u << MS_DIR_CLIENT) | (1u << MS_DIR_SERVER): return "client, server";
    default: return NULL;
    }
}

char *ms_row_uint_text(uint64_t v)
{
    /* what g_strdup_printf("%" PRIu64) gives, at a tenth of its cost: rows
     * are made again whenever a session's record changes */
    char buf[21];
    size_t i = sizeof(buf);
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return g_strndup(buf + i, sizeof(buf) - i);
}

static char *join(const ms_strlist_t *l)
{
    GString *g = g_string_new(NULL);
    for (uint32_t i = 0; i < l->count; i++) {
        if (i)
            g_string_append(g, ", ");
        g_string_append(g, l->items[i]);
    }
    if (l->dropped)
        g_string_append_printf(g, "%s+%" PRIu64 " more", l->count ? ", " : "", l->dropped);
    return g_string_free(g, FALSE);
}

/* Inside TLS without a key nothing more is seen: "?" rather than "no". */
static bool blind(const ms_summary_t *s)
{
    return ms_summary_tls_blind(s);
}

char *ms_row_value(const ms_summary_t *s, ms_col_t c)
{
    const char *r;
    switch (c) {
    case MS_COL_PROTO:
        return g_strdup(ms_proto_name(s->proto));
    case MS_COL_USERS:
        return join(&s->auth_users);
    case MS_COL_METHODS:
        return join(&s->auth_methods);
    case MS_COL_AUTH:
        r = ms_auth_result_name(s->auth_result);
        return g_strdup(r ? r : blind(s) ? "?" : "");
    case MS_COL_FAILURES:
        return ms_row_uint_text(s->auth_failures);
    case MS_COL_CLEAR:
        return g_strdup(s->auth_plaintext ? "yes" : blind(s) ? "?" : "no");
    case MS_COL_TLS:
        return g_strdup(ms_tls_name(s->tls));
    case MS_COL_MSGS:
        return ms_row_uint_text(s->msg_count);
    case MS_COL_BYTES:
        return ms_row_uint_text(s->msg_bytes);
    case MS_COL_REFUSED:
        return s->proto == MS_PROTO_SMTP
                   ? ms_row_uint_text((uint64_t)s->rcpt_rejected.count + s->rcpt_rejected.dropped)
                   : g_strdup("");
    case MS_COL_DELETED:
        return s->proto == MS_PROTO_POP3 ? ms_row_uint_text(s->deleted) : g_strdup("");
    case MS_COL_COMMITTED:
        if (s->proto != MS_PROTO_POP3 || s->deleted == 0)
            return g_strdup("");
        return g_strdup(s->deleted_committed ? "yes" : "no");
    case MS_COL_QUIT:
        return g_strdup(s->quit ? "yes" : blind(s) ? "?" : "no");
    case MS_COL_DURATION:
        return ms_row_duration_text(s->first_ts, s->last_ts);
    case MS_COL_CLIENT:
    case MS_COL_SERVER:
    case MS_COL_FIRST:
    case MS_COL_LAST:
    case MS_COL_GUESSING:
    case MS_COL_COUNT:
        break;
    }
    return NULL;
}

void ms_row_inputs(const ms_summary_t *s, ms_row_inputs_t *in)
{
    memset(in, 0, sizeof(*in));
    in->proto = s->proto;
    in->users = s->auth_users.count;
    in->users_dropped = s->auth_users.dropped;
    in->methods = s->auth_methods.count;
    in->methods_dropped = s->auth_methods.dropped;
    in->refused_listed = s->rcpt_rejected.count;
    in->refused_dropped = s->rcpt_rejected.dropped;
    in->auth_result = s->auth_result;
    in->auth_failures = s->auth_failures;
    in->tls = s->tls;
    in->msg_count = s->msg_count;
    in->deleted = s->deleted;
    in->msg_bytes = s->msg_bytes;
    in->auth_plaintext = s->auth_plaintext;
    in->blind = blind(s);
    in->quit = s->quit;
    in->deleted_committed = s->deleted_committed;
}

/* Milliseconds, truncated, and the sign of last - first. */
static uint64_t duration_ms(ms_time_t first, ms_time_t last, bool *negative)
{
    ms_time_t d = ms_time_diff(last, first);
    uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
    *negative = d < 0;
    return u / 1000000;
}

char *ms_row_duration_text(ms_time_t first, ms_time_t last)
{
    bool neg;
    uint64_t ms = duration_ms(first, last, &neg);
    return g_strdup_printf("%s%" PRIu64 ".%03" PRIu64, neg ? "-" : "", ms / 1000, ms % 1000);
}

double ms_row_duration_seconds(ms_time_t first, ms_time_t last)
{
    bool neg;
    /* the integer is exact in a double (at most 2^63 ns = 9.2e12 ms < 2^53),
     * and one division rounds it as reading the decimal text does: to the
     * nearest double */
    double v = (double)duration_ms(first, last, &neg) / 1000.0;
    return neg ? -v : v;
}

char *ms_row_csv(const char *v)
{
    if (!strpbrk(v, ",\"\r\n"))
        return g_strdup(v);
    GString *g = g_string_new("\"");
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            g_string_append_c(g, '"');
        g_string_append_c(g, *p);
    }
    g_string_append_c(g, '"');
    return g_string_free(g, FALSE);
}

char *ms_row_json_string(const char *v)
{
    GString *g = g_string_new("\"");
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(g, "\\%c", *p);
        else if (*p < 0x20)
            g_string_append_printf(g, "\\u%04x", *p);
        else
            g_string_append_c(g, (char)*p);
    }
    g_string_append_c(g, '"');
    return g_string_free(g, FALSE);
}

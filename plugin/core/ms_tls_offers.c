/* ms_tls_offers.c - the offer of STARTTLS/STLS compared across sessions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_tls_offers.h"

#include <glib.h>

typedef struct {
    bool       offered, missing, missing_reported;
    uint32_t   offered_session, missing_session;
    ms_frame_t offered_frame, missing_frame;
} server_t;

struct ms_tls_offers {
    GHashTable *servers; /* "proto server" -> server_t */
};

ms_tls_offers_t *ms_tls_offers_new(void)
{
    ms_tls_offers_t *t = g_new0(ms_tls_offers_t, 1);
    t->servers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return t;
}

void ms_tls_offers_free(ms_tls_offers_t *t)
{
    if (!t)
        return;
    g_hash_table_destroy(t->servers);
    g_free(t);
}

static void report(ms_note_fn fn, void *ctx, ms_frame_t frame, char *text)
{
    ms_note_t n = { .kind = MS_NOTE_ANOMALY, .anomaly = MS_AN_STARTTLS_STRIPPED, .text = text };
    if (fn)
        fn(ctx, frame, &n);
    g_free(text);
}

void ms_tls_offers_check(ms_tls_offers_t *t, const char *server, uint32_t session,
                         const ms_summary_t *sum, bool *checked, ms_note_fn fn, void *ctx)
{
    const char *verb = sum->proto == MS_PROTO_SMTP ? "STARTTLS" : "STLS";
    if (sum->clear_caps == 0 || *checked)
        return;
    *checked = true;

    char *key = g_strdup_printf("%d %s", (int)sum->proto, server);
    server_t *srv = g_hash_table_lookup(t->servers, key);
    if (!srv) {
        srv = g_new0(server_t, 1);
        g_hash_table_insert(t->servers, key, srv);
    } else {
        g_free(key);
    }
    ms_frame_t frame = sum->clear_caps_frame;
    if (sum->starttls_offered) {
        if (!srv->offered) {
            srv->offered = true;
            srv->offered_session = session;
            srv->offered_frame = frame;
        }
        if (srv->missing && !srv->missing_reported) {
            srv->missing_reported = true;
            report(fn, ctx, frame, g_strdup_printf("This server offers %s here, but did not in "
                                                   "session %u (frame %u): the offer may have "
                                                   "been stripped there", verb,
                                                   srv->missing_session, srv->missing_frame));
        }
    } else if (srv->offered) {
        report(fn, ctx, frame, g_strdup_printf("This server offered %s in session %u (frame %u) "
                                               "but not in this session: the offer may have "
                                               "been stripped", verb, srv->offered_session,
                                               srv->offered_frame));
    } else if (!srv->missing) {
        srv->missing = true;
        srv->missing_session = session;
        srv->missing_frame = frame;
    }
}

/* ms_bytes.c - the byte path: mailsess between the port tables and the
 * built-in smtp/pop dissectors.
 *
 * Every entry of the "tcp.port" and "tls.port" tables that gives the
 * built-in smtp or pop dissector (25, 587, 110 and, for the application
 * data of implicit TLS, 465 and 995; plus whatever the smtp.tcp.port /
 * pop.tcp.port preferences and Decode As put there) is given a wrapper
 * instead. The wrapper calls the built-in dissector, unchanged, and then
 * hands the session layer the bytes the built-in consumed (packet-mailsess.c,
 * ms_session_bytes(): kept with the frame, fed by the postdissector with the
 * frame's other events). After STARTTLS/STLS the built-in dissector makes itself
 * the application-data dissector of TLS (ssl_starttls_ack); the wrapper
 * replaces it there with itself right after (tls_set_appdata_dissector), so
 * the decrypted data come the same way. No field is wanted for this: a
 * tree-less run stays tree-less.
 *
 * The epan facts this relies on (Wireshark 4.0 to 4.6, measured on 4.0.17):
 *  - dissector_add_uint() sets an entry's current and initial handle (what
 *    "Decode As" and its reset take for Wireshark's default);
 *    dissector_change_uint() only the current one (a user's change). An
 *    entry Wireshark set up is replaced with dissector_add_uint, an entry the
 *    user changed (Decode As, -d, a port preference) with
 *    dissector_change_uint: what is a default and what is a user's choice
 *    stays as without mailsess.
 *  - Decode As (-d, decode_as_entries) and the port preferences (-o
 *    smtp.tcp.port:..., even with the default value) put the built-in handle
 *    back into the entries after handoff; the init routine runs after both,
 *    on every (re)dissection: the wrappers are applied there.
 *  - TLS names the application-data dissector by the long name of the
 *    handle's protocol ("Application Data Protocol: ..."): a handle without a
 *    protocol shows "(null)". Each wrapper has a name-only protocol with the
 *    built-in's long name whose parent is the built-in (its short name
 *    differs: dissector_add_for_decode_as() complains on stderr about two
 *    handles of a table with one short name, and Decode As lists both): call_dissector_work()
 *    adds no layer for it (frame.protocols is unchanged), and it is enabled
 *    exactly when the built-in is, so --disable-protocol smtp still turns
 *    SMTP off and --disable-protocol mailsess leaves SMTP working (the
 *    wrappers are then taken out again).
 *  - Each call through a dissector table or call_dissector_only() takes one
 *    level of can_desegment: TCP (and TLS) offer 2, the wrapper sees 1, the
 *    built-in would see 0 and could not ask for more bytes, so SMTP's and
 *    POP's own line reassembly would stop. The wrapper gives the built-in
 *    the level it got itself (saved_can_desegment), as a pass-through.
 *  - TCP and TLS clear desegment_offset/desegment_len before calling a
 *    subdissector; if the built-in asked for more, the bytes from
 *    desegment_offset on come again, reassembled: only [0, desegment_offset)
 *    were consumed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_epan.h"
#include "ms_compat.h"

#include <epan/dissectors/packet-tls-utils.h>

typedef struct {
    const char        *builtin_name; /* the built-in's dissector and filter name */
    const char        *filter;       /* the wrapper's name-only protocol */
    const char        *short_name;   /* ... its short name (Decode As lists it) */
    ms_proto_t         proto;
    int                pino;
    dissector_handle_t builtin, wrapper;
} ms_wrap_t;

static ms_wrap_t wraps[] = {
    { "smtp", "mailsess_smtp", "SMTP (mailsess)", MS_PROTO_SMTP, -1, NULL, NULL },
    { "pop", "mailsess_pop", "POP (mailsess)", MS_PROTO_POP3, -1, NULL, NULL },
};
#define N_WRAPS G_N_ELEMENTS(wraps)

static const char *tables[] = { "tcp.port", "tls.port" };
#define PORTS_MAX 4096 /* entries of one table looked at per init (65536 ports, a few wrapped) */

static dissector_handle_t tls_handle;

static int call_through(ms_wrap_t *w, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    /* the built-in direction: what smtp/pop conclude from the port */
    gboolean server = pinfo->destport != pinfo->match_uint;
    pinfo->can_desegment = pinfo->saved_can_desegment;
    if (!w->builtin)
        return 0;
    if (PINFO_FD_VISITED(pinfo) || pinfo->flags.in_error_pkt || !ms_session_enabled())
        return call_dissector_only(w->builtin, tvb, pinfo, tree, data);

    conversation_t *conv = ms_frame_conversation(pinfo);
    dissector_handle_t before = conv ? conversation_get_dissector(conv, pinfo->num) : NULL;
    int n = call_dissector_only(w->builtin, tvb, pinfo, tree, data);
    /* STARTTLS/STLS accepted in this frame: the built-in made itself TLS's
     * application-data dissector; the decrypted data go through us too */
    if (conv && tls_handle && before != tls_handle &&
        conversation_get_dissector(conv, pinfo->num) == tls_handle)
        tls_set_appdata_dissector(tls_handle, pinfo, w->wrapper);
    ms_session_bytes(tvb, pinfo, w->proto, server);
    return n;
}

static int dissect_smtp_wrap(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return call_through(&wraps[0], tvb, pinfo, tree, data);
}

static int dissect_pop_wrap(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return call_through(&wraps[1], tvb, pinfo, tree, data);
}

void ms_bytes_register(void)
{
    static dissector_t fns[N_WRAPS] = { dissect_smtp_wrap, dissect_pop_wrap };
    for (guint i = 0; i < N_WRAPS; i++) {
        ms_wrap_t *w = &wraps[i];
        int parent = proto_get_id_by_filter_name(w->builtin_name);
        if (parent <= 0)
            continue;
        protocol_t *p = find_protocol_by_id(parent);
        w->pino = proto_register_protocol_in_name_only(proto_get_protocol_long_name(p),
                                                       w->short_name, w->filter, parent,
                                                       FT_PROTOCOL);
        w->wrapper = create_dissector_handle(fns[i], w->pino);
    }
}

void ms_bytes_handoff(void)
{
    for (guint i = 0; i < N_WRAPS; i++) {
        wraps[i].builtin = wraps[i].wrapper ? find_dissector(wraps[i].builtin_name) : NULL;
        /* A Decode As choice names a handle by its short name, and Wireshark
         * reads the saved ones (the profile's decode_as_entries) before the
         * init routine puts the wrappers on the tables: listed from the
         * start, a saved "SMTP (mailsess)" is found as "SMTP" is (else it
         * was dropped without a word on the next start). Disabled, init
         * gives such an entry the built-in (ms_bytes_apply). */
        for (guint t = 0; wraps[i].builtin && t < G_N_ELEMENTS(tables); t++)
            if (find_dissector_table(tables[t]))
                dissector_add_for_decode_as(tables[t], wraps[i].wrapper);
    }
    tls_handle = find_dissector("tls");
}

gboolean ms_bytes_is_mail(dissector_handle_t h)
{
    for (guint i = 0; h && i < N_WRAPS; i++)
        if (h == wraps[i].builtin || h == wraps[i].wrapper)
            return TRUE;
    return FALSE;
}

typedef struct {
    guint32            port;
    dissector_handle_t current, initial;
} ms_entry_t;

static void collect(const gchar *table _U_, ftenum_t type _U_, gpointer key, gpointer value,
                    gpointer user_data)
{
    GArray *a = (GArray *)user_data;
    dtbl_entry_t *e = (dtbl_entry_t *)value;
    ms_entry_t x = { GPOINTER_TO_UINT(key), dtbl_entry_get_handle(e), dtbl_entry_get_initial_handle(e) };
    if (a->len < PORTS_MAX && ms_bytes_is_mail(x.current))
        g_array_append_val(a, x);
}

/* Init routine: the wrappers on every entry that gives a built-in (on), or
 * the built-ins back (off: mailsess disabled). */
void ms_bytes_apply(gboolean on)
{
    for (guint t = 0; t < G_N_ELEMENTS(tables); t++) {
        if (!find_dissector_table(tables[t]))
            continue;
        GArray *a = g_array_new(FALSE, FALSE, sizeof(ms_entry_t));
        dissector_table_foreach(tables[t], collect, a);
        for (guint i = 0; i < a->len; i++) {
            ms_entry_t *x = &g_array_index(a, ms_entry_t, i);
            for (guint k = 0; k < N_WRAPS; k++) {
                ms_wrap_t *w = &wraps[k];
                dissector_handle_t from = on ? w->builtin : w->wrapper;
                dissector_handle_t to = on ? w->wrapper : w->builtin;
                if (!from || !to || x->current != from)
                    continue;
                if (x->initial == x->current)
                    dissector_add_uint(tables[t], x->port, to);
                else
                    dissector_change_uint(tables[t], x->port, to);
            }
        }
        g_array_free(a, TRUE);
    }
}

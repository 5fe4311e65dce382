/* ms_heur.c - finding SMTP and POP3 sessions on any TCP port.
 *
 * A heuristic on "tcp" looks at the first payload of a conversation that no
 * other dissector claimed: a server greeting ("220 ...SMTP...", "+OK ...")
 * or an unambiguous client opening ("EHLO"/"HELO", "CAPA"/"USER"/"APOP").
 * The verdict is kept per conversation, so later payloads of a rejected
 * conversation are never taken (a "220 " inside binary data is not a
 * greeting), and an accepted conversation is never set up twice (after
 * STARTTLS, TCP falls back to heuristics for the clear-text frames on a
 * revisit: re-setting the conversation dissector would undo TLS).
 *
 * The built-in smtp/pop dissectors decide direction with
 * pinfo->destport == pinfo->match_uint, which is stale when they are not
 * reached through their port table: they are called through a wrapper that
 * sets match_uint to the server port, and that wrapper is also made the TLS
 * application-data dissector after STARTTLS/STLS.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_epan.h"
#include "ms_compat.h"
#include "ms_heur_classify.h"

#include <epan/conversation.h>
#include <epan/dissectors/packet-tls-utils.h>
#include <epan/prefs.h>

typedef struct {
    gboolean           mail;        /* FALSE: looked at, not a mail session */
    ms_proto_t         proto;
    guint32            server_port;
    dissector_handle_t target;      /* smtp or pop */
} ms_heur_t;

static int proto;
static ms_pref_bool_t heur_enabled = TRUE;
static wmem_map_t *verdicts; /* conversation_t* -> ms_heur_t*, file scope */
static dissector_handle_t smtp_handle, pop_handle, tls_handle;
static dissector_table_t tcp_port_table;
static dissector_handle_t any_port_handle; /* the wrapper */

static ms_heur_t *verdict(conversation_t *conv)
{
    return verdicts ? (ms_heur_t *)wmem_map_lookup(verdicts, conv) : NULL;
}

gboolean ms_heur_found(conversation_t *conv)
{
    ms_heur_t *v = verdict(conv);
    return v && v->mail;
}

/* What the first payload says (plugin/core/ms_heur_classify.c): SMTP, POP3
 * or nothing, and the server's port. */
static gboolean classify(tvbuff_t *tvb, packet_info *pinfo, ms_heur_t *v)
{
    guint8 buf[MS_OPENING_MAX];
    guint avail = tvb_captured_length(tvb);
    guint n = avail < MS_OPENING_MAX ? avail : MS_OPENING_MAX;
    ms_opening_t o;

    tvb_memcpy(tvb, buf, 0, n);
    if (!ms_heur_classify(buf, n, &o))
        return FALSE;
    v->proto = o.proto;
    v->server_port = o.from_server ? pinfo->srcport : pinfo->destport;
    return TRUE;
}

static gboolean port_gives_mail(guint32 port)
{
    dissector_handle_t h = tcp_port_table ? dissector_get_uint_handle(tcp_port_table, port) : NULL;
    return h && (h == smtp_handle || h == pop_handle);
}

/* Calls smtp/pop with the direction right; keeps doing so inside STARTTLS. */
static int call_target(ms_heur_t *v, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                       void *data)
{
    guint32 saved = pinfo->match_uint;
    pinfo->match_uint = v->server_port;
    int n = call_dissector_only(v->target, tvb, pinfo, tree, data);
    pinfo->match_uint = saved;

    conversation_t *conv = find_conversation_pinfo(pinfo, 0);
    if (tls_handle && conv && conversation_get_dissector(conv, pinfo->num) == tls_handle)
        tls_set_appdata_dissector(tls_handle, pinfo, any_port_handle);
    return n;
}

static int dissect_any_port(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    conversation_t *conv = find_conversation_pinfo(pinfo, 0);
    ms_heur_t *v = conv ? verdict(conv) : NULL;
    if (!v || !v->mail)
        return 0;
    return call_target(v, tvb, pinfo, tree, data);
}

static ms_heur_result_t dissect_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    ms_heur_t *v = verdict(conv);

    if (v) /* decided before: ours (a revisit after STARTTLS) or not mail */
        return v->mail && call_target(v, tvb, pinfo, tree, data) > 0;
    if (!heur_enabled || !verdicts)
        return FALSE;
    /* with tcp.try_heuristic_first, heuristics come before the port table:
     * where the port already gives SMTP or POP3, the port decides */
    if (port_gives_mail(pinfo->srcport) || port_gives_mail(pinfo->destport))
        return FALSE;
    v = wmem_new0(wmem_file_scope(), ms_heur_t);
    wmem_map_insert(verdicts, conv, v);
    if (!classify(tvb, pinfo, v))
        return FALSE;
    v->mail = TRUE;
    v->target = v->proto == MS_PROTO_SMTP ? smtp_handle : pop_handle;
    if (!v->target)
        return FALSE;
    /* conversation-wide: ssl_starttls_ack() later sets TLS the same way, and a
     * from-frame setting would take precedence over it */
    conversation_set_dissector(conv, any_port_handle);
    call_target(v, tvb, pinfo, tree, data);
    return TRUE;
}

void ms_heur_init(void)
{
    verdicts = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
}

void ms_heur_cleanup(void)
{
    verdicts = NULL;
}

void ms_heur_register(int proto_id, module_t *module)
{
    proto = proto_id;
    prefs_register_bool_preference(module, "heuristics", "Find SMTP and POP3 on any TCP port",
                                   "Recognise SMTP and POP3 sessions on ports other than 25 and "
                                   "110 by their greeting or first command. Wireshark only offers "
                                   "a port to heuristics when no dissector is registered for it, "
                                   "unless tcp.try_heuristic_first is set.",
                                   &heur_enabled);
    any_port_handle = create_dissector_handle(dissect_any_port, proto);
}

void ms_heur_handoff(void)
{
    smtp_handle = find_dissector("smtp");
    pop_handle = find_dissector("pop");
    tls_handle = find_dissector("tls");
    tcp_port_table = find_dissector_table("tcp.port");
    heur_dissector_add("tcp", dissect_heur, "SMTP/POP3 session on any port (mailsess)",
                       "mailsess_tcp", proto, HEURISTIC_ENABLE);
}

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
 * Ports Wireshark gives to another protocol ("taken" ports: 8080 is HTTP,
 * 21 FTP, ...). With the default tcp.try_heuristic_first:FALSE, TCP offers a
 * payload to heuristics only when no "tcp.port" entry of either port claims
 * it, so the heuristic never sees them. What TCP does try before its port
 * table is the conversation's dissector. So, when a connection starts (the
 * postdissector sees the conversation's first frame, a SYN without data)
 * on a taken port, mailsess sets a probe as its conversation dissector. The
 * probe is called with the first payload of the connection; it decides
 * once: a server greeting, sent from the port the SYN went to, is taken as
 * on a free port (the wrapper below); anything else makes the probe step
 * aside (the conversation gets no dissector again, the probe returns 0 and
 * TCP goes on to the port table as if mailsess were not there; no verdict is
 * stored, so the heuristic still gets what the port's protocol rejects, as
 * without the probe). Nothing is
 * set when either port's entry was changed by the user (Decode As, -d: the
 * entry's current handle differs from its initial one), when either port
 * already gives SMTP/POP3, when no port is taken (the heuristic's case), or
 * when another dissector already set the conversation's dissector.
 * Why this and not the alternatives (from epan's source, 4.0 to 4.6):
 *  - heuristics have no priority over the port table (heur_dissector_add
 *    has none; decode_tcp_ports tries the conversation, then the ports,
 *    then heuristics); setting tcp.try_heuristic_first for the user would
 *    change every other heuristic protocol's dissection;
 *  - wrapping the "tcp.port" entries (one wrapper that looks up the
 *    original by match_uint) with dissector_change_uint makes every entry
 *    "changed" for epan (current != initial): the GUI's Decode As dialog
 *    (dissector_all_tables_foreach_changed) would list each of the ~570
 *    entries as a user's Decode As and save them into the profile's
 *    decode_as_entries; dissector_add_uint instead replaces Wireshark's
 *    default (initial) handle, which the dialog and every later reset then
 *    take for the default. Either way every frame of every wrapped port
 *    pays a conversation lookup, for the life of the connection;
 *  - the probe touches no table (-G decodes, -d ...,help and the Decode As
 *    dialog are as without mailsess), looks once at the first payload of a
 *    connection on a taken port and never at later frames, and
 *    --disable-protocol mailsess stops it with the postdissector.
 *    Measured (callgrind, dissection only, 4.0.17): 200 HTTP connections
 *    on 8080 (2,400 frames) cost 383,830,988 instructions with the probe
 *    and 383,556,402 with mailsess.taken_ports:FALSE: about 1,400 per
 *    connection, 0.07%.
 * The probe has no protocol, so it adds no layer to frame.protocols and
 * does not move pinfo->curr_layer_num when it steps aside. Only a server
 * greeting counts on a taken port: client first lines are shared with other
 * protocols (FTP and IRC clients send USER), and on a connection whose
 * handshake was captured the server speaks first in SMTP and POP3. The
 * limits: a connection whose SYN is not in the capture is left to the
 * port's protocol, and a -d naming the port's own default protocol cannot
 * be told from the default (dissector_change_uint leaves no trace): turn
 * the probe off with mailsess.taken_ports:FALSE then. After STARTTLS on a
 * taken port, TLS is set for the frames after the go-ahead only (TLS sets
 * itself for the whole conversation and rejects the earlier frames on a
 * revisit; TCP would then give them to the port's protocol, not to the
 * heuristic).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_epan.h"
#include "ms_compat.h"
#include "ms_heur_classify.h"

#include <epan/conversation.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/dissectors/packet-tls-utils.h>
#include <epan/prefs.h>

typedef struct {
    gboolean           mail;        /* FALSE: looked at, not a mail session */
    ms_proto_t         proto;
    guint32            server_port;
    dissector_handle_t target;      /* smtp or pop */
    const char        *taken_from;  /* found by the probe: the port's own protocol */
} ms_heur_t;

/* What the "tcp.port" table says about a port. */
typedef enum {
    MS_PORT_FREE,  /* no entry: the heuristic's case */
    MS_PORT_TAKEN, /* Wireshark's default entry for another protocol */
    MS_PORT_MAIL,  /* gives smtp or pop */
    MS_PORT_USER,  /* the entry was changed (Decode As, -d): the user decides */
} ms_port_kind_t;

/* tcp_analysis.conversation_completeness (packet-tcp.c, 3.6 to 4.6): a
 * segment with payload was seen */
#define MS_TCP_DATA 0x08

static int proto;
static ms_pref_bool_t heur_enabled = TRUE;
static ms_pref_bool_t taken_enabled = TRUE;
static int proto_tcp_id = -1;
static dissector_handle_t probe_handle; /* conversation dissector on taken ports; no protocol */
static wmem_map_t *verdicts; /* conversation_t* -> ms_heur_t*, file scope */
static wmem_map_t *probed;   /* conversations the probe looked at, file scope */
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

const char *ms_heur_taken_from(conversation_t *conv)
{
    ms_heur_t *v = verdict(conv);
    return v && v->mail ? v->taken_from : NULL;
}

/* What the first payload says (plugin/core/ms_heur_classify.c): SMTP, POP3
 * or nothing, and the server's port. */
static gboolean classify(tvbuff_t *tvb, packet_info *pinfo, ms_heur_t *v, gboolean *from_server)
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
    *from_server = o.from_server;
    return TRUE;
}

static gboolean port_gives_mail(guint32 port)
{
    dissector_handle_t h = tcp_port_table ? dissector_get_uint_handle(tcp_port_table, port) : NULL;
    return ms_bytes_is_mail(h);
}

static ms_port_kind_t port_kind(guint32 port)
{
    dissector_handle_t cur = dissector_get_uint_handle(tcp_port_table, port);
    if (cur != dissector_get_default_uint_handle("tcp.port", port))
        return MS_PORT_USER;
    if (!cur)
        return MS_PORT_FREE;
    return ms_bytes_is_mail(cur) ? MS_PORT_MAIL : MS_PORT_TAKEN;
}

/* Calls smtp/pop with the direction right; keeps doing so inside STARTTLS.
 * A pass-through: the built-in gets the level of TCP's (or TLS's)
 * desegmentation service this wrapper got (each call through a table, a
 * heuristic list or call_dissector_only takes one), or it could not
 * reassemble its lines. Then what it consumed goes to the session
 * (ms_session_bytes). */
static int call_target(ms_heur_t *v, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                       void *data)
{
    guint32 saved = pinfo->match_uint;
    pinfo->match_uint = v->server_port;
    pinfo->can_desegment = pinfo->saved_can_desegment;
    int n = call_dissector_only(v->target, tvb, pinfo, tree, data);
    pinfo->match_uint = saved;
    ms_session_bytes(tvb, pinfo, v->proto, pinfo->destport != v->server_port);

    conversation_t *conv = ms_frame_conversation(pinfo);
    if (tls_handle && conv && conversation_get_dissector(conv, pinfo->num) == tls_handle) {
        tls_set_appdata_dissector(tls_handle, pinfo, any_port_handle);
        /* on a taken port: TLS from the next frame on only (see the top);
         * ssl_starttls_ack() made this frame the last clear-text one */
        if (v->taken_from && conversation_get_dissector(conv, 0) == tls_handle) {
            conversation_set_dissector(conv, any_port_handle);
            conversation_set_dissector_from_frame_number(conv, pinfo->num + 1, tls_handle);
        }
    }
    return n;
}

static int dissect_any_port(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    conversation_t *conv = ms_frame_conversation(pinfo);
    ms_heur_t *v = conv ? verdict(conv) : NULL;
    if (!v || !v->mail)
        return 0;
    return call_target(v, tvb, pinfo, tree, data);
}

static ms_heur_result_t dissect_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    /* (TCP made the conversation; looked up once per frame, the
     * postdissector takes it from there) */
    conversation_t *conv = ms_frame_conversation(pinfo);
    if (!conv)
        return FALSE;
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
    gboolean from_server;
    if (!classify(tvb, pinfo, v, &from_server))
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

/* The conversation dissector on a taken port, called with the connection's
 * first payload (see the top). */
static int dissect_probe(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    conversation_t *conv = ms_frame_conversation(pinfo);
    if (!conv || !verdicts || !probed || pinfo->flags.in_error_pkt || verdict(conv) ||
        wmem_map_contains(probed, conv))
        return 0;
    wmem_map_insert(probed, conv, conv);
    /* step aside for every later frame, unless another dissector took over */
    if (conversation_get_dissector(conv, pinfo->num) == probe_handle)
        conversation_set_dissector(conv, NULL);
    if (!taken_enabled || !proto_is_protocol_enabled(find_protocol_by_id(proto)))
        return 0;
    /* Declining stores no verdict: everything stays as without the probe,
     * the heuristic included (where the port's protocol rejects a later
     * payload, e.g. TLS on 465 a clear-text greeting answering a
     * ClientHello, public-ndpi-smtps). */
    ms_heur_t o = { 0 };
    struct tcp_analysis *tcpd = (struct tcp_analysis *)conversation_get_proto_data(conv, proto_tcp_id);
    gboolean from_server;
    if (!tcpd || !classify(tvb, pinfo, &o, &from_server) || !from_server ||
        pinfo->srcport != tcpd->server_port)
        return 0;
    dissector_handle_t own = dissector_get_uint_handle(tcp_port_table, pinfo->srcport);
    if (!own)
        own = dissector_get_uint_handle(tcp_port_table, pinfo->destport);
    o.target = o.proto == MS_PROTO_SMTP ? smtp_handle : pop_handle;
    if (!o.target || !own)
        return 0;
    ms_heur_t *v = wmem_new(wmem_file_scope(), ms_heur_t);
    *v = o;
    wmem_map_insert(verdicts, conv, v);
    v->mail = TRUE;
    v->taken_from = dissector_handle_get_protocol_short_name(own);
    if (!v->taken_from)
        v->taken_from = "another protocol";
    conversation_set_dissector(conv, any_port_handle);
    /* the probe is a pass-through: the wrapper gets the level of TCP's
     * desegmentation service it gets on the later frames (as the
     * conversation's dissector) */
    pinfo->can_desegment = pinfo->saved_can_desegment;
    return call_dissector_only(any_port_handle, tvb, pinfo, tree, data);
}

void ms_heur_conversation_start(conversation_t *conv, packet_info *pinfo)
{
    if (!taken_enabled || !verdicts || !probe_handle || !tcp_port_table || proto_tcp_id < 0 ||
        !probed || conv->setup_frame != pinfo->num || pinfo->flags.in_error_pkt ||
        verdict(conv) || wmem_map_contains(probed, conv) || conversation_get_dissector(conv, pinfo->num))
        return;
    /* a SYN (or SYN-ACK) without data: the connection starts in the capture */
    struct tcp_analysis *tcpd = (struct tcp_analysis *)conversation_get_proto_data(conv, proto_tcp_id);
    if (!tcpd || tcpd->server_port == 0 || (tcpd->conversation_completeness & MS_TCP_DATA))
        return;
    ms_port_kind_t a = port_kind(pinfo->srcport), b = port_kind(pinfo->destport);
    if (a == MS_PORT_USER || b == MS_PORT_USER || a == MS_PORT_MAIL || b == MS_PORT_MAIL ||
        (a != MS_PORT_TAKEN && b != MS_PORT_TAKEN))
        return;
    conversation_set_dissector(conv, probe_handle);
}

dissector_handle_t ms_heur_probe_handle(void)
{
    return probe_handle;
}

void ms_heur_init(void)
{
    verdicts = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    probed = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
}

void ms_heur_cleanup(void)
{
    verdicts = NULL;
    probed = NULL;
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
    prefs_register_bool_preference(module, "taken_ports",
                                   "Find SMTP and POP3 on ports of other protocols",
                                   "Also on ports Wireshark gives to another protocol (8080 HTTP, "
                                   "21 FTP, ...): a connection whose handshake is in the capture "
                                   "and whose first payload is an SMTP or POP3 server greeting "
                                   "from the server is a mail session; any other connection is "
                                   "left to that protocol. A Decode As of either port wins.",
                                   &taken_enabled);
    any_port_handle = create_dissector_handle(dissect_any_port, proto);
    /* no protocol: it adds no layer, and steps aside without a trace */
    probe_handle = create_dissector_handle(dissect_probe, -1);
}

void ms_heur_handoff(void)
{
    smtp_handle = find_dissector("smtp");
    pop_handle = find_dissector("pop");
    tls_handle = find_dissector("tls");
    tcp_port_table = find_dissector_table("tcp.port");
    proto_tcp_id = proto_get_id_by_filter_name("tcp");
    heur_dissector_add("tcp", dissect_heur, "SMTP/POP3 session on any port (mailsess)",
                       "mailsess_tcp", proto, HEURISTIC_ENABLE);
}

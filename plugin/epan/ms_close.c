/* ms_close.c - a session's end as TCP saw it: a FIN each way.
 *
 * TCP's conversation data records only that a first FIN was seen
 * (conversation_completeness) and which side sent it (closing_initiator);
 * tcp_flow_t.fin is set only for flows reassembled until FIN, and
 * tcp_flow_t.lastsegmentflags holds TCP's analysis flags (TCP_A_*), not the
 * header's. Wanting tcp.flags.fin would put a real item in every TCP frame's
 * tree and force a tree where none is built. So the FINs come from TCP's tap
 * (struct tcpheader, th_flags), read by a listener that is a dissector
 * helper: it makes tshark dissect nothing it would not dissect anyway.
 *
 * A tap runs after the frame's dissection, so the postdissector has fed this
 * frame's bytes (data and FIN in one segment) before the FIN counts. Taps
 * run on the first pass of a one-pass tshark and of Wireshark's loading, not
 * on the first pass of tshark -2: there a session ended by FINs keeps its
 * machine until the second pass reaches its FINs (its facts are the same
 * either way: only the first pass feeds the machine).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_epan.h"

#include <epan/conversation.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/tap.h>
#include <wsutil/wslog.h>

/* TCP_A_LOST_PACKET in packet-tcp.c (the same from 3.6 to 4.6): "previous
 * segment not captured". */
#define MS_TCP_A_LOST_PACKET 0x0002

static int close_proto = -1;

static tap_packet_status fin_packet(void *tapdata _U_, packet_info *pinfo,
                                    epan_dissect_t *edt _U_, const void *data,
                                    tap_flags_t flags _U_)
{
    const struct tcpheader *th = (const struct tcpheader *)data;
    /* (the frame is marked visited before its taps run, on the first pass
     * too: a FIN counts whenever it is seen, ms_machine_fin() is idempotent) */
    if (!th || !(th->th_flags & TH_FIN))
        return TAP_PACKET_DONT_REDRAW;
    conversation_t *conv = find_conversation_pinfo(pinfo, 0);
    ms_session_t *sess = conv ? (ms_session_t *)conversation_get_proto_data(conv, close_proto) : NULL;
    if (!sess || sess->shrunk || th->th_stream != sess->stream)
        return TAP_PACKET_DONT_REDRAW;
    /* bytes before this FIN were not captured (lost, or yet to come out of
     * order): the side may still have bytes to show; not its end. TCP keeps
     * the analysis flags of each frame in its acked_table (the first pass's
     * tcp_flow_t.lastsegmentflags is only the flow's latest). */
    struct tcp_analysis *tcpd = get_tcp_conversation_data(conv, pinfo);
    const struct tcp_acked *ta = tcpd && tcpd->acked_table ?
        (const struct tcp_acked *)wmem_tree_lookup32(tcpd->acked_table, pinfo->num) : NULL;
    if (ta && (ta->flags & MS_TCP_A_LOST_PACKET))
        return TAP_PACKET_DONT_REDRAW;
    gboolean server = th->th_sport == sess->srv_port && addresses_equal(&th->ip_src, &sess->srv_addr);
    if (ms_machine_fin(sess->machine, server ? MS_DIR_SERVER : MS_DIR_CLIENT))
        sess->shrunk = TRUE;
    return TAP_PACKET_DONT_REDRAW;
}

void ms_close_handoff(int proto)
{
    close_proto = proto;
    GString *err = register_tap_listener("tcp", &close_proto, NULL, TL_IS_DISSECTOR_HELPER, NULL,
                                         fin_packet, NULL, NULL);
    if (err) {
        ws_warning("mailsess: no FIN from TCP's tap: %s", err->str);
        g_string_free(err, TRUE);
    }
}

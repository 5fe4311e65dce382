/* ms_tcp.c - what TCP knows that the session layer uses: a FIN each way
 * (the session's end) and retransmitted bytes (fed once).
 *
 * A FIN each way:
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

/* TCP's analysis flags (TCP_A_* in packet-tcp.c, the same from 3.6 to 4.6). */
#define MS_TCP_A_RETRANSMISSION          0x0001
#define MS_TCP_A_LOST_PACKET             0x0002 /* previous segment not captured */
#define MS_TCP_A_FAST_RETRANSMISSION     0x0400
#define MS_TCP_A_SPURIOUS_RETRANSMISSION 0x4000
/* TCP_COMPLETENESS_FIN of tcp_analysis.conversation_completeness (packet-tcp.c) */
#define MS_TCP_COMPLETENESS_FIN 0x10
#define MS_TCP_A_RETRANSMITTED (MS_TCP_A_RETRANSMISSION | MS_TCP_A_FAST_RETRANSMISSION | \
                                MS_TCP_A_SPURIOUS_RETRANSMISSION)


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
     * order): the side may still have bytes to show; not its end. On the
     * first pass the flow's lastsegmentflags are this frame's analysis flags
     * (on a later pass, the flow's last frame's: by then nothing is fed, a
     * shrink or not changes no fact). */
    struct tcp_analysis *tcpd = get_tcp_conversation_data(conv, pinfo);
    if (tcpd && (tcpd->fwd->lastsegmentflags & MS_TCP_A_LOST_PACKET))
        return TAP_PACKET_DONT_REDRAW;
    gboolean server = th->th_sport == sess->srv_port && addresses_equal(&th->ip_src, &sess->srv_addr);
    if (ms_machine_fin(sess->machine, server ? MS_DIR_SERVER : MS_DIR_CLIENT)) {
        ms_notes_trim(&sess->notes);
        sess->shrunk = TRUE;
    }
    return TAP_PACKET_DONT_REDRAW;
}

/*
 * Retransmitted bytes. The built-in smtp/pop dissectors are handed a
 * retransmitted segment again whenever TCP does not take it as part of a
 * reassembly (a fast retransmission of a whole line, in both settings of
 * tcp.try_heuristic_first): fed again, a RCPT would count twice. On the first
 * pass, right after TCP, tcp_flow_t.lastsegmentflags of the frame's flow
 * holds this frame's analysis flags (retransmission, fast or spurious
 * retransmission), and the flow's nextseq has moved past whatever bytes of
 * it were new (a repacketized retransmission carries seen bytes and new
 * ones). Called on every first-pass frame of the session (it keeps each
 * direction's nextseq), it tells how many bytes at the end of the segment
 * are new. (tcp_acked.new_data_seq says the same, but TCP keys its per-frame
 * analysis by frame, seq and ack, and get_tcp_conversation_data() forgets
 * the current one.)
 */
guint32 ms_tcp_new_bytes(ms_session_t *sess, conversation_t *conv, packet_info *pinfo, ms_dir_t dir)
{
    struct tcp_analysis *tcpd = get_tcp_conversation_data(conv, pinfo);
    if (!tcpd || !tcpd->fwd->tcp_analyze_seq_info)
        return G_MAXUINT32; /* sequence analysis is off: TCP tells nothing */
    guint32 next = tcpd->fwd->tcp_analyze_seq_info->nextseq;
    guint32 before = sess->tcp_nextseq[dir];
    gboolean known = sess->tcp_nextseq_known[dir];
    sess->tcp_nextseq[dir] = next;
    sess->tcp_nextseq_known[dir] = TRUE;
    if (!known || !(tcpd->fwd->lastsegmentflags & MS_TCP_A_RETRANSMITTED))
        return G_MAXUINT32;
    gint32 fresh = (gint32)(next - before); /* sequence numbers wrap */
    /* A FIN takes one sequence number too. This frame's FIN is known when it
     * is the connection's first (conversation_completeness gains the bit in
     * this frame); after a first FIN, one new sequence number alone is the
     * other side's FIN. (The other side's FIN with new bytes is not told
     * apart: one seen byte more is fed then.) */
    gboolean first_fin = (tcpd->conversation_completeness & MS_TCP_COMPLETENESS_FIN) &&
                         !(sess->tcp_completeness & MS_TCP_COMPLETENESS_FIN);
    gboolean after_fin = (sess->tcp_completeness & MS_TCP_COMPLETENESS_FIN) != 0;
    if (fresh > 0 && (first_fin || (after_fin && fresh == 1)))
        fresh--;
    return fresh > 0 ? (guint32)fresh : 0;
}

void ms_tcp_handoff(int proto)
{
    close_proto = proto;
    GString *err = register_tap_listener("tcp", &close_proto, NULL, TL_IS_DISSECTOR_HELPER, NULL,
                                         fin_packet, NULL, NULL);
    if (err) {
        ws_warning("mailsess: no FIN from TCP's tap: %s", err->str);
        g_string_free(err, TRUE);
    }
}

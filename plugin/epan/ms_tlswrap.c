/* ms_tlswrap.c - TLS observed, not assumed: a wrapper around the TLS dissector.
 *
 * After a STARTTLS/STLS go-ahead the built-in smtp/pop dissector calls
 * ssl_starttls_ack(), which makes "tls" the conversation's dissector: from
 * then on TCP hands every payload of the connection to TLS, and clear text a
 * client sends instead of a ClientHello never reaches smtp/pop (TLS shows it
 * as "Ignored Unknown Record"). So, on the frame of the go-ahead (the
 * postdissector runs after the built-in dissector called ssl_starttls_ack()),
 * mailsess puts this wrapper in TLS's place as the conversation's dissector
 * (ms_tlswrap_starttls()), and on the implicit-TLS ports 465/995 at the
 * connection's first frame (ms_tlswrap_conversation_start()). The wrapper
 * calls the TLS handle with the same tvb, data and desegmentation level, so
 * the dissection is the same as without it (it has no protocol: no layer in
 * frame.protocols), and on the first pass feeds the bytes TCP handed it, per
 * direction, to the record scanner of plugin/core/ms_tls_scan.c:
 *  - only the bytes TLS consumed: when TLS asks for more (desegment_len),
 *    the bytes from desegment_offset come again, reassembled, later;
 *  - each stream byte once, by TCP sequence number (struct tcpinfo: seq is
 *    the first byte of the tvb, reassembled or not): a retransmission or an
 *    overlap is skipped; bytes beyond the next expected one (a segment not
 *    captured, or out of order with tcp.no_subdissector_on_error off) make
 *    the scanner lose the record boundaries: it concludes nothing until a
 *    later segment starts with a whole record header;
 *  - not the bytes quoted inside ICMP errors (pinfo->flags.in_error_pkt).
 * What it saw (the records completed, the clear text from the first byte
 * that is not TLS at a record boundary) is kept for the frame
 * (pinfo->pool) and read by the postdissector in the same pass
 * (ms_tlswrap_frame()): records to ms_machine_tls_record(), clear text to
 * ms_machine_tls_cleartext() + ms_machine_feed(). No tls.* field is wanted
 * (they forced a tree on every frame of any capture).
 *
 * On a later pass the wrapper only calls TLS. On a revisit TLS rejects the
 * frames up to the go-ahead (ssl_starttls_ack's last_nontls_frame) and the
 * wrapper returns TLS's 0, so TCP goes on to its port table as without it.
 * On 465/995 the wrapper takes the place of ms_heur.c's probe (which decides
 * on a first payload that is a server greeting): a first payload that does
 * not start like a TLS record is handed to the probe, which then decides as
 * it would have.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_epan.h"
#include "ms_compat.h"
#include "ms_tls_scan.h"

#include <epan/conversation.h>
#include <epan/exceptions.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tcp.h>

#define PORT_SMTPS 465
#define PORT_POP3S 995
#define MS_TLSWRAP_RECORDS_MAX 256 /* records of one frame kept (the first ones decide) */
#define MS_TLSWRAP_KEY 0x746c73    /* p_add_proto_data key under proto_mailsess */

/* One wrapped connection (file scope). */
typedef struct {
    address       srv_addr;
    guint32       srv_port;
    ms_tls_scan_t scan[2];      /* by ms_dir_t */
    guint32       next_seq[2];  /* the next stream byte to feed */
    gboolean      have_seq[2];
    gboolean      implicit;     /* installed on 465/995 at the connection's first frame */
} ms_tlswrap_conv_t;

static int proto = -1;
static dissector_handle_t wrap_handle; /* no protocol: adds no layer */
static dissector_handle_t tls_handle;
static dissector_table_t tcp_port_table;
static int proto_tcp_id = -1;
static wmem_map_t *wrapped; /* conversation_t* -> ms_tlswrap_conv_t*; NULL value: looked at */

/* The number of the last frame frame_of() was called for (0: none): a frame
 * with another number has no wrapper data, and ms_tlswrap_frame() need not
 * walk its proto data to find that out (most frames of most sessions). */
static guint32 data_frame;

static ms_tlswrap_frame_t *frame_of(packet_info *pinfo, ms_dir_t dir)
{
    data_frame = pinfo->num;
    ms_tlswrap_frame_t *f = (ms_tlswrap_frame_t *)p_get_proto_data(pinfo->pool, pinfo, proto,
                                                                   MS_TLSWRAP_KEY);
    if (!f) {
        f = wmem_new0(pinfo->pool, ms_tlswrap_frame_t);
        f->dir = dir;
        f->records = wmem_array_new(pinfo->pool, sizeof(ms_tls_rec_t));
        p_add_proto_data(pinfo->pool, pinfo, proto, MS_TLSWRAP_KEY, f);
    }
    return f;
}

const ms_tlswrap_frame_t *ms_tlswrap_frame(packet_info *pinfo)
{
    return proto < 0 || pinfo->num != data_frame
               ? NULL
               : (const ms_tlswrap_frame_t *)p_get_proto_data(pinfo->pool, pinfo, proto,
                                                              MS_TLSWRAP_KEY);
}

static void on_record(void *ctx, const ms_tls_rec_t *rec)
{
    ms_tlswrap_frame_t *f = (ms_tlswrap_frame_t *)ctx;
    if (wmem_array_get_count(f->records) < MS_TLSWRAP_RECORDS_MAX)
        wmem_array_append_one(f->records, *rec);
}

/* keep: TLS consumed these bytes (else TCP gives them to the port's
 * protocol, smtp/pop, whose items the postdissector feeds) */
static void add_clear(ms_tlswrap_frame_t *f, packet_info *pinfo, const guint8 *data, size_t len,
                      gboolean keep)
{
    if (len == 0 || !keep)
        return;
    if (!f->clear)
        f->clear = wmem_array_new(pinfo->pool, 1);
    wmem_array_append(f->clear, data, (guint)len);
}

/* Feeds [off, off + len) of tvb, which holds stream bytes from seq on. */
static void feed(ms_tlswrap_conv_t *w, ms_dir_t dir, tvbuff_t *tvb, guint len, guint32 seq,
                 packet_info *pinfo, gboolean keep)
{
    guint skip = 0;
    if (!w->have_seq[dir]) {
        w->next_seq[dir] = seq;
        w->have_seq[dir] = TRUE;
    }
    gint32 d = (gint32)(seq - w->next_seq[dir]);
    if (d > 0) {
        /* bytes before these were not handed to us: boundaries lost */
        ms_tls_scan_gap(&w->scan[dir]);
    } else if (d < 0) {
        skip = w->next_seq[dir] - seq; /* (unsigned: no overflow of -d) */
        if (skip >= len)
            return; /* a retransmission of what was fed */
    }
    w->next_seq[dir] = seq + len;
    guint8 buf[2048];
    if (w->scan[dir].state == MS_TLS_SCAN_LOST && skip == 0) {
        /* after a gap: records again where a segment starts with a header */
        guint n = len < MS_TLS_RECORD_HDR ? len : MS_TLS_RECORD_HDR;
        tvb_memcpy(tvb, buf, 0, n);
        ms_tls_scan_resync(&w->scan[dir], buf, n);
    }
    if (w->scan[dir].state != MS_TLS_SCAN_TLS)
        return; /* lost: nothing concluded */
    ms_tlswrap_frame_t *f = frame_of(pinfo, dir);
    for (guint off = skip; off < len;) {
        guint n = len - off < sizeof(buf) ? len - off : (guint)sizeof(buf);
        tvb_memcpy(tvb, buf, off, n);
        size_t tls = ms_tls_scan_feed(&w->scan[dir], buf, n, on_record, f);
        if (w->scan[dir].state == MS_TLS_SCAN_CLEAR) {
            size_t held;
            const uint8_t *h = ms_tls_scan_held(&w->scan[dir], &held);
            f->clear_start = TRUE;
            add_clear(f, pinfo, h, held, keep);
            add_clear(f, pinfo, buf + tls, n - tls, keep);
            off += n;
            if (off < len && keep)
                add_clear(f, pinfo, tvb_memdup(pinfo->pool, tvb, off, len - off), len - off, keep);
            return;
        }
        off += n;
    }
}

/* The clear text of a side after its first non-TLS bytes: all it sends. */
static void feed_clear(ms_tlswrap_conv_t *w, ms_dir_t dir, tvbuff_t *tvb, guint len,
                       guint32 seq, packet_info *pinfo, gboolean keep)
{
    gint32 d = (gint32)(seq - w->next_seq[dir]);
    guint skip = 0;
    if (d < 0) {
        skip = w->next_seq[dir] - seq;
        if (skip >= len)
            return;
    }
    /* a gap inside clear text: the machine hears of it from TCP's analysis */
    w->next_seq[dir] = seq + len;
    if (!keep)
        return;
    ms_tlswrap_frame_t *f = frame_of(pinfo, dir);
    add_clear(f, pinfo, tvb_memdup(pinfo->pool, tvb, skip, len - skip), len - skip, keep);
}

/* After TLS had the tvb (first pass): its bytes that TLS consumed, to the
 * scanner (keep: TLS took them, so the wrapper keeps clear text it finds). */
static void observe(ms_tlswrap_conv_t *w, ms_dir_t dir, tvbuff_t *tvb, packet_info *pinfo,
                    guint32 seq, gboolean keep, gboolean thrown)
{
    guint len = tvb_captured_length(tvb);
    if (!thrown && pinfo->desegment_len && pinfo->desegment_offset >= 0 &&
        (guint)pinfo->desegment_offset < len)
        len = (guint)pinfo->desegment_offset;
    if (w->scan[dir].state == MS_TLS_SCAN_CLEAR)
        feed_clear(w, dir, tvb, len, seq, pinfo, keep);
    else
        feed(w, dir, tvb, len, seq, pinfo, keep);
    /* the snap length cut the segment: what follows was not captured */
    if (tvb_captured_length(tvb) < tvb_reported_length(tvb))
        ms_tls_scan_gap(&w->scan[dir]);
}

static gboolean from_server(const ms_tlswrap_conv_t *w, const packet_info *pinfo)
{
    return pinfo->srcport == w->srv_port && addresses_equal(&pinfo->src, &w->srv_addr);
}

static int dissect_wrap(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    conversation_t *conv = find_conversation_pinfo(pinfo, 0);
    ms_tlswrap_conv_t *w = conv && wrapped ? (ms_tlswrap_conv_t *)wmem_map_lookup(wrapped, conv)
                                           : NULL;
    struct tcpinfo *ti = (struct tcpinfo *)data;
    ms_dir_t dir = w && from_server(w, pinfo) ? MS_DIR_SERVER : MS_DIR_CLIENT;
    gboolean first = !PINFO_FD_VISITED(pinfo) && !pinfo->flags.in_error_pkt && w && ti;

    /* implicit TLS: a first payload that is not TLS goes to the probe */
    if (first && w->implicit && !w->have_seq[MS_DIR_CLIENT] && !w->have_seq[MS_DIR_SERVER]) {
        guint8 h[MS_TLS_RECORD_HDR];
        guint n = tvb_captured_length(tvb) < sizeof(h) ? tvb_captured_length(tvb) : (guint)sizeof(h);
        tvb_memcpy(tvb, h, 0, n);
        dissector_handle_t probe = ms_heur_probe_handle();
        if (n > 0 && !ms_tls_scan_looks_tls(h, n, dir == MS_DIR_CLIENT) && probe) {
            wmem_map_insert(wrapped, conv, NULL);
            conversation_set_dissector(conv, probe);
            pinfo->can_desegment = pinfo->saved_can_desegment;
            return call_dissector_only(probe, tvb, pinfo, tree, data);
        }
    }
    /* a pass-through: TLS gets the desegmentation level TCP gave us */
    pinfo->can_desegment = pinfo->saved_can_desegment;
    if (!first)
        return tls_handle ? call_dissector_only(tls_handle, tvb, pinfo, tree, data) : 0;
    volatile int ret = 0;
    TRY {
        ret = tls_handle ? call_dissector_only(tls_handle, tvb, pinfo, tree, data) : 0;
    }
    CATCH_NONFATAL_ERRORS {
        /* malformed TLS (e.g. a record whose body is clear text): TCP shows
         * the exception and gives the bytes to nobody else; observe them all
         * the same, then let TCP see the exception as without us */
        observe(w, dir, tvb, pinfo, ti->seq, TRUE, TRUE);
        RETHROW;
    }
    ENDTRY;
    /* (TLS may reject bytes that are not TLS: TCP then gives them to the
     * port's protocol, smtp/pop; they are clear text all the same) */
    observe(w, dir, tvb, pinfo, ti->seq, ret > 0, FALSE);
    return ret;
}

static ms_tlswrap_conv_t *wrap_new(conversation_t *conv, const address *srv, guint32 srv_port)
{
    ms_tlswrap_conv_t *w = wmem_new0(wmem_file_scope(), ms_tlswrap_conv_t);
    if (srv)
        copy_address_wmem(wmem_file_scope(), &w->srv_addr, srv);
    w->srv_port = srv_port;
    ms_tls_scan_init(&w->scan[MS_DIR_CLIENT]);
    ms_tls_scan_init(&w->scan[MS_DIR_SERVER]);
    wmem_map_insert(wrapped, conv, w);
    return w;
}

void ms_tlswrap_starttls(conversation_t *conv, packet_info *pinfo, const address *srv_addr,
                         guint32 srv_port)
{
    if (!wrapped || !tls_handle || PINFO_FD_VISITED(pinfo) || wmem_map_contains(wrapped, conv))
        return;
    /* once per connection, on the frame where the built-in made TLS the
     * dissector of the frames that follow; else (it did not: the built-in
     * saw no go-ahead) nothing is set, and never later */
    if (conversation_get_dissector(conv, pinfo->num + 1) != tls_handle) {
        wmem_map_insert(wrapped, conv, NULL);
        return;
    }
    wrap_new(conv, srv_addr, srv_port);
    /* the same key TLS used: conversation-wide (ssl_starttls), or from the
     * next frame (ms_heur.c on a taken port) */
    if (conversation_get_dissector(conv, 0) == tls_handle)
        conversation_set_dissector(conv, wrap_handle);
    else
        conversation_set_dissector_from_frame_number(conv, pinfo->num + 1, wrap_handle);
}

/* The port decides for TLS (what TCP would call without us): its default
 * "tcp.port" entry is TLS, and the other port cannot take the payload first. */
static gboolean port_is_tls(guint32 port, guint32 other)
{
    dissector_handle_t cur = dissector_get_uint_handle(tcp_port_table, port);
    if (cur != tls_handle || cur != dissector_get_default_uint_handle("tcp.port", port))
        return FALSE;
    return other > port || !dissector_get_uint_handle(tcp_port_table, other);
}

void ms_tlswrap_conversation_start(conversation_t *conv, packet_info *pinfo)
{
    if (!wrapped || !tls_handle || !tcp_port_table || proto_tcp_id < 0 ||
        PINFO_FD_VISITED(pinfo) || pinfo->flags.in_error_pkt || conv->setup_frame != pinfo->num ||
        wmem_map_contains(wrapped, conv) || conversation_get_dissector(conv, pinfo->num))
        return;
    struct tcp_analysis *tcpd = (struct tcp_analysis *)conversation_get_proto_data(conv, proto_tcp_id);
    if (!tcpd || tcpd->server_port == 0 || pinfo->srcport == pinfo->destport)
        return;
    guint32 srv = tcpd->server_port;
    if (srv != PORT_SMTPS && srv != PORT_POP3S)
        return;
    gboolean to_server = pinfo->destport == srv;
    if (!port_is_tls(srv, to_server ? pinfo->srcport : pinfo->destport))
        return;
    ms_tlswrap_conv_t *w = wrap_new(conv, to_server ? &pinfo->dst : &pinfo->src, srv);
    w->implicit = TRUE;
    conversation_set_dissector(conv, wrap_handle);
}

void ms_tlswrap_init(void)
{
    wrapped = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    data_frame = 0;
}

void ms_tlswrap_cleanup(void)
{
    wrapped = NULL;
}

void ms_tlswrap_register(int proto_id)
{
    proto = proto_id;
    wrap_handle = create_dissector_handle(dissect_wrap, -1);
}

void ms_tlswrap_handoff(void)
{
    tls_handle = find_dissector("tls");
    tcp_port_table = find_dissector_table("tcp.port");
    proto_tcp_id = proto_get_id_by_filter_name("tcp");
}

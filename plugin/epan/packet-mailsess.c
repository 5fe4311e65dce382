/* packet-mailsess.c - the mailsess postdissector: a session layer over SMTP and POP3.
 *
 * Just the user interface to the session machines in plugin/core: it
 * registers the protocol, gets the bytes the built-in smtp and pop dissectors
 * consumed from the wrappers in ms_bytes.c (so STARTTLS/STLS data decrypted
 * by TLS arrives here too), feeds the machine on the first pass, stores what
 * it reports per frame, and hands the rest to ms_render.c. Every later pass
 * renders the stored results.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_epan.h"
#include "ms_compat.h"
#include "ms_heur_classify.h"

#include <epan/conversation.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/proto_data.h>
#include <epan/to_str.h>

void proto_register_mailsess(void);
void proto_reg_handoff_mailsess(void);

static int proto_mailsess = -1;
static protocol_t *mailsess_protocol;
static int proto_tcp = -1;
static dissector_handle_t mailsess_handle;

/* Per capture file: every session (to free the machines). */
static GPtrArray *sessions;

/* Per capture file: the offer of STARTTLS/STLS per server, across sessions. */
static ms_tls_offers_t *tls_offers;

/* Per capture file: authentication results per client address and per user,
 * across sessions (plugin/core/ms_guess.c), with the preferences' thresholds
 * as they were when the file was (re)dissected. */
static ms_guess_t *guess;
static guint pref_guess_failures = 5;
static guint pref_guess_users = 5;
static guint pref_guess_clients = 5;
static guint pref_guess_window = 300; /* seconds */

#define FEED_CHUNK 2048

/* Bits of tcp_analysis.conversation_completeness (TCP_COMPLETENESS_FIN and
 * _RST in packet-tcp.c, the same from 3.6 to 4.6): FIN with ACK, RST. */
#define MS_TCP_FIN 0x10
#define MS_TCP_RST 0x20
/* tcp_acked.flags: TCP_A_LOST_PACKET in packet-tcp.c (the same from 3.6 to
 * 4.6), what tcp.analysis.lost_segment shows */
#define MS_TCP_A_LOST_PACKET 0x0002

/* What one call of a built-in dissector consumed (first pass). */
typedef struct {
    ms_proto_t    proto;
    gboolean      builtin_server; /* the built-in took it as server data */
    tvbuff_t     *ds;             /* its data source (valid for the frame) */
    gboolean      cut;            /* the snap length cut the segment */
    tvbuff_t     *tvb;            /* the tvb handed to the built-in (lives as long as the
                                   * frame's dissection: read, not copied) */
    gint          len;            /* of which it consumed [0, len) */
    gint          captured;
    gint          start;          /* its offset in ds */
} piece_t;

/* One frame's hand-over between the byte path (ms_bytes.c, ms_heur.c) and
 * the postdissector, in pinfo->pool: the conversation is looked up once per
 * frame, by whichever comes first (again if the addresses or ports changed
 * in between: HTTP's CONNECT tunnel calls the tcp.port table with the
 * tunnel's ports; never kept from inside an ICMP error, whose quoted TCP
 * header is not this frame's connection), and the pieces of mail bytes wait
 * for the postdissector, which feeds them with the frame's other events in
 * their order (time, lost segment, bytes, cut, TLS records, FIN/RST), with
 * the connection's own addresses and ports. */
#define PIECES_INLINE 2

typedef struct {
    gboolean        looked_up;
    address         src, dst;          /* ... the conversation was looked up with */
    guint32         srcport, destport; /* (shallow copies, valid for the frame) */
    conversation_t *conv;
    /* the pieces, in the order of the calls: the first PIECES_INLINE here
     * (one or two in a frame almost always), the others in 'more' */
    guint           n_pieces;
    piece_t         inline_pieces[PIECES_INLINE];
    wmem_array_t   *more;
} frame_ctx_t;

static guint n_pieces(const frame_ctx_t *fc)
{
    return fc ? fc->n_pieces : 0;
}

static const piece_t *piece(const frame_ctx_t *fc, guint i)
{
    return i < PIECES_INLINE ? &fc->inline_pieces[i]
                             : (const piece_t *)wmem_array_index(fc->more, i - PIECES_INLINE);
}

#define PIECES_MAX 4096 /* calls of a built-in recorded per frame (each consumed >= 1 byte) */

/* Nanoseconds since the epoch, saturated where int64 ends (pcapng allows
 * timestamps from before 1678 and after 2262). */
static ms_time_t to_ms_time(const nstime_t *t)
{
    ms_time_t v;
    if (__builtin_mul_overflow((ms_time_t)t->secs, MS_NS_PER_SEC, &v) ||
        __builtin_add_overflow(v, (ms_time_t)t->nsecs, &v))
        return t->secs < 0 ? INT64_MIN : INT64_MAX;
    return v;
}

static void store_note(void *ctx, ms_frame_t frame, const ms_note_t *n);

const ms_guess_t *ms_guess_current(void)
{
    return guess;
}

/* A login's final reply (first pass, on the frame being fed): to the
 * counters across sessions, which report their findings on this frame. */
static void count_auth_result(ms_session_t *sess, ms_frame_t frame, const ms_login_t *l)
{
    const address *a = &sess->cli_addr;
    if (a->type != AT_IPv4 && a->type != AT_IPv6)
        return;
    gchar *text = address_to_str(NULL, a);
    ms_guess_result(guess, (const guint8 *)a->data, (size_t)a->len, text, l->user,
                    !sess->auth_counted, l->ok, frame, sess->feed_ts, store_note, sess);
    wmem_free(NULL, text);
    sess->auth_counted = TRUE;
}

/* Called by the machines: keep the note with the frame it is about (ctx:
 * the session, whose frame it is). */
static void store_note(void *ctx, ms_frame_t frame, const ms_note_t *n)
{
    ms_session_t *sess = (ms_session_t *)ctx;
    if (n->kind == MS_NOTE_LOGIN && n->login)
        count_auth_result(sess, frame, n->login);
    ms_stored_note_t s = {
        .kind = n->kind, .anomaly = n->anomaly, .other = n->other, .delta = n->delta,
        .text = ms_notes_intern(n->text),
        .cmd = n->cmd, .cmd_kind = n->cmd_kind, .code = n->code, .bytes = n->bytes,
    };
    if (n->kind == MS_NOTE_LOGIN && n->login) {
        s.method = ms_notes_intern(n->login->method);
        s.user = n->login->user ? wmem_strdup(wmem_file_scope(), n->login->user) : NULL;
        s.user_frame = n->login->user_frame;
        s.cred_frame = n->login->cred_frame;
        s.ok = n->login->ok;
        s.clear = n->login->clear;
    }
    ms_notes_add(&sess->notes, frame, &s);
}

gboolean ms_session_enabled(void)
{
    return proto_is_protocol_enabled(mailsess_protocol);
}

static frame_ctx_t *frame_ctx(packet_info *pinfo)
{
    frame_ctx_t *fc = (frame_ctx_t *)p_get_proto_data(pinfo->pool, pinfo, proto_mailsess, 0);
    if (!fc) {
        fc = wmem_new0(pinfo->pool, frame_ctx_t);
        p_add_proto_data(pinfo->pool, pinfo, proto_mailsess, 0, fc);
    }
    return fc;
}

/* The frame's conversation, from fc when it was looked up there (fc may be
 * NULL: looked up, not kept). */
static conversation_t *frame_conversation(packet_info *pinfo, frame_ctx_t *fc)
{
    if (pinfo->flags.in_error_pkt || !fc)
        return find_conversation_pinfo(pinfo, 0);
    if (!fc->looked_up || fc->srcport != pinfo->srcport || fc->destport != pinfo->destport ||
        !addresses_equal(&fc->src, &pinfo->src) || !addresses_equal(&fc->dst, &pinfo->dst)) {
        fc->conv = find_conversation_pinfo(pinfo, 0);
        fc->looked_up = TRUE;
        fc->src = pinfo->src;
        fc->dst = pinfo->dst;
        fc->srcport = pinfo->srcport;
        fc->destport = pinfo->destport;
    }
    return fc->conv;
}

conversation_t *ms_frame_conversation(packet_info *pinfo)
{
    return frame_conversation(pinfo, pinfo->flags.in_error_pkt ? NULL : frame_ctx(pinfo));
}

static struct tcp_analysis *tcp_data(conversation_t *conv)
{
    return (struct tcp_analysis *)conversation_get_proto_data(conv, proto_tcp);
}

static gboolean from_server(const ms_session_t *sess, const packet_info *pinfo)
{
    return pinfo->srcport == sess->srv_port && addresses_equal(&pinfo->src, &sess->srv_addr);
}

#define PORT_SMTPS 465
#define PORT_POP3S 995

/* TLS from the server on the implicit-TLS ports is a mail session even when no
 * key decrypts it (a client's ClientHello alone is not: the server may answer
 * in clear text). */
static gboolean implicit_tls(packet_info *pinfo, ms_proto_t *proto, gboolean *server_is_src)
{
    gboolean src = pinfo->srcport == PORT_SMTPS || pinfo->srcport == PORT_POP3S;
    guint32 port = pinfo->srcport;
    if (!src)
        return FALSE;
    if (!proto_is_frame_protocol(pinfo->layers, "tls"))
        return FALSE;
    *proto = port == PORT_SMTPS ? MS_PROTO_SMTP : MS_PROTO_POP3;
    *server_is_src = src;
    return TRUE;
}

/* Did these bytes come out of TLS decryption (SMTPS/POP3S with a key log)?
 * ds: the data source of the tvb handed to the built-in dissector. */
static gboolean decrypted(packet_info *pinfo, tvbuff_t *ds)
{
    for (GSList *l = pinfo->data_src; l; l = l->next) {
        struct data_source *src = (struct data_source *)l->data;
        if (get_data_source_tvb(src) != ds)
            continue;
        char *name = ms_data_source_name(src);
        gboolean tls = g_str_has_prefix(name, "Decrypted TLS") ||
                       g_str_has_prefix(name, "Reassembled TLS");
        wmem_free(NULL, name);
        return tls;
    }
    return FALSE;
}

/* TCP_COMPLETENESS_SYNSENT of tcp_analysis.conversation_completeness
 * (packet-tcp.c, the same from 3.6 to 4.6): a SYN without ACK was seen. */
#define MS_TCP_SYNSENT 0x01

/* Did this frame come from the server, by the TCP handshake? When the
 * capture holds the connection's SYN, TCP made the conversation on it, keyed
 * by its source: the SYN's sender, the client of the connection. FALSE when
 * no SYN was seen (the capture starts later). */
static gboolean syn_says(conversation_t *conv, packet_info *pinfo, gboolean *from_server)
{
    struct tcp_analysis *tcpd = tcp_data(conv);
    if (!tcpd || !(tcpd->conversation_completeness & MS_TCP_SYNSENT) || !conv->key_ptr)
        return FALSE;
    const address *client = conversation_key_addr1(conv->key_ptr);
    guint32 port = conversation_key_port1(conv->key_ptr);
    if (!client)
        return FALSE;
    gboolean src = addresses_equal(client, &pinfo->src) && port == pinfo->srcport;
    gboolean dst = addresses_equal(client, &pinfo->dst) && port == pinfo->destport;
    if (src == dst)
        return FALSE;
    *from_server = dst;
    return TRUE;
}

/*
 * Who sent the session's first mail bytes. What they say decides first: a
 * greeting is the server's and an EHLO/CAPA/USER the client's, whatever the
 * built-in dissector concluded from the ports (it guesses wrong when both
 * ports are equal, 25 -> 25, and inside an HTTP CONNECT tunnel). Else the
 * TCP handshake (the SYN's sender is the client), else the built-in
 * dissector's direction (from the ports).
 */
static gboolean first_from_server(const piece_t *p, conversation_t *conv, packet_info *pinfo)
{
    gint n = p->captured < MS_OPENING_MAX ? p->captured : MS_OPENING_MAX;
    guint8 buf[MS_OPENING_MAX];
    ms_opening_t o;
    gboolean server;

    if (n > 0)
        tvb_memcpy(p->tvb, buf, 0, n);
    if (n > 0 && ms_heur_classify(buf, (size_t)n, &o))
        return o.from_server;
    if (syn_says(conv, pinfo, &server))
        return server;
    return p->builtin_server;
}

static ms_session_t *session_new(conversation_t *conv, packet_info *pinfo, ms_proto_t proto,
                                 gboolean server_is_src, gboolean in_tls)
{
    ms_session_t *sess = wmem_new0(wmem_file_scope(), ms_session_t);
    struct tcp_analysis *tcpd = tcp_data(conv);
    ms_frame_t first = conv->setup_frame ? conv->setup_frame : pinfo->num;
    ms_time_t first_ts = tcpd ? to_ms_time(&tcpd->ts_first) : to_ms_time(&pinfo->abs_ts);

    if (server_is_src) {
        copy_address_wmem(wmem_file_scope(), &sess->srv_addr, &pinfo->src);
        copy_address_wmem(wmem_file_scope(), &sess->cli_addr, &pinfo->dst);
        sess->srv_port = pinfo->srcport;
        sess->cli_port = pinfo->destport;
    } else {
        copy_address_wmem(wmem_file_scope(), &sess->srv_addr, &pinfo->dst);
        copy_address_wmem(wmem_file_scope(), &sess->cli_addr, &pinfo->src);
        sess->srv_port = pinfo->destport;
        sess->cli_port = pinfo->srcport;
    }
    sess->stream = tcpd ? tcpd->stream : 0;
    sess->proto = proto;
    sess->heuristic = ms_heur_found(conv);
    sess->taken_from = ms_heur_taken_from(conv);
    sess->first_seen = pinfo->num;
    sess->machine = ms_machine_new(proto, first, first_ts, store_note, sess);
    /* the first mail bytes came out of TLS: SMTPS/POP3S (a STARTTLS session
     * starts in clear text) */
    if (in_tls)
        ms_machine_tls_implicit(sess->machine);
    g_ptr_array_add(sessions, sess);
    conversation_add_proto_data(conv, proto_mailsess, sess);
    return sess;
}

/* After a capability reply in clear text (EHLO 250, CAPA +OK): compare the
 * offer of STARTTLS/STLS with the other sessions of the same server so far
 * (the rule is in plugin/core/ms_tls_offers.c). */
static void check_stripped(ms_session_t *sess)
{
    const ms_summary_t *sum = ms_machine_summary(sess->machine);
    if (sum->clear_caps == 0 || sess->stripped_checked)
        return;
    gchar *addr = address_to_str(NULL, &sess->srv_addr);
    gchar *server = g_strdup_printf("%s %u", addr, sess->srv_port);
    wmem_free(NULL, addr);
    ms_tls_offers_check(tls_offers, server, sess->stream, sum, &sess->stripped_checked,
                        store_note, sess);
    g_free(server);
}

/* What the wrapper around TLS saw in this frame (ms_tlswrap.c), before the
 * frame's mail bytes: the TLS records completed (for the handshake after the
 * switch to TLS), and whether this side's bytes stopped being TLS here
 * (clear text where TLS records belong: the machine reads them as such). */
static const ms_tlswrap_frame_t *feed_tls(ms_session_t *sess, packet_info *pinfo, ms_dir_t dir,
                                          ms_time_t ts)
{
    const ms_tlswrap_frame_t *w = ms_tlswrap_frame(pinfo);
    if (!w || w->dir != dir)
        return NULL;
    guint n = wmem_array_get_count(w->records);
    for (guint i = 0; i < n; i++) {
        const ms_tls_rec_t *r = (const ms_tls_rec_t *)wmem_array_index(w->records, i);
        ms_machine_tls_record(sess->machine, dir, r->type, r->alert_level, r->alert_desc,
                              pinfo->num, ts);
    }
    if (w->clear_start)
        ms_machine_tls_cleartext(sess->machine, dir, pinfo->num, ts);
    return w;
}

/* The clear text the wrapper kept: the bytes TLS took as "Ignored Unknown
 * Record" (when TLS rejects them, TCP gives them to smtp/pop, the wrapper
 * keeps no copy and their items are fed). */
static void feed_clear(ms_session_t *sess, packet_info *pinfo, const ms_tlswrap_frame_t *w,
                       ms_time_t ts)
{
    if (!w || !w->clear)
        return;
    const guint8 *bytes = (const guint8 *)wmem_array_get_raw(w->clear);
    guint len = wmem_array_get_count(w->clear);
    for (guint off = 0; off < len; off += FEED_CHUNK) {
        guint k = len - off < FEED_CHUNK ? len - off : FEED_CHUNK;
        ms_machine_feed(sess->machine, w->dir, bytes + off, k, pinfo->num, ts);
    }
}

/* Where the bytes of this frame's own TCP segment that TCP had not seen
 * begin (frame offset): a retransmission is fed once (ms_tcp_new_bytes()).
 * 0: all are new. Bytes reassembled by TCP (another data source) are new. */
static gint first_new_byte(ms_session_t *sess, conversation_t *conv, packet_info *pinfo,
                           ms_dir_t dir, tvbuff_t *frame, const frame_ctx_t *fc)
{
    guint32 fresh = ms_tcp_new_bytes(sess, conv, pinfo, dir);
    gint end = 0;
    if (fresh == G_MAXUINT32)
        return 0;
    /* the tvb handed to the built-in dissector is the segment, to its end */
    guint n = n_pieces(fc);
    for (guint i = 0; i < n; i++) {
        const piece_t *p = piece(fc, i);
        if (p->ds == frame && p->start + p->captured > end)
            end = p->start + p->captured;
    }
    return fresh >= (guint32)end ? 0 : end - (gint)fresh;
}

void ms_session_bytes(tvbuff_t *tvb, packet_info *pinfo, ms_proto_t proto, gboolean builtin_server)
{
    if (PINFO_FD_VISITED(pinfo) || pinfo->flags.in_error_pkt || pinfo->ptype != PT_TCP ||
        !ms_session_enabled())
        return;
    /* what the built-in consumed: the rest comes again, reassembled */
    gint captured = (gint)tvb_captured_length(tvb);
    gint len = captured;
    if (pinfo->desegment_len && pinfo->desegment_offset < len)
        len = pinfo->desegment_offset;
    if (len <= 0)
        return;
    frame_ctx_t *fc = frame_ctx(pinfo);
    if (fc->n_pieces >= PIECES_MAX)
        return;
    piece_t p = {
        .proto = proto, .builtin_server = builtin_server, .ds = tvb_get_ds_tvb(tvb),
        .cut = tvb_captured_length(tvb) < tvb_reported_length(tvb),
        .tvb = tvb,
        .len = len, .captured = captured, .start = (gint)tvb_raw_offset(tvb),
    };
    if (fc->n_pieces < PIECES_INLINE) {
        fc->inline_pieces[fc->n_pieces] = p;
    } else {
        if (!fc->more)
            fc->more = wmem_array_new(pinfo->pool, sizeof(piece_t));
        wmem_array_append_one(fc->more, p);
    }
    fc->n_pieces++;
}

/* The frame's first piece of SMTP bytes, else of POP3 bytes. */
static const piece_t *first_piece(const frame_ctx_t *fc)
{
    guint n = n_pieces(fc);
    const piece_t *pop = NULL;
    for (guint i = 0; i < n; i++) {
        const piece_t *p = piece(fc, i);
        if (p->proto == MS_PROTO_SMTP)
            return p;
        if (!pop)
            pop = p;
    }
    return pop;
}

/* First pass only: feed this frame's SMTP/POP3 bytes and TCP events to the
 * machine. TCP's analysis of this frame is in its conversation data
 * (tcpd->ta) from its own dissection on: read before anything calls
 * get_tcp_conversation_data(), which clears it (ms_tcp_new_bytes() does,
 * after the lost-segment check; never mid-dissection). */
static void first_pass(ms_session_t *sess, conversation_t *conv, packet_info *pinfo, tvbuff_t *frame,
                       const frame_ctx_t *fc)
{
    ms_time_t ts = to_ms_time(&pinfo->abs_ts);
    ms_dir_t dir = from_server(sess, pinfo) ? MS_DIR_SERVER : MS_DIR_CLIENT;
    struct tcp_analysis *tcpd = tcp_data(conv);

    sess->feed_ts = ts;
    ms_machine_touch(sess->machine, pinfo->num, ts);
    if (tcpd && tcpd->ta && (tcpd->ta->flags & MS_TCP_A_LOST_PACKET))
        ms_machine_gap(sess->machine, dir, pinfo->num, ts);
    guint n = n_pieces(fc), mine = 0;
    for (guint i = 0; i < n; i++)
        mine += piece(fc, i)->proto == sess->proto;
    const ms_tlswrap_frame_t *wrap = feed_tls(sess, pinfo, dir, ts);
    if (mine == 0)
        feed_clear(sess, pinfo, wrap, ts);
    gboolean cut = FALSE;
    gint first_new = first_new_byte(sess, conv, pinfo, dir, frame, fc);
    for (guint i = 0; i < n; i++) {
        const piece_t *p = piece(fc, i);
        if (p->proto != sess->proto)
            continue;
        gint from = p->ds == frame && first_new > p->start ? first_new - p->start : 0;
        for (gint off = from; off < p->len; off += FEED_CHUNK) {
            gint k = p->len - off < FEED_CHUNK ? p->len - off : FEED_CHUNK;
            ms_machine_feed(sess->machine, dir, tvb_get_ptr(p->tvb, off, k), (size_t)k,
                            pinfo->num, ts);
        }
        cut |= p->cut;
    }
    if (cut)
        ms_machine_cut(sess->machine, dir, pinfo->num, ts);
    check_stripped(sess);
    /* after the go-ahead (the built-in made TLS the conversation's
     * dissector on this frame): observe TLS from the next frame on */
    if (ms_machine_summary(sess->machine)->tls == MS_TLS_STARTTLS)
        ms_tlswrap_starttls(conv, pinfo, &sess->srv_addr, sess->srv_port);
    /* The first FIN or RST of the connection is the only one the machines act
     * on. TCP records them in its conversation data before mailsess runs, so
     * no tcp.flags field has to be wanted (that would make two real items on
     * every TCP frame of the capture): a bit that appears in this frame is
     * this frame's. */
    guint8 now = tcpd ? tcpd->conversation_completeness : 0;
    guint8 seen = now & ~sess->tcp_completeness;
    sess->tcp_completeness = now;
    if (seen & (MS_TCP_FIN | MS_TCP_RST))
        ms_machine_close(sess->machine, dir, (seen & MS_TCP_RST) != 0, pinfo->num, ts);
    /* reset: nothing more can come, keep only what rendering needs (a FIN
     * each way does the same, from TCP's tap: ms_tcp.c) */
    if (!sess->shrunk && (now & MS_TCP_RST)) {
        ms_machine_shrink(sess->machine);
        ms_notes_trim(&sess->notes);
        sess->shrunk = TRUE;
    }
}

static int dissect_mailsess(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (pinfo->ptype != PT_TCP)
        return 0;
    /* the mail bytes the byte path saw in this frame, and the conversation
     * if it looked it up already */
    frame_ctx_t *fc = (frame_ctx_t *)p_get_proto_data(pinfo->pool, pinfo, proto_mailsess, 0);
    conversation_t *conv = frame_conversation(pinfo, fc); /* nothing comes after: not kept */
    if (!conv)
        return 0;
    ms_session_t *sess = (ms_session_t *)conversation_get_proto_data(conv, proto_mailsess);
    /* a connection starting on a port Wireshark gives to another protocol */
    if (!sess && !PINFO_FD_VISITED(pinfo) && conv->setup_frame == pinfo->num) {
        ms_tlswrap_conversation_start(conv, pinfo); /* 465/995: TLS by port */
        ms_heur_conversation_start(conv, pinfo);
    }
    if (!sess && !PINFO_FD_VISITED(pinfo)) {
        ms_proto_t proto;
        gboolean server_is_src;
        const piece_t *p = first_piece(fc);
        if (p)
            sess = session_new(conv, pinfo, p->proto, first_from_server(p, conv, pinfo),
                               decrypted(pinfo, p->ds));
        else if (implicit_tls(pinfo, &proto, &server_is_src))
            sess = session_new(conv, pinfo, proto, server_is_src, TRUE);
    }
    if (!sess)
        return 0;
    if (!PINFO_FD_VISITED(pinfo))
        first_pass(sess, conv, pinfo, tvb, fc);
    const ms_summary_t *sum = ms_machine_summary(sess->machine);
    wmem_array_t *notes = ms_notes_frame(&sess->notes, pinfo->num, pinfo->pool);
    ms_render(sess, sum, guess, tvb, pinfo, tree, notes);
    ms_tap_queue(pinfo, sess);
    if (notes)
        ms_tap_credentials(pinfo, sess, notes);
    ms_tap_frame(pinfo, sess, notes);
    return tvb_captured_length(tvb);
}

static void init_mailsess(void)
{
    ms_heur_init();
    ms_tlswrap_init();
    sessions = g_ptr_array_new();
    ms_notes_init();
    tls_offers = ms_tls_offers_new();
    ms_guess_config_t cfg = {
        .failures = pref_guess_failures, .users = pref_guess_users,
        .clients = pref_guess_clients, .window = (ms_time_t)pref_guess_window * MS_NS_PER_SEC,
    };
    guess = ms_guess_new(&cfg);
    /* after the preferences and Decode As: the byte path on every smtp/pop
     * entry of the port tables, only while enabled */
    ms_bytes_apply(ms_session_enabled());
}

static void cleanup_mailsess(void)
{
    ms_heur_cleanup();
    ms_tlswrap_cleanup();
    if (sessions) {
        for (guint i = 0; i < sessions->len; i++)
            ms_machine_free(((ms_session_t *)g_ptr_array_index(sessions, i))->machine);
        g_ptr_array_free(sessions, TRUE);
        sessions = NULL;
    }
    ms_notes_cleanup();
    ms_tls_offers_free(tls_offers);
    tls_offers = NULL;
    ms_guess_free(guess);
    guess = NULL;
}

/* The thresholds of the password-guessing findings (plugin/core/ms_guess.h). */
static void register_guess_prefs(module_t *m)
{
    prefs_register_uint_preference(m, "guess_failures", "Brute force: failed logins",
        "Failed logins from one client address, within the window, that raise "
        "mailsess.expert.brute_force (0: off; at most " G_STRINGIFY(MS_GUESS_THRESHOLD_MAX) ")",
        10, &pref_guess_failures);
    prefs_register_uint_preference(m, "guess_users", "Password spraying: distinct users",
        "Distinct users with a failed login from one client address, within the window, that "
        "raise mailsess.expert.password_spraying (0: off; at most "
        G_STRINGIFY(MS_GUESS_THRESHOLD_MAX) ")", 10, &pref_guess_users);
    prefs_register_uint_preference(m, "guess_clients", "Distributed guessing: distinct clients",
        "Distinct client addresses with a failed login for one user, within the window, that "
        "raise mailsess.expert.distributed_guessing (0: off; at most "
        G_STRINGIFY(MS_GUESS_THRESHOLD_MAX) ")", 10, &pref_guess_clients);
    prefs_register_uint_preference(m, "guess_window", "Password guessing: window (seconds)",
        "The failures a threshold counts lie at most this many seconds apart (capture time)",
        10, &pref_guess_window);
}

void proto_register_mailsess(void)
{
    proto_mailsess = proto_register_protocol("Mail Session", "MAILSESS", "mailsess");
    ms_render_register(proto_mailsess);
    module_t *prefs = prefs_register_protocol(proto_mailsess, NULL);
    ms_heur_register(proto_mailsess, prefs);
    ms_tlswrap_register(proto_mailsess);
    ms_bytes_register();
    register_guess_prefs(prefs);
    mailsess_handle = register_dissector("mailsess", dissect_mailsess, proto_mailsess);
    register_postdissector(mailsess_handle);
    ms_tap_register();
    ms_tap_register_stats(proto_mailsess);
    register_init_routine(init_mailsess);
    register_cleanup_routine(cleanup_mailsess);
}

void proto_reg_handoff_mailsess(void)
{
    mailsess_protocol = find_protocol_by_id(proto_mailsess);
    proto_tcp = proto_get_id_by_filter_name("tcp");
    ms_bytes_handoff();
    ms_heur_handoff();
    ms_tlswrap_handoff();
    ms_tap_handoff();
    ms_tcp_handoff(proto_mailsess);
}

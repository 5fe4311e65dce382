/* ms_epan.h - what the mailsess epan glue files share.
 *
 * packet-mailsess.c registers the protocol and drives the session machines
 * on the first pass; ms_bytes.c hands them the bytes the built-in smtp/pop
 * dissectors consumed; ms_tlswrap.c reads TLS records from the raw bytes;
 * ms_tcp.c what TCP knows (a FIN each way, retransmitted bytes);
 * ms_render.c builds the "Mail Session" tree and expert infos on every pass.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_EPAN_H
#define MS_EPAN_H

#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/prefs.h>

#include "ms_machine.h"
#include "ms_note.h"
#include "ms_row.h"
#include "ms_tls_offers.h"
#include "ms_guess.h"
#include "ms_tls_scan.h"

/* A stored note: what ms_note_t says, kept in wmem_file_scope. */
typedef struct {
    ms_note_kind_t kind;
    ms_anomaly_t   anomaly;
    ms_frame_t     other;
    ms_time_t      delta;
    const char    *text;
    /* MS_NOTE_REQUEST_IN: the command answered and the reply's code */
    const char    *cmd;        /* static (the core's names) */
    guint16        cmd_kind, code;
    guint64        bytes;      /* MS_NOTE_MESSAGE */
    /* MS_NOTE_LOGIN */
    const char    *method;
    const char    *user;       /* NULL: not seen */
    ms_frame_t     user_frame, cred_frame;
    gboolean       ok, clear;
} ms_stored_note_t;

/* ---- ms_notes.c: the notes of a session's frames ---- */
/* A session's notes, ordered by frame (zeroed: none). */
typedef struct {
    struct ms_note_rec *recs;
    guint32             count, alloc;
} ms_notes_t;
void ms_notes_init(void);
void ms_notes_cleanup(void);
/* One copy per capture file of each distinct text (NULL stays NULL). */
const char *ms_notes_intern(const char *text);
/* Keeps s (its strings in file scope) as a note of frame. */
void ms_notes_add(ms_notes_t *ns, ms_frame_t frame, const ms_stored_note_t *s);
/* The frame's notes as ms_stored_note_t in pool, in the order they came; NULL: none. */
wmem_array_t *ms_notes_frame(const ms_notes_t *ns, ms_frame_t frame, wmem_allocator_t *pool);
/* The session ended: no room kept for more notes (more may still come). */
void ms_notes_trim(ms_notes_t *ns);

/* One mail session (one TCP connection), attached to its conversation. */
typedef struct {
    ms_proto_t proto;
    ms_machine_t *machine;
    address    srv_addr;  /* the server's address and port decide direction */
    guint32    srv_port;
    address    cli_addr;  /* the client's address: the key of the guessing counters */
    guint32    cli_port;
    ms_time_t  feed_ts;   /* first pass: the time of the frame being fed */
    gboolean   auth_counted; /* an authentication result of it reached the counters */
    guint32    stream;    /* tcp.stream */
    gboolean   heuristic; /* found by content on a port not registered for it */
    const char *taken_from; /* ... on a port Wireshark gives to this protocol (short name) */
    guint32    first_seen; /* frame where the session layer first saw data */
    guint8     tcp_completeness; /* TCP's conversation_completeness at the last frame */
    bool       stripped_checked; /* its STARTTLS offer was compared with other sessions' */
    gboolean   shrunk;    /* ended: the machine keeps only the session record */
    guint32    tcp_nextseq[2];       /* first pass, by ms_dir_t: TCP's nextseq after the */
    gboolean   tcp_nextseq_known[2]; /* last frame of that side (ms_tcp.c) */
    ms_notes_t notes;     /* what the machine reported about its frames */
} ms_session_t;


/* ---- ms_tcp.c ---- */
/* A FIN each way (TCP's tap) shrinks the session's machine (proto: mailsess's). */
void ms_tcp_handoff(int proto);
/* First pass: how many bytes at the end of this frame's own TCP payload were
 * not seen before (G_MAXUINT32: all of them; 0: a retransmission of seen bytes). */
guint32 ms_tcp_new_bytes(ms_session_t *sess, conversation_t *conv, packet_info *pinfo, ms_dir_t dir);

/* ---- packet-mailsess.c: the byte path's side ---- */
/* Is mailsess enabled (not --disable-protocol mailsess)? */
gboolean ms_session_enabled(void);
/* This frame's conversation, looked up once per frame (first caller). */
conversation_t *ms_frame_conversation(packet_info *pinfo);
/* After a call of the built-in smtp/pop dissector on tvb (first pass): the
 * bytes it consumed, kept for the postdissector, which feeds them to the
 * session of this connection (created on its first bytes). builtin_server:
 * the built-in took them as server data. */
void ms_session_bytes(tvbuff_t *tvb, packet_info *pinfo, ms_proto_t proto, gboolean builtin_server);

/* ---- ms_bytes.c ---- */
void ms_bytes_register(void);
void ms_bytes_handoff(void);
/* Init routine: wrappers on the smtp/pop entries of tcp.port and tls.port
 * (on), or the built-ins back (off). */
void ms_bytes_apply(gboolean on);
/* smtp, pop or one of their wrappers */
gboolean ms_bytes_is_mail(dissector_handle_t h);

/* ---- ms_heur.c ---- */
void ms_heur_register(int proto, module_t *module);
void ms_heur_handoff(void);
void ms_heur_init(void);
void ms_heur_cleanup(void);
gboolean ms_heur_found(conversation_t *conv);
const char *ms_heur_taken_from(conversation_t *conv);
void ms_heur_conversation_start(conversation_t *conv, packet_info *pinfo);
/* The probe ms_heur_conversation_start() sets on taken ports (ms_tlswrap.c
 * hands a first payload on 465/995 that is not TLS to it). */
dissector_handle_t ms_heur_probe_handle(void);

/* ---- ms_tlswrap.c ---- */
/* What the wrapper around TLS saw in this frame on the first pass (one
 * side's bytes), for the postdissector in the same pass. */
typedef struct {
    ms_dir_t      dir;
    wmem_array_t *records;     /* ms_tls_rec_t: the TLS records completed in this frame */
    gboolean      clear_start; /* this side's clear text (bytes that are not TLS) starts here */
    wmem_array_t *clear;       /* guint8: clear-text bytes of this frame, NULL: none */
} ms_tlswrap_frame_t;
void ms_tlswrap_register(int proto);
void ms_tlswrap_handoff(void);
void ms_tlswrap_init(void);
void ms_tlswrap_cleanup(void);
/* On the STARTTLS/STLS go-ahead frame (first pass), after the built-in made
 * TLS the conversation's dissector: the wrapper takes its place. Once per
 * connection; later calls do nothing. */
void ms_tlswrap_starttls(conversation_t *conv, packet_info *pinfo, const address *srv_addr,
                         guint32 srv_port);
/* The connection's first frame: on 465/995 (TLS by port) the wrapper becomes
 * the conversation's dissector. Call before ms_heur_conversation_start(). */
void ms_tlswrap_conversation_start(conversation_t *conv, packet_info *pinfo);
/* This frame's observations, NULL when none. */
const ms_tlswrap_frame_t *ms_tlswrap_frame(packet_info *pinfo);

/* ---- ms_tap.c ---- */
void ms_tap_register(void);
/* Queues this frame's session on the "mailsess" tap (when listened to); the
 * listeners read its record when they run. */
void ms_tap_queue(packet_info *pinfo, const ms_session_t *sess);
void ms_tap_handoff(void);
/* The capture's password-guessing counters (packet-mailsess.c). */
const ms_guess_t *ms_guess_current(void);
/* The logins ended on this frame, to Wireshark's credentials tap. */
void ms_tap_credentials(packet_info *pinfo, const ms_session_t *sess, wmem_array_t *notes);
/* This frame's notes (replies, logins, findings) to the statistics and
 * response-time tables (when listened to). */
void ms_tap_frame(packet_info *pinfo, const ms_session_t *sess, wmem_array_t *notes);
void ms_tap_register_stats(int proto);

/* ---- ms_render.c ---- */
void ms_render_register(int proto);
/* The field the credentials tap names (mailsess.login.user). */
int ms_render_login_hf(void);
/* guess: the capture's password-guessing counters (so far on the first pass,
 * final on later ones) */
void ms_render(const ms_session_t *sess, const ms_summary_t *sum, const ms_guess_t *guess,
               tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, wmem_array_t *notes);

#endif /* MS_EPAN_H */

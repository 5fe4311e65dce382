/* ms_conn.h - the connection part both session machines share.
 *
 * One TCP connection carrying SMTP or POP3, seen from the wire: the two line
 * assemblers, the queue of commands awaiting replies, the switch to TLS with
 * its injection guards, the start of the capture (greeting or mid-stream),
 * one-sided captures, gaps and close. The protocol machines (ms_smtp.c,
 * ms_pop3.c) embed it as their first member and add their own command and
 * reply handling; ms_machine.c drives both through it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_CONN_H
#define MS_CONN_H

#include "ms_fifo.h"
#include "ms_linebuf.h"
#include "ms_session.h"

/* The head of every queued command. 'kind' and 'flags' are the protocol's
 * own; they survive a spill beyond the queue's cap (frame is then 0). */
typedef struct {
    uint16_t   kind;
    uint16_t   flags;
    ms_frame_t frame; /* frame holding the end of the command line; 0: spilled */
    ms_time_t  ts;
} ms_cmd_t;

typedef struct {
    ms_summary_t  sum;          /* the session record */
    ms_reporter_t rep;
    ms_linebuf_t  lb[2];        /* by ms_dir_t */
    ms_fifo_t     queue;        /* commands awaiting replies, each ms_cmd_t first */
    uint8_t      *spill_slot;   /* stands for a spilled command (kind and flags only) */
    uint16_t      unknown_kind; /* the protocol's kind for a command spilled without one */
    char         *reply_text;   /* the current reply's (first) line, printable */
    const char *(*cmd_name)(uint16_t kind); /* the protocol's name of a command kind */

    /* the switch to TLS (STARTTLS, STLS) */
    bool          in_tls;       /* accepted (or implicit): later bytes are inside TLS */
    bool          tls_seen;     /* decrypted client data arrived inside TLS */
    bool          tls_pending;  /* STARTTLS/STLS sent, no reply yet */
    ms_frame_t    tls_go_frame; /* frame of the go-ahead (220 / +OK) */
    bool          tls_client_enc; /* the client sent ChangeCipherSpec or application data
                                   * since the switch: its Finished may have gone */
    bool          tls_client_app; /* ... application data (TLS 1.3: Finished, or later) */
    bool          starttls_unused_noted;
    bool          loose_noted;  /* a command's words were not separated by one SP */

    bool          raw_client;   /* the client's next bytes are not lines (SMTP BDAT chunk) */

    /* what the capture holds of the connection */
    bool          start_known;  /* the first server line was seen: greeting or not */
    bool          midstream;    /* the capture starts after the session began */
    bool          one_side_noted;
    bool          quit_sent;
    bool          closed;       /* a FIN/RST was seen */
    bool          fin[2];       /* by ms_dir_t: that side sent its FIN (in order) */
    bool          ended;        /* a FIN each way, or a reset: shrunk to the record */
    uint64_t      client_lines;
    uint64_t      server_lines;
} ms_conn_t;

void ms_conn_init(ms_conn_t *c, ms_proto_t proto, ms_frame_t first_frame, ms_time_t first_ts,
                  ms_note_fn fn, void *ctx, size_t cmd_size, uint32_t queue_cap,
                  uint16_t unknown_kind, size_t line_keep);
/* Frees what the connection owns (the protocol frees its commands' own data first). */
void ms_conn_clear(ms_conn_t *c);

/* The connection ended: drops what only more traffic would need (the queue,
 * line buffers); the session record stays. Still usable afterwards. */
void ms_conn_shrink(ms_conn_t *c);

/* "STARTTLS" or "STLS". */
const char *ms_conn_tls_verb(const ms_conn_t *c);

/* ---- the command queue ---- */
/* A zeroed command at the back (kind, flags, frame and ts set), or NULL when
 * it was spilled beyond the queue's cap (kept by kind and flags only). */
ms_cmd_t *ms_conn_push(ms_conn_t *c, uint16_t kind, uint16_t flags, ms_frame_t frame,
                       ms_time_t ts);
/* The oldest spilled command as a zeroed stand-in with its kind and flags
 * (frame 0), valid until the next front/pop; NULL when none. */
ms_cmd_t *ms_conn_spilled_front(ms_conn_t *c);
/* The oldest command waiting, or NULL: a queued one, else a spilled one. */
static inline ms_cmd_t *ms_conn_front(ms_conn_t *c)
{
    return c->queue.count > 0 ? (ms_cmd_t *)ms_fifo_at(&c->queue, 0) : ms_conn_spilled_front(c);
}
/* The i-th queued command (spilled ones excluded), or NULL. */
static inline ms_cmd_t *ms_conn_at(ms_conn_t *c, uint32_t i)
{
    return (ms_cmd_t *)ms_fifo_at(&c->queue, i);
}
/* Queued commands (with a slot), and all waiting including spilled ones. */
static inline uint32_t ms_conn_queued(const ms_conn_t *c)
{
    return c->queue.count;
}
static inline uint64_t ms_conn_waiting(const ms_conn_t *c)
{
    return ms_fifo_waiting(&c->queue);
}
void ms_conn_pop(ms_conn_t *c);

/* ---- lines ---- */
/* Every complete line passes here first: counts it, applies the injection
 * guards around the switch to TLS. False: the line is not for the protocol. */
bool ms_conn_line_in(ms_conn_t *c, ms_dir_t dir, ms_frame_t frame);

/* ---- replies ---- */
/* The reply answers a command: links the two frames (not for a spilled one). */
void ms_conn_answered(ms_conn_t *c, const ms_cmd_t *cmd, uint16_t code, ms_frame_t frame,
                      ms_time_t ts);
/* A reply and no command to answer: one "no client data" note for a
 * one-sided capture, else an unmatched reply ('what' names the reply). */
void ms_conn_unmatched(ms_conn_t *c, const char *what, ms_frame_t frame);
/* The first server line is no greeting: the capture started mid-session. */
void ms_conn_midstream(ms_conn_t *c, ms_frame_t frame);
/* The greeting: banner, time, commands sent before it, a refusal. 'status'
 * is the reply's code or indicator as it appears in the refusal text. */
void ms_conn_greeting(ms_conn_t *c, bool ok, const char *status, const char *text,
                      ms_frame_t frame, ms_time_t ts);
/* The reply to STARTTLS/STLS: the result; when accepted, the switch to TLS. */
void ms_conn_tls_reply(ms_conn_t *c, bool ok, const char *reply, ms_frame_t frame);
/* Credentials or mail about to go in clear although STARTTLS/STLS was offered. */
void ms_conn_cleartext_use(ms_conn_t *c, const char *what, ms_frame_t frame);

/* A command whose words are separated by HTAB or several SP: read as servers
 * do, noted once per session. */
void ms_conn_loose_words(ms_conn_t *c, const char *verb, ms_frame_t frame);

/* ---- the connection's life ---- */
void ms_conn_tls_implicit(ms_conn_t *c);
/* A TLS record from one side after the switch to TLS: its content type, and
 * for an alert in clear text its level and description (-1: not visible). */
void ms_conn_tls_record(ms_conn_t *c, ms_dir_t dir, unsigned type, int level, int desc,
                        ms_frame_t frame);
/* Bytes from one side where TLS records belong (after the go-ahead, or on an
 * implicit TLS port) are not TLS: that side talks in clear text. The session
 * leaves its "in TLS" assumption: what follows is read as clear-text lines
 * (secrets in it are plaintext_auth). Reported once per side. */
void ms_conn_tls_cleartext(ms_conn_t *c, ms_dir_t dir, ms_frame_t frame);
/* The connection closes (first FIN/RST): a handshake that never got as far
 * as the client's Finished is reported. */
void ms_conn_tls_close(ms_conn_t *c, ms_dir_t dir, bool reset, ms_frame_t frame);
/* True when the protocol is followed at all: not inside TLS without decryption. */
bool ms_conn_visible(const ms_conn_t *c);
/* After the close: client data was seen and, inside TLS, decrypted. */
bool ms_conn_client_visible(const ms_conn_t *c);

#endif /* MS_CONN_H */

/* ms_session.h - the session record the session layer shows, and the
 * reporter of per-frame notes (shared by both machines).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_SESSION_H
#define MS_SESSION_H

#include "ms_common.h"
#include "ms_linebuf.h"
#include "ms_note.h"
#include "ms_strlist.h"
#include "ms_tls_hs.h"

/* Per-session caps: lists stop growing there (and say so once). These and
 * the queue caps (MS_SMTP_CAP_PENDING, MS_POP3_CAP_PENDING, MS_FIFO_SPILL_RUNS)
 * may be set on the compiler's command line: tests/fuzz/run-fuzz.sh makes them
 * tiny (FUZZ_SMALL_CAPS=1) so that 4 KB fuzz inputs reach every cap path. */
#ifndef MS_CAP_CAPABILITIES
#define MS_CAP_CAPABILITIES 64
#endif
#ifndef MS_CAP_AUTH_METHODS
#define MS_CAP_AUTH_METHODS 16
#endif
#ifndef MS_CAP_AUTH_USERS
#define MS_CAP_AUTH_USERS   32
#endif
#ifndef MS_CAP_MAIL_FROM
#define MS_CAP_MAIL_FROM    128
#endif
#ifndef MS_CAP_RCPT_TO
#define MS_CAP_RCPT_TO      256
#endif
#ifndef MS_CAP_TRANSFERS
#define MS_CAP_TRANSFERS    128
#endif
#ifndef MS_CAP_QUEUE_IDS
#define MS_CAP_QUEUE_IDS    128
#endif
#ifndef MS_CAP_NOTES
#define MS_CAP_NOTES        100  /* notes of one anomaly kind per session */
#endif
#define MS_TEXT_MAX         512  /* longest text kept from a line */

typedef enum {
    MS_PROTO_SMTP, /* RFC 5321 */
    MS_PROTO_POP3  /* RFC 1939 */
} ms_proto_t;

typedef enum {
    MS_TLS_NONE,     /* clear text */
    MS_TLS_STARTTLS, /* STARTTLS (SMTP) or STLS (POP3) accepted */
    MS_TLS_IMPLICIT  /* TLS from the first byte (465/995) */
} ms_tls_t;

typedef enum {
    MS_STARTTLS_NONE,     /* never tried */
    MS_STARTTLS_ACCEPTED, /* 220 / +OK */
    MS_STARTTLS_REFUSED   /* anything else */
} ms_starttls_result_t;

typedef enum {
    MS_AUTH_RESULT_NONE,    /* no authentication in the session */
    MS_AUTH_RESULT_UNKNOWN, /* the last attempt got no final reply */
    MS_AUTH_RESULT_SUCCESS,
    MS_AUTH_RESULT_FAILURE
} ms_auth_result_t;

typedef enum {
    MS_SMUGGLING_NONE,      /* no message held an end-of-data look-alike */
    MS_SMUGGLING_NOT_SPLIT, /* the server answered such a message once (2xx): no sign of a split */
    MS_SMUGGLING_REFUSED,   /* the server refused such a message (e.g. 550 bare <LF>) */
    MS_SMUGGLING_SPLIT,     /* its replies show it ended the data at a look-alike */
    MS_SMUGGLING_ACCEPTED   /* ... and accepted a smuggled message */
} ms_smuggling_result_t;

/* The session record: what the session layer shows on every frame. */
typedef struct {
    ms_proto_t       proto;
    char            *banner;        /* greeting text, NULL until seen */
    char            *helo;          /* SMTP: last EHLO/HELO argument, NULL until seen */
    ms_strlist_t     capabilities;  /* distinct EHLO keywords / CAPA lines */
    bool             starttls_offered;
    ms_tls_t         tls;
    bool             tls_hidden;    /* STARTTLS/STLS accepted, no decrypted client data since */
    ms_starttls_result_t starttls_result; /* the last STARTTLS/STLS */
    ms_tls_hs_t      tls_handshake;      /* the handshake after the switch to TLS */
    char            *tls_alert;          /* "server: fatal handshake_failure (40)", NULL */
    uint8_t          tls_cleartext;      /* sides (bit 1 << ms_dir_t) that sent bytes that are
                                          * not TLS records where TLS was due: read as clear text */
    ms_strlist_t     auth_methods;  /* distinct mechanisms, in order */
    ms_strlist_t     auth_users;    /* distinct user names, decoded */
    ms_auth_result_t auth_result;
    uint32_t         auth_attempts;
    uint32_t         auth_failures;
    bool             auth_plaintext;
    ms_strlist_t     mail_from;     /* SMTP */
    ms_strlist_t     rcpt_to;       /* SMTP */
    ms_strlist_t     rcpt_rejected; /* SMTP */
    uint32_t         msg_count;     /* SMTP: accepted; POP3: retrieved */
    ms_strlist_t     queue_ids;     /* SMTP: one per accepted message, in order: the id in
                                     * the accepting reply, "" when it had none */
    bool             queue_id_seen; /* SMTP: some accepting reply had an id */
    uint64_t         msg_bytes;
    /* SMTP smuggling, by the server's reading (msg_count/msg_bytes stay the RFC's) */
    ms_smuggling_result_t smuggling_result; /* the strongest over the session's messages */
    uint32_t         smuggled;       /* smuggled messages the server accepted */
    uint64_t         smuggled_bytes; /* their size by the server's reading */
    ms_strlist_t     smuggled_from;  /* smuggled MAIL FROM the server accepted */
    ms_strlist_t     smuggled_rcpt;  /* smuggled RCPT TO the server accepted */
    bool             quit;
    bool             stat_seen;          /* POP3: a STAT reply was seen */
    uint32_t         maildrop_msgs;      /* POP3: from the STAT reply */
    uint64_t         maildrop_bytes;
    uint32_t         top_count;          /* POP3: TOP answered +OK */
    uint32_t         deleted;            /* POP3: DELE answered +OK since the last RSET */
    bool             deleted_committed;  /* POP3: QUIT +OK after login (UPDATE state) */
    bool             greeting_seen;
    ms_time_t        greeting_time;      /* first frame -> greeting */
    ms_time_t       *transfer_times;     /* per message */
    uint32_t         transfer_count;     /* stored entries */
    uint64_t         transfer_dropped;
    ms_frame_t       first_frame;
    ms_time_t        first_ts;
    ms_frame_t       last_frame;
    ms_time_t        last_ts;
    uint32_t         clear_caps;         /* capability replies (EHLO 250, CAPA +OK) outside TLS */
    ms_frame_t       clear_caps_frame;   /* the frame that completed the last of them */
    uint64_t         commands;           /* command lines seen */
} ms_summary_t;

/* The rest of the session is inside TLS without a key: after an accepted
 * STARTTLS/STLS with no decrypted data since, or implicit TLS with no command
 * seen, unless the TLS handshake demonstrably failed or never finished. What
 * happened there (QUIT, logins) is unknown, not "none". */
bool ms_summary_tls_blind(const ms_summary_t *m);
void ms_summary_init(ms_summary_t *m, ms_proto_t proto, ms_frame_t first_frame, ms_time_t first_ts);
void ms_summary_clear(ms_summary_t *m);
/* Each list in one allocation (ms_strlist_pack()): for an ended session's record. */
void ms_summary_pack(ms_summary_t *m);
/* Any frame of the connection, to follow its duration. */
void ms_summary_touch(ms_summary_t *m, ms_frame_t frame, ms_time_t ts);

/* Hands notes to the glue, with at most MS_CAP_NOTES anomalies of a kind. */
typedef struct {
    ms_note_fn fn;
    void      *ctx;
    uint8_t    count[MS_AN_COUNT]; /* reported so far, saturating at UINT8_MAX (past
                                    * the cap, one byte each is all it takes) */
} ms_reporter_t;
_Static_assert(MS_CAP_NOTES < UINT8_MAX, "ms_reporter_t.count saturates at UINT8_MAX");

void ms_report_anomaly(ms_reporter_t *r, ms_frame_t frame, ms_anomaly_t an, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Would an anomaly of this kind reported now keep its text (below the cap)?
 * Lets a caller skip building a text nobody will read. */
bool ms_report_anomaly_kept(const ms_reporter_t *r, ms_anomaly_t an);
/* A command in cmd_frame answered by a reply in reply_frame: both frames get a note. */
void ms_report_link(ms_reporter_t *r, ms_frame_t cmd_frame, ms_time_t cmd_ts,
                    ms_frame_t reply_frame, ms_time_t reply_ts, const char *cmd,
                    uint16_t cmd_kind, uint16_t code);
/* Adds a printable copy of v (ms_text_printable) to a session list; reports
 * the first drop at the cap. */
void ms_report_list_add(ms_reporter_t *r, ms_strlist_t *l, const char *what, bool distinct,
                        const uint8_t *v, size_t len, ms_frame_t frame);
/* The same for a text that is already printable (escaped once, never twice). */
void ms_report_list_add_text(ms_reporter_t *r, ms_strlist_t *l, const char *what, bool distinct,
                             const char *text, ms_frame_t frame);
/* Line length over 'max' (CRLF included), bare LF, bare CR: one anomaly each. */
void ms_report_line_checks(ms_reporter_t *r, const ms_line_t *l, size_t max, const char *what,
                           ms_frame_t frame);
/*
 * A capability line whose keyword looks like `real` (STARTTLS, STLS) masked
 * by a middlebox: Cisco's SMTP inspection rewrites STARTTLS as XXXXXXXA, other
 * boxes change a letter or two. Reports starttls_stripped and returns true.
 * Same length as `real`, not `real` itself, and either only X's (an A may end
 * it) or at most a quarter of the letters changed: no real EHLO keyword or
 * CAPA tag is that close to STARTTLS or STLS.
 */
bool ms_report_masked_capability(ms_reporter_t *r, const uint8_t *line, size_t len,
                                 const char *real, ms_frame_t frame);
/* A message was taken (counted in msg_count) on this frame. */
void ms_report_message(ms_reporter_t *r, ms_frame_t frame, uint64_t bytes);
/* A login ended (ms_auth_done). */
void ms_report_login(ms_reporter_t *r, ms_frame_t frame, const ms_login_t *login);
/* A message was accepted: its queue id (NULL: the reply had none) joins the
 * list, one entry per message, and is noted on the reply's frame. */
void ms_report_queue_id(ms_reporter_t *r, ms_summary_t *m, const char *id, ms_frame_t frame);
void ms_report_transfer(ms_reporter_t *r, ms_summary_t *m, ms_time_t d, ms_frame_t frame);

#endif /* MS_SESSION_H */

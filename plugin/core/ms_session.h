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

/* The session record: what the session layer shows on every frame. */
typedef struct {
    ms_proto_t       proto;
    char            *banner;        /* greeting text, NULL until seen */
    char            *helo;          /* SMTP: last EHLO/HELO argument, NULL until seen */
    ms_strlist_t     capabilities;  /* distinct EHLO keywords / CAPA lines */
    bool             starttls_offered;
    ms_tls_t         tls;
    ms_starttls_result_t starttls_result; /* the last STARTTLS/STLS */
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
    uint64_t         msg_bytes;
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

void ms_summary_init(ms_summary_t *m, ms_proto_t proto, ms_frame_t first_frame, ms_time_t first_ts);
void ms_summary_clear(ms_summary_t *m);
/* Any frame of the connection, to follow its duration. */
void ms_summary_touch(ms_summary_t *m, ms_frame_t frame, ms_time_t ts);

/* Hands notes to the glue, with at most MS_CAP_NOTES anomalies of a kind. */
typedef struct {
    ms_note_fn fn;
    void      *ctx;
    uint32_t   count[MS_AN_COUNT];
} ms_reporter_t;

void ms_report_anomaly(ms_reporter_t *r, ms_frame_t frame, ms_anomaly_t an, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The final reply of an authentication attempt (MS_NOTE_AUTH_RESULT); user:
 * printable, or NULL when the attempt named none. */
void ms_report_auth_result(ms_reporter_t *r, ms_frame_t frame, bool ok, const char *user);
/* A command in cmd_frame answered by a reply in reply_frame: both frames get a note. */
void ms_report_link(ms_reporter_t *r, ms_frame_t cmd_frame, ms_time_t cmd_ts,
                    ms_frame_t reply_frame, ms_time_t reply_ts);
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
void ms_report_transfer(ms_reporter_t *r, ms_summary_t *m, ms_time_t d, ms_frame_t frame);

#endif /* MS_SESSION_H */

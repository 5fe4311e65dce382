/* ms_smtp.h - the SMTP session machine (RFC 5321, 4954, 3207, 3030, 2920).
 *
 * Fed with the bytes each side sent, in capture order, with the frame number
 * and time of each piece; keeps a bounded session record and reports
 * per-frame notes (command/reply links, anomalies) through a callback.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_SMTP_H
#define MS_SMTP_H

#include "ms_common.h"
#include "ms_note.h"
#include "ms_strlist.h"

/* Per-session caps: lists stop growing there (and say so once). */
#define MS_SMTP_CAP_CAPABILITIES 64
#define MS_SMTP_CAP_AUTH_METHODS 16
#define MS_SMTP_CAP_AUTH_USERS   32
#define MS_SMTP_CAP_MAIL_FROM    128
#define MS_SMTP_CAP_RCPT_TO      256
#define MS_SMTP_CAP_TRANSFERS    128
#define MS_SMTP_CAP_PENDING      1024 /* commands awaiting a reply */
#define MS_SMTP_CAP_NOTES        100  /* notes of one anomaly kind per session */
#define MS_SMTP_LINE_KEEP        4096 /* bytes of a line kept for parsing */

typedef enum {
    MS_TLS_NONE,     /* clear text */
    MS_TLS_STARTTLS, /* STARTTLS accepted with 220 */
    MS_TLS_IMPLICIT  /* TLS from the first byte (465/995) */
} ms_tls_t;

typedef enum {
    MS_AUTH_RESULT_NONE,    /* no AUTH in the session */
    MS_AUTH_RESULT_UNKNOWN, /* the last attempt got no final reply */
    MS_AUTH_RESULT_SUCCESS,
    MS_AUTH_RESULT_FAILURE
} ms_auth_result_t;

/* The session record: what the session layer shows on every frame. */
typedef struct {
    char            *banner;        /* greeting text, NULL until seen */
    char            *helo;          /* last EHLO/HELO argument, NULL until seen */
    ms_strlist_t     capabilities;  /* distinct EHLO keywords with parameters */
    bool             starttls_offered;
    ms_tls_t         tls;
    ms_strlist_t     auth_methods;  /* distinct mechanisms, in order */
    ms_strlist_t     auth_users;    /* distinct user names, decoded */
    ms_auth_result_t auth_result;
    uint32_t         auth_attempts;
    uint32_t         auth_failures;
    bool             auth_plaintext;
    ms_strlist_t     mail_from;
    ms_strlist_t     rcpt_to;
    ms_strlist_t     rcpt_rejected;
    uint32_t         msg_count;
    uint64_t         msg_bytes;
    bool             quit;
    bool             greeting_seen;
    ms_time_t        greeting_time;      /* first frame -> greeting */
    ms_time_t       *transfer_times;     /* per accepted message */
    uint32_t         transfer_count;     /* stored entries */
    uint64_t         transfer_dropped;
    ms_frame_t       first_frame;
    ms_time_t        first_ts;
    ms_frame_t       last_frame;
    ms_time_t        last_ts;
    uint64_t         commands;           /* command lines seen */
    uint64_t         replies;            /* complete replies seen */
} ms_smtp_summary_t;

typedef struct ms_smtp ms_smtp_t;

/* first_frame/first_ts: the connection's first frame (the SYN when captured). */
ms_smtp_t *ms_smtp_new(ms_frame_t first_frame, ms_time_t first_ts, ms_note_fn fn, void *ctx);
void ms_smtp_free(ms_smtp_t *s);

/* Bytes sent by one side, in capture order. */
void ms_smtp_feed(ms_smtp_t *s, ms_dir_t dir, const uint8_t *data, size_t len,
                  ms_frame_t frame, ms_time_t ts);
/* Any frame of the connection, to follow its duration. */
void ms_smtp_touch(ms_smtp_t *s, ms_frame_t frame, ms_time_t ts);
/* A gap: bytes from one side were not captured (TCP "previous segment not captured"). */
void ms_smtp_gap(ms_smtp_t *s, ms_dir_t dir, ms_frame_t frame, ms_time_t ts);
/* A FIN or RST from one side. */
void ms_smtp_close(ms_smtp_t *s, ms_dir_t dir, bool reset, ms_frame_t frame, ms_time_t ts);

const ms_smtp_summary_t *ms_smtp_summary(const ms_smtp_t *s);

#endif /* MS_SMTP_H */

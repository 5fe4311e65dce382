/* ms_note.h - what a session machine reports about individual frames.
 *
 * The machines do not know about protocol trees: they report per-frame notes
 * (links between a command and its reply, anomalies) through a callback, and
 * the epan glue stores them per frame and renders them on every pass.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_NOTE_H
#define MS_NOTE_H

#include "ms_common.h"

/* Anomalies. Each has a stable name: the expert info "mailsess.expert.<name>". */
typedef enum {
    MS_AN_PLAINTEXT_AUTH,   /* a reusable secret crossed the wire outside TLS */
    MS_AN_WEAK_AUTH,        /* an offline-crackable digest (CRAM-MD5, DIGEST-MD5, NTLM, APOP) outside TLS */
    MS_AN_AUTH_FAILED,      /* an authentication attempt was refused */
    MS_AN_RCPT_REJECTED,    /* a recipient was refused (4xx/5xx) */
    MS_AN_MSG_REJECTED,     /* a message was refused after its data was sent */
    MS_AN_NO_QUIT,          /* the connection closed without QUIT */
    MS_AN_SEQUENCE,         /* a command out of the protocol's order */
    MS_AN_UNMATCHED_REPLY,  /* a reply with no outstanding command */
    MS_AN_UNANSWERED,       /* a command that got no reply */
    MS_AN_LINE_TOO_LONG,    /* a line over the RFC limit */
    MS_AN_BARE_NEWLINE,     /* a line ended by bare LF, or containing bare CR */
    MS_AN_SMUGGLING,        /* an end-of-data look-alike with bare LF (SMTP smuggling) */
    MS_AN_SYNTAX,           /* a malformed argument (path, AUTH, BDAT) */
    MS_AN_CAP_REACHED,      /* a per-session list or queue stopped growing */
    MS_AN_PARTIAL,          /* part of the session is not in the capture */
    MS_AN_DELETIONS_UNCOMMITTED, /* POP3: DELE +OK but the session never reached UPDATE */
    MS_AN_STARTTLS_FAILED,  /* STARTTLS/STLS refused */
    MS_AN_STARTTLS_UNUSED,  /* STARTTLS/STLS offered, but credentials or mail went in clear */
    MS_AN_STARTTLS_INJECTION, /* clear-text bytes around the switch to TLS (CVE-2011-0411 class) */
    MS_AN_STARTTLS_STRIPPED, /* STARTTLS/STLS masked, or offered by this server in another session only */
    MS_AN_COUNT
} ms_anomaly_t;

/* The stable name of an anomaly ("plaintext_auth"...). */
const char *ms_anomaly_name(ms_anomaly_t an);

typedef enum {
    MS_NOTE_REQUEST_IN,  /* on a reply: 'other' = frame of the command, 'delta' = response time */
    MS_NOTE_RESPONSE_IN, /* on a command: 'other' = frame of the reply */
    MS_NOTE_ANOMALY      /* 'anomaly' and 'text' */
} ms_note_kind_t;

typedef struct {
    ms_note_kind_t kind;
    ms_anomaly_t   anomaly;
    ms_frame_t     other;
    ms_time_t      delta;
    const char    *text;  /* valid during the callback only */
} ms_note_t;

typedef void (*ms_note_fn)(void *ctx, ms_frame_t frame, const ms_note_t *note);

#endif /* MS_NOTE_H */

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

/*
 * Anomalies, declared once: id, stable name (the expert info
 * "mailsess.expert.<name>" and its filter), one-line meaning. The epan glue
 * adds group, severity and summary by id (ms_render.c); a new finding is a
 * row here and a row there (tests/integration/check-anomalies.sh checks that
 * every one is registered and documented in README.md).
 */
#define MS_ANOMALIES(X) \
    X(PLAINTEXT_AUTH,     plaintext_auth,     "a reusable secret crossed the wire outside TLS") \
    X(WEAK_AUTH,          weak_auth,          "an offline-crackable digest (CRAM-MD5, DIGEST-MD5, NTLM, APOP) outside TLS") \
    X(AUTH_FAILED,        auth_failed,        "an authentication attempt was refused") \
    X(RCPT_REJECTED,      rcpt_rejected,      "a recipient was refused (4xx/5xx)") \
    X(MSG_REJECTED,       msg_rejected,       "a message was refused after its data was sent") \
    X(NO_QUIT,            no_quit,            "the connection closed without QUIT") \
    X(SEQUENCE,           sequence,           "a command out of the protocol's order") \
    X(UNMATCHED_REPLY,    unmatched_reply,    "a reply with no outstanding command") \
    X(UNANSWERED,         unanswered,         "a command that got no reply") \
    X(LINE_TOO_LONG,      line_too_long,      "a line over the RFC limit") \
    X(BARE_NEWLINE,       bare_newline,       "a line ended by bare LF, or containing bare CR") \
    X(SMUGGLING,          smuggling,          "an end-of-data look-alike with bare LF or CR (SMTP smuggling)") \
    X(SMUGGLED_MESSAGE,   smuggled_message,   "the server's replies show it read a smuggled transaction after an end-of-data look-alike") \
    X(SYNTAX,             syntax,             "a malformed line or argument (path, AUTH, BDAT, last line without terminator)") \
    X(CAP_REACHED,        cap_reached,        "a per-session list or queue stopped growing") \
    X(PARTIAL,            partial,            "part of the session is not in the capture") \
    X(DELETIONS_UNCOMMITTED, deletions_uncommitted, "POP3: DELE +OK but the session never reached UPDATE") \
    X(STARTTLS_FAILED,    starttls_failed,    "STARTTLS/STLS refused") \
    X(STARTTLS_UNUSED,    starttls_unused,    "STARTTLS/STLS offered, but credentials or mail went in clear") \
    X(STARTTLS_INJECTION, starttls_injection, "clear-text bytes around the switch to TLS (CVE-2011-0411 class)") \
    X(STARTTLS_STRIPPED,  starttls_stripped,  "STARTTLS/STLS masked, or offered by this server in another session only") \
    X(TLS_CLEARTEXT,      tls_cleartext,      "clear text where TLS records belong: after the STARTTLS/STLS go-ahead, or on an implicit TLS port") \
    X(TLS_HANDSHAKE_FAILED, tls_handshake_failed, "the TLS handshake after the switch to TLS failed with an alert, or the connection closed before it completed") \
    X(BRUTE_FORCE,        brute_force,        "many failed logins from one client address within a time window (across sessions)") \
    X(PASSWORD_SPRAYING,  password_spraying,  "failed logins for many distinct users from one client address within a time window") \
    X(DISTRIBUTED_GUESSING, distributed_guessing, "failed logins for one user from many client addresses within a time window") \
    X(GUESSING_CAP,       guessing_cap,       "the capture-wide password-guessing counters stopped tracking new clients, users or pairs") \
    X(HEURISTIC,          heuristic,          "the session was found by its content, not by its port (reported by the glue)")

typedef enum {
#define MS_AN_ENUM(id, name, meaning) MS_AN_##id,
    MS_ANOMALIES(MS_AN_ENUM)
#undef MS_AN_ENUM
    MS_AN_COUNT
} ms_anomaly_t;

/* The stable name of an anomaly ("plaintext_auth"...), "unknown" out of range. */
const char *ms_anomaly_name(ms_anomaly_t an);
/* Its one-line meaning. */
const char *ms_anomaly_meaning(ms_anomaly_t an);

typedef enum {
    MS_NOTE_REQUEST_IN,  /* on a reply: 'other' = frame of the command, 'delta' = response time */
    MS_NOTE_RESPONSE_IN, /* on a command: 'other' = frame of the reply */
    MS_NOTE_ANOMALY,     /* 'anomaly' and 'text' */
    MS_NOTE_LOGIN,       /* on the final reply of a login: 'login' */
    MS_NOTE_MESSAGE,     /* on the reply that took a message (SMTP accepted, POP3 RETR): 'bytes' */
    MS_NOTE_QUEUE_ID     /* on the reply accepting a message: 'text' = its queue id */
} ms_note_kind_t;

/* One login as it ended (strings valid during the callback only). */
typedef struct {
    const char *method;     /* "AUTH PLAIN", "USER/PASS", "APOP" */
    const char *user;       /* printable, as in the user list; NULL when not seen */
    ms_frame_t  user_frame; /* where the user name crossed (0: not seen) */
    ms_frame_t  cred_frame; /* where the secret or response crossed (0: not seen) */
    bool        ok;         /* the server accepted it */
    bool        clear;      /* a reusable secret crossed in clear text */
} ms_login_t;

typedef struct {
    ms_note_kind_t    kind;
    ms_anomaly_t      anomaly;
    ms_frame_t        other;
    ms_time_t         delta;
    const char       *text;  /* valid during the callback only */
    const ms_login_t *login; /* MS_NOTE_LOGIN */
    /* MS_NOTE_REQUEST_IN: the command answered (a static name: "MAIL",
     * "end of data", "RETR"...) and the reply's code (SMTP: 3 digits; POP3:
     * MS_POP3_CODE_*) */
    const char       *cmd;
    uint16_t          cmd_kind; /* its kind: 0 .. ms_machine_cmd_kinds() - 1 */
    uint16_t          code;
    uint64_t          bytes;    /* MS_NOTE_MESSAGE: its content bytes */
} ms_note_t;

#define MS_POP3_CODE_OK   1 /* +OK */
#define MS_POP3_CODE_ERR  2 /* -ERR */
#define MS_POP3_CODE_CONT 3 /* "+ " SASL continuation */

typedef void (*ms_note_fn)(void *ctx, ms_frame_t frame, const ms_note_t *note);

#endif /* MS_NOTE_H */

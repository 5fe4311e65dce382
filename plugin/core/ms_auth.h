/* ms_auth.h - one authentication exchange, as both machines follow it.
 *
 * SASL (SMTP AUTH, RFC 4954; POP3 AUTH, RFC 5034) and POP3's USER/PASS and
 * APOP: who tried which method as whom, whether a reusable secret or a
 * crackable digest crossed the wire outside TLS, and how it ended.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_AUTH_H
#define MS_AUTH_H

#include "ms_sasl.h"
#include "ms_session.h"

#define MS_AUTH_LINE_MAX 12288 /* RFC 4954 section 4: AUTH lines may be this long */

typedef struct {
    bool     open;       /* started, no final reply yet */
    char     mech[MS_SASL_MECH_MAX + 1]; /* SASL mechanism, or "USER" / "APOP" */
    char     label[MS_SASL_MECH_MAX + 8]; /* "AUTH PLAIN", "USER/PASS", "APOP" */
    unsigned step;       /* client responses so far */
    unsigned expect;     /* challenges not yet answered by the client */
    bool     weak_noted;
    bool     clear;      /* this attempt exposed a reusable secret */
    ms_frame_t user_frame, cred_frame; /* where user name and secret crossed */
    /* the user name this attempt named (printable, ms_text_printable of at
     * most MS_SASL_USER_MAX bytes; g_malloc), NULL until one is seen: a
     * pointer, not the 1 KB it may take, kept in every session's machine */
    char    *user;
} ms_auth_t;

/* Frees the attempt's user name (the machine is freed next). */
void ms_auth_free(ms_auth_t *a);

/* A new attempt: counts it, records the method, result "unknown" until the reply. */
void ms_auth_start(ms_auth_t *a, ms_summary_t *m, ms_reporter_t *r, const char *mech,
                   const char *label, ms_frame_t frame);
/* A base64 SASL response ("*" cancels, "=" is an empty initial response).
 * truncated: the line was longer than the bytes kept (b64 is its start). */
void ms_auth_sasl_response(ms_auth_t *a, ms_summary_t *m, ms_reporter_t *r, bool in_tls,
                           const uint8_t *b64, size_t len, bool truncated, ms_frame_t frame);
/* A user name sent in clear (USER, APOP). */
void ms_auth_user(ms_auth_t *a, ms_summary_t *m, ms_reporter_t *r, const uint8_t *user,
                  size_t len, ms_frame_t frame);
/* The secret itself (PASS) or a digest of it (APOP) crossed the wire. */
void ms_auth_secret(ms_auth_t *a, ms_summary_t *m, ms_reporter_t *r, bool in_tls,
                    ms_frame_t frame);
/* The final reply; 'reply' is quoted in the failure anomaly. Reports the
 * login (ms_report_login, with the attempt's own user) on the reply's frame:
 * the session layer shows it, the counters across sessions count it. */
void ms_auth_done(ms_auth_t *a, ms_summary_t *m, ms_reporter_t *r, bool ok, const char *reply,
                  ms_frame_t frame);

#endif /* MS_AUTH_H */

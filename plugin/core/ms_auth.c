/* ms_auth.c - one authentication exchange.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_auth.h"
#include "ms_text.h"

#include <glib.h>
#include <string.h>

/* The attempt's user name, for the result note (the session list keeps them all). */
static void set_user(ms_auth_t *a, const uint8_t *user, size_t len)
{
    g_free(a->user);
    a->user = ms_text_printable(user, len, MS_SASL_USER_MAX);
}

void ms_auth_free(ms_auth_t *a)
{
    g_free(a->user);
    a->user = NULL;
}

void ms_auth_start(ms_auth_t *a, ms_summary_t *m, ms_reporter_t *r, const char *mech,
                   const char *label, ms_frame_t frame)
{
    g_free(a->user);
    memset(a, 0, sizeof(*a));
    g_strlcpy(a->mech, mech, sizeof(a->mech));
    g_strlcpy(a->label, label, sizeof(a->label));
    a->open = true;
    m->auth_attempts++;
    m->auth_result = MS_AUTH_RESULT_UNKNOWN;
    ms_report_list_add(r, &m->auth_methods, "mechanism", true, (const uint8_t *)a->mech,
                       strlen(a->mech), frame);
}

/* Outside TLS: the secret is exposed, or a digest that can be guessed offline. */
static void exposed(ms_auth_t *a, ms_summary_t *m, ms_reporter_t *r, bool in_tls,
                    bool secret, ms_frame_t frame)
{
    if (in_tls)
        return;
    if (secret) {
        a->clear = true;
        m->auth_plaintext = true;
        ms_report_anomaly(r, frame, MS_AN_PLAINTEXT_AUTH,
                          "%s credentials sent in clear text (outside TLS)", a->label);
    } else if (ms_sasl_classify(a->mech) == MS_SASL_WEAK && !a->weak_noted) {
        a->weak_noted = true;
        ms_report_anomaly(r, frame, MS_AN_WEAK_AUTH, "%s outside TLS: the challenge and "
                          "response allow an offline password guess", a->label);
    }
}

/* This attempt's user: kept with the attempt (for its login note, whatever
 * the session's user list could keep) and added to that list. */
static void remember_user(ms_auth_t *a, ms_summary_t *m, ms_reporter_t *r, const uint8_t *user,
                          size_t len, ms_frame_t frame)
{
    set_user(a, user, len);
    ms_report_list_add(r, &m->auth_users, "user", true, user, len, frame);
    a->user_frame = frame;
}

void ms_auth_sasl_response(ms_auth_t *a, ms_summary_t *m, ms_reporter_t *r, bool in_tls,
                           const uint8_t *b64, size_t len, bool truncated, ms_frame_t frame)
{
    unsigned step = a->step++;
    if (len == 1 && b64[0] == '*' && !truncated)
        return; /* the client cancels; the server refuses the attempt */
    if (len == 1 && b64[0] == '=' && !truncated)
        len = 0; /* empty initial response */
    if (truncated) {
        /* longer than any server takes (RFC 4954 4): never decoded as if it
         * were whole, but its visible part may prove that a secret crossed */
        len -= len % 4;
        ms_report_anomaly(r, frame, MS_AN_SYNTAX, "%s response longer than %d octets: only its "
                          "first %zu base64 characters are analysed", a->label, MS_AUTH_LINE_MAX,
                          len);
    }

    uint8_t *buf = g_malloc(MS_AUTH_LINE_MAX);
    long n = ms_base64_decode(b64, len, buf, MS_AUTH_LINE_MAX);
    if (n < 0) {
        ms_report_anomaly(r, frame, MS_AN_SYNTAX, "%s response is not valid base64", a->label);
        g_free(buf);
        return;
    }
    ms_sasl_info_t info;
    ms_sasl_inspect(a->mech, step, buf, (size_t)n, &info);
    g_free(buf);
    if (info.has_user)
        remember_user(a, m, r, (const uint8_t *)info.user, info.user_len, frame);
    if (info.has_secret || n > 0) {
        a->cred_frame = frame;
        exposed(a, m, r, in_tls, info.has_secret, frame);
    }
}

void ms_auth_user(ms_auth_t *a, ms_summary_t *m, ms_reporter_t *r, const uint8_t *user,
                  size_t len, ms_frame_t frame)
{
    remember_user(a, m, r, user, len, frame);
}

void ms_auth_secret(ms_auth_t *a, ms_summary_t *m, ms_reporter_t *r, bool in_tls,
                    ms_frame_t frame)
{
    a->cred_frame = frame;
    exposed(a, m, r, in_tls, ms_sasl_classify(a->mech) == MS_SASL_PLAINTEXT, frame);
}

void ms_auth_done(ms_auth_t *a, ms_summary_t *m, ms_reporter_t *r, bool ok, const char *reply,
                  ms_frame_t frame)
{
    a->open = false;
    ms_login_t login = {
        .method = a->label, .user = a->user && a->user[0] ? a->user : NULL,
        .user_frame = a->user_frame, .cred_frame = a->cred_frame, .ok = ok, .clear = a->clear,
    };
    ms_report_login(r, frame, &login);
    if (ok) {
        m->auth_result = MS_AUTH_RESULT_SUCCESS;
        return;
    }
    m->auth_result = MS_AUTH_RESULT_FAILURE;
    m->auth_failures++;
    ms_report_anomaly(r, frame, MS_AN_AUTH_FAILED, "%s failed: %s", a->label, reply);
}

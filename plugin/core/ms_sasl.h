/* ms_sasl.h - what a SASL exchange (RFC 4422) reveals on the wire.
 *
 * Shared by SMTP AUTH (RFC 4954) and POP3 AUTH (RFC 5034): classification
 * of mechanisms and extraction of the user name from a decoded client
 * response. Pure functions with bounded inputs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_SASL_H
#define MS_SASL_H

#include "ms_common.h"

#define MS_SASL_MECH_MAX 20   /* RFC 4422: mechanism names are 1..20 chars */
#define MS_SASL_USER_MAX 256  /* longest user name kept */

/* What a mechanism exposes to someone who captures it in clear text. */
typedef enum {
    MS_SASL_OTHER     = 0, /* unknown, or no reusable secret (SCRAM, GSSAPI, EXTERNAL...) */
    MS_SASL_PLAINTEXT = 1, /* the password or bearer token itself (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER, POP3 USER/PASS) */
    MS_SASL_WEAK      = 2  /* an MD5-class digest crackable offline (CRAM-MD5, DIGEST-MD5, NTLM) */
} ms_sasl_class_t;

ms_sasl_class_t ms_sasl_classify(const char *mech);

typedef struct {
    char user[MS_SASL_USER_MAX + 1]; /* raw bytes, NUL-terminated (may hold NUL earlier) */
    size_t user_len;
    bool has_user;   /* this response named a user */
    bool has_secret; /* this response carried the reusable secret */
} ms_sasl_info_t;

/*
 * Inspects the decoded client response number 'step' (0 = initial response or
 * the first response after a 334/+ challenge) of mechanism 'mech'.
 */
void ms_sasl_inspect(const char *mech, unsigned step, const uint8_t *resp,
                     size_t len, ms_sasl_info_t *info);

#endif /* MS_SASL_H */

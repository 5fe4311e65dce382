/* ms_sasl.c - what a SASL exchange reveals on the wire.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_sasl.h"

#include <glib.h>
#include <string.h>

ms_sasl_class_t ms_sasl_classify(const char *mech)
{
    static const char *const plaintext[] = { "PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER", "USER" };
    static const char *const weak[] = { "CRAM-MD5", "DIGEST-MD5", "NTLM", "APOP" };

    for (size_t i = 0; i < G_N_ELEMENTS(plaintext); i++)
        if (g_ascii_strcasecmp(mech, plaintext[i]) == 0)
            return MS_SASL_PLAINTEXT;
    for (size_t i = 0; i < G_N_ELEMENTS(weak); i++)
        if (g_ascii_strcasecmp(mech, weak[i]) == 0)
            return MS_SASL_WEAK;
    return MS_SASL_OTHER;
}

static void set_user(ms_sasl_info_t *info, const uint8_t *s, size_t len)
{
    if (len > MS_SASL_USER_MAX)
        len = MS_SASL_USER_MAX;
    memcpy(info->user, s, len);
    info->user[len] = '\0';
    info->user_len = len;
    info->has_user = true;
}

/* Finds byte c in s[from..len); returns its index or len. */
static size_t find_byte(const uint8_t *s, size_t from, size_t len, uint8_t c)
{
    for (size_t i = from; i < len; i++)
        if (s[i] == c)
            return i;
    return len;
}

/* PLAIN (RFC 4616): [authzid] NUL authcid NUL passwd */
static void inspect_plain(const uint8_t *r, size_t len, ms_sasl_info_t *info)
{
    size_t n1 = find_byte(r, 0, len, 0);
    if (n1 == len)
        return;
    size_t n2 = find_byte(r, n1 + 1, len, 0);
    set_user(info, r + n1 + 1, n2 - n1 - 1);
    info->has_secret = n2 < len && n2 + 1 < len;
}

/* CRAM-MD5 (RFC 2195): user SP hex-digest; the user may contain spaces. */
static void inspect_cram(const uint8_t *r, size_t len, ms_sasl_info_t *info)
{
    size_t sp = len;
    while (sp > 0 && r[sp - 1] != ' ')
        sp--;
    if (sp > 0)
        set_user(info, r, sp - 1);
}

/* XOAUTH2: "user=" u ^A "auth=Bearer " token ^A ^A */
static void inspect_xoauth2(const uint8_t *r, size_t len, ms_sasl_info_t *info)
{
    if (len >= 5 && memcmp(r, "user=", 5) == 0) {
        size_t end = find_byte(r, 5, len, 0x01);
        set_user(info, r + 5, end - 5);
    }
    for (size_t i = 0; i + 5 <= len; i++)
        if (g_ascii_strncasecmp((const char *)r + i, "auth=", 5) == 0)
            info->has_secret = true;
}

/* OAUTHBEARER (RFC 7628): gs2-header "n,a=user," ^A ... "auth=Bearer " ... */
static void inspect_oauthbearer(const uint8_t *r, size_t len, ms_sasl_info_t *info)
{
    size_t c1 = find_byte(r, 0, len, ',');
    if (c1 < len && c1 + 3 <= len && memcmp(r + c1 + 1, "a=", 2) == 0) {
        size_t end = find_byte(r, c1 + 3, len, ',');
        set_user(info, r + c1 + 3, end - c1 - 3);
    }
    for (size_t i = 0; i + 5 <= len; i++)
        if (g_ascii_strncasecmp((const char *)r + i, "auth=", 5) == 0)
            info->has_secret = true;
}

/* SCRAM-* (RFC 5802) client-first-message: gs2-header "n=" user "," "r=" ... */
static void inspect_scram(const uint8_t *r, size_t len, ms_sasl_info_t *info)
{
    for (size_t i = 0; i + 2 <= len; i++) {
        if (r[i] == 'n' && r[i + 1] == '=' && (i == 0 || r[i - 1] == ',')) {
            size_t end = find_byte(r, i + 2, len, ',');
            set_user(info, r + i + 2, end - i - 2);
            return;
        }
    }
}

/* DIGEST-MD5 (RFC 2831) response: ... username="user" ... */
static void inspect_digest(const uint8_t *r, size_t len, ms_sasl_info_t *info)
{
    static const char key[] = "username=\"";
    size_t kl = sizeof(key) - 1;
    for (size_t i = 0; i + kl <= len; i++) {
        if (g_ascii_strncasecmp((const char *)r + i, key, kl) == 0) {
            size_t end = find_byte(r, i + kl, len, '"');
            set_user(info, r + i + kl, end - i - kl);
            return;
        }
    }
}

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (le16(p + 2) << 16); }

/* Appends an NTLM security buffer (UTF-16LE when 'unicode') as bytes. */
static size_t ntlm_field(const uint8_t *r, size_t len, size_t hdr, bool unicode,
                         uint8_t *out, size_t o, size_t cap)
{
    uint32_t flen = le16(r + hdr), foff = le32(r + hdr + 4);
    if (foff > len || flen > len - foff)
        return o;
    for (uint32_t i = 0; i < flen && o < cap; i += unicode ? 2 : 1) {
        uint32_t ch = unicode ? (i + 1 < flen ? le16(r + foff + i) : 0xFFFD) : r[foff + i];
        char tmp[6];
        int n = g_unichar_to_utf8(ch < 0xD800 || ch > 0xDFFF ? ch : 0xFFFD, tmp);
        for (int k = 0; k < n && o < cap; k++)
            out[o++] = (uint8_t)tmp[k];
    }
    return o;
}

/* NTLM type 3 (AUTHENTICATE) message: DOMAIN\user */
static void inspect_ntlm(const uint8_t *r, size_t len, ms_sasl_info_t *info)
{
    uint8_t buf[MS_SASL_USER_MAX];
    if (len < 64 || memcmp(r, "NTLMSSP", 8) != 0 || le32(r + 8) != 3)
        return;
    bool unicode = (le32(r + 60) & 0x1) != 0;
    size_t o = ntlm_field(r, len, 28, unicode, buf, 0, sizeof(buf));
    if (o > 0 && o < sizeof(buf))
        buf[o++] = '\\';
    o = ntlm_field(r, len, 36, unicode, buf, o, sizeof(buf));
    set_user(info, buf, o);
}

void ms_sasl_inspect(const char *mech, unsigned step, const uint8_t *resp,
                     size_t len, ms_sasl_info_t *info)
{
    memset(info, 0, sizeof(*info));
    if (g_ascii_strcasecmp(mech, "PLAIN") == 0) {
        if (step == 0)
            inspect_plain(resp, len, info);
    } else if (g_ascii_strcasecmp(mech, "LOGIN") == 0) {
        if (step == 0)
            set_user(info, resp, len);
        else if (step == 1)
            info->has_secret = len > 0;
    } else if (g_ascii_strcasecmp(mech, "CRAM-MD5") == 0) {
        if (step == 0)
            inspect_cram(resp, len, info);
    } else if (g_ascii_strcasecmp(mech, "XOAUTH2") == 0) {
        if (step == 0)
            inspect_xoauth2(resp, len, info);
    } else if (g_ascii_strcasecmp(mech, "OAUTHBEARER") == 0) {
        if (step == 0)
            inspect_oauthbearer(resp, len, info);
    } else if (g_ascii_strncasecmp(mech, "SCRAM-", 6) == 0) {
        if (step == 0)
            inspect_scram(resp, len, info);
    } else if (g_ascii_strcasecmp(mech, "DIGEST-MD5") == 0) {
        inspect_digest(resp, len, info);
    } else if (g_ascii_strcasecmp(mech, "NTLM") == 0) {
        inspect_ntlm(resp, len, info);
    }
}

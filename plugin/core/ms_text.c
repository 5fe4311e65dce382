/* ms_text.c - safe display strings and base64 decoding.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_text.h"

#include <glib.h>
#include <string.h>

/* A valid UTF-8 sequence at s: its length (1..4) and code point, or 0 when invalid. */
static size_t utf8_seq(const uint8_t *s, size_t len, uint32_t *cp_out)
{
    uint8_t c = s[0];
    size_t n;
    uint32_t cp, min;

    if (c < 0x80) {
        *cp_out = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *cp_out = cp;
    return n;
}

/* Code points shown escaped although valid: C1 controls, the bidirectional
 * controls (they reorder the text around them on screen) and the line and
 * paragraph separators. */
static bool hidden_code_point(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x2028 || cp == 0x2029;
}

static const char hex[] = "0123456789ABCDEF";

char *ms_text_printable(const uint8_t *s, size_t len, size_t max)
{
    if (len > max)
        len = max;
    /* most text is printable ASCII without '\\': copy the run of it in one go */
    size_t i = 0;
    while (i < len && s[i] >= 0x20 && s[i] < 0x7F && s[i] != '\\')
        i++;
    if (i == len)
        return g_strndup((const char *)s, len);
    GString *out = g_string_sized_new(len + 16);
    /* bytes shown as they are are copied a run at a time, escapes between runs */
    size_t run = 0;
    while (i < len) {
        uint32_t cp = 0;
        size_t n = utf8_seq(s + i, len - i, &cp);
        if ((n == 1 && cp >= 0x20 && cp != 0x7F && cp != '\\') || (n > 1 && !hidden_code_point(cp))) {
            i += n;
            continue;
        }
        g_string_append_len(out, (const char *)s + run, (gssize)(i - run));
        if (n == 1 && cp == '\\') {
            g_string_append(out, "\\\\");
        } else if (n > 1) {
            char u[7] = { '\\', 'u', hex[(cp >> 12) & 0xF], hex[(cp >> 8) & 0xF],
                          hex[(cp >> 4) & 0xF], hex[cp & 0xF], '\0' };
            g_string_append(out, u);
        } else {
            char x[5] = { '\\', 'x', hex[s[i] >> 4], hex[s[i] & 0xF], '\0' };
            g_string_append(out, x);
            n = 1;
        }
        i += n;
        run = i;
    }
    g_string_append_len(out, (const char *)s + run, (gssize)(i - run));
    return g_string_free(out, FALSE);
}

bool ms_text_ieq(const uint8_t *s, size_t len, const char *word)
{
    size_t wl = strlen(word);
    return wl == len && g_ascii_strncasecmp((const char *)s, word, len) == 0;
}

bool ms_text_iprefix(const uint8_t *s, size_t len, const char *prefix)
{
    size_t pl = strlen(prefix);
    return len >= pl && g_ascii_strncasecmp((const char *)s, prefix, pl) == 0;
}

static int b64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

long ms_base64_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap)
{
    size_t o = 0, pad = 0;
    uint32_t acc = 0;
    unsigned bits = 0;

    while (inlen > 0 && in[inlen - 1] == '=' && pad < 2) {
        inlen--;
        pad++;
    }
    if (inlen % 4 == 1)
        return -1;
    if (pad && (inlen + pad) % 4 != 0)
        return -1;
    for (size_t i = 0; i < inlen; i++) {
        int v = b64_value(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= outcap)
                return -1;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return (long)o;
}

bool ms_base64_valid(const uint8_t *s, size_t len)
{
    size_t pad = 0;
    while (len > 0 && s[len - 1] == '=' && pad < 2) {
        len--;
        pad++;
    }
    if (len == 0 || len % 4 == 1 || (pad && (len + pad) % 4 != 0))
        return false;
    for (size_t i = 0; i < len; i++)
        if (b64_value(s[i]) < 0)
            return false;
    return true;
}

/* ms_smtp_parse.c - small pure parsers for SMTP lines.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_smtp_parse.h"
#include "ms_text.h"

#include <glib.h>
#include <string.h>

bool ms_smtp_reply_line_parse(const uint8_t *line, size_t len, ms_smtp_reply_line_t *out)
{
    if (len < 3 || line[0] < '2' || line[0] > '5' || !g_ascii_isdigit(line[1]) ||
        !g_ascii_isdigit(line[2]))
        return false;
    if (len > 3 && line[3] != ' ' && line[3] != '-')
        return false;
    out->code = (unsigned)(line[0] - '0') * 100 + (unsigned)(line[1] - '0') * 10 +
                (unsigned)(line[2] - '0');
    out->last = len == 3 || line[3] == ' ';
    out->text = len > 4 ? line + 4 : line + len;
    out->text_len = len > 4 ? len - 4 : 0;
    return true;
}

bool ms_smtp_cmd_split(const uint8_t *line, size_t len, ms_smtp_cmd_t *out)
{
    size_t i = 0;
    while (i < len && !MS_IS_BLANK(line[i]))
        i++;
    size_t a = i;
    while (a < len && MS_IS_BLANK(line[a]))
        a++;
    out->verb[0] = '\0';
    out->arg = line + a;
    out->arg_len = len - a;
    /* RFC 5321 4.1.1: one SP; postfix and others take any run of SP/HTAB */
    out->loose = a > i && (a - i > 1 || line[i] != ' ');
    if (i == 0 || i > MS_SMTP_VERB_MAX)
        return false;
    for (size_t k = 0; k < i; k++) {
        if (!g_ascii_isalpha(line[k])) {
            out->verb[0] = '\0';
            return false;
        }
        out->verb[k] = g_ascii_toupper((char)line[k]);
    }
    out->verb[i] = '\0';
    return true;
}

ms_path_status_t ms_smtp_path_parse(const uint8_t *arg, size_t len, const char *keyword,
                                    const uint8_t **path, size_t *path_len)
{
    size_t kl = strlen(keyword);
    if (!ms_text_iprefix(arg, len, keyword))
        return MS_PATH_NO_KEYWORD;
    size_t i = kl;
    while (i < len && MS_IS_BLANK(arg[i]))
        i++;
    if (i < len && arg[i] == '<') {
        /* the usual path has no quoted local part: the first '>' ends it
         * unless a '"' comes before (memchr: addresses are long in hostile
         * sessions, and every RCPT is parsed) */
        const uint8_t *gt = memchr(arg + i + 1, '>', len - i - 1);
        const uint8_t *dq = memchr(arg + i + 1, '"', gt ? (size_t)(gt - (arg + i + 1)) : len - i - 1);
        if (gt && !dq) {
            *path = arg + i + 1;
            *path_len = (size_t)(gt - *path);
            return MS_PATH_OK;
        }
        bool quoted = false;
        for (size_t k = i + 1; k < len; k++) {
            if (arg[k] == '\\' && quoted) {
                k++;
                continue;
            }
            if (arg[k] == '"')
                quoted = !quoted;
            else if (arg[k] == '>' && !quoted) {
                *path = arg + i + 1;
                *path_len = k - i - 1;
                return MS_PATH_OK;
            }
        }
        *path = arg + i + 1;
        *path_len = len - i - 1;
        return MS_PATH_MALFORMED;
    }
    /* no angle brackets: take the word, but say it is malformed */
    size_t start = i;
    while (i < len && !MS_IS_BLANK(arg[i]))
        i++;
    *path = arg + start;
    *path_len = i - start;
    return MS_PATH_MALFORMED;
}

bool ms_smtp_auth_parse(const uint8_t *arg, size_t len, ms_smtp_auth_t *out)
{
    size_t i = 0;
    memset(out, 0, sizeof(*out));
    while (i < len && !MS_IS_BLANK(arg[i]))
        i++;
    if (i == 0 || i > MS_SASL_MECH_MAX)
        return false;
    for (size_t k = 0; k < i; k++) {
        char c = (char)arg[k];
        if (!g_ascii_isalnum(c) && c != '-' && c != '_')
            return false;
        out->mech[k] = g_ascii_toupper(c);
    }
    out->mech[i] = '\0';
    while (i < len && MS_IS_BLANK(arg[i]))
        i++;
    if (i < len) {
        out->has_ir = true;
        out->ir = arg + i;
        out->ir_len = len - i;
        while (out->ir_len > 0 && MS_IS_BLANK(out->ir[out->ir_len - 1]))
            out->ir_len--;
    }
    return true;
}

ms_bdat_status_t ms_smtp_bdat_parse(const uint8_t *arg, size_t len, uint64_t *size, bool *last)
{
    size_t i = 0;
    uint64_t v = 0;
    *size = 0;
    *last = false;
    while (i < len && g_ascii_isdigit(arg[i])) {
        v = v * 10 + (uint64_t)(arg[i] - '0');
        if (v > MS_BDAT_SIZE_MAX)
            return MS_BDAT_BAD_SIZE;
        i++;
    }
    if (i == 0 || (i < len && !MS_IS_BLANK(arg[i])))
        return MS_BDAT_BAD_SIZE;
    *size = v;
    while (i < len && MS_IS_BLANK(arg[i]))
        i++;
    if (i == len)
        return MS_BDAT_OK;
    size_t rest = len - i;
    while (rest > 0 && MS_IS_BLANK(arg[i + rest - 1]))
        rest--;
    if (ms_text_ieq(arg + i, rest, "LAST")) {
        *last = true;
        return MS_BDAT_OK;
    }
    return MS_BDAT_BAD_LAST;
}

/* ---- queue ids in the reply that accepts a message ---------------------- */

static bool id_char(uint8_t c)
{
    return g_ascii_isalnum(c) || c == '.' || c == '-' || c == '_' || c == '@' || c == '+' ||
           c == '=' || c == '/';
}

/* The id-like token at s[i..]: its length, 0 when there is none (empty, over
 * MS_QUEUE_ID_MAX, not ended by a blank, the end or )];,> , or without a digit
 * when one is needed). A sentence's final period is not part of it. */
static size_t id_token(const uint8_t *s, size_t len, size_t i, bool need_digit)
{
    size_t n = 0;
    bool digit = false;
    while (i + n < len && id_char(s[i + n])) {
        digit |= g_ascii_isdigit(s[i + n]) != 0;
        if (++n > MS_QUEUE_ID_MAX)
            return 0;
    }
    if (i + n < len) {
        uint8_t c = s[i + n];
        if (!MS_IS_BLANK(c) && c != ')' && c != ']' && c != ';' && c != ',' && c != '>')
            return 0;
    }
    while (n > 0 && s[i + n - 1] == '.')
        n--;
    return n > 0 && (digit || !need_digit) ? n : 0;
}

static size_t skip_blanks(const uint8_t *s, size_t len, size_t i)
{
    while (i < len && MS_IS_BLANK(s[i]))
        i++;
    return i;
}

/* The first occurrence of word w (ASCII case-insensitive) at a word start,
 * at or after 'from': *after is the index just past it. */
static bool find_word(const uint8_t *s, size_t len, size_t from, const char *w, size_t *after)
{
    size_t wl = strlen(w);
    for (size_t i = from; i + wl <= len; i++) {
        if (i > 0 && g_ascii_isalnum(s[i - 1]))
            continue;
        if (ms_text_iprefix(s + i, len - i, w)) {
            *after = i + wl;
            return true;
        }
    }
    return false;
}

/* After an enhanced status code (RFC 3463 "2.0.0", then blanks or a colon). */
static size_t skip_status(const uint8_t *s, size_t len)
{
    size_t i = 0;
    for (int part = 0; part < 3; part++) {
        size_t d = 0;
        while (i < len && g_ascii_isdigit(s[i]) && d < 3) {
            i++;
            d++;
        }
        if (d == 0 || (part == 0 && d != 1))
            return 0;
        if (part < 2) {
            if (i >= len || s[i] != '.')
                return 0;
            i++;
        }
    }
    if (i < len && s[i] == ':')
        i++;
    if (i < len && !MS_IS_BLANK(s[i]))
        return 0;
    return skip_blanks(s, len, i);
}

static bool found(const uint8_t *s, size_t at, size_t n, const uint8_t **id, size_t *id_len)
{
    if (n == 0)
        return false;
    *id = s + at;
    *id_len = n;
    return true;
}

/* Gmail: "OK <timestamp> <id> - gsmtp" at the end of the text. */
static bool gsmtp_id(const uint8_t *s, size_t len, const uint8_t **id, size_t *id_len)
{
    static const char tail[] = "- gsmtp";
    size_t tl = sizeof(tail) - 1;
    size_t end = len;
    while (end > 0 && MS_IS_BLANK(s[end - 1]))
        end--;
    if (end < tl + 2 || !ms_text_ieq(s + end - tl, tl, tail) || !MS_IS_BLANK(s[end - tl - 1]))
        return false;
    size_t e = end - tl - 1;
    while (e > 0 && MS_IS_BLANK(s[e - 1]))
        e--;
    size_t b = e;
    while (b > 0 && id_char(s[b - 1]) && e - b <= MS_QUEUE_ID_MAX)
        b--;
    return found(s, b, id_token(s, e, b, true), id, id_len);
}

bool ms_smtp_queue_id_parse(const uint8_t *s, size_t len, const uint8_t **id, size_t *id_len)
{
    size_t p;

    *id = NULL;
    *id_len = 0;
    /* postfix and many others: "queued as ID" */
    if (find_word(s, len, 0, "queued as ", &p)) {
        p = skip_blanks(s, len, p);
        if (found(s, p, id_token(s, len, p, false), id, id_len))
            return true;
    }
    /* exim: "id=ID" (a word of its own: not "InternalId=") */
    if (find_word(s, len, 0, "id=", &p) && found(s, p, id_token(s, len, p, false), id, id_len))
        return true;
    /* qmail: "ok <timestamp> qp <number>" */
    if (find_word(s, len, 0, "qp ", &p)) {
        p = skip_blanks(s, len, p);
        size_t n = id_token(s, len, p, true);
        size_t k = 0;
        while (k < n && g_ascii_isdigit(s[p + k]))
            k++;
        if (n > 0 && k == n)
            return found(s, p, n, id, id_len);
    }
    if (gsmtp_id(s, len, id, id_len))
        return true;
    size_t start = skip_status(s, len);
    /* sendmail, OpenSMTPD, Microsoft: "ID Message accepted for delivery",
     * "<ID> [InternalId=N] Queued mail for delivery" */
    if (find_word(s, len, start, "accepted for delivery", &p) ||
        find_word(s, len, start, "queued mail for delivery", &p)) {
        if (start < len && s[start] == '<') {
            size_t n = id_token(s, len, start + 1, false);
            if (n > 0 && start + 1 + n < len && s[start + 1 + n] == '>')
                return found(s, start + 1, n, id, id_len);
        } else if (found(s, start, id_token(s, len, start, true), id, id_len)) {
            return true;
        }
    }
    /* Amazon SES and others: the whole text is "Ok ID" or "Ok: ID" */
    if (ms_text_iprefix(s + start, len - start, "ok") && start + 2 < len &&
        (s[start + 2] == ':' || MS_IS_BLANK(s[start + 2]))) {
        p = skip_blanks(s, len, start + 3);
        size_t n = id_token(s, len, p, true);
        if (n > 0 && skip_blanks(s, len, p + n) == len)
            return found(s, p, n, id, id_len);
    }
    return false;
}

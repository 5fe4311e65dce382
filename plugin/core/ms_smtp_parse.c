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

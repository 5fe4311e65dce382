/* ms_pop3_parse.c - small pure parsers for POP3 lines.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_pop3_parse.h"
#include "ms_text.h"

#include <glib.h>

static const struct {
    const char    *name;
    ms_pop3_verb_t verb;
    bool           needs_login;
} verbs[] = {
    { "USER", POP3_CMD_USER, false }, { "PASS", POP3_CMD_PASS, false },
    { "APOP", POP3_CMD_APOP, false }, { "AUTH", POP3_CMD_AUTH, false },
    { "STAT", POP3_CMD_STAT, true },  { "LIST", POP3_CMD_LIST, true },
    { "RETR", POP3_CMD_RETR, true },  { "DELE", POP3_CMD_DELE, true },
    { "RSET", POP3_CMD_RSET, true },  { "QUIT", POP3_CMD_QUIT, false },
    { "TOP", POP3_CMD_TOP, true },    { "UIDL", POP3_CMD_UIDL, true },
    { "CAPA", POP3_CMD_CAPA, false }, { "STLS", POP3_CMD_STLS, false },
    { "NOOP", POP3_CMD_OTHER, true },
};

size_t ms_pop3_word_len(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len && !MS_IS_BLANK(s[i]))
        i++;
    return i;
}

void ms_pop3_cmd_parse(const uint8_t *line, size_t len, ms_pop3_cmd_t *out)
{
    size_t i = ms_pop3_word_len(line, len);
    size_t a = i;
    while (a < len && MS_IS_BLANK(line[a]))
        a++;

    out->known = false;
    out->verb = POP3_CMD_OTHER;
    out->name = NULL;
    out->needs_login = false;
    out->arg = line + a;
    out->arg_len = len - a;
    /* RFC 1939 3: one SP. dovecot refuses a TAB (unknown command) and keeps
     * further spaces in the argument; the bytes crossed the wire all the same */
    out->loose = a > i && (a - i > 1 || line[i] != ' ');
    for (size_t k = 0; k < G_N_ELEMENTS(verbs); k++) {
        if (ms_text_ieq(line, i, verbs[k].name)) {
            out->known = true;
            out->verb = verbs[k].verb;
            out->name = verbs[k].name;
            out->needs_login = verbs[k].needs_login;
            out->plausible = true;
            return;
        }
    }
    out->plausible = i > 0 && i <= 8;
    for (size_t k = 0; out->plausible && k < i; k++)
        out->plausible = g_ascii_isalpha(line[k]);
}

ms_pop3_status_t ms_pop3_status_parse(const uint8_t *line, size_t len, const uint8_t **text,
                                      size_t *text_len)
{
    ms_pop3_status_t st;
    size_t skip;

    if (ms_text_iprefix(line, len, "+OK")) {
        st = MS_POP3_OK;
        skip = 3;
    } else if (ms_text_iprefix(line, len, "-ERR")) {
        st = MS_POP3_ERR;
        skip = 4;
    } else if (len >= 1 && line[0] == '+' && (len == 1 || line[1] == ' ')) {
        st = MS_POP3_CHALLENGE;
        skip = 1;
    } else {
        *text = line;
        *text_len = len;
        return MS_POP3_NOT_STATUS;
    }
    while (skip < len && line[skip] == ' ')
        skip++;
    *text = line + skip;
    *text_len = len - skip;
    return st;
}

/* Decimal digits at *p up to a SP or the end: false when none, or over max. */
static bool number(const char **p, uint64_t max, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    if (!g_ascii_isdigit(*s))
        return false; /* also a sign: "-1" is no octet count */
    for (; g_ascii_isdigit(*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *p = s;
    *out = v;
    return true;
}

bool ms_pop3_stat_parse(const char *text, uint32_t *msgs, uint64_t *octets)
{
    uint64_t n, m;
    const char *s = text;
    if (!number(&s, G_MAXUINT32, &n) || *s != ' ')
        return false;
    s++;
    if (!number(&s, G_MAXUINT64, &m) || (*s != '\0' && *s != ' '))
        return false;
    *msgs = (uint32_t)n;
    *octets = m;
    return true;
}

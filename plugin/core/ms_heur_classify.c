/* ms_heur_classify.c - what the first payload of a TCP conversation says.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_heur_classify.h"
#include "ms_text.h"

#include <string.h>

/* The length of the first line without its CRLF, or 0 when there is no
 * printable CRLF-terminated line of at least 2 bytes within the limit. */
static size_t first_line(const uint8_t *data, size_t len)
{
    if (len == 0) /* memchr(NULL, c, 0) is undefined (UBSan: nonnull argument) */
        return 0;
    const uint8_t *nl = memchr(data, '\n', len < MS_OPENING_MAX ? len : MS_OPENING_MAX);
    if (!nl || nl - data < 2 || nl[-1] != '\r')
        return 0;
    size_t n = (size_t)(nl - data) - 1;
    for (size_t i = 0; i < n; i++)
        if ((data[i] < 0x20 && data[i] != '\t') || data[i] == 0x7F)
            return 0;
    return n;
}

static bool contains(const uint8_t *s, size_t len, const char *word)
{
    size_t wl = strlen(word);
    for (size_t i = 0; i + wl <= len; i++)
        if (memcmp(s + i, word, wl) == 0)
            return true;
    return false;
}

bool ms_heur_classify(const uint8_t *data, size_t len, ms_opening_t *out)
{
    size_t n = first_line(data, len);

    if (n == 0)
        return false;
    if ((ms_text_iprefix(data, n, "220 ") || ms_text_iprefix(data, n, "220-")) &&
        contains(data, n, "SMTP")) {
        out->proto = MS_PROTO_SMTP;
        out->from_server = true;
    } else if (ms_text_iprefix(data, n, "+OK") && (n == 3 || data[3] == ' ')) {
        out->proto = MS_PROTO_POP3;
        out->from_server = true;
    } else if ((ms_text_iprefix(data, n, "EHLO ") || ms_text_iprefix(data, n, "HELO ")) && n > 5) {
        out->proto = MS_PROTO_SMTP;
        out->from_server = false;
    } else if ((n == 4 && ms_text_iprefix(data, n, "CAPA")) ||
               ((ms_text_iprefix(data, n, "USER ") || ms_text_iprefix(data, n, "APOP ")) &&
                n > 5)) {
        out->proto = MS_PROTO_POP3;
        out->from_server = false;
    } else {
        return false;
    }
    return true;
}

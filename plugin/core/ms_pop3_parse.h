/* ms_pop3_parse.h - small pure parsers for POP3 lines (RFC 1939, 2449, 5034).
 *
 * Like ms_smtp_parse.h: pointer and length in (not NUL-terminated), never a
 * read outside them, malformed input reported as a return value.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_POP3_PARSE_H
#define MS_POP3_PARSE_H

#include "ms_common.h"

/* The verbs the POP3 machine follows. */
typedef enum {
    POP3_CMD_USER, POP3_CMD_PASS, POP3_CMD_APOP, POP3_CMD_AUTH, POP3_CMD_STAT,
    POP3_CMD_LIST, POP3_CMD_RETR, POP3_CMD_DELE, POP3_CMD_RSET, POP3_CMD_QUIT,
    POP3_CMD_TOP, POP3_CMD_UIDL, POP3_CMD_CAPA, POP3_CMD_STLS,
    POP3_CMD_OTHER /* NOOP, unknown verbs */
} ms_pop3_verb_t;

typedef struct {
    bool           known;       /* one of the verbs above (NOOP as POP3_CMD_OTHER) */
    ms_pop3_verb_t verb;
    const char    *name;        /* upper case, for known verbs */
    bool           needs_login; /* a TRANSACTION-state command (RFC 1939 5) */
    bool           plausible;   /* unknown, but 1..8 ASCII letters: an extension verb */
    const uint8_t *arg;         /* after the blanks that follow the verb (may be empty) */
    size_t         arg_len;
    bool           loose;       /* verb and argument not separated by exactly one SP */
} ms_pop3_cmd_t;

/* Splits "VERB args" (verbs in any case; words separated by any run of
 * SP/HTAB, 'loose' when not by one SP). Always fills *out. */
void ms_pop3_cmd_parse(const uint8_t *line, size_t len, ms_pop3_cmd_t *out);

/* Length of the first word (up to SP or HTAB). */
size_t ms_pop3_word_len(const uint8_t *s, size_t len);

/* What a server status line is. */
typedef enum {
    MS_POP3_NOT_STATUS, /* none of the below */
    MS_POP3_OK,         /* "+OK ..." */
    MS_POP3_ERR,        /* "-ERR ..." */
    MS_POP3_CHALLENGE   /* "+ base64" or "+" (SASL, RFC 5034) */
} ms_pop3_status_t;

/* Classifies a status line; *text is what follows the indicator and its spaces. */
ms_pop3_status_t ms_pop3_status_parse(const uint8_t *line, size_t len, const uint8_t **text,
                                      size_t *text_len);

/* The STAT reply text "nn mm" (after "+OK "): false when it is not that, or
 * when a number is negative or too large (messages over 2^32-1, octets over
 * 2^64-1). */
bool ms_pop3_stat_parse(const char *text, uint32_t *msgs, uint64_t *octets);

#endif /* MS_POP3_PARSE_H */

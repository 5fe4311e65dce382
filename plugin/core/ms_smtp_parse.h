/* ms_smtp_parse.h - small pure parsers for SMTP lines (RFC 5321, 4954, 3030).
 *
 * Every function takes a pointer and a length (the bytes need not be
 * NUL-terminated), never reads outside them, and reports malformed input as
 * a return value.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_SMTP_PARSE_H
#define MS_SMTP_PARSE_H

#include "ms_common.h"
#include "ms_sasl.h"

/* RFC 5321 4.5.3.1 limits, CRLF included. */
#define MS_SMTP_CMD_LINE_MAX   512
#define MS_SMTP_REPLY_LINE_MAX 512
#define MS_SMTP_TEXT_LINE_MAX  1000

typedef struct {
    unsigned code;       /* 200..599 */
    bool     last;       /* "NNN " or "NNN": the last line of the reply */
    const uint8_t *text; /* after the separator */
    size_t   text_len;
} ms_smtp_reply_line_t;

/* Parses "NNN text", "NNN-text" or "NNN". False when not a reply line. */
bool ms_smtp_reply_line_parse(const uint8_t *line, size_t len, ms_smtp_reply_line_t *out);

#define MS_SMTP_VERB_MAX 16

typedef struct {
    char verb[MS_SMTP_VERB_MAX + 1]; /* upper case; empty when not a plausible verb */
    const uint8_t *arg;              /* after the blanks that follow the verb (may be empty) */
    size_t arg_len;
    bool loose;                      /* verb and argument not separated by exactly one SP */
} ms_smtp_cmd_t;

/* Splits a command line into verb and argument. Words are separated by any
 * run of SP/HTAB, as postfix reads them (RFC 5321 asks for one SP: 'loose'
 * says when the line did not). False when the first word is not 1..16 ASCII
 * letters (so it cannot be an SMTP verb). */
bool ms_smtp_cmd_split(const uint8_t *line, size_t len, ms_smtp_cmd_t *out);

typedef enum {
    MS_PATH_OK,        /* a path was found (possibly empty: the null sender "<>") */
    MS_PATH_NO_KEYWORD,/* the argument does not start with FROM: / TO: */
    MS_PATH_MALFORMED  /* keyword present but no well-formed <path> */
} ms_path_status_t;

/*
 * Extracts the path of "FROM:<path> params" / "TO:<path> params" without the
 * angle brackets. Tolerates blanks (SP/HTAB) after the colon and a path
 * without brackets (reported as MS_PATH_MALFORMED but still returned).
 */
ms_path_status_t ms_smtp_path_parse(const uint8_t *arg, size_t len, const char *keyword,
                                    const uint8_t **path, size_t *path_len);

typedef struct {
    char mech[MS_SASL_MECH_MAX + 1]; /* upper case */
    bool has_ir;                     /* an initial response follows the mechanism */
    const uint8_t *ir;               /* "=" stands for an empty response */
    size_t ir_len;
} ms_smtp_auth_t;

/* Parses the AUTH argument "MECH [initial-response]" (any run of SP/HTAB
 * between them). False when no mechanism. */
bool ms_smtp_auth_parse(const uint8_t *arg, size_t len, ms_smtp_auth_t *out);

typedef enum {
    MS_BDAT_OK,
    MS_BDAT_BAD_SIZE,  /* missing, non-digit or too large chunk size */
    MS_BDAT_BAD_LAST   /* something other than "LAST" after the size */
} ms_bdat_status_t;

#define MS_BDAT_SIZE_MAX UINT64_C(0xFFFFFFFFFFFF) /* 2^48-1: larger is treated as bogus */

/* Parses the BDAT argument "chunk-size [LAST]" (RFC 3030). */
ms_bdat_status_t ms_smtp_bdat_parse(const uint8_t *arg, size_t len, uint64_t *size, bool *last);

/* Longest queue id taken from a reply: a longer token is no id (exim's are
 * 23 characters, Amazon SES's 60, a Microsoft Message-ID rarely over 100). */
#define MS_QUEUE_ID_MAX 128

/*
 * The queue id in the text of a reply accepting a message (the text after
 * "250 " / "250-"), in the forms real servers send:
 *   postfix     "2.0.0 Ok: queued as 4F2C21A0B3" (long ids too: "4Yx1Zq5Kz0z9vQ1")
 *   exim        "OK id=1rQbZk-0004Xy-2P"
 *   OpenSMTPD   "2.0.0 8f3e2a1b Message accepted for delivery" (older: "2.0.0: 8f3e2a1b ...")
 *   sendmail    "2.0.0 n54CEgvI018278 Message accepted for delivery"
 *   Microsoft   "2.6.0 <msgid@host> [InternalId=274498] Queued mail for delivery" (the
 *               Message-ID, without its angle brackets)
 *   qmail       "ok 1375388751 qp 26627" (the qp number, as qmail-send logs it)
 *   Gmail       "2.0.0 OK  1376056636 i3si9508927obz.16 - gsmtp"
 *   Amazon SES  "Ok 0100018c...-000000" (the whole text: "Ok" or "Ok:" and a token with
 *               a digit)
 * An id is 1..MS_QUEUE_ID_MAX characters of letters, digits and ._-@+=/
 * ending at a blank, the end or one of )];,> ; anything else is no id. On
 * success *id points into text. Never reads outside text[0..len).
 */
bool ms_smtp_queue_id_parse(const uint8_t *text, size_t len, const uint8_t **id, size_t *id_len);

#endif /* MS_SMTP_PARSE_H */

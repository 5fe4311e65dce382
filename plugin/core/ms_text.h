/* ms_text.h - turning wire bytes into safe display strings, and base64.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_TEXT_H
#define MS_TEXT_H

#include "ms_common.h"

/*
 * Returns a newly allocated (g_malloc) NUL-terminated string made from at most
 * 'max' bytes of s: valid UTF-8 is kept (so SMTPUTF8 addresses come out
 * right), control characters, NUL and invalid bytes become "\xNN".
 */
char *ms_text_printable(const uint8_t *s, size_t len, size_t max);

/* ASCII case-insensitive comparison of s[0..len) with the NUL-terminated word. */
bool ms_text_ieq(const uint8_t *s, size_t len, const char *word);
/* ASCII case-insensitive prefix test. */
bool ms_text_iprefix(const uint8_t *s, size_t len, const char *prefix);

/*
 * Strict base64 decoding (RFC 4648 alphabet, padding optional, no white
 * space). Writes at most outcap bytes. Returns the decoded length, or -1 when
 * the input is not base64 or the output would not fit.
 */
/* True when s[0..len) is non-empty base64 that ms_base64_decode would accept. */
bool ms_base64_valid(const uint8_t *s, size_t len);

long ms_base64_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap);

#endif /* MS_TEXT_H */

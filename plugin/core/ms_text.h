/* ms_text.h - turning wire bytes into safe display strings, and base64.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_TEXT_H
#define MS_TEXT_H

#include "ms_common.h"

/*
 * The one text policy for everything shown (fields, expert texts, labels):
 * returns a newly allocated (g_malloc) NUL-terminated string made from at most
 * 'max' bytes of s. Valid UTF-8 is kept (so SMTPUTF8 addresses come out
 * right); C0 controls, NUL, DEL and invalid bytes become "\xNN"; C1 controls,
 * bidirectional controls (U+061C, U+200E/F, U+202A-E, U+2066-9) and U+2028/9
 * become "\uXXXX"; the backslash itself becomes "\\", so the result is
 * unambiguous and always valid UTF-8. Apply it once, to the raw bytes, when a
 * text is stored (at most 4 output bytes per input byte).
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

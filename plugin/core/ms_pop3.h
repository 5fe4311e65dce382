/* ms_pop3.h - bounds of the POP3 session machine (RFC 1939, 2449, 2595, 5034).
 *
 * The machine itself is reached through ms_machine.h (MS_PROTO_POP3); its
 * handlers are in ms_pop3.c, its line parsers in ms_pop3_parse.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_POP3_H
#define MS_POP3_H

#ifndef MS_POP3_CAP_PENDING
#define MS_POP3_CAP_PENDING 256  /* commands awaiting a reply */
#endif
#define MS_POP3_LINE_KEEP   12288 /* bytes of a line kept: a whole AUTH line (RFC 4954 4, RFC 5034) */
#define MS_POP3_CMD_LINE_MAX   255 /* RFC 2449: octets per command line, CRLF included */
#define MS_POP3_REPLY_LINE_MAX 512 /* RFC 2449: octets of a first response line */

#endif /* MS_POP3_H */

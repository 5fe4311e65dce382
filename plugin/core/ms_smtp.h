/* ms_smtp.h - bounds of the SMTP session machine (RFC 5321, 4954, 3207, 3030, 2920).
 *
 * The machine itself is reached through ms_machine.h (MS_PROTO_SMTP); its
 * handlers are in ms_smtp.c, its line parsers in ms_smtp_parse.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_SMTP_H
#define MS_SMTP_H

/* SMTP-specific bounds; the shared caps are in ms_session.h. */
#ifndef MS_SMTP_CAP_PENDING
#define MS_SMTP_CAP_PENDING      1024 /* commands awaiting a reply */
#endif
#define MS_SMTP_LINE_KEEP       12288 /* bytes of a line kept for parsing: an AUTH line
                                        * up to RFC 4954's 12,288 octets is read whole */

#endif /* MS_SMTP_H */

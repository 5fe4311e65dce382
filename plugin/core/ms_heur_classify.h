/* ms_heur_classify.h - what the first payload of a TCP conversation says.
 *
 * The heuristic (plugin/epan/ms_heur.c) offers the first payload of a
 * conversation no other dissector claimed; this decides whether it is an
 * unmistakable SMTP or POP3 opening, and which side sent it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_HEUR_CLASSIFY_H
#define MS_HEUR_CLASSIFY_H

#include "ms_common.h"
#include "ms_session.h"

#define MS_OPENING_MAX 512 /* a greeting or opening line longer than this is not one */

typedef struct {
    ms_proto_t proto;
    bool       from_server; /* a greeting (the sender is the server), else a client opening */
} ms_opening_t;

/*
 * data: the first bytes of the payload (only the first MS_OPENING_MAX are
 * looked at). An opening is one CRLF-terminated line of printable ASCII (TAB
 * allowed): a server greeting "220 ...SMTP..." / "220-...SMTP..." or "+OK",
 * or a client's "EHLO x"/"HELO x", "CAPA", "USER x"/"APOP x". FTP also greets
 * with 220: an SMTP greeting must name SMTP (RFC 5321 4.3.1 leaves the text
 * free, but every server we know says "ESMTP"/"SMTP").
 */
bool ms_heur_classify(const uint8_t *data, size_t len, ms_opening_t *out);

#endif /* MS_HEUR_CLASSIFY_H */

/* ms_tls_offers.h - the offer of STARTTLS/STLS compared across sessions.
 *
 * A server offers STARTTLS/STLS to every client on a listener, or to none (a
 * per-client policy is possible, but rare): a session without the offer, of
 * a server that offered it in another session of the capture, may have had
 * the offer stripped on the way. Per capture file, per server (protocol,
 * address, port): the first session whose clear-text capabilities offered
 * it and the first that did not. Reported once per pair, on the capability
 * reply of whichever of the two sessions comes second, in capture order.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_TLS_OFFERS_H
#define MS_TLS_OFFERS_H

#include "ms_note.h"
#include "ms_session.h"

typedef struct ms_tls_offers ms_tls_offers_t;

ms_tls_offers_t *ms_tls_offers_new(void);
void ms_tls_offers_free(ms_tls_offers_t *t);

/*
 * After a frame of a session: once the session has had a capability reply in
 * clear text (sum->clear_caps > 0), compare its offer with the other
 * sessions' of the same server (an opaque key: address and port), once per
 * session (*checked). A starttls_stripped anomaly goes to fn.
 */
void ms_tls_offers_check(ms_tls_offers_t *t, const char *server, uint32_t session,
                         const ms_summary_t *sum, bool *checked, ms_note_fn fn, void *ctx);

#endif /* MS_TLS_OFFERS_H */

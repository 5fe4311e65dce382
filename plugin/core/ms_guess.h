/* ms_guess.h - password guessing seen across sessions.
 *
 * Bots guess passwords one failed login per connection: every session shows
 * one auth_failed, none shows the attack. Per capture file, this module counts
 * the authentication results of all sessions (SMTP AUTH, POP3 USER/PASS, APOP
 * and AUTH) per client address and per user name, and reports three findings,
 * each once, on the frame of the result that crosses its threshold:
 *
 *   brute_force           'failures' failed logins from one client address
 *                         within 'window' (any users);
 *   password_spraying     failed logins for 'users' distinct users from one
 *                         client address within 'window';
 *   distributed_guessing  failed logins for one user from 'clients' distinct
 *                         client addresses within 'window'.
 *
 * "Within the window": the newest and the oldest of the failures counted are
 * at most 'window' apart (a sliding window over capture time). For the
 * distinct counts, each user (client) counts with its latest failure.
 *
 * Fed in capture order (the first pass), so the counts at a frame are the
 * counts "so far" and the counts after the last frame are final; the caller
 * reads either with ms_guess_client() / ms_guess_user().
 *
 * Bounded: at most MS_GUESS_MAX_CLIENTS client addresses, MS_GUESS_MAX_USERS
 * user names and MS_GUESS_MAX_PAIRS (client, user) pairs, of which at most
 * MS_GUESS_PAIRS_PER_KEY per client and per user; what does not fit is not
 * tracked, and a guessing_cap anomaly says so once per table. Every update
 * scans at most MS_GUESS_PAIRS_PER_KEY pairs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_GUESS_H
#define MS_GUESS_H

#include "ms_note.h"
#include "ms_strlist.h"

#ifndef MS_GUESS_MAX_CLIENTS
#define MS_GUESS_MAX_CLIENTS   4096
#endif
#ifndef MS_GUESS_MAX_USERS
#define MS_GUESS_MAX_USERS     4096
#endif
#ifndef MS_GUESS_MAX_PAIRS
#define MS_GUESS_MAX_PAIRS     16384
#endif
#ifndef MS_GUESS_PAIRS_PER_KEY
#define MS_GUESS_PAIRS_PER_KEY 256
#endif
/* The highest threshold accepted (higher ones are lowered to it): the ring of
 * a client's last failures has this many entries at most. Below
 * MS_GUESS_PAIRS_PER_KEY, so that a distinct count can always reach it. */
#define MS_GUESS_THRESHOLD_MAX 100
#define MS_GUESS_ADDR_MAX      16 /* an IPv6 address */

/* The findings (also the bits of 'flags' below). */
typedef enum {
    MS_GUESS_BRUTE_FORCE = 1u << 0, /* many failures from one client */
    MS_GUESS_SPRAYING    = 1u << 1, /* many users failed from one client */
    MS_GUESS_DISTRIBUTED = 1u << 2  /* one user failed from many clients */
} ms_guess_kind_t;

typedef struct {
    uint32_t  failures; /* brute_force threshold; 0 turns the rule off */
    uint32_t  users;    /* password_spraying threshold; 0: off */
    uint32_t  clients;  /* distributed_guessing threshold; 0: off */
    ms_time_t window;   /* nanoseconds */
} ms_guess_config_t;

/* One client address, so far. */
typedef struct {
    uint32_t failures;  /* failed logins */
    uint32_t successes; /* successful logins */
    uint32_t users;     /* distinct users tried (with a result) */
    uint32_t sessions;  /* sessions with a result */
    uint32_t flags;     /* ms_guess_kind_t reported for it (brute force, spraying) */
} ms_guess_client_t;

/* One user name, so far. */
typedef struct {
    uint32_t failures;  /* failed logins, from any client */
    uint32_t successes;
    uint32_t clients;   /* distinct client addresses that tried it (with a result) */
    uint32_t flags;     /* MS_GUESS_DISTRIBUTED once reported for it */
} ms_guess_user_t;

typedef struct ms_guess ms_guess_t;

/* A new table (thresholds above MS_GUESS_THRESHOLD_MAX are lowered to it). */
ms_guess_t *ms_guess_new(const ms_guess_config_t *cfg);
void ms_guess_free(ms_guess_t *g);

/*
 * One authentication result, in capture order. addr/addr_len: the client's
 * address bytes (at most MS_GUESS_ADDR_MAX), addr_text its printable form
 * (for the texts); user: the printable user name, NULL or "" when the attempt
 * named none (it then counts for the client only); first_in_session: the
 * session's first result. Findings and a full table are reported to fn as
 * MS_NOTE_ANOMALY on 'frame'.
 */
void ms_guess_result(ms_guess_t *g, const uint8_t *addr, size_t addr_len, const char *addr_text,
                     const char *user, bool first_in_session, bool ok, ms_frame_t frame,
                     ms_time_t ts, ms_note_fn fn, void *ctx);

/* The name of one finding bit (MS_GUESS_*): "brute_force", "password_spraying",
 * "distributed_guessing"; NULL for anything else. */
const char *ms_guess_flag_name(uint32_t bit);
/* The names of the findings in flags (MS_GUESS_*), ", "-separated, in the
 * order brute_force, password_spraying, distributed_guessing; "" for none.
 * Newly allocated. */
char *ms_guess_flags_text(uint32_t flags);

/* The counts of a client / a user so far; false when it is not tracked. */
bool ms_guess_client(const ms_guess_t *g, const uint8_t *addr, size_t addr_len,
                     ms_guess_client_t *out);
bool ms_guess_user(const ms_guess_t *g, const char *user, ms_guess_user_t *out);

/* A session's findings (MS_GUESS_* bits) so far: its client's and those of
 * the users it tried; 0 until the client has a result. */
uint32_t ms_guess_session_flags(const ms_guess_t *g, const uint8_t *addr, size_t addr_len,
                                const ms_strlist_t *users);

/* How many findings were raised so far (saturates at UINT32_MAX; 0 for NULL).
 * A session's ms_guess_session_flags() can change only when this changes or
 * its users do (its list only grows): a caller may keep the flags until then. */
uint32_t ms_guess_raised(const ms_guess_t *g);

#endif /* MS_GUESS_H */

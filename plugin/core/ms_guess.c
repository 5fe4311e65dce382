/* ms_guess.c - password guessing seen across sessions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_guess.h"

#include <glib.h>
#include <string.h>

/* A failed login: when, and in which frame. */
typedef struct {
    ms_time_t  ts;
    ms_frame_t frame;
} stamp_t;

typedef struct {
    uint8_t           addr[MS_GUESS_ADDR_MAX];
    size_t            len;
    ms_guess_client_t pub;
    stamp_t          *ring;      /* its last cfg.failures failures (brute force) */
    uint32_t          ring_fill; /* entries used */
    uint32_t          ring_next; /* where the next one goes (the oldest once full) */
    GPtrArray        *pairs;     /* pair_t: the users it tried */
} client_t;

typedef struct {
    char           *name;
    ms_guess_user_t pub;
    GPtrArray      *pairs;       /* pair_t: the clients that tried it */
} user_t;

/* One user tried by one client. */
typedef struct {
    client_t *client;
    user_t   *user;
    bool      failed;    /* at least one failure */
    stamp_t   last_fail; /* its latest failure */
} pair_t;

/* The tables that can fill up, each reported once. */
typedef enum { TABLE_CLIENTS, TABLE_USERS, TABLE_PAIRS, TABLE_COUNT } table_t;

struct ms_guess {
    ms_guess_config_t cfg;
    GHashTable *clients; /* client_t (its own key) */
    GHashTable *users;   /* name -> user_t */
    GHashTable *pairs;   /* pair_t (its own key) */
    bool        full_reported[TABLE_COUNT];
    uint32_t    raised; /* findings raised so far (saturating) */
};

/* Every MS_GUESS_* bit is set here, once: what ms_guess_raised() counts. */
static void note_raised(ms_guess_t *g)
{
    if (g->raised < UINT32_MAX)
        g->raised++;
}

static guint client_hash(gconstpointer p)
{
    const client_t *c = p;
    guint h = 5381;
    for (size_t i = 0; i < c->len; i++)
        h = h * 33 + c->addr[i];
    return h;
}

static gboolean client_equal(gconstpointer a, gconstpointer b)
{
    const client_t *x = a, *y = b;
    return x->len == y->len && memcmp(x->addr, y->addr, x->len) == 0;
}

static void client_free(gpointer p)
{
    client_t *c = p;
    g_free(c->ring);
    g_ptr_array_free(c->pairs, TRUE);
    g_free(c);
}

static void user_free(gpointer p)
{
    user_t *u = p;
    g_ptr_array_free(u->pairs, TRUE);
    g_free(u->name);
    g_free(u);
}

static guint pair_hash(gconstpointer p)
{
    const pair_t *x = p;
    return g_direct_hash(x->client) * 31 + g_direct_hash(x->user);
}

static gboolean pair_equal(gconstpointer a, gconstpointer b)
{
    const pair_t *x = a, *y = b;
    return x->client == y->client && x->user == y->user;
}

static uint32_t clamp(uint32_t v)
{
    return v > MS_GUESS_THRESHOLD_MAX ? MS_GUESS_THRESHOLD_MAX : v;
}

ms_guess_t *ms_guess_new(const ms_guess_config_t *cfg)
{
    ms_guess_t *g = g_new0(ms_guess_t, 1);
    g->cfg = *cfg;
    g->cfg.failures = clamp(cfg->failures);
    g->cfg.users = clamp(cfg->users);
    g->cfg.clients = clamp(cfg->clients);
    if (g->cfg.window < 0)
        g->cfg.window = 0;
    g->clients = g_hash_table_new_full(client_hash, client_equal, NULL, client_free);
    g->users = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, user_free);
    /* the pairs are owned by the clients' arrays */
    g->pairs = g_hash_table_new_full(pair_hash, pair_equal, NULL, NULL);
    return g;
}

void ms_guess_free(ms_guess_t *g)
{
    if (!g)
        return;
    g_hash_table_destroy(g->pairs);
    g_hash_table_destroy(g->users);
    g_hash_table_destroy(g->clients);
    g_free(g);
}

static void report(ms_note_fn fn, void *ctx, ms_frame_t frame, ms_anomaly_t an, char *text)
{
    ms_note_t n = { .kind = MS_NOTE_ANOMALY, .anomaly = an, .text = text };
    if (fn)
        fn(ctx, frame, &n);
    g_free(text);
}

static void table_full(ms_guess_t *g, table_t t, ms_note_fn fn, void *ctx, ms_frame_t frame)
{
    static const char *const what[TABLE_COUNT] = {
        [TABLE_CLIENTS] = "client addresses (" G_STRINGIFY(MS_GUESS_MAX_CLIENTS) ")",
        [TABLE_USERS]   = "user names (" G_STRINGIFY(MS_GUESS_MAX_USERS) ")",
        [TABLE_PAIRS]   = "users per client or clients per user (" G_STRINGIFY(MS_GUESS_PAIRS_PER_KEY)
                          "; " G_STRINGIFY(MS_GUESS_MAX_PAIRS) " in all)",
    };
    if (g->full_reported[t])
        return;
    g->full_reported[t] = true;
    report(fn, ctx, frame, MS_AN_GUESSING_CAP,
           g_strdup_printf("Password-guessing counters: no more %s are tracked in this capture; "
                           "later ones are not counted", what[t]));
}

/* "300 s", "2.5 s": capture time in seconds for the texts. */
static char *secs(ms_time_t ns)
{
    if (ns % MS_NS_PER_SEC == 0)
        return g_strdup_printf("%" G_GINT64_FORMAT " s", (gint64)(ns / MS_NS_PER_SEC));
    return g_strdup_printf("%.1f s", (double)ns / (double)MS_NS_PER_SEC);
}

/* Two failures at most the window apart (timestamps that go backwards: yes). */
static bool within(const ms_guess_t *g, ms_time_t newest, ms_time_t oldest)
{
    return ms_time_diff(newest, oldest) <= g->cfg.window;
}

static client_t *client_get(ms_guess_t *g, const uint8_t *addr, size_t len, ms_note_fn fn,
                            void *ctx, ms_frame_t frame)
{
    client_t key = { .len = len };
    memcpy(key.addr, addr, len);
    client_t *c = g_hash_table_lookup(g->clients, &key);
    if (c)
        return c;
    if (g_hash_table_size(g->clients) >= MS_GUESS_MAX_CLIENTS) {
        table_full(g, TABLE_CLIENTS, fn, ctx, frame);
        return NULL;
    }
    c = g_new0(client_t, 1);
    *c = key;
    if (g->cfg.failures > 0)
        c->ring = g_new0(stamp_t, g->cfg.failures);
    c->pairs = g_ptr_array_new_with_free_func(g_free);
    g_hash_table_add(g->clients, c);
    return c;
}

static user_t *user_get(ms_guess_t *g, const char *name, ms_note_fn fn, void *ctx,
                        ms_frame_t frame)
{
    user_t *u = g_hash_table_lookup(g->users, name);
    if (u)
        return u;
    if (g_hash_table_size(g->users) >= MS_GUESS_MAX_USERS) {
        table_full(g, TABLE_USERS, fn, ctx, frame);
        return NULL;
    }
    u = g_new0(user_t, 1);
    u->name = g_strdup(name);
    u->pairs = g_ptr_array_new();
    g_hash_table_insert(g->users, u->name, u);
    return u;
}

static pair_t *pair_get(ms_guess_t *g, client_t *c, user_t *u, ms_note_fn fn, void *ctx,
                        ms_frame_t frame)
{
    pair_t key = { .client = c, .user = u };
    pair_t *p = g_hash_table_lookup(g->pairs, &key);
    if (p)
        return p;
    if (g_hash_table_size(g->pairs) >= MS_GUESS_MAX_PAIRS ||
        c->pairs->len >= MS_GUESS_PAIRS_PER_KEY || u->pairs->len >= MS_GUESS_PAIRS_PER_KEY) {
        table_full(g, TABLE_PAIRS, fn, ctx, frame);
        return NULL;
    }
    p = g_new0(pair_t, 1);
    *p = key;
    g_ptr_array_add(c->pairs, p);
    g_ptr_array_add(u->pairs, p);
    g_hash_table_add(g->pairs, p);
    c->pub.users = c->pairs->len;
    u->pub.clients = u->pairs->len;
    return p;
}

/* Brute force: the last cfg.failures failures of the client, within the window. */
static void check_brute_force(ms_guess_t *g, client_t *c, const char *addr_text, stamp_t now,
                              ms_note_fn fn, void *ctx)
{
    uint32_t n = g->cfg.failures;
    if (n == 0)
        return;
    c->ring[c->ring_next] = now;
    c->ring_next = (c->ring_next + 1) % n;
    if (c->ring_fill < n)
        c->ring_fill++;
    if (c->ring_fill < n || (c->pub.flags & MS_GUESS_BRUTE_FORCE))
        return;
    stamp_t oldest = c->ring[c->ring_next];
    if (!within(g, now.ts, oldest.ts))
        return;
    c->pub.flags |= MS_GUESS_BRUTE_FORCE;
    note_raised(g);
    char *span = secs(ms_time_diff(now.ts, oldest.ts) < 0 ? 0 : ms_time_diff(now.ts, oldest.ts));
    char *win = secs(g->cfg.window);
    report(fn, ctx, now.frame, MS_AN_BRUTE_FORCE,
           g_strdup_printf("Brute force: %u failed logins from %s in %s (threshold %u within %s), "
                           "the first in frame %u; %u user%s tried", n, addr_text, span, n, win,
                           oldest.frame, c->pub.users, c->pub.users == 1 ? "" : "s"));
    g_free(span);
    g_free(win);
}

/* Among the pairs (a client's users, or a user's clients): how many failed
 * within the window of now, and the earliest of those failures. */
static uint32_t recent(const ms_guess_t *g, const GPtrArray *pairs, ms_time_t now,
                       ms_frame_t *first, ms_time_t *first_ts)
{
    uint32_t n = 0;
    *first = 0;
    *first_ts = now;
    for (guint i = 0; i < pairs->len; i++) {
        const pair_t *p = g_ptr_array_index(pairs, i);
        if (!p->failed || !within(g, now, p->last_fail.ts))
            continue;
        n++;
        if (*first == 0 || p->last_fail.frame < *first) {
            *first = p->last_fail.frame;
            *first_ts = p->last_fail.ts;
        }
    }
    return n;
}

static void check_spraying(ms_guess_t *g, client_t *c, const char *addr_text, stamp_t now,
                           ms_note_fn fn, void *ctx)
{
    ms_frame_t first;
    ms_time_t first_ts;
    if (g->cfg.users == 0 || (c->pub.flags & MS_GUESS_SPRAYING))
        return;
    uint32_t n = recent(g, c->pairs, now.ts, &first, &first_ts);
    if (n < g->cfg.users)
        return;
    c->pub.flags |= MS_GUESS_SPRAYING;
    note_raised(g);
    ms_time_t d = ms_time_diff(now.ts, first_ts);
    char *span = secs(d < 0 ? 0 : d);
    char *win = secs(g->cfg.window);
    report(fn, ctx, now.frame, MS_AN_PASSWORD_SPRAYING,
           g_strdup_printf("Password spraying: failed logins for %u distinct users from %s in %s "
                           "(threshold %u within %s), the first in frame %u; %u failures from "
                           "this client so far", n, addr_text, span, g->cfg.users, win, first,
                           c->pub.failures));
    g_free(span);
    g_free(win);
}

static void check_distributed(ms_guess_t *g, user_t *u, stamp_t now, ms_note_fn fn, void *ctx)
{
    ms_frame_t first;
    ms_time_t first_ts;
    if (g->cfg.clients == 0 || (u->pub.flags & MS_GUESS_DISTRIBUTED))
        return;
    uint32_t n = recent(g, u->pairs, now.ts, &first, &first_ts);
    if (n < g->cfg.clients)
        return;
    u->pub.flags |= MS_GUESS_DISTRIBUTED;
    note_raised(g);
    ms_time_t d = ms_time_diff(now.ts, first_ts);
    char *span = secs(d < 0 ? 0 : d);
    char *win = secs(g->cfg.window);
    report(fn, ctx, now.frame, MS_AN_DISTRIBUTED_GUESSING,
           g_strdup_printf("Distributed guessing: failed logins for user \"%s\" from %u distinct "
                           "client addresses in %s (threshold %u within %s), the first in frame "
                           "%u; %u failures for this user so far", u->name, n, span,
                           g->cfg.clients, win, first, u->pub.failures));
    g_free(span);
    g_free(win);
}

void ms_guess_result(ms_guess_t *g, const uint8_t *addr, size_t addr_len, const char *addr_text,
                     const char *user, bool first_in_session, bool ok, ms_frame_t frame,
                     ms_time_t ts, ms_note_fn fn, void *ctx)
{
    if (!g || addr_len > MS_GUESS_ADDR_MAX)
        return;
    client_t *c = client_get(g, addr, addr_len, fn, ctx, frame);
    if (!c)
        return;
    user_t *u = user && user[0] ? user_get(g, user, fn, ctx, frame) : NULL;
    pair_t *p = u ? pair_get(g, c, u, fn, ctx, frame) : NULL;
    stamp_t now = { .ts = ts, .frame = frame };

    if (first_in_session)
        c->pub.sessions++;
    if (ok) {
        c->pub.successes++;
        if (u)
            u->pub.successes++;
        return;
    }
    c->pub.failures++;
    if (u)
        u->pub.failures++;
    if (p) {
        p->failed = true;
        p->last_fail = now;
    }
    check_brute_force(g, c, addr_text, now, fn, ctx);
    check_spraying(g, c, addr_text, now, fn, ctx);
    if (u)
        check_distributed(g, u, now, fn, ctx);
}

bool ms_guess_client(const ms_guess_t *g, const uint8_t *addr, size_t addr_len,
                     ms_guess_client_t *out)
{
    if (!g || addr_len > MS_GUESS_ADDR_MAX)
        return false;
    client_t key = { .len = addr_len };
    memcpy(key.addr, addr, addr_len);
    const client_t *c = g_hash_table_lookup(g->clients, &key);
    if (!c)
        return false;
    *out = c->pub;
    return true;
}

bool ms_guess_user(const ms_guess_t *g, const char *user, ms_guess_user_t *out)
{
    const user_t *u = g && user ? g_hash_table_lookup(g->users, user) : NULL;
    if (!u)
        return false;
    *out = u->pub;
    return true;
}

uint32_t ms_guess_raised(const ms_guess_t *g)
{
    return g ? g->raised : 0;
}

uint32_t ms_guess_session_flags(const ms_guess_t *g, const uint8_t *addr, size_t addr_len,
                                const ms_strlist_t *users)
{
    ms_guess_client_t c;
    if (!ms_guess_client(g, addr, addr_len, &c))
        return 0;
    uint32_t flags = c.flags;
    for (uint32_t i = 0; users && i < users->count; i++) {
        ms_guess_user_t u;
        if (ms_guess_user(g, users->items[i], &u))
            flags |= u.flags;
    }
    return flags;
}

const char *ms_guess_flag_name(uint32_t bit)
{
    switch (bit) {
    case MS_GUESS_BRUTE_FORCE: return "brute_force";
    case MS_GUESS_SPRAYING:    return "password_spraying";
    case MS_GUESS_DISTRIBUTED: return "distributed_guessing";
    default:                   return NULL;
    }
}

char *ms_guess_flags_text(uint32_t flags)
{
    GString *g = g_string_new(NULL);
    for (uint32_t bit = MS_GUESS_BRUTE_FORCE; bit <= MS_GUESS_DISTRIBUTED; bit <<= 1)
        if (flags & bit)
            g_string_append_printf(g, "%s%s", g->len ? ", " : "", ms_guess_flag_name(bit));
    return g_string_free(g, FALSE);
}

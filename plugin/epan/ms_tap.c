/* ms_tap.c - the "mailsess" tap and the session table on it.
 *
 * Every frame of a mail session queues the session and its record on the
 * "mailsess" tap. On it:
 *   - Statistics > Mail Sessions (a generic stat table, no Qt code; listed
 *     with the protocol statistics, between "HTTP2" and "Sametime" in 4.0),
 *     which is also `tshark -z mailsess,sessions[,filter]` (aligned text);
 *   - `tshark -z mailsess,sessions,csv[,filter]` and
 *     `-z mailsess,sessions,json[,filter]` (one JSON object per line).
 * One row per session, in the order the first pass finds them (their first
 * mail bytes; a later pass taps a session from that frame on too); its values are the
 * record as of the session's last frame that passed the filter (with no
 * filter: the session's final values, in one pass as in two). The columns
 * and their values come from the core (plugin/core/ms_row.c); addresses and
 * frame numbers from here.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_epan.h"
#include "ms_compat.h"
#include "ms_row.h"

#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <stdio.h>
#include <string.h>

static int mailsess_tap = -1;

/* What a frame queues (packet scope). */
typedef struct {
    const ms_session_t *sess; /* its record is read when the listener runs: TCP's
                               * tap (a FIN each way, ms_tcp.c) may freeze the
                               * machine before, which moves the record */
} ms_tap_rec_t;

void ms_tap_queue(packet_info *pinfo, const ms_session_t *sess)
{
    /* From the frame the first pass found the session on: a later pass also
     * shows the session on the frames before it (the handshake), and a row
     * made there would put the sessions in another order than one pass does
     * (the order of their SYNs, not of their first mail bytes). */
    if (!have_tap_listener(mailsess_tap) || pinfo->num < sess->first_seen)
        return;
    ms_tap_rec_t *r = wmem_new(pinfo->pool, ms_tap_rec_t);
    r->sess = sess;
    tap_queue_packet(mailsess_tap, pinfo, r);
}

static char *endpoint(const address *a, guint32 port)
{
    char *s = address_to_str(NULL, a);
    char *r = a->type == AT_IPv6 ? g_strdup_printf("[%s]:%u", s, port)
                                 : g_strdup_printf("%s:%u", s, port);
    wmem_free(NULL, s);
    return r;
}

/* A row's guessing flags as of a count of raised findings and of the
 * session's users (ms_guess_raised()): looked up again only when one moves. */
typedef struct {
    const ms_guess_t *guess; /* NULL: nothing kept */
    guint32           raised, users, flags;
} guess_memo_t;

/* The guessing findings of the session's client and of the users it tried,
 * as mailsess.guessing shows them (memo: the row's, or NULL). */
static guint32 guess_flags(const ms_session_t *sess, const ms_summary_t *sum, guess_memo_t *memo)
{
    const address *a = &sess->cli_addr;
    if (a->type != AT_IPv4 && a->type != AT_IPv6)
        return 0;
    const ms_guess_t *g = ms_guess_current();
    guint32 raised = ms_guess_raised(g);
    if (g && memo && memo->guess == g && memo->raised == raised && raised != G_MAXUINT32 &&
        memo->users == sum->auth_users.count)
        return memo->flags;
    guint32 flags = ms_guess_session_flags(g, (const guint8 *)a->data, (size_t)a->len,
                                           &sum->auth_users);
    if (memo) {
        memo->guess = g;
        memo->raised = raised;
        memo->users = sum->auth_users.count;
        memo->flags = flags;
    }
    return flags;
}

/* The columns a session's addresses and ports decide: made once per row. */
static gboolean session_column(int c)
{
    return c == MS_COL_CLIENT || c == MS_COL_SERVER;
}

/* What a row's values come from, but for the last frame and its time (the
 * LAST and DURATION columns), which move on every frame: a row is computed
 * again only when this changes (ms_row_inputs() in ms_row.h). */
typedef struct {
    ms_row_inputs_t in;
    guint32         guess; /* GUESSING */
    ms_frame_t      first; /* FIRST (CLIENT and SERVER are the session's) */
} row_key_t;

static void row_key(const ms_tap_rec_t *r, row_key_t *k, guess_memo_t *memo)
{
    const ms_summary_t *sum = ms_machine_summary(r->sess->machine);
    memset(k, 0, sizeof(*k));
    ms_row_inputs(sum, &k->in);
    k->guess = guess_flags(r->sess, sum, memo);
    k->first = sum->first_frame;
}

/* All columns of one session as strings (g_malloc), from a queued record and
 * its row key k (row_key(): the guessing flags are read from it); with
 * endpoints FALSE, the session's own columns (session_column()) are left as
 * they are in v (a row made again keeps them). */
static void row_values(const ms_tap_rec_t *r, const row_key_t *k, char *v[MS_COL_COUNT],
                       gboolean endpoints)
{
    const ms_summary_t *sum = ms_machine_summary(r->sess->machine);
    for (int c = 0; c < MS_COL_COUNT; c++)
        if (!session_column(c))
            v[c] = ms_row_value(sum, (ms_col_t)c);
    if (endpoints) {
        v[MS_COL_CLIENT] = endpoint(&r->sess->cli_addr, r->sess->cli_port);
        v[MS_COL_SERVER] = endpoint(&r->sess->srv_addr, r->sess->srv_port);
    }
    v[MS_COL_FIRST] = ms_row_uint_text(sum->first_frame);
    v[MS_COL_LAST] = ms_row_uint_text(sum->last_frame);
    v[MS_COL_GUESSING] = ms_guess_flags_text(k->guess);
}

static void row_free(char *v[MS_COL_COUNT])
{
    for (int c = 0; c < MS_COL_COUNT; c++)
        g_free(v[c]);
}

/* Before row_values(r, k, v, FALSE): the columns it makes again. */
static void row_free_changing(char *v[MS_COL_COUNT])
{
    for (int c = 0; c < MS_COL_COUNT; c++)
        if (!session_column(c)) {
            g_free(v[c]);
            v[c] = NULL;
        }
}

/* ---- Statistics > Mail Sessions, -z mailsess,sessions ------------------- */

#define TABLE_NAME "Mail Sessions"

static stat_tap_table_item table_fields[MS_COL_COUNT];
typedef struct {
    guint        row;
    row_key_t    key; /* of its values */
    guess_memo_t memo;
} table_row_t;
static GHashTable *table_rows; /* session -> table_row_t */
static guint table_ui_refcount(void);

/* Bytes in Wireshark's dialog: an integer (Wireshark 4.0 shows a float
 * with six decimals), saturated at 4 GiB - 1; tshark's table prints them
 * exactly (a float, with no decimal). */
static gboolean bytes_as_uint;

/* Numbers stay numbers in the dialog (it sorts them as such). */
static void table_set(stat_tap_table_item_type *it, ms_col_t c, char *v)
{
    if (c == MS_COL_BYTES && bytes_as_uint) {
        guint64 n = g_ascii_strtoull(v, NULL, 10);
        it->type = TABLE_ITEM_UINT;
        it->value.uint_value = n > G_MAXUINT ? G_MAXUINT : (guint)n;
        g_free(v);
        return;
    }
    switch (c) {
    case MS_COL_FAILURES:
    case MS_COL_MSGS:
    case MS_COL_FIRST:
    case MS_COL_LAST:
        it->type = TABLE_ITEM_UINT;
        it->value.uint_value = (guint)g_ascii_strtoull(v, NULL, 10);
        g_free(v);
        return;
    case MS_COL_BYTES:
    case MS_COL_DURATION:
        it->type = TABLE_ITEM_FLOAT;
        it->value.float_value = g_ascii_strtod(v, NULL);
        g_free(v);
        return;
    default:
        it->type = TABLE_ITEM_STRING;
        it->value.string_value = v;
        return;
    }
}

static void table_item_free(stat_tap_table *t _U_, guint row _U_, guint col _U_,
                            stat_tap_table_item_type *it)
{
    if (it->type == TABLE_ITEM_STRING) {
        g_free((char *)it->value.string_value);
        it->value.string_value = NULL;
    }
}

static tap_packet_status table_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                      const void *data, tap_flags_t flags _U_)
{
    stat_data_t *sd = (stat_data_t *)tapdata;
    const ms_tap_rec_t *r = (const ms_tap_rec_t *)data;
    stat_tap_table *t = g_array_index(sd->stat_tap_data->tables, stat_tap_table *, 0);
    char *v[MS_COL_COUNT] = { NULL };
    stat_tap_table_item_type items[MS_COL_COUNT];
    table_row_t *tr = (table_row_t *)g_hash_table_lookup(table_rows, r->sess);
    row_key_t k;

    row_key(r, &k, tr ? &tr->memo : NULL);
    if (!tr) {
        row_values(r, &k, v, TRUE);
        memset(items, 0, sizeof(items));
        tr = g_new0(table_row_t, 1);
        tr->row = t->num_elements;
        memcpy(&tr->key, &k, sizeof(k));
        for (int c = 0; c < MS_COL_COUNT; c++)
            table_set(&items[c], (ms_col_t)c, v[c]);
        stat_tap_init_table_row(t, tr->row, MS_COL_COUNT, items);
        g_hash_table_insert(table_rows, (gpointer)r->sess, tr);
        return TAP_PACKET_REDRAW;
    }
    if (memcmp(&k, &tr->key, sizeof(k)) == 0) {
        /* the numbers table_set() reads from the texts of these two */
        const ms_summary_t *sum = ms_machine_summary(r->sess->machine);
        stat_tap_get_field_data(t, tr->row, MS_COL_LAST)->value.uint_value = sum->last_frame;
        stat_tap_get_field_data(t, tr->row, MS_COL_DURATION)->value.float_value =
            ms_row_duration_seconds(sum->first_ts, sum->last_ts);
        return TAP_PACKET_REDRAW;
    }
    memcpy(&tr->key, &k, sizeof(k));
    row_values(r, &k, v, FALSE);
    for (int c = 0; c < MS_COL_COUNT; c++) {
        if (session_column(c))
            continue; /* the session's: as made with the row */
        stat_tap_table_item_type *it = stat_tap_get_field_data(t, tr->row, c);
        table_item_free(t, tr->row, c, it);
        table_set(it, (ms_col_t)c, v[c]);
    }
    return TAP_PACKET_REDRAW;
}

/* Rows of earlier runs that an open dialog may still read. Every dialog
 * on the table shares its rows (stat_tap_table_ui.refcount counts the open
 * ones), and each of its tree items keeps a pointer to its row: it reads it
 * again to sort and for Copy and Save as. A run (a dialog opened, or its
 * filter applied) resets the table; with another dialog open, the old rows
 * are kept here, not freed, and that dialog goes on showing, sorting and
 * copying its own values. Freed when at most one dialog is open (whose tree
 * the reset clears) and when the table is made anew (all dialogs closed). */
static GPtrArray *retired_rows;

static void row_strings_free(stat_tap_table_item_type *row, guint num_fields)
{
    for (guint c = 0; c < num_fields; c++)
        table_item_free(NULL, 0, c, &row[c]);
}

static void retired_rows_free(void)
{
    for (guint i = 0; i < retired_rows->len; i++) {
        stat_tap_table_item_type *row = g_ptr_array_index(retired_rows, i);
        row_strings_free(row, MS_COL_COUNT);
        g_free(row);
    }
    g_ptr_array_set_size(retired_rows, 0);
}

static void table_reset(stat_tap_table *t)
{
    gboolean shared = table_ui_refcount() > 1;
    if (!shared)
        retired_rows_free();
    for (guint row = 0; row < t->num_elements; row++) {
        if (shared) {
            g_ptr_array_add(retired_rows, t->elements[row]);
        } else {
            row_strings_free(t->elements[row], t->num_fields);
            g_free(t->elements[row]);
        }
    }
    /* a reset empties the table: rows are added again as sessions come */
    g_free(t->elements);
    t->elements = NULL;
    t->num_elements = 0;
    g_hash_table_remove_all(table_rows);
}

static void table_init(stat_tap_table_ui *ui)
{
    stat_tap_table *t = stat_tap_find_table(ui, TABLE_NAME);
    if (t) {
        table_reset(t);
        return;
    }
    /* made anew: free_stat_tables() freed the last rows (no dialog open) */
    retired_rows_free();
    g_hash_table_remove_all(table_rows);
    stat_tap_add_table(ui, stat_tap_init_table(TABLE_NAME, MS_COL_COUNT, 0, NULL));
}

/* REGISTER_PACKET_STAT_GROUP_UNSORTED: the Statistics menu's list of
 * protocol statistics (sorted by title). Wireshark's Qt menus place no
 * REGISTER_STAT_GROUP_GENERIC item anywhere: with it the dialog is reachable
 * only through -z. */
static stat_tap_table_ui table_ui = {
    REGISTER_PACKET_STAT_GROUP_UNSORTED,
    "Mail Sessions",
    "mailsess",
    "mailsess,sessions",
    table_init,
    table_packet,
    table_reset,
    table_item_free,
    NULL,
    MS_COL_COUNT, table_fields,
    0, NULL,
    NULL,
    0
};

/* Open dialogs on the table (Wireshark's; 0 in tshark). */
static guint table_ui_refcount(void)
{
    return table_ui.refcount;
}

/* ---- -z mailsess,sessions,csv and ,json ------------------------------------ */

typedef enum { OUT_CSV, OUT_JSON } out_format_t;

typedef struct {
    out_format_t format;
    char        *filter;
    GPtrArray   *order; /* sessions in order of appearance */
    GHashTable  *rows;  /* session -> out_row_t */
} out_t;

/* A session's values as of its last tapped frame: the texts as of the last
 * change of their key, the last frame and its time as numbers (made texts
 * when the table is printed). */
typedef struct {
    row_key_t    key;
    guess_memo_t memo;
    char        *v[MS_COL_COUNT];
    ms_frame_t last_frame;
    ms_time_t  first_ts, last_ts;
} out_row_t;

static void out_row_free(gpointer p)
{
    row_free(((out_row_t *)p)->v);
    g_free(p);
}

static tap_packet_status out_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                    const void *data, tap_flags_t flags _U_)
{
    out_t *o = (out_t *)tapdata;
    const ms_tap_rec_t *r = (const ms_tap_rec_t *)data;
    out_row_t *w = (out_row_t *)g_hash_table_lookup(o->rows, r->sess);
    row_key_t k;
    row_key(r, &k, w ? &w->memo : NULL);
    if (!w) {
        w = g_new0(out_row_t, 1);
        g_ptr_array_add(o->order, (gpointer)r->sess);
        g_hash_table_insert(o->rows, (gpointer)r->sess, w);
        memcpy(&w->key, &k, sizeof(k));
        row_values(r, &k, w->v, TRUE);
    } else if (memcmp(&k, &w->key, sizeof(k)) != 0) {
        memcpy(&w->key, &k, sizeof(k));
        row_free_changing(w->v);
        row_values(r, &k, w->v, FALSE);
    }
    const ms_summary_t *sum = ms_machine_summary(r->sess->machine);
    w->last_frame = sum->last_frame;
    w->first_ts = sum->first_ts;
    w->last_ts = sum->last_ts;
    return TAP_PACKET_DONT_REDRAW;
}

static void out_reset(void *tapdata)
{
    out_t *o = (out_t *)tapdata;
    g_ptr_array_set_size(o->order, 0);
    g_hash_table_remove_all(o->rows);
}

static void out_draw(void *tapdata)
{
    out_t *o = (out_t *)tapdata;
    if (o->format == OUT_CSV) {
        for (int c = 0; c < MS_COL_COUNT; c++)
            printf("%s%s", c ? "," : "", ms_row_key((ms_col_t)c));
        printf("\n");
    }
    for (guint i = 0; i < o->order->len; i++) {
        out_row_t *w = (out_row_t *)g_hash_table_lookup(o->rows, g_ptr_array_index(o->order, i));
        char **v = w->v;
        g_free(v[MS_COL_LAST]);
        v[MS_COL_LAST] = g_strdup_printf("%u", w->last_frame);
        g_free(v[MS_COL_DURATION]);
        v[MS_COL_DURATION] = ms_row_duration_text(w->first_ts, w->last_ts);
        if (o->format == OUT_JSON)
            printf("{");
        for (int c = 0; c < MS_COL_COUNT; c++) {
            char *q;
            if (o->format == OUT_CSV) {
                q = ms_row_csv(v[c]);
                printf("%s%s", c ? "," : "", q);
            } else {
                /* a number, null where it does not apply, else a string */
                if (ms_row_numeric((ms_col_t)c))
                    q = g_strdup(v[c][0] ? v[c] : "null");
                else
                    q = ms_row_json_string(v[c]);
                printf("%s\"%s\":%s", c ? "," : "", ms_row_key((ms_col_t)c), q);
            }
            g_free(q);
        }
        printf(o->format == OUT_JSON ? "}\n" : "\n");
    }
}

static void out_finish(void *tapdata)
{
    out_t *o = (out_t *)tapdata;
    g_ptr_array_free(o->order, TRUE);
    g_hash_table_destroy(o->rows);
    g_free(o->filter);
    g_free(o);
}

static void out_init(const char *arg, out_format_t format, const char *cli)
{
    out_t *o = g_new0(out_t, 1);
    size_t n = strlen(cli);
    o->format = format;
    o->filter = arg[n] == ',' ? g_strdup(arg + n + 1) : NULL;
    o->order = g_ptr_array_new();
    o->rows = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, out_row_free);
    GString *err = register_tap_listener("mailsess", o, o->filter, TL_REQUIRES_NOTHING, out_reset,
                                         out_packet, out_draw, out_finish);
    if (err) {
        fprintf(stderr, "tshark: -z %s: %s\n", cli, err->str);
        g_string_free(err, TRUE);
        out_finish(o);
        exit(1);
    }
}

#define CLI_CSV  "mailsess,sessions,csv"
#define CLI_JSON "mailsess,sessions,json"

static ms_stat_init_ret_t csv_init(const char *arg, void *u _U_)
{
    out_init(arg, OUT_CSV, CLI_CSV);
    MS_STAT_INIT_RETURN(true);
}

static ms_stat_init_ret_t json_init(const char *arg, void *u _U_)
{
    out_init(arg, OUT_JSON, CLI_JSON);
    MS_STAT_INIT_RETURN(true);
}

static tap_param filter_param[] = { { PARAM_FILTER, "filter", "Filter", NULL, TRUE } };

static stat_tap_ui csv_ui = { REGISTER_STAT_GROUP_GENERIC, "Mail Sessions (CSV)", CLI_CSV,
                              csv_init, 1, filter_param };
static stat_tap_ui json_ui = { REGISTER_STAT_GROUP_GENERIC, "Mail Sessions (JSON lines)",
                               CLI_JSON, json_init, 1, filter_param };

/* Column widths of tshark's text table: wide enough for the usual values,
 * longer values just widen. */
static int text_width(ms_col_t c)
{
    switch (c) {
    case MS_COL_CLIENT:
    case MS_COL_SERVER:   return 21;
    case MS_COL_USERS:    return 14;
    case MS_COL_METHODS:  return 10;
    case MS_COL_AUTH:     return 7;
    case MS_COL_GUESSING: return 11;
    case MS_COL_TLS:      return 8;
    case MS_COL_BYTES:    return 9;
    case MS_COL_DURATION: return 8;
    case MS_COL_FIRST:
    case MS_COL_LAST:     return 6;
    default:              return (int)strlen(ms_row_title(c));
    }
}

/* tshark prints the column names and formats of a stat table as they are
 * (`name |`, `format |`): there the names are padded to the widths of the
 * values so that the columns line up. Every other reader takes them as
 * labels: Wireshark's dialog (header, column width, and the header row of
 * its Copy and Save as CSV / XML / YAML), sharkd's JSON. Padded, those would
 * read "    Bytes" and "Users          ". Which program this is: the name
 * every Wireshark program gives itself at startup (ws_log_init sets glib's
 * prgname). tests/integration/session-table checks tshark's table is aligned,
 * tests/gui/mail-sessions the dialog's labels. */
static gboolean text_table_program(void)
{
    return g_strcmp0(g_get_prgname(), "tshark") == 0;
}

/* "%<conv>", padded to width w (0: not padded), on the left when right. */
static char *padded_format(int w, gboolean right, const char *conv)
{
    if (w == 0)
        return g_strdup_printf("%%%s", conv);
    return g_strdup_printf(right ? "%%%d%s" : "%%-%d%s", w, conv);
}

void ms_tap_register(void)
{
    gboolean text = text_table_program();
    bytes_as_uint = !text;
    mailsess_tap = register_tap("mailsess");
    table_rows = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    retired_rows = g_ptr_array_new();
    for (int c = 0; c < MS_COL_COUNT; c++) {
        int w = text ? text_width((ms_col_t)c) : 0;
        gboolean right = ms_row_numeric((ms_col_t)c);
        stat_tap_table_item *f = &table_fields[c];
        f->column_name = w ? g_strdup_printf(right ? "%*s" : "%-*s", w, ms_row_title((ms_col_t)c))
                           : g_strdup(ms_row_title((ms_col_t)c));
        f->align = right ? TAP_ALIGN_RIGHT : TAP_ALIGN_LEFT;
        switch (c) {
        case MS_COL_FAILURES:
        case MS_COL_MSGS:
        case MS_COL_FIRST:
        case MS_COL_LAST:
            f->type = TABLE_ITEM_UINT;
            f->field_format = padded_format(w, TRUE, "u");
            break;
        case MS_COL_BYTES:
            f->type = bytes_as_uint ? TABLE_ITEM_UINT : TABLE_ITEM_FLOAT;
            f->field_format = padded_format(w, TRUE, bytes_as_uint ? "u" : ".0f");
            break;
        case MS_COL_DURATION:
            f->type = TABLE_ITEM_FLOAT;
            f->field_format = padded_format(w, TRUE, ".3f");
            break;
        default: /* REFUSED and DELETED are numbers or "" */
            f->type = TABLE_ITEM_STRING;
            f->field_format = padded_format(w, right, "s");
            break;
        }
    }
    register_stat_tap_table_ui(&table_ui);
    register_stat_tap_ui(&csv_ui, NULL);
    register_stat_tap_ui(&json_ui, NULL);
}

/* ---- Tools > Credentials, -z credentials ---------------------------------- */

/*
 * Wireshark's credentials tap record (ui/tap-credentials.h, which Debian's
 * wireshark-dev does not install): the same layout from 3.2 to 4.6. The
 * listener copies what it keeps.
 */
typedef struct {
    guint       num;            /* the frame the dialog jumps to */
    guint       username_num;   /* the frame of the user name */
    guint       password_hf_id; /* the field it selects there */
    gchar      *username;
    const gchar *proto;
    gchar      *info;
} ms_tap_credential_t;

static int credentials_tap = -1;

void ms_tap_handoff(void)
{
    /* registered by the built-in dissectors (FTP, HTTP, POP...) */
    credentials_tap = find_tap_id("credentials");
    if (credentials_tap <= 0)
        credentials_tap = register_tap("credentials");
}

void ms_tap_credentials(packet_info *pinfo, const ms_session_t *sess, wmem_array_t *notes)
{
    if (credentials_tap <= 0 || !have_tap_listener(credentials_tap))
        return;
    guint n = wmem_array_get_count(notes);
    for (guint i = 0; i < n; i++) {
        const ms_stored_note_t *note = (const ms_stored_note_t *)wmem_array_index(notes, i);
        if (note->kind != MS_NOTE_LOGIN)
            continue;
        ms_tap_credential_t *c = wmem_new0(pinfo->pool, ms_tap_credential_t);
        /* the login's reply frame carries mailsess.login.*: the dialog selects its user */
        c->num = pinfo->num;
        c->username_num = note->user_frame ? note->user_frame : pinfo->num;
        c->password_hf_id = (guint)ms_render_login_hf();
        c->username = wmem_strdup(pinfo->pool, note->user ? note->user : "n.a.");
        c->proto = sess->proto == MS_PROTO_POP3 ? "POP3 (mailsess)" : "SMTP (mailsess)";
        c->info = wmem_strdup_printf(pinfo->pool, "%s, %s%s%s", note->method,
                                     ms_auth_result_name(note->ok ? MS_AUTH_RESULT_SUCCESS
                                                                  : MS_AUTH_RESULT_FAILURE),
                                     note->clear ? ", clear text" : "",
                                     note->cred_frame ? wmem_strdup_printf(pinfo->pool,
                                         ", credentials in frame %u", note->cred_frame) : "");
        tap_queue_packet(credentials_tap, pinfo, c);
    }
}

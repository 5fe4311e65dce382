/* ms_note.c - the anomaly table: stable names and meanings.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_note.h"

static const struct {
    const char *name;
    const char *meaning;
} anomalies[MS_AN_COUNT] = {
#define MS_AN_ROW(id, nm, mn) [MS_AN_##id] = { #nm, mn },
    MS_ANOMALIES(MS_AN_ROW)
#undef MS_AN_ROW
};

const char *ms_anomaly_name(ms_anomaly_t an)
{
    return (unsigned)an < MS_AN_COUNT ? anomalies[an].name : "unknown";
}

const char *ms_anomaly_meaning(ms_anomaly_t an)
{
    return (unsigned)an < MS_AN_COUNT ? anomalies[an].meaning : "unknown";
}

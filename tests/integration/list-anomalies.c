/* list-anomalies.c - prints the core's anomaly table (name TAB meaning), for
 * check-anomalies.sh.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "ms_note.h"

int main(void)
{
    for (int i = 0; i < MS_AN_COUNT; i++)
        printf("%s\t%s\n", ms_anomaly_name((ms_anomaly_t)i), ms_anomaly_meaning((ms_anomaly_t)i));
    return 0;
}

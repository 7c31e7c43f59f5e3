/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_TIME_H
#define _ASM_TIME_H

#include <core/types.h>

int x86_calibrate_tsc(u16 pm_timer_port);

#endif

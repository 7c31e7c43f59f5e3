/* SPDX-License-Identifier: GPL-2.0 */
/* Internal glue of the simulator's machine model. */
#ifndef _SIM_DEVICES_H
#define _SIM_DEVICES_H

#include <jailhouse/cell-config.h>

/* Puts the system's emulated devices (IOMMU units) on the bus. */
void sim_devices_attach(const struct jailhouse_system *system);
/* Routes kicks between CPUs into the arch exit handler. */
void sim_cpu_layer_init(void);

#endif

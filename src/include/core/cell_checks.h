/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks of a new cell's config against the running system: who owns the
 * CPUs, memory, ports, IRQ pins and PCI devices it asks for. Each refusal is
 * logged in one line naming the item and recorded in err.
 */
#ifndef _CORE_CELL_CHECKS_H
#define _CORE_CELL_CHECKS_H

#include <core/config_check.h>
#include <core/percpu.h>

bool cell_check_against_system(const struct jailhouse_cell_desc *cfg,
			       const struct per_cpu *caller,
			       struct config_error *err);

/* Index of the system IRQ chip at this MMIO address, or -1. */
int irqchip_index(u64 address);
/* Absolute pin bitmap of a cell's IRQ chip entry (pin_base applied). */
void irqchip_pins(const struct jailhouse_irqchip *chip, u64 pins[2]);
/* The cell that owns a PCI device; NULL if nobody (not even root) does. */
struct cell *pci_device_owner(u16 domain, u16 bdf);
/* True if [start, start+size) is covered by the root config's regions. */
bool root_config_covers(u64 start, u64 size);
/* The PM timer port block readable by every cell; length 0 if none. */
void pm_timer_ports(u32 *base, u32 *length);

/*
 * Logs "Cell "<name>" refused: <reason>: <detail>" and fills err. Without a
 * name (the config is not read yet, or no cell is concerned) the line
 * starts "Request refused".
 */
void config_refuse(const char *cell_name, struct config_error *err,
		   enum jailhouse_config_error code, u32 item, u32 other,
		   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * Refusals in words: the hypervisor's recorded reason (enum
 * jailhouse_config_error with the offending item) and the driver's own
 * (enum jailhouse_driver_error), turned into one sentence that names the
 * CPU, region, image or cell concerned.
 */
#include <stdio.h>
#include <string.h>

#include <jailhouse/config-errors.h>

#include "jailhouse.h"

#define CODE(c) JAILHOUSE_CFG_ERR_##c

#define HV_TEXT(code, err_no, text) [JAILHOUSE_##code] = text,
static const char *const hv_texts[] = { JAILHOUSE_CONFIG_ERRORS(HV_TEXT) };
#undef HV_TEXT

#define DRV_TEXT(code, err_no, text) [JAILHOUSE_##code] = text,
static const char *const drv_texts[] = { JAILHOUSE_DRIVER_ERRORS(DRV_TEXT) };
#undef DRV_TEXT

static const char *hv_text(unsigned int code)
{
	if (code < JAILHOUSE_CFG_NUM_ERRORS)
		return hv_texts[code];
	return "unknown reason";
}

/* What the item of a code counts, or NULL if the item means nothing. */
static const char *item_kind(unsigned int code)
{
	switch (code) {
	case CODE(MEM_ALIGN):
	case CODE(MEM_OVERFLOW):
	case CODE(MEM_EMPTY):
	case CODE(MEM_FLAGS):
	case CODE(MEM_HYPERVISOR):
	case CODE(MEM_CELL):
	case CODE(MEM_NOT_ROOT):
	case CODE(MEM_GUEST_OVERLAP):
	case CODE(MEM_PHYS_OVERLAP):
	case CODE(COMM_REGION):
		return "memory region";
	case CODE(PIO_RANGE):
	case CODE(PIO_CELL):
	case CODE(PIO_NOT_ROOT):
		return "PIO range";
	case CODE(IRQCHIP):
	case CODE(IRQ_PIN_CELL):
	case CODE(IRQ_PIN_NOT_ROOT):
		return "IRQ chip";
	case CODE(PCI_TYPE):
	case CODE(PCI_IOMMU):
	case CODE(PCI_CELL):
	case CODE(PCI_NOT_ROOT):
	case CODE(PCI_DUPLICATE):
		return "PCI device";
	default:
		return NULL;
	}
}

/* Codes the offline check (src/config_check.c) can find by itself. */
bool hv_error_is_static(unsigned int code)
{
	switch (code) {
	case CODE(TRUNCATED):
	case CODE(SIGNATURE):
	case CODE(REVISION):
	case CODE(ARCH):
	case CODE(SIZE):
	case CODE(TOO_LARGE):
	case CODE(NAME):
	case CODE(FLAGS):
	case CODE(CPU_SET_SIZE):
	case CODE(CPU_NONE):
	case CODE(MEM_ALIGN):
	case CODE(MEM_OVERFLOW):
	case CODE(MEM_EMPTY):
	case CODE(MEM_FLAGS):
	case CODE(MEM_GUEST_OVERLAP):
	case CODE(MEM_PHYS_OVERLAP):
	case CODE(COMM_REGION):
	case CODE(RESET_ADDRESS):
	case CODE(PIO_RANGE):
	case CODE(PCI_TYPE):
	case CODE(PCI_DUPLICATE):
		return true;
	default:
		return false;
	}
}

/* Whether a code is about the config passed with the request. */
bool hv_error_about_config(unsigned int code)
{
	switch (code) {
	case CODE(RECONFIG_LOCKED):
	case CODE(NO_MEMORY):
	case CODE(CELL_ID):
	case CODE(ROOT_CELL):
	case CODE(SHUTDOWN_DENIED):
	case CODE(IOMMU):
	case CODE(CELLS_EXIST):
		return false;
	default:
		return true;
	}
}

/* "cell "name"" for a cell id, from sysfs, or "cell ID" if unknown. */
static void cell_words(char *buf, size_t size, unsigned int id,
		       const char *fallback)
{
	char name[JAILHOUSE_CELL_NAME_MAXLEN + 1];

	if (sysfs_cell_name(id, name, sizeof(name)))
		snprintf(buf, size, "cell \"%s\"", name);
	else if (fallback)
		snprintf(buf, size, "cell \"%s\"", fallback);
	else
		snprintf(buf, size, "cell %u", id);
}

void describe_hv_error(char *buf, size_t size, unsigned int code,
		       unsigned int item, const struct request *req)
{
	const char *kind = item_kind(code);
	char cell[64];

	switch (code) {
	case CODE(CPU_NONEXISTENT):
		snprintf(buf, size, "CPU %u does not exist", item);
		return;
	case CODE(CPU_NOT_ROOT):
		snprintf(buf, size, "CPU %u is not owned by the root cell",
			 item);
		return;
	case CODE(CPU_CALLER):
		snprintf(buf, size,
			 "CPU %u is the one issuing the request and cannot "
			 "leave the root cell", item);
		return;
	case CODE(RECONFIG_LOCKED):
		cell_words(cell, sizeof(cell), item, NULL);
		snprintf(buf, size, "reconfiguration is locked by %s", cell);
		return;
	case CODE(SHUTDOWN_DENIED):
		cell_words(cell, sizeof(cell), item, req->cell_name);
		snprintf(buf, size, "%s denied the shutdown request", cell);
		return;
	case CODE(CELL_ID):
		snprintf(buf, size, "no cell with id %u", item);
		return;
	case CODE(ROOT_CELL):
		snprintf(buf, size, "not allowed on the root cell");
		return;
	case CODE(CELLS_EXIST):
		cell_words(cell, sizeof(cell), item, NULL);
		snprintf(buf, size, "non-root cells still exist (%s)", cell);
		return;
	case CODE(DUPLICATE_NAME):
		if (req->cell_name)
			snprintf(buf, size,
				 "a cell named \"%s\" exists already",
				 req->cell_name);
		else
			snprintf(buf, size, "%s", hv_text(code));
		return;
	}
	if (kind)
		snprintf(buf, size, "%s %u: %s", kind, item, hv_text(code));
	else
		snprintf(buf, size, "%s", hv_text(code));
}

void describe_drv_error(char *buf, size_t size, unsigned int code,
			unsigned int item, const struct request *req)
{
	const char *text = code < JAILHOUSE_DRV_NUM_ERRORS ?
				   drv_texts[code] : "unknown driver error";

	switch (code) {
	case JAILHOUSE_DRV_ERR_NOT_ENABLED:
		snprintf(buf, size, "jailhouse is not enabled "
			 "(is the jailhouse module loaded?)");
		return;
	case JAILHOUSE_DRV_ERR_CPU_OFFLINE:
	case JAILHOUSE_DRV_ERR_CPU_ONLINE:
	case JAILHOUSE_DRV_ERR_CPU_ENABLE:
		snprintf(buf, size, "CPU %u: %s", item, text);
		return;
	case JAILHOUSE_DRV_ERR_IMAGE_OUTSIDE:
		if (item < req->num_images)
			snprintf(buf, size, "image %u (%s): %s", item,
				 req->image_names[item], text);
		else
			snprintf(buf, size, "image %u: %s", item, text);
		return;
	case JAILHOUSE_DRV_ERR_NO_CELL:
		if (req->cell_name)
			snprintf(buf, size, "no cell named \"%s\"",
				 req->cell_name);
		else
			snprintf(buf, size, "%s", text);
		return;
	}
	snprintf(buf, size, "%s", text);
}

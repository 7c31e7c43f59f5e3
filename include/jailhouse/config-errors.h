/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why the hypervisor refused a configuration. A refused management hypercall
 * returns the errno given here (negated); JAILHOUSE_INFO_LAST_ERROR and
 * JAILHOUSE_INFO_LAST_ERROR_ITEM then tell the precise reason and the index
 * of the offending item (region, CPU, range, device...), so tools can say
 * what went wrong in words.
 *
 * X(code name, errno, text)
 */
#ifndef _JAILHOUSE_CONFIG_ERRORS_H
#define _JAILHOUSE_CONFIG_ERRORS_H

#define JAILHOUSE_CONFIG_ERRORS(X)                                             \
	X(CFG_OK, 0, "no error")                                               \
	X(CFG_ERR_TRUNCATED, 22, "config is shorter than its header")          \
	X(CFG_ERR_SIGNATURE, 22, "not a cell config (bad signature)")         \
	X(CFG_ERR_REVISION, 22, "config format revision does not match")      \
	X(CFG_ERR_ARCH, 22, "config is for another architecture")             \
	X(CFG_ERR_SIZE, 22, "config size does not match its contents")        \
	X(CFG_ERR_TOO_LARGE, 7, "config too large")                           \
	X(CFG_ERR_NAME, 22, "cell name empty or not terminated")              \
	X(CFG_ERR_FLAGS, 22, "unknown cell flags")                            \
	X(CFG_ERR_CPU_SET_SIZE, 22, "CPU set size not a multiple of 8")       \
	X(CFG_ERR_CPU_NONE, 22, "cell has no CPU")                            \
	X(CFG_ERR_CPU_NONEXISTENT, 19, "CPU does not exist")                  \
	X(CFG_ERR_CPU_NOT_ROOT, 16, "CPU is not owned by the root cell")      \
	X(CFG_ERR_CPU_CALLER, 16, "CPU is the one issuing the request")       \
	X(CFG_ERR_MEM_ALIGN, 22, "memory region not page aligned")            \
	X(CFG_ERR_MEM_OVERFLOW, 22, "memory region wraps around")             \
	X(CFG_ERR_MEM_EMPTY, 22, "memory region has size 0")                  \
	X(CFG_ERR_MEM_FLAGS, 22, "memory region has invalid flags")           \
	X(CFG_ERR_MEM_HYPERVISOR, 16,                                          \
	  "memory region overlaps the hypervisor")                             \
	X(CFG_ERR_MEM_CELL, 16, "memory region overlaps another cell")        \
	X(CFG_ERR_MEM_NOT_ROOT, 16, "memory region is not owned by root")     \
	X(CFG_ERR_MEM_GUEST_OVERLAP, 22,                                       \
	  "memory regions overlap in the cell's address space")                \
	X(CFG_ERR_MEM_PHYS_OVERLAP, 22,                                        \
	  "memory regions of the cell overlap in physical memory")             \
	X(CFG_ERR_COMM_REGION, 22, "comm region missing, duplicated or sized wrong") \
	X(CFG_ERR_RESET_ADDRESS, 22,                                           \
	  "CPU reset address not in an executable region")                    \
	X(CFG_ERR_DUPLICATE_NAME, 17, "a cell with this name exists")         \
	X(CFG_ERR_PIO_RANGE, 22, "PIO range empty or beyond port 0xffff")     \
	X(CFG_ERR_PIO_CELL, 16, "PIO range owned by another cell")            \
	X(CFG_ERR_PIO_NOT_ROOT, 16, "PIO range not owned by root")            \
	X(CFG_ERR_IRQCHIP, 19, "IRQ chip unknown to the system")              \
	X(CFG_ERR_IRQ_PIN_CELL, 16, "IRQ pin owned by another cell")          \
	X(CFG_ERR_IRQ_PIN_NOT_ROOT, 16, "IRQ pin not owned by root")          \
	X(CFG_ERR_PCI_TYPE, 22, "PCI device of unknown type")                 \
	X(CFG_ERR_PCI_IOMMU, 22, "PCI device names a nonexistent IOMMU")      \
	X(CFG_ERR_PCI_CELL, 16, "PCI device owned by another cell")           \
	X(CFG_ERR_PCI_NOT_ROOT, 16, "PCI device not owned by root")           \
	X(CFG_ERR_PCI_DUPLICATE, 22, "PCI device listed twice")               \
	X(CFG_ERR_RECONFIG_LOCKED, 1,                                          \
	  "a cell has locked reconfiguration")                                 \
	X(CFG_ERR_NO_MEMORY, 12, "hypervisor memory pool exhausted")          \
	X(CFG_ERR_CELL_ID, 2, "no cell with this id")                         \
	X(CFG_ERR_ROOT_CELL, 22, "operation not allowed on the root cell")    \
	X(CFG_ERR_SHUTDOWN_DENIED, 1, "the cell denied the shutdown request") \
	X(CFG_ERR_IOMMU, 5, "IOMMU refused the change")                       \
	X(CFG_ERR_CELLS_EXIST, 16, "non-root cells still exist")             \
	X(CFG_ERR_REPLY_TIMEOUT, 22,                                           \
	  "message reply timeout above the maximum")                         \
	X(CFG_ERR_IOMMU_TYPE, 22,                                              \
	  "IOMMU unit of unknown type, mixed types, or wrong for the CPU")     \
	X(CFG_ERR_IOMMU_UNIT, 22,                                              \
	  "IOMMU unit's registers or device range invalid")                    \
	X(CFG_ERR_IOMMU_CLAIMED, 16,                                           \
	  "memory region or PCI device belongs to an IOMMU unit")              \
	X(CFG_ERR_IOMMU_SCOPE, 22,                                             \
	  "PCI device outside the range of its IOMMU unit")

#define JAILHOUSE_CFG_ENUM_ENTRY(code, errno, text) JAILHOUSE_##code,
enum jailhouse_config_error {
	JAILHOUSE_CONFIG_ERRORS(JAILHOUSE_CFG_ENUM_ENTRY)
	JAILHOUSE_CFG_NUM_ERRORS
};
#undef JAILHOUSE_CFG_ENUM_ENTRY

#endif

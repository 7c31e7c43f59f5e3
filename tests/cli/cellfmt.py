# SPDX-License-Identifier: GPL-2.0
"""An independent reader of .cell files, written from
docs/config-format.md, for checking what the tool prints and writes."""
import struct

CELL_DESC = struct.Struct("<6sHI32sIIIIIIIIQQI")  # 96 bytes
MEM = struct.Struct("<QQQQ")
IRQCHIP = struct.Struct("<QII2Q")
PIO = struct.Struct("<HHI")
PCI = struct.Struct("<BBHHH")
IOMMU = struct.Struct("<IIQHBBHHII")  # 32 bytes: type, size, base, AMD-Vi
# signature .. flags, hypervisor memory, console, platform up to the units
SYS_HEAD = struct.Struct("<6sHII")
CONSOLE = struct.Struct("<QII")
PLATFORM = struct.Struct("<HBBIQBB6s")

MEM_FLAGS = ["read", "write", "execute", "dma", "io", "comm-region",
             "loadable", "rootshared"]


def parse_cell(data, off=0):
    (sig, rev, arch, name, cid, flags, cpu_set_size, nmem, nirq, npio, npci,
     _pad, reset, timeout, _res) = CELL_DESC.unpack_from(data, off)
    cell = {"signature": sig, "name": name.split(b"\0")[0].decode(),
            "flags": flags, "reset": reset, "timeout": timeout}
    off += CELL_DESC.size
    bits = int.from_bytes(data[off:off + cpu_set_size], "little")
    cell["cpus"] = [i for i in range(cpu_set_size * 8) if bits >> i & 1]
    cell["cpu_set_size"] = cpu_set_size
    off += cpu_set_size
    cell["mem"] = [MEM.unpack_from(data, off + i * MEM.size)
                   for i in range(nmem)]
    off += nmem * MEM.size
    cell["irqchips"] = []
    for i in range(nirq):
        addr, sid, base, lo, hi = IRQCHIP.unpack_from(data,
                                                      off + i * IRQCHIP.size)
        cell["irqchips"].append((addr, sid, base, lo | hi << 64))
    off += nirq * IRQCHIP.size
    cell["pio"] = [PIO.unpack_from(data, off + i * PIO.size)[::2]
                   for i in range(npio)]
    off += npio * PIO.size
    cell["pci"] = [PCI.unpack_from(data, off + i * PCI.size)[:4]
                   for i in range(npci)]
    off += npci * PCI.size
    cell["end"] = off
    return cell


def parse(data):
    """A dict of the file's fields; 'system' tells the kind."""
    if data[:6] != b"JHSYST":
        cell = parse_cell(data)
        cell["system"] = False
        return cell
    sig, rev, arch, flags = SYS_HEAD.unpack_from(data, 0)
    hv = MEM.unpack_from(data, 16)
    con = CONSOLE.unpack_from(data, 48)
    pm, apic, _p, nunits, mmcfg, sbus, ebus, _p2 = \
        PLATFORM.unpack_from(data, 64)
    units = [IOMMU.unpack_from(data, 88 + i * IOMMU.size)[:8]
             for i in range(nunits)]
    sysc = parse_cell(data, 88 + 8 * IOMMU.size)
    features = [IOMMU.unpack_from(data, 88 + i * IOMMU.size)[8]
                for i in range(nunits)]
    sysc.update(system=True, hv=hv, console=con, pm_timer=pm, apic_mode=apic,
                mmconfig=(mmcfg, sbus, ebus), iommu=units,
                iommu_features=features)
    return sysc


def mem_flag_words(flags):
    words = [w for i, w in enumerate(MEM_FLAGS) if flags >> i & 1]
    return " ".join(words) if words else "none"

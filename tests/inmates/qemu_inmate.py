# SPDX-License-Identifier: GPL-2.0
"""Boot an inmate's firmware image in QEMU (TCG) and watch its serial ports.

The ROM (build/inmates/<name>-rom.bin, see tests/inmates/rom.S) starts the
inmate as the hypervisor would: real mode at 0xf000:0000, a comm region at
0x100000 and a PM timer at port 0x608. The first -serial is COM1 (0x3f8),
the second COM2 (0x2f8).

devices=[...] adds QEMU devices (-device), e.g. "edu,addr=0x10".

With gdb=True QEMU also serves its GDB stub on a UNIX socket; GdbLink uses
it to play the hypervisor's side of the comm region (stop the CPU, read and
write guest memory, continue).
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

QEMU = "qemu-system-x86_64"
INMATE_DIR = os.environ.get(
    "INMATE_DIR",
    os.path.join(os.path.dirname(__file__), "..", "..", "build", "inmates"))

COMM = 0x100000
OFF_CELL_STATE = 8
OFF_MSG_TO_CELL = 12
OFF_REPLY_FROM_CELL = 16


def qemu_available():
    return shutil.which(QEMU) is not None


def rom_path(name):
    return os.path.join(INMATE_DIR, name + "-rom.bin")


class Inmate:
    """One QEMU process running one inmate ROM."""

    def __init__(self, name, cmd_string=None, gdb=False, devices=()):
        self.dir = tempfile.mkdtemp(prefix="inmate-%s-" % name)
        self.com = [os.path.join(self.dir, "com1"),
                    os.path.join(self.dir, "com2")]
        args = [QEMU, "-machine", "q35", "-cpu", "qemu64,+x2apic",
                "-m", "128M", "-nographic", "-monitor", "none",
                "-no-reboot", "-bios", rom_path(name),
                "-serial", "file:" + self.com[0],
                "-serial", "file:" + self.com[1]]
        for device in devices:
            args += ["-device", device]
        if cmd_string is not None:
            path = os.path.join(self.dir, "cmd")
            with open(path, "wb") as f:
                f.write(cmd_string.encode() + b"\0")
            args += ["-device",
                     "loader,file=%s,addr=0x1000,force-raw=on" % path]
        self.gdb_path = None
        if gdb:
            self.gdb_path = os.path.join(self.dir, "gdb.sock")
            args += ["-S", "-chardev",
                     "socket,id=gdb0,path=%s,server=on,wait=off"
                     % self.gdb_path, "-gdb", "chardev:gdb0"]
        self.args = args
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.started = time.monotonic()

    def elapsed(self):
        return time.monotonic() - self.started

    def output(self, port=1):
        """Serial output of COM<port>, carriage returns dropped."""
        try:
            with open(self.com[port - 1], "rb") as f:
                return f.read().decode(errors="replace").replace("\r", "")
        except FileNotFoundError:
            return ""

    def lines(self, port=1):
        return [l for l in self.output(port).split("\n") if l]

    def wait_for(self, text, port=1, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output(port):
                return True
            if self.proc.poll() is not None:
                return text in self.output(port)
            time.sleep(0.02)
        return False

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.stdout.read().decode(errors="replace")

    def close(self):
        log = self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        return log


class GdbLink:
    """Minimal GDB remote serial protocol client for QEMU's stub."""

    def __init__(self, inmate, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(inmate.gdb_path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.running = False

    def _recv_byte(self):
        if not self.buf:
            data = self.sock.recv(4096)
            if not data:
                raise EOFError("GDB stub closed the connection")
            self.buf = data
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def _read_packet(self):
        while self._recv_byte() != b"$":
            pass
        data = b""
        while True:
            b = self._recv_byte()
            if b == b"#":
                break
            data += b
        self._recv_byte()
        self._recv_byte()
        self.sock.sendall(b"+")
        return data.decode()

    def _send(self, payload):
        csum = sum(payload.encode()) & 0xff
        self.sock.sendall(b"$%s#%02x" % (payload.encode(), csum))
        while True:
            b = self._recv_byte()
            if b == b"+":
                return
            if b == b"-":
                self.sock.sendall(b"$%s#%02x" % (payload.encode(), csum))

    def command(self, payload):
        self._send(payload)
        return self._read_packet()

    def cont(self):
        self._send("c")
        self.running = True

    def interrupt(self):
        if self.running:
            self.sock.sendall(b"\x03")
            self._read_packet()
            self.running = False

    def read32(self, addr):
        reply = self.command("m%x,4" % addr)
        if len(reply) != 8:
            raise IOError("read at 0x%x: %r" % (addr, reply))
        return int.from_bytes(bytes.fromhex(reply), "little")

    def write32(self, addr, value):
        data = value.to_bytes(4, "little").hex()
        reply = self.command("M%x,4:%s" % (addr, data))
        if reply != "OK":
            raise IOError("write at 0x%x: %r" % (addr, reply))

    # The hypervisor's half of the comm region protocol.
    def comm_state(self):
        self.interrupt()
        state = self.read32(COMM + OFF_CELL_STATE)
        self.cont()
        return state

    def send_message(self, msg, timeout=2.0):
        """Posts msg, waits for the reply, clears msg; returns the reply
        (None without one) and the seconds it took, in emulated steps of
        about 10 ms."""
        self.interrupt()
        self.write32(COMM + OFF_REPLY_FROM_CELL, 0)
        self.write32(COMM + OFF_MSG_TO_CELL, msg)
        self.cont()
        start = time.monotonic()
        reply = None
        while time.monotonic() - start < timeout:
            time.sleep(0.01)
            self.interrupt()
            value = self.read32(COMM + OFF_REPLY_FROM_CELL)
            if value:
                reply = value
                self.write32(COMM + OFF_MSG_TO_CELL, 0)
                self.cont()
                break
            self.cont()
        if reply is None:
            self.interrupt()
            self.write32(COMM + OFF_MSG_TO_CELL, 0)
            self.cont()
        return reply, time.monotonic() - start

    def close(self):
        self.sock.close()

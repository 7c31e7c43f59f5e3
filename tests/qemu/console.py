"""A serial port of an emulated machine, seen from the host.

The emulator connects to a TCP socket on the loopback interface that this
side listens on (QEMU's `-chardev socket`, Bochs' `mode=socket-client`), so
both directions work the same way on every target. A reader thread collects
everything the guest sends into a buffer and a log file; `wait_for` and `run`
work on that buffer.
"""

import codecs
import re
import socket
import threading
import time

# How much of the console a failure message shows.
TAIL_LINES = 40


class ConsoleError(AssertionError):
    """A console expectation failed (timeout, emulator gone). Carries the
    tail of the console output in its message."""


class Listener:
    """A loopback TCP port the emulator connects to as a client."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]

    def accept(self, timeout, alive=None):
        """Waits for the emulator to connect. `alive` is a callable that
        says whether the emulator still runs; it stops the wait early."""
        deadline = time.monotonic() + timeout
        self.sock.settimeout(0.2)
        try:
            while True:
                try:
                    conn, _ = self.sock.accept()
                    return conn
                except socket.timeout:
                    pass
                if alive is not None and not alive():
                    raise ConsoleError(
                        "emulator exited before connecting its serial port")
                if time.monotonic() > deadline:
                    raise ConsoleError(
                        "emulator did not connect its serial port within "
                        f"{timeout} s")
        finally:
            self.sock.close()


class Console:
    """One serial port. `name` labels failures ("ttyS0")."""

    def __init__(self, conn, name, log_path, alive=None, describe=None,
                 chunk=None, chunk_delay=0.0):
        self.name = name
        self.log_path = log_path
        self._conn = conn
        self._alive = alive or (lambda: True)
        self._describe = describe or (lambda: "")
        # Emulators whose UART input does not wait for room in the receive
        # FIFO get their input in small pieces.
        self._chunk = chunk
        self._chunk_delay = chunk_delay
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._cr = ""  # a "\r" that may start a "\r\n" in the next chunk
        self._text = ""  # all output, "\r\n" and lone "\r" normalized away
        self._pos = 0  # how much of _text wait_for/run have consumed
        self._eof = False
        self._cond = threading.Condition()
        self._log = open(log_path, "wb")
        self._seq = 0
        self._thread = threading.Thread(target=self._reader, daemon=True,
                                        name=f"console-{name}")
        self._thread.start()

    # -- reading ---------------------------------------------------------

    def _reader(self):
        while True:
            try:
                data = self._conn.recv(65536)
            except OSError:
                data = b""
            with self._cond:
                if not data:
                    self._text += self._decoder.decode(b"", final=True)
                    self._eof = True
                    self._cond.notify_all()
                    break
                self._log.write(data)
                self._log.flush()
                text = self._cr + self._decoder.decode(data)
                self._cr = ""
                if text.endswith("\r"):
                    text, self._cr = text[:-1], "\r"
                self._text += text.replace("\r\n", "\n").replace("\r", "")
                self._cond.notify_all()

    @property
    def output(self):
        """Everything the guest has sent on this port so far ("\r"
        removed)."""
        with self._cond:
            return self._text

    def tail(self, lines=TAIL_LINES):
        text = self.output.rstrip("\n").split("\n")
        return "\n".join(text[-lines:])

    def _fail(self, what):
        extra = self._describe()
        raise ConsoleError(
            f"{self.name}: {what}\n"
            f"--- last {TAIL_LINES} lines of {self.name} "
            f"(full log: {self.log_path}) ---\n{self.tail()}\n--- end ---"
            + (f"\n{extra}" if extra else ""))

    def wait_for(self, pattern, timeout):
        """Waits until `pattern` (a regular expression, string or compiled)
        appears in output not consumed yet, consumes up to the end of the
        match and returns the match object. Fails with the console's tail
        on timeout or when the emulator is gone."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = regex.search(self._text, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                if self._eof or not self._alive():
                    self._fail(f"emulator gone while waiting for "
                               f"{regex.pattern!r}")
                left = deadline - time.monotonic()
                if left <= 0:
                    self._fail(f"timeout: no {regex.pattern!r} within "
                               f"{timeout} s")
                self._cond.wait(min(left, 0.5))
                # Output may come a byte at a time; search at most 20 times
                # a second rather than once per byte.
                self._cond.release()
                try:
                    time.sleep(0.05)
                finally:
                    self._cond.acquire()

    def skip(self):
        """Consumes everything received so far."""
        with self._cond:
            self._pos = len(self._text)

    # -- writing ---------------------------------------------------------

    def send(self, text):
        """Sends text as typed input."""
        data = text.encode()
        try:
            if not self._chunk:
                self._conn.sendall(data)
                return
            for i in range(0, len(data), self._chunk):
                self._conn.sendall(data[i:i + self._chunk])
                time.sleep(self._chunk_delay)
        except OSError as err:
            self._fail(f"cannot send {text!r}: {err}")

    def run(self, command, timeout=30):
        """Runs one shell command line on the guest's console shell and
        returns (output, exit_status). Output is what the command printed
        (stdout and stderr, "\r" removed, without trailing newlines);
        kernel messages printed meanwhile are part of it. The command must
        not read the console's stdin. Needs the shell prepared by
        `Machine.boot` (echo off, empty prompt)."""
        self._seq += 1
        tag = f"JHRC{self._seq}"
        with self._cond:
            start = self._pos = len(self._text)
        # The marker's text is assembled by printf, so the command line
        # itself (were it echoed) never matches the pattern.
        self.send(f"{command}\nprintf '%s=%d\\n' {tag} $?\n")
        m = self.wait_for(rf"{tag}=(\d+)\n", timeout)
        with self._cond:
            out = self._text[start:m.start()]
        return out.rstrip("\n"), int(m.group(1))

    def check(self, command, timeout=30):
        """Like run, but fails unless the command exits with 0; returns the
        output."""
        out, rc = self.run(command, timeout)
        if rc != 0:
            self._fail(f"{command!r} exited with {rc}:\n{out}")
        return out

    def close(self):
        try:
            self._conn.close()
        except OSError:
            pass
        self._thread.join(timeout=5)
        with self._cond:
            self._log.close()

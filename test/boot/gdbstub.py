"""A minimal client of QEMU's gdbstub (the GDB remote serial protocol), to
stop the guest at an exact instruction from outside: QEMU started with
`-gdb unix:PATH,server=on,wait=off` pauses the VM when a client connects.
Only what the boot tests need: software breakpoints (QEMU keeps them itself
under TCG; guest memory is not written), continue, wait for the stop, and
detach (which resumes)."""

import os
import socket
import time


class Stub:
    def __init__(self, path, seconds=30):
        deadline = time.time() + seconds
        while not os.path.exists(path) and time.time() < deadline:
            time.sleep(0.05)
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.buf = b""

    def close(self):
        self.s.close()

    def _byte(self, deadline):
        while not self.buf:
            self.s.settimeout(max(0.05, deadline - time.time()))
            chunk = self.s.recv(4096)
            if not chunk:
                raise EOFError("gdbstub closed the connection")
            self.buf += chunk
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def send(self, data):
        """Sends one packet and waits for its acknowledgement."""
        body = data.encode()
        pkt = b"$" + body + b"#" + b"%02x" % (sum(body) & 0xff)
        for _ in range(3):
            self.s.sendall(pkt)
            deadline = time.time() + 10
            while True:
                b = self._byte(deadline)
                if b in (b"+", b"-"):
                    break
            if b == b"+":
                return
        raise IOError("gdbstub did not acknowledge %r" % data)

    def reply(self, seconds=10):
        """The next packet's body (acknowledged); notifications skipped."""
        deadline = time.time() + seconds
        while self._byte(deadline) != b"$":
            pass
        body = b""
        while True:
            b = self._byte(deadline)
            if b == b"#":
                break
            body += b
        self._byte(deadline), self._byte(deadline)  # checksum: TCP/unix is reliable
        self.s.sendall(b"+")
        return body.decode("latin-1")

    def call(self, data, seconds=10):
        self.send(data)
        return self.reply(seconds)

    def break_at(self, addr):
        return self.call("Z0,%x,1" % addr) == "OK"

    def clear(self, addr):
        return self.call("z0,%x,1" % addr) == "OK"

    def run_until_stop(self, seconds):
        """Continues; returns the stop reply (e.g. 'T05thread:p01.01;swbreak:;')
        or None if the guest did not stop in time."""
        self.send("c")
        try:
            return self.reply(seconds)
        except (socket.timeout, EOFError):
            return None

    def register(self, n):
        """Register n of the stopped thread, little-endian hex decoded (for
        x86-64: 16 is rip)."""
        r = self.call("p%x" % n)
        return int.from_bytes(bytes.fromhex(r), "little") if r and r[0] != "E" else None

    def detach(self):
        """Drops every breakpoint and lets the guest run on."""
        try:
            self.call("D", 5)
        except (socket.timeout, EOFError):
            pass
        self.close()


def symbols(elf):
    """{name: (start, end)} of the functions in an ELF, from nm (end = the next
    symbol's start)."""
    import subprocess
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            rows.append((int(parts[0], 16), parts[2]))
    return {name: (a, rows[i + 1][0] if i + 1 < len(rows) else a + 1)
            for i, (a, name) in enumerate(rows)}

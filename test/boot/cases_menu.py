"""Boot tests of the loader's pre-boot menu (efi/menu.c, efi/menu_ui.c): keys
come from outside the guest, through the firmware's own keyboard driver
(the QEMU monitor's `sendkey` presses keys on the emulated PS/2 keyboard) or
its serial terminal (bytes written into the serial port's chardev), and the
kernel's `config` event and what the run does show the settings chosen."""

import os
import socket
import subprocess
import threading
import time

from cases import case, boot, check_run
from cases_mce import monitor, serial_text, wait_for
import qemu

MENU_TITLE = "pre-boot menu"


def menu_shown(serial):
    return MENU_TITLE in serial


def check_menu_screen(b, cpus):
    """The menu's screen as the serial console got it: the machine line
    (RAM from the map, CPUs from the MP services protocol) and the rows."""
    p = []
    if not menu_shown(b.serial):
        return ["no menu on serial"]
    if ("CPUs: %d" % cpus) not in b.serial or "MiB of RAM" not in b.serial:
        p.append("machine line lacks RAM or 'CPUs: %d'" % cpus)
    for row in ("Audit level", "Passes", "CPUs to use", "At the end", "Starting in"):
        if row not in b.serial:
            p.append("menu row %r not on serial" % row)
    return p


def key_sender(d, state, send):
    """on_running hook: once the menu is on serial, `send(d)` presses keys."""
    def watch(proc, log):
        if not wait_for(proc, log, MENU_TITLE, 120):
            state["error"] = "menu never appeared"
            return
        state["before"] = serial_text(log)
        state["sent"] = send(d)
    return watch


@case
def menu_keys_from_the_keyboard_change_the_run(d):
    """menu_timeout=20; keys pressed on the PS/2 keyboard (monitor sendkey):
    Left on the audit row (quick -> off), Down x3 and Left on the last row
    (reboot -> shutdown), 'c' (CPUs: all -> 1), Enter. The config event shows
    them, the run has no audit and one CPU, and QEMU exits through the
    shutdown path (reboot would exit with status 0 under -no-reboot)."""
    cfg = ("on_finish=reboot\naudit=quick\nsmp=all\nstress_ops=0\nbandwidth=off\n"
           "menu_timeout=20\n")
    sock = os.path.join(d, "monitor.sock")
    state = {}

    def send(d):
        cmds = ["sendkey left", "sendkey down", "sendkey down", "sendkey down",
                "sendkey left", "sendkey c", "sendkey ret"]
        return monitor(sock, cmds)

    b = boot(d, cfg=cfg, mem="256M", smp=2, vga=False, monitor=sock,
             on_running=key_sender(d, state, send), timeout=240)
    with open(os.path.join(d, "monitor.log"), "w") as f:
        f.write(state.get("sent", ""))
    if "error" in state:
        return [state["error"]]
    p = check_run(b, "256M") + check_menu_screen(b, 2)
    c, sm = b.first("config") or {}, b.first("summary") or {}
    want = {"audit": "off", "on_finish": "shutdown", "smp": 1, "passes": 1,
            "menu_timeout": 20, "issues": 0}
    got = {k: c.get(k) for k in want}
    if got != want:
        p.append("config event %s, expected %s" % (got, want))
    if b.first("audit_result") or sm.get("cpus") != 1:
        p.append("audit=off / one CPU not applied: audit_result %s, summary %s"
                 % (b.first("audit_result"), sm))
    if "Countdown stopped" not in b.serial:
        p.append("the first key did not stop the countdown")
    if "menu: starting with audit=off smp=1 on_finish=shutdown\r\n" not in b.serial:
        p.append("the loader does not say what was chosen")
    return p


@case
def menu_keys_from_a_usb_keyboard_change_the_run(d):
    """The PS/2 controller switched off (i8042=off): the only keyboard is a
    USB one on an xHCI controller, driven by the firmware's USB stack, and
    sendkey reaches the guest through it: 'p' twice (passes 1 -> 3), Enter.
    The file ends in a NUL and junk: its text ends there, and the menu's
    lines after it still count."""
    cfg = ("on_finish=shutdown\naudit=off\nstress_ops=0\nbandwidth=off\nmenu_timeout=20\n"
           "\0audit=full\n")
    sock = os.path.join(d, "monitor.sock")
    state = {}

    def send(d):
        return monitor(sock, ["sendkey p", "sendkey p", "sendkey ret"])

    b = boot(d, cfg=cfg, machine="q35,i8042=off", mem="128M", vga=False, monitor=sock,
             extra=["-device", "qemu-xhci,id=kbdhc", "-device", "usb-kbd,bus=kbdhc.0"],
             on_running=key_sender(d, state, send), timeout=240)
    if "error" in state:
        return [state["error"]]
    p = check_run(b, "128M") + check_menu_screen(b, 1)
    c = b.first("config") or {}
    if c.get("passes") != 3 or c.get("audit") != "off":
        p.append("config event %s, expected passes 3 from the USB keyboard" % c)
    return p


@case
def menu_without_a_key_runs_the_file_after_the_countdown(d):
    """menu_timeout=4 and no key: the countdown runs down on serial and the
    run is the file's (audit off, shutdown); the boot waited for it."""
    cfg = "on_finish=shutdown\naudit=off\npasses=2\nstress_ops=0\nbandwidth=off\nmenu_timeout=4\n"
    b = boot(d, cfg=cfg, mem="128M", vga=False)
    p = check_run(b, "128M") + check_menu_screen(b, 1)
    c = b.first("config") or {}
    want = {"audit": "off", "on_finish": "shutdown", "passes": 2, "smp": 0, "menu_timeout": 4}
    got = {k: c.get(k) for k in want}
    if got != want:
        p.append("config event %s, expected the file's %s" % (got, want))
    for left in (4, 3, 2, 1):
        if "Starting in %d s" % left not in b.serial:
            p.append("countdown never showed %d s" % left)
    if "Countdown stopped" in b.serial:
        p.append("countdown stopped without a key")
    if "menu: starting as configured" not in b.serial:
        p.append("the loader does not say it starts as configured")
    return p


@case
def menu_timeout_zero_shows_no_menu(d):
    """menu_timeout=0 (and a bad value after it, which changes nothing and is
    reported): no menu at all, the run starts at once."""
    cfg = "on_finish=shutdown\naudit=off\nstress_ops=0\nmenu_timeout=0\nmenu_timeout=x\n"
    b = boot(d, cfg=cfg, mem="128M", vga=False)
    p = check_run(b, "128M")
    if menu_shown(b.serial):
        p.append("menu shown with menu_timeout=0")
    issues = [(e["what"], e["key"]) for e in b.all("config_issue")]
    if issues != [("bad value", "menu_timeout")]:
        p.append("config issues %s, expected the bad menu_timeout only" % issues)
    if (b.first("config") or {}).get("menu_timeout") != 0:
        p.append("config event: %s" % b.first("config"))
    return p


def serial_terminal(d, chunks, state):
    """A serial port that is a socket to us, as a terminal on the line would
    be: QEMU waits for us to connect (wait=on, so nothing is lost), we copy
    every byte it sends into serial.log (QEMU's own logfile= on a socket
    drops and repeats bytes when the socket is busy) and, once the menu is
    on the line, send `chunks` with a pause between them. Returns the QEMU
    arguments and the on_running hook, which stays until QEMU exits so that
    serial.log is complete when boot() reads it."""
    ser, log = os.path.join(d, "serial.sock"), os.path.join(d, "serial.log")
    extra = ["-chardev", "socket,id=ser0,path=%s,server=on,wait=on" % ser,
             "-serial", "chardev:ser0"]

    def watch(proc, _log):
        s = socket.socket(socket.AF_UNIX)
        deadline = time.time() + 30
        while True:
            try:
                s.connect(ser)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    state["error"] = "QEMU's serial socket never opened"
                    return
                time.sleep(0.05)
        out = open(log, "wb")

        def copy():
            while True:
                try:
                    data = s.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                out.write(data)
                out.flush()
        t = threading.Thread(target=copy, daemon=True)
        t.start()
        # the whole menu first: its countdown row is drawn last. A key sent
        # while the firmware still wrote the rows once cut that row short
        # on the line ("Star", then the next row; a fresh-clone run under
        # load, 2026-11-28), and the key stops the countdown, so the row
        # was never drawn again
        if wait_for(proc, log, "Starting in", 120):
            for c in chunks:
                s.sendall(c)
                time.sleep(0.7)
        else:
            state["error"] = "menu (its countdown row) never appeared"
        try:
            proc.wait(timeout=200)
            t.join(10)
        except subprocess.TimeoutExpired:
            pass
        s.close()
        out.close()
    return extra, watch


@case
def menu_keys_from_the_serial_line_change_the_run(d):
    """A headless machine: the serial port is a socket and the keys are bytes
    on it, as a terminal sends them: 'A' (audit back: quick -> off), ESC [ B
    twice (arrow down: to the CPUs row), ESC [ D twice (left: all -> 3 -> 2),
    CR. The firmware's serial terminal turns them into keys on ConIn."""
    cfg = ("on_finish=shutdown\naudit=quick\nsmp=all\nstress_ops=0\nbandwidth=off\n"
           "menu_timeout=20\n")
    state = {}
    extra, watch = serial_terminal(d, [b"A", b"\x1b[B", b"\x1b[B", b"\x1b[D", b"\x1b[D",
                                       b"\r"], state)
    b = boot(d, cfg=cfg, mem="256M", smp=3, vga=False, serial=False, extra=extra,
             on_running=watch, timeout=240)
    if "error" in state:
        return [state["error"]]
    p = check_run(b, "256M") + check_menu_screen(b, 3)
    c, sm = b.first("config") or {}, b.first("summary") or {}
    want = {"audit": "off", "on_finish": "shutdown", "smp": 2, "issues": 0}
    got = {k: c.get(k) for k in want}
    if got != want:
        p.append("config event %s, expected %s" % (got, want))
    if b.first("audit_result") or sm.get("cpus") != 2:
        p.append("audit=off / two CPUs not applied: summary %s" % sm)
    return p


@case
def stick_image_waits_5_seconds_in_its_menu(d):
    """The image as built (config/METASLOT.CFG: a standard audit, halt) shows
    the menu with a 5 s countdown; 'a' twice (standard -> full -> off,
    wrapping), 'f' (halt -> shutdown) and Enter on the keyboard turn it into a
    short run that ends."""
    sock = os.path.join(d, "monitor.sock")
    state = {}
    img = qemu.prepare_image(d, None)

    def send(d):
        return monitor(sock, ["sendkey a", "sendkey a", "sendkey f", "sendkey ret"])

    b = boot(d, image=img, mem="128M", vga=False, monitor=sock,
             on_running=key_sender(d, state, send), timeout=240)
    if "error" in state:
        return [state["error"]]
    p = check_run(b, "128M") + check_menu_screen(b, 1)
    if "Starting in 5 s" not in state.get("before", ""):
        p.append("the stick's menu did not start at 5 s")
    c = b.first("config") or {}
    want = {"audit": "off", "on_finish": "shutdown", "menu_timeout": 5, "issues": 0}
    got = {k: c.get(k) for k in want}
    if got != want:
        p.append("config event %s, expected %s" % (got, want))
    return p

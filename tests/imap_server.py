"""A throwaway Dovecot IMAP server on loopback, for tests of the service desk's mailbox.

Dovecot runs in the foreground (`dovecot -F`) in a process group of its own, with a config,
a passwd file, maildirs, sockets and logs in one temporary folder. Tests put messages into
the mailbox with IMAP APPEND and the code under test reads them with IMAP, so both
directions use the real protocol. Nothing here imports Django.
"""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

INSTALL_HINT = "install dovecot-imapd (sudo apt-get install -y dovecot-imapd)"
START_TIMEOUT = 20.0


class DovecotError(RuntimeError):
    """Dovecot is missing or did not start."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            return sock.recv(64).startswith(b"* OK")
    except OSError:
        return False


def _config(root: Path, port: int, user: str, uid: int, gid: int, *, as_root: bool) -> str:
    # As root, Dovecot's unprivileged helpers use the Debian package's own users; otherwise
    # every process runs as whoever started the test, without chroots.
    if as_root:
        internal_user, login_user, internal_group = "dovecot", "dovenull", "dovecot"
        chroots = ""
    else:
        internal_user = login_user = pwd.getpwuid(os.getuid()).pw_name
        internal_group = grp.getgrgid(os.getgid()).gr_name
        chroots = "\n".join(
            f"service {name} {{\n  chroot =\n}}"
            for name in ("imap-login", "anvil", "auth", "auth-worker", "stats")
        )
    return f"""\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal_user}
default_login_user = {login_user}
default_internal_group = {internal_group}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
last_valid_gid = {gid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
{chroots}
"""


@dataclass
class DovecotServer:
    """One Dovecot with one mailbox user; `start()` then `stop()`, or use `running()`."""

    host: str = "127.0.0.1"
    port: int = 0
    user: str = "desk"
    password: str = ""
    root: Path | None = None
    _process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("dovecot") or (
            "/usr/sbin/dovecot" if os.access("/usr/sbin/dovecot", os.X_OK) else None
        )
        if binary is None:
            raise DovecotError(f"The dovecot binary is missing: {INSTALL_HINT}")
        self.root = Path(tempfile.mkdtemp(prefix="ess-dovecot-"))
        self.port = _free_port()
        self.password = secrets.token_hex(12)
        as_root = os.geteuid() == 0
        if as_root:
            # The mail processes may not run as root; the mailbox belongs to Dovecot's user.
            account = pwd.getpwnam("dovecot")
            uid, gid = account.pw_uid, account.pw_gid
        else:
            uid, gid = os.getuid(), os.getgid()
        self.root.chmod(0o755)  # the unprivileged helpers must reach their sockets inside
        (self.root / "mail").mkdir()
        if as_root:
            os.chown(self.root / "mail", uid, gid)
        passwd = self.root / "passwd"
        passwd.write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        passwd.chmod(0o644)
        conf = self.root / "dovecot.conf"
        conf.write_text(_config(self.root, self.port, self.user, uid, gid, as_root=as_root))
        with (self.root / "stdout.log").open("ab") as output:
            self._process = subprocess.Popen(
                [binary, "-F", "-c", str(conf)],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                log = self.log_tail()
                self.stop()
                raise DovecotError(f"Dovecot did not start on port {self.port}:\n{log}")
            time.sleep(0.05)

    def log_tail(self, lines: int = 40) -> str:
        text = ""
        for name in ("stdout.log", "dovecot.log"):
            with contextlib.suppress(OSError, TypeError):
                text += (self.root / name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            # The master and its children share the session we gave it: stop them all.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        if process is not None:
            # Children that outlive the master (a login process) go with the group too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    # --- the mailbox, through IMAP ---------------------------------------------------------
    def connect(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, message: EmailMessage | bytes, *, folder: str = "INBOX") -> None:
        raw = message if isinstance(message, bytes) else message.as_bytes()
        client = self.connect()
        try:
            status, detail = client.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
            if status != "OK":
                raise DovecotError(f"APPEND failed: {detail!r}")
        finally:
            client.logout()

    def empty(self, *, folder: str = "INBOX") -> None:
        client = self.connect()
        try:
            client.select(folder)
            client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            client.expunge()
        except imaplib.IMAP4.error:
            pass  # an empty folder has no "1:*"
        finally:
            client.logout()

    def flags(self, *, folder: str = "INBOX") -> list[str]:
        """The flags of every message in the folder, in order."""
        client = self.connect()
        try:
            client.select(folder, readonly=True)
            _, data = client.fetch("1:*", "(FLAGS)")
        except imaplib.IMAP4.error:
            return []
        finally:
            client.logout()
        return [item.decode() for item in data if isinstance(item, bytes)]

    def count(self, *, folder: str = "INBOX") -> int:
        client = self.connect()
        try:
            _, data = client.select(folder, readonly=True)
            return int(data[0])
        finally:
            client.logout()


@contextlib.contextmanager
def running_dovecot() -> Iterator[DovecotServer]:
    server = DovecotServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()

"""Throwaway PostgreSQL, Redis, SMTP sink and Celery worker on loopback.

Nothing here imports Django, so run.py can use it before Django loads. Every process is
started on a port picked here and stopped again by its PID; see REAL_SERVICES.md for the
recipes these classes follow.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


class MissingTool(RuntimeError):
    """A binary the integration tests need is not installed."""


class ServiceError(RuntimeError):
    """A service did not start or stop as it should."""


def require(tool: str | Path, package: str) -> str:
    """The full path of `tool`, or MissingTool naming the Debian package that provides it."""
    if os.path.isabs(tool):
        found = str(tool) if os.access(tool, os.X_OK) else None
    else:
        found = shutil.which(str(tool))
    if not found:
        raise MissingTool(
            f"{tool} is not installed. Install the Debian package {package!r}: "
            f"apt-get -o DPkg::Lock::Timeout=300 install -y {package}"
        )
    return found


def free_ports(count: int) -> list[int]:
    """`count` distinct free loopback ports (all held open together, so none repeats)."""
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


def wait_until(
    predicate: Callable[[], object], *, timeout: float, interval: float = 0.05
) -> object:
    """Poll `predicate` until it returns something truthy; return it, or None on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)


# --- processes by PID ----------------------------------------------------------------------
def pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait() is missing


def pid_cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def read_pid(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def stop_pid(pid: int, *, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
    """Send `sig`, wait up to `timeout` for the process to go, then SIGKILL it."""
    for signum, wait in ((sig, timeout), (signal.SIGKILL, 5.0)):
        if not pid_alive(pid):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)
        if wait_until(lambda: not pid_alive(pid), timeout=wait):
            return
    raise ServiceError(f"process {pid} did not exit after SIGKILL")


def tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} not readable)"


# --- PostgreSQL ----------------------------------------------------------------------------
@dataclass
class PostgresServer:
    """A PostgreSQL 15 cluster in `run_dir/pg`, owned by the postgres user when run as root."""

    run_dir: Path
    port: int
    user: str
    password: str
    database: str

    @property
    def base(self) -> Path:
        return self.run_dir / "pg"

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def log(self) -> Path:
        return self.base / "postgres.log"

    @property
    def pid(self) -> int | None:
        return read_pid(self.data / "postmaster.pid")

    def _as_postgres(self, *command: str) -> list[str]:
        if os.geteuid() != 0:
            return list(command)
        runuser = require("runuser", "util-linux")
        return [runuser, "-u", "postgres", "--", *command]

    def _run(self, *command: str, timeout: float = 60) -> None:
        result = subprocess.run(
            self._as_postgres(*command),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            start_new_session=True,
        )
        if result.returncode != 0:
            raise ServiceError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}"
                f"{result.stderr}\n{tail(self.log)}"
            )

    def start(self) -> None:
        initdb = require(PG_BIN / "initdb", "postgresql-15")
        pg_ctl = require(PG_BIN / "pg_ctl", "postgresql-15")
        self.base.mkdir(mode=0o700)
        superuser_password = os.urandom(16).hex()
        pwfile = self.base / "pwfile"
        pwfile.write_text(f"{superuser_password}\n")
        pwfile.chmod(0o600)
        if os.geteuid() == 0:
            try:
                postgres = pwd.getpwnam("postgres")
            except KeyError:
                raise MissingTool(
                    "There is no 'postgres' user. Install the Debian package "
                    "'postgresql-15' (its postgresql-common creates the user)."
                ) from None
            for path in (self.base, pwfile):
                os.chown(path, postgres.pw_uid, postgres.pw_gid)
        self._run(
            initdb,
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={pwfile}",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            pg_ctl,
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "30",
            "-o",
            options,
            "start",
        )
        self._create_role(superuser_password)

    def _create_role(self, superuser_password: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            password=superuser_password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        ) as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD {}").format(
                    sql.Identifier(self.user), sql.Literal(self.password)
                )
            )
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(self.database), sql.Identifier(self.user)
                )
            )

    def stop(self) -> None:
        pid = self.pid
        if pid is None or not pid_alive(pid):
            return
        try:
            self._run(
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "fast",
                "-w",
                "-t",
                "20",
                "stop",
                timeout=30,
            )
        finally:
            # SIGQUIT is PostgreSQL's immediate shutdown; only reached if pg_ctl failed.
            stop_pid(pid, sig=signal.SIGQUIT, timeout=10)

    def url(self, database: str | None = None) -> str:
        name = database or self.database
        return f"postgres://{self.user}:{self.password}@127.0.0.1:{self.port}/{name}"


# --- Redis ---------------------------------------------------------------------------------
@dataclass
class RedisServer:
    """A daemonized redis-server without persistence; `stop()` and `start()` may repeat."""

    run_dir: Path
    port: int

    @property
    def pidfile(self) -> Path:
        return self.run_dir / "redis.pid"

    @property
    def log(self) -> Path:
        return self.run_dir / "redis.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        server = require("redis-server", "redis-server")
        require("redis-cli", "redis-tools")
        if self.ping():
            raise ServiceError(f"something already answers on port {self.port}")
        self.pidfile.unlink(missing_ok=True)
        subprocess.run(
            [
                server,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pidfile),
                "--logfile",
                str(self.log),
                "--dir",
                str(self.run_dir),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
            timeout=10,
            capture_output=True,
        )
        if not wait_until(lambda: self.ping() and read_pid(self.pidfile), timeout=10):
            raise ServiceError(
                f"redis-server did not answer on port {self.port}:\n{tail(self.log)}"
            )

    def stop(self) -> None:
        """Shut down without saving (as an outage would), then make sure the PID is gone."""
        pid = read_pid(self.pidfile)
        cli = require("redis-cli", "redis-tools")
        subprocess.run(
            [cli, "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True,
            timeout=10,
            check=False,
        )
        if pid is not None:
            stop_pid(pid, timeout=10)
        if not wait_until(lambda: not self.ping(), timeout=5):
            raise ServiceError(f"redis on port {self.port} is still answering")


# --- SMTP sink -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])


class SmtpSink:
    """An in-process aiosmtpd server that keeps every message it receives."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._lock = threading.Lock()
        self._messages: list[ReceivedMail] = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self._messages.append(
                ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), message)
            )
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._messages)

    def to(self, address: str) -> list[ReceivedMail]:
        return [mail for mail in self.messages if address in mail.rcpt_tos]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


# --- Celery worker -------------------------------------------------------------------------
_READY = re.compile(r"@\S+ ready\.")


class CeleryWorker:
    """`celery -A ess worker` as a subprocess of its own session, logging to a file."""

    def __init__(self, run_dir: Path, env: dict[str, str]) -> None:
        self.run_dir = run_dir
        self.env = env
        self.log = run_dir / "worker.log"
        self.pidfile = run_dir / "worker.pid"
        self._process: subprocess.Popen | None = None

    @staticmethod
    def command() -> list[str]:
        celery = Path(sys.executable).with_name("celery")
        base = [str(celery)] if celery.exists() else [sys.executable, "-m", "celery"]
        return [
            *base,
            "-A",
            "ess",
            "worker",
            "--pool=solo",
            "-c",
            "1",
            "--without-gossip",
            "--without-mingle",
            "-n",
            "integration@%h",
            "--loglevel=INFO",
        ]

    def start(self, *, timeout: float = 45) -> None:
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pidfile.write_text(f"{self._process.pid}\n")
        process = self._process

        def ready() -> bool:
            return process.poll() is not None or bool(_READY.search(self.log.read_text()))

        wait_until(ready, timeout=timeout, interval=0.1)
        if process.poll() is not None or not _READY.search(self.log.read_text()):
            self.stop()
            raise ServiceError(f"the Celery worker did not become ready:\n{self.log_tail()}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        # SIGTERM is Celery's warm shutdown: it finishes the task in hand first.
        stop_pid(process.pid, timeout=15)
        process.wait(timeout=5)
        self.pidfile.unlink(missing_ok=True)

    def log_tail(self, lines: int = 60) -> str:
        return tail(self.log, lines)


# --- last resort ---------------------------------------------------------------------------
def stop_leftovers(run_dir: Path) -> list[str]:
    """Stop, by PID, whatever the fixtures left running in `run_dir` (e.g. after a crash)."""
    stopped = []
    for pidfile, name, sig in (
        (run_dir / "worker.pid", "celery", signal.SIGTERM),
        (run_dir / "redis.pid", "redis-server", signal.SIGTERM),
        (run_dir / "pg" / "data" / "postmaster.pid", "postgres", signal.SIGQUIT),
    ):
        pid = read_pid(pidfile)
        # Check the command line, so a reused PID never takes down someone else's process.
        if pid is not None and pid_alive(pid) and name in pid_cmdline(pid):
            stop_pid(pid, sig=sig, timeout=15)
            stopped.append(f"{name} (pid {pid})")
    return stopped

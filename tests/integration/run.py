"""Run the integration group in its own pytest process.

    .venv/bin/python -m tests.integration.run [extra pytest arguments]

pytest-django loads the settings before any conftest runs, and settings read DATABASE_URL,
CELERY_BROKER_URL and SMTP_* once. So this launcher picks free loopback ports and exports
those variables first; the session fixtures in conftest.py then start PostgreSQL, Redis,
the SMTP sink and the Celery worker on them, and stop them again. Whatever a crashed run
leaves behind is stopped here by PID, and the temporary folder is removed.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a file: python tests/integration/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.integration.services import ROOT, free_ports, stop_leftovers

GRACE = 60  # seconds pytest gets to tear its fixtures down after an interrupt


def environment(run_dir: Path) -> dict[str, str]:
    pg_port, redis_port, smtp_port = free_ports(3)
    password = secrets.token_hex(16)
    return {
        **os.environ,
        "ESS_INTEGRATION_RUN_DIR": str(run_dir),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://ess:{password}@127.0.0.1:{pg_port}/ess",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_TIMEOUT": "10",
    }


def main(argv: list[str]) -> int:
    run_dir = Path(tempfile.mkdtemp(prefix="ess-integration-"))
    run_dir.chmod(0o755)  # the postgres user must reach its data folder inside
    command = [sys.executable, "-m", "pytest", "tests/integration", "-m", "integration", *argv]
    # A shell's `cmd &` starts us with SIGINT ignored, and pytest would inherit that; a
    # Python-level handler is reset to the default by exec, so pytest can be interrupted.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    process = subprocess.Popen(command, cwd=ROOT, env=environment(run_dir))

    def interrupt(signum, frame):
        # pytest tears its session fixtures down on SIGINT, not on SIGTERM.
        process.send_signal(signal.SIGINT)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        try:
            return process.wait()
        except KeyboardInterrupt:  # from the terminal (pytest got it too) or from SIGTERM
            try:
                return process.wait(timeout=GRACE)
            except subprocess.TimeoutExpired:
                process.kill()
                return process.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            process.kill()
            process.wait()
        for name in stop_leftovers(run_dir):
            sys.stderr.write(f"integration run: stopped leftover {name}\n")
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.exit(128 - code if code < 0 else code)  # killed by a signal: the shell's convention

"""Session fixtures for the integration group: PostgreSQL 15, Redis, an SMTP sink, a worker.

pytest-django calls django.setup() before any conftest is imported, so the settings this
group needs (DATABASE_URL, CELERY_BROKER_URL, SMTP_*) must be in the environment before
pytest starts. run.py exports them, with ports it picked, and sets ESS_INTEGRATION_RUN_DIR.
The fixtures below start the services on those ports and stop them again by PID.

In the plain `pytest` run (SQLite, eager Celery) this folder is not collected; naming it
explicitly without run.py is a usage error rather than a silent skip.
"""

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection, transaction

from tests.integration.services import (
    CeleryWorker,
    MissingTool,
    PostgresServer,
    RedisServer,
    ServiceError,
    SmtpSink,
)

HERE = Path(__file__).resolve().parent
RUN_DIR = os.environ.get("ESS_INTEGRATION_RUN_DIR", "")
COMMAND = ".venv/bin/python -m tests.integration.run"
DELIVERY_TIMEOUT = 20.0

if not RUN_DIR:
    collect_ignore_glob = ["test_*.py"]


def pytest_configure(config: pytest.Config) -> None:
    if RUN_DIR:
        return
    for arg in config.args:
        target = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if target == HERE or HERE in target.parents:
            raise pytest.UsageError(
                "The integration tests need PostgreSQL, Redis and SMTP settings in the "
                f"environment before Django loads. Run them with: {COMMAND}"
            )


def pytest_itemcollected(item: pytest.Item) -> None:
    # run.py selects `-m integration`; a module that forgot its pytestmark still runs.
    item.add_marker(pytest.mark.integration)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        # A missing service must fail the group, never skip it quietly.
        report.outcome = "failed"
        report.longrepr = f"integration tests must not be skipped: {report.longrepr}"
    worker = getattr(item, "funcargs", {}).get("celery_worker")
    if report.failed and isinstance(worker, CeleryWorker):
        report.sections.append(("Celery worker log (last lines)", worker.log_tail()))
    return report


def _started(service, what: str):
    """Start a service, or stop what it started and fail the fixture with the reason."""
    try:
        service.start()
    except MissingTool as exc:
        reason = str(exc)
    except (ServiceError, OSError) as exc:
        reason = f"{what} did not start: {exc}"
        service.stop()
    else:
        return service
    pytest.fail(reason, pytrace=False)


# --- session services ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def run_dir() -> Path:
    return Path(RUN_DIR)


@pytest.fixture(scope="session")
def postgres_server(run_dir: Path) -> Iterator[PostgresServer]:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail(f"DATABASE_URL is not PostgreSQL ({db['ENGINE']}); run {COMMAND}")
    server = PostgresServer(
        run_dir,
        port=int(db["PORT"]),
        user=db["USER"],
        password=db["PASSWORD"],
        database=db["NAME"],
    )
    _started(server, "PostgreSQL")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def django_db_setup(postgres_server: PostgresServer, django_db_setup: None) -> None:
    """pytest-django's test database (`test_<name>`, built by migrations) on our cluster."""


@pytest.fixture(scope="session")
def redis_server(run_dir: Path) -> Iterator[RedisServer]:
    broker = urlsplit(settings.CELERY_BROKER_URL)
    if broker.scheme != "redis" or settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail(f"CELERY_BROKER_URL is not a Redis URL; run {COMMAND}")
    server = _started(RedisServer(run_dir, port=broker.port), "Redis")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    # Django's test environment swaps this process's mailer for locmem; the worker reads
    # SMTP_HOST and SMTP_PORT itself.
    if os.environ.get("SMTP_HOST") != "127.0.0.1" or not os.environ.get("SMTP_PORT"):
        pytest.fail(f"SMTP_HOST and SMTP_PORT are not set; run {COMMAND}")
    sink = _started(SmtpSink(int(os.environ["SMTP_PORT"])), "The SMTP sink")
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture(scope="session")
def celery_worker(
    run_dir: Path,
    django_db_setup: None,
    postgres_server: PostgresServer,
    redis_server: RedisServer,
    smtp_sink: SmtpSink,
) -> Iterator[CeleryWorker]:
    """A real worker on the test database. It stops before pytest-django drops that DB."""
    test_database = connection.settings_dict["NAME"]
    assert test_database.startswith("test_"), test_database
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": postgres_server.url(test_database),
        "CELERY_BROKER_URL": redis_server.url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_sink.port),
        "PYTHONUNBUFFERED": "1",
        # Files the worker writes (payslip PDFs) land where the tests read them.
        "MEDIA_ROOT": str(run_dir / "media"),
    }
    worker = _started(CeleryWorker(run_dir, env), "The Celery worker")
    try:
        yield worker
    finally:
        worker.stop()


# --- per test ------------------------------------------------------------------------------
@pytest.fixture
def broker(redis_server: RedisServer) -> Iterator[RedisServer]:
    """Redis, which a test may stop; it is running again when the test ends."""
    yield redis_server
    if not redis_server.ping():
        redis_server.start()


@pytest.fixture
def mailbox(smtp_sink: SmtpSink, celery_worker: CeleryWorker) -> SmtpSink:
    """The SMTP sink, emptied, with the worker running."""
    smtp_sink.clear()
    return smtp_sink


@pytest.fixture
def wait_for(celery_worker: CeleryWorker) -> Callable[..., object]:
    """wait_for(predicate, what): poll up to 20 s, then fail with the worker's log."""

    def wait(predicate: Callable[[], object], what: str, timeout: float = DELIVERY_TIMEOUT):
        deadline = time.monotonic() + timeout
        while not (result := predicate()):
            if time.monotonic() > deadline:
                pytest.fail(f"Waited {timeout:.0f} s for {what}.", pytrace=False)
            time.sleep(0.05)
        return result

    return wait


@pytest.fixture
def drain_worker(mailbox: SmtpSink, wait_for: Callable[..., object]) -> Callable[[], None]:
    """Queue a sentinel e-mail and wait for it. The solo worker takes tasks in order, so
    whatever was queued before the sentinel has been handled when it arrives."""
    from ess.notifications.services import outbox_enqueue

    def drain() -> None:
        token = uuid.uuid4().hex
        with transaction.atomic():
            outbox_enqueue(
                to="sentinel@example.org",
                subject=f"sentinel {token}",
                body="sentinel",
                dedupe_key=f"sentinel:{token}",
            )
        wait_for(
            lambda: any(m.subject == f"sentinel {token}" for m in mailbox.messages),
            f"the sentinel e-mail {token}",
        )

    return drain

"""Payslip PDFs through a real worker on PostgreSQL and Redis: the worker is killed with
SIGKILL in the middle of a run, and the run still ends with exactly one current payslip per
person, the PDFs finished before the kill untouched, and one notification each."""

import datetime
import os
import signal

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from ess.accounts.roles import Role
from ess.notifications.models import Notification, OutboxMessage
from payroll import services
from payroll.models import Payslip
from tests.conftest import _role_holder
from tests.factories import EmployeeFactory
from tests.payroll.conftest import fill, standard_lines

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PEOPLE = 60


@pytest.fixture(autouse=True)
def _role_groups():
    for role in Role:
        Group.objects.get_or_create(name=str(role))


@pytest.fixture
def shared_media(settings, run_dir):
    settings.MEDIA_ROOT = run_dir / "media"


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    shared_media, celery_worker, wait_for
):
    preparer = _role_holder("pieter@example.org", Role.PAYROLL_OFFICER)
    approver = _role_holder("paula@example.org", Role.PAYROLL_OFFICER)
    people = {EmployeeFactory().user: standard_lines() for _ in range(PEOPLE)}
    run = fill("2026-10", people, actor=preparer)

    with transaction.atomic():
        services.run_approve(run=run, actor=approver)  # publishes after commit
    ready = Payslip.objects.filter(run=run, status=Payslip.Status.READY)
    wait_for(lambda: ready.count() >= 5, "the worker to finish a few PDFs")
    os.kill(celery_worker._process.pid, signal.SIGKILL)
    celery_worker._process.wait(timeout=10)
    celery_worker._process = None
    finished = {
        slip.pk: (slip.pdf_sha256, slip.pdf_generated_at, services.stored_pdf(slip))
        for slip in ready
    }
    assert 5 <= len(finished) < PEOPLE, "the kill should land in the middle of the run"

    # Time passes beyond the dead worker's lease; a new worker starts and the sweep runs
    # (twice, as two beat ticks would).
    Payslip.objects.filter(run=run, status=Payslip.Status.QUEUED).update(
        lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    celery_worker.start()
    services.sweep_unfinished()
    services.sweep_unfinished()
    wait_for(
        lambda: not Payslip.objects.filter(run=run, status=Payslip.Status.QUEUED).exists(),
        "the new worker to finish the run",
        timeout=120,
    )
    payslips = Payslip.objects.filter(run=run)
    assert payslips.count() == PEOPLE
    assert set(payslips.values_list("status", flat=True)) == {Payslip.Status.READY}
    for slip in payslips.filter(pk__in=finished):
        sha, generated_at, data = finished[slip.pk]
        assert (slip.pdf_sha256, slip.pdf_generated_at) == (sha, generated_at)
        assert services.stored_pdf(slip) == data

    with transaction.atomic():
        services.run_release(run=run, actor=approver)  # notify_run goes to the worker
    told = Notification.objects.filter(kind="payslips")
    wait_for(lambda: told.count() == PEOPLE, "every employee to be told")
    services.sweep_unfinished()
    wait_for(lambda: run.__class__.objects.get(pk=run.pk).notified_at, "the run marked told")
    assert told.count() == PEOPLE
    assert told.values("recipient").distinct().count() == PEOPLE
    assert OutboxMessage.objects.filter(dedupe_key__startswith="notification:").count() == PEOPLE


def test_pdf_production_locks_only_its_own_row_on_postgresql(shared_media, wait_for):
    """FOR UPDATE on PostgreSQL must not reach the nullable side of an outer join: a letter
    without a decider (a nullable relation), and a payslip correction, both lock just their row."""
    from decimal import Decimal

    from hr.letters import services as letter_services
    from hr.letters.models import Letter
    from payroll.lines import Line, LineKind
    from tests.letters.factories import make_template, request_letter
    from tests.payroll.conftest import release

    hr = _role_holder("hanna@example.org", Role.HR_OFFICER)
    employee = EmployeeFactory().user  # its letter has no decider: an outer join
    letter = request_letter(employee, make_template(actor=hr))
    assert letter_services.letter_produce(letter_id=letter.pk) is True
    assert Letter.objects.get(pk=letter.pk).status == Letter.Status.ISSUED

    preparer = _role_holder("pieter@example.org", Role.PAYROLL_OFFICER)
    approver = _role_holder("paula@example.org", Role.PAYROLL_OFFICER)
    run = fill("2026-10", {employee: standard_lines()}, actor=preparer)
    with transaction.atomic():
        services.run_approve(run=run, actor=approver)
    services.render_chunk(services.pending_render_ids(run.pk))  # here, or by the worker
    waiting = Payslip.objects.filter(run=run, status=Payslip.Status.QUEUED)
    wait_for(lambda: not waiting.exists(), "the PDF")
    run = release(run, approver)
    payslip = run.payslips.get()
    corrected = services.payslip_reissue(
        payslip=payslip,
        lines=[Line("BASE", "Base salary", LineKind.EARNING, Decimal("4100.00"))],
        reason="Raise",
        actor=approver,
    )
    assert corrected.version == 2

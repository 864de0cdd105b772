"""The run lifecycle: fill, four eyes, PDFs, release, notifications, corrections."""

import datetime
import hashlib
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from ess.notifications.models import Notification, OutboxMessage
from payroll import selectors, services
from payroll.lines import Line, LineKind, lines_from_json
from payroll.models import PayrollRun, Payslip
from tests.payroll.conftest import fill, produce, release, standard_lines

Status = Payslip.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_totals_reconcile_and_year_to_date_adds_up(employee, payroll_officer, second_officer):
    september = fill("2026-09", {employee: standard_lines("3900.00")}, actor=payroll_officer)
    release(produce(september, second_officer), second_officer)
    october = fill("2026-10", {employee: standard_lines("4000.00")}, actor=payroll_officer)
    slip = october.payslips.get()
    lines = {line.code: line for line in lines_from_json(slip.lines)}
    # 4000 + 120 earned; 200 pension + 1000 tax deducted.
    assert (slip.gross, slip.total_deductions, slip.net) == (
        Decimal("4120.00"),
        Decimal("1200.00"),
        Decimal("2920.00"),
    )
    assert slip.gross - slip.total_deductions == slip.net
    assert lines["BASE"].ytd == Decimal("7900.00")  # 3900 in September + 4000
    assert lines["TAX"].ytd == Decimal("1975.00")  # 975 + 1000
    assert october.net_total == Decimal("2920.00")
    assert october.status == PayrollRun.Status.CALCULATED


def test_year_to_date_starts_again_in_january(employee, payroll_officer, second_officer):
    december = fill("2025-12", {employee: standard_lines()}, actor=payroll_officer)
    release(produce(december, second_officer), second_officer)
    january = fill("2026-01", {employee: standard_lines()}, actor=payroll_officer)
    base = lines_from_json(january.payslips.get().lines)[0]
    assert base.ytd == base.amount


def test_filling_again_replaces_a_draft_run(employee, other_employee, payroll_officer):
    fill("2026-10", {employee: standard_lines(), other_employee: standard_lines()})
    run = fill("2026-10", {employee: standard_lines("100.00")}, actor=payroll_officer)
    assert run.payslips.count() == 1
    assert run.employee_count == 1


def test_an_approved_or_released_run_is_never_refilled(payslip, employee, payroll_officer):
    before = (payslip.net, payslip.version, payslip.status)
    with pytest.raises(ValidationError, match="can no longer be replaced"):
        fill("2026-10", {employee: standard_lines("1.00")}, actor=payroll_officer)
    payslip.refresh_from_db()
    assert (payslip.net, payslip.version, payslip.status) == before


def test_whoever_prepared_a_run_cannot_approve_it(employee, payroll_officer, second_officer):
    run = fill("2026-10", {employee: standard_lines()}, actor=payroll_officer)
    with pytest.raises(ValidationError, match="another payroll officer"):
        services.run_approve(run=run, actor=payroll_officer)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    services.run_approve(run=run, actor=second_officer)
    with pytest.raises(ValidationError, match="approved, so it cannot be approved"):
        services.run_approve(run=run, actor=second_officer)


def test_only_payroll_officers_run_payroll(employee, hr_officer, manager):
    run = fill("2026-10", {employee: standard_lines()})
    for person in (employee, hr_officer, manager):
        with pytest.raises(ValidationError, match="Only payroll officers"):
            services.run_approve(run=run, actor=person)


def test_payslips_are_invisible_until_release(employee, payroll_officer, second_officer):
    run = produce(
        fill("2026-10", {employee: standard_lines()}, actor=payroll_officer), second_officer
    )
    slip = run.payslips.get()
    assert slip.status == Status.READY
    assert slip.pdf_sha256
    assert list(selectors.payslips_of(employee)) == []
    assert not Notification.objects.filter(recipient=employee).exists()
    release(run, second_officer)
    assert [p.pk for p in selectors.payslips_of(employee)] == [slip.pk]


def test_release_waits_for_every_pdf(employee, other_employee, payroll_officer, second_officer):
    run = fill(
        "2026-10",
        {employee: standard_lines(), other_employee: standard_lines()},
        actor=payroll_officer,
    )
    run = services.run_approve(run=run, actor=second_officer)  # PDFs not produced yet
    with pytest.raises(ValidationError, match="2 payslips have no PDF yet"):
        services.run_release(run=run, actor=second_officer)
    assert list(selectors.payslips_of(employee)) == []


def test_each_employee_is_told_once(released_run, employee, other_employee):
    keys = list(Notification.objects.filter(kind="payslips").values_list("dedupe_key", flat=True))
    assert len(keys) == 4  # two people, September and October
    assert len(set(keys)) == 4
    outbox = OutboxMessage.objects.filter(to__in=[employee.email, other_employee.email])
    assert outbox.count() == 4
    # The batch job and the sweep running again tell nobody twice.
    assert services.run_notify_batch(released_run.pk) == 0
    services.sweep_unfinished()
    assert Notification.objects.filter(kind="payslips").count() == 4
    released_run.refresh_from_db()
    assert released_run.notified_at is not None


def test_a_scheduled_release_happens_when_its_time_comes(
    employee, payroll_officer, second_officer, django_capture_on_commit_callbacks
):
    run = fill("2026-10", {employee: standard_lines()}, actor=payroll_officer)
    soon = timezone.now() + datetime.timedelta(hours=2)
    services.run_approve(run=run, actor=second_officer, release_at=soon)
    services.generation_dispatch(run.pk)
    assert services.release_due_runs() == []
    assert list(selectors.payslips_of(employee)) == []
    later = soon + datetime.timedelta(seconds=1)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.release_due_runs() == [run.pk]
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.RELEASED
    assert run.released_by is None
    assert Notification.objects.filter(recipient=employee, kind="payslips").count() == 1


def test_a_release_time_in_the_past_is_refused(employee, payroll_officer, second_officer):
    run = fill("2026-10", {employee: standard_lines()}, actor=payroll_officer)
    with pytest.raises(ValidationError, match="future"):
        services.run_approve(
            run=run, actor=second_officer, release_at=timezone.now() - datetime.timedelta(1)
        )


def _stored(payslip: Payslip) -> bytes:
    return services.stored_pdf(payslip)


def test_a_killed_worker_leaves_one_payslip_each_and_identical_pdfs(
    employee, other_employee, manager, payroll_officer, second_officer
):
    people = {person: standard_lines() for person in (employee, other_employee, manager)}
    run = services.run_approve(
        run=fill("2026-10", people, actor=payroll_officer), actor=second_officer
    )
    ids = services.pending_render_ids(run.pk)
    real_render = services.payslip_render
    calls = []

    def dies_on_the_second(payslip_id, **kwargs):
        calls.append(payslip_id)
        if len(calls) == 2:
            # The worker is killed after taking the payslip: its lease stays, no PDF.
            services._claim_for_render(payslip_id)
            raise SystemExit("worker killed")
        return real_render(payslip_id, **kwargs)

    with (
        mock.patch.object(services, "payslip_render", dies_on_the_second),
        pytest.raises(SystemExit),
    ):
        services.render_chunk(ids)
    first = Payslip.objects.get(pk=ids[0])
    assert first.status == Status.READY
    finished_bytes, finished_at = _stored(first), first.pdf_generated_at
    assert Payslip.objects.get(pk=ids[1]).status == Status.QUEUED  # leased by the dead worker
    # Straight away nothing steals the dead worker's lease …
    assert ids[1] not in services.pending_render_ids(run.pk)
    # … once it runs out, the sweep hands the rest to a new worker, and running it twice
    # more changes nothing.
    later = timezone.now() + services.RENDER_LEASE + datetime.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        services.sweep_unfinished()
        services.sweep_unfinished()
        services.generation_dispatch(run.pk)
    payslips = Payslip.objects.filter(run=run)
    assert payslips.count() == 3
    assert set(payslips.values_list("status", flat=True)) == {Status.READY}
    first.refresh_from_db()
    assert first.pdf_generated_at == finished_at
    assert _stored(first) == finished_bytes
    # Rendering a finished payslip again is refused, and a fresh render is byte-identical.
    assert services.payslip_render(first.pk) is False
    from payroll.pdf import render_payslip

    again = render_payslip(services.payslip_document(first, firm=services.company()))
    assert hashlib.sha256(again).hexdigest() == first.pdf_sha256
    release(run, second_officer)
    services.run_notify_batch(run.pk)
    assert Notification.objects.filter(kind="payslips").count() == 3


def test_a_broker_outage_loses_nothing(employee, payroll_officer, second_officer):
    run = fill("2026-10", {employee: standard_lines()}, actor=payroll_officer)
    from payroll import tasks

    with mock.patch.object(tasks.generate_run, "delay", side_effect=ConnectionError("down")):
        services._publish("generate_run", run.pk)  # logged, not raised
        services.run_approve(run=run, actor=second_officer)
    assert Payslip.objects.get(run=run).status == Status.QUEUED
    assert services.sweep_unfinished() == 1  # the broker is back
    assert Payslip.objects.get(run=run).status == Status.READY


def test_a_failed_pdf_is_shown_and_can_be_retried(employee, payroll_officer, second_officer):
    run = fill("2026-10", {employee: standard_lines()}, actor=payroll_officer)
    with mock.patch("payroll.pdf.render_payslip", side_effect=RuntimeError("font gone")):
        produce(run, second_officer)
    slip = Payslip.objects.get(run=run)
    assert slip.status == Status.FAILED
    assert "font gone" in slip.error
    progress = services.generation_progress(run)
    assert (progress.total, progress.done, progress.failed) == (1, 0, 1)
    assert services.run_retry_failed(run=run, actor=second_officer) == 1
    services.generation_dispatch(run.pk)
    assert Payslip.objects.get(run=run).status == Status.READY


def test_a_correction_is_a_new_version_and_keeps_the_old(
    payslip, employee, second_officer, released_run
):
    lines = [*lines_from_json(payslip.lines)]
    lines[0] = Line("BASE", "Base salary", LineKind.EARNING, Decimal("4100.00"))
    new = services.payslip_reissue(
        payslip=payslip, lines=lines, reason="Raise from 1 October", actor=second_officer
    )
    services.render_chunk([new.pk])
    new.refresh_from_db()
    payslip.refresh_from_db()
    assert (new.version, new.status) == (2, Status.RELEASED)
    assert new.net - payslip.net == Decimal("100.00")
    assert payslip.status == Status.SUPERSEDED
    assert payslip.superseded_by_id == new.pk
    assert payslip.released_at is not None  # the employee still sees what they had
    visible = [
        p.version for p in selectors.payslips_of(employee, year=2026) if p.period.month == 10
    ]
    assert visible == [2, 1]
    assert (
        Notification.objects.filter(
            recipient=employee, title__startswith="A corrected payslip"
        ).count()
        == 1
    )
    released_run.refresh_from_db()
    assert released_run.net_total == Decimal("2920.00") + Decimal("3760.00") + Decimal("100.00")
    with pytest.raises(ValidationError, match="approved or released run"):
        services.payslip_reissue(payslip=payslip, lines=lines, reason="again", actor=second_officer)
    with pytest.raises(ValidationError, match="Say why"):
        services.payslip_reissue(payslip=new, lines=lines, reason=" ", actor=second_officer)


def test_verify_command_finds_a_tampered_pdf(payslip, capsys):
    call_command("payroll_verify_pdfs")
    assert "4 PDFs checked, all intact" in capsys.readouterr().out
    with default_storage.open(payslip.pdf_name, "rb") as handle:
        token = handle.read()
    from ess.crypto import decrypt_bytes, encrypt_bytes

    data = decrypt_bytes(token) + b"%% an edit after the fact\n"
    default_storage.delete(payslip.pdf_name)
    default_storage.save(payslip.pdf_name, __import__("io").BytesIO(encrypt_bytes(data)))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="1 of 4"):
        call_command("payroll_verify_pdfs")
    assert f"payslip {payslip.pk}: checksum mismatch" in capsys.readouterr().err


def test_stored_pdfs_are_encrypted_and_rotate(payslip, settings):
    with default_storage.open(payslip.pdf_name, "rb") as handle:
        raw = handle.read()
    assert not raw.startswith(b"%PDF")
    before = _stored(payslip)
    from cryptography.fernet import Fernet

    settings.ESS_FIELD_KEYS = [Fernet.generate_key().decode(), *settings.ESS_FIELD_KEYS]
    assert services.pdf_keys_rotate() == 4
    assert _stored(payslip) == before


def test_a_calculation_that_breaks_stops_showing_progress(employee, payroll_officer):
    run = services.calculation_start(period_code="2026-10", actor=payroll_officer)
    PayrollRun.objects.filter(pk=run.pk).update(calculating_since=timezone.now())
    with mock.patch.object(services, "_calculate_in_chunks", side_effect=KeyError("BASE")):
        assert services.calculation_perform(run_id=run.pk, actor_id=payroll_officer.pk) == 0
    run.refresh_from_db()
    assert run.calculating_since is None
    assert run.problems == ["The calculation stopped: KeyError"]

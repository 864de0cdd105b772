"""Directory lists: the columns, their sort keys and their export values.

The page draws the rows with templates/directory/_people_table.html, not cell by cell: at a
few hundred cells a page django-tables2's per-cell rendering costs more than the queries."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from hr.models import Employee


def full_name(employee: Employee) -> str:
    return employee.user.get_full_name() or employee.user.email


class DirectoryTable(tables.Table):
    name = tables.Column(
        verbose_name=_("Name"),
        accessor="user__last_name",
        order_by=("user__last_name", "user__first_name"),
    )
    job_title = tables.Column(verbose_name=_("Job title"))
    department = tables.Column(verbose_name=_("Department"), accessor="department__name")
    location = tables.Column(verbose_name=_("Location"), accessor="location__name")
    email = tables.Column(verbose_name=_("Work e-mail"), accessor="user__email", orderable=False)
    work_phone = tables.Column(verbose_name=_("Work phone"), orderable=False, default="")
    manager = tables.Column(verbose_name=_("Manager"), orderable=False, default="")

    is_team = False
    caption = _("Colleagues")

    class Meta:
        sequence = ("name", "job_title", "department", "location", "email", "work_phone", "manager")
        order_by = ("name",)

    def value_name(self, record) -> str:
        return full_name(record)

    def value_manager(self, value) -> str:
        return full_name(value)


class TeamTable(DirectoryTable):
    relation = tables.Column(
        verbose_name=_("Reports to you"),
        accessor="is_direct",
        order_by=("-is_direct", "user__last_name", "user__first_name"),
    )

    is_team = True
    caption = _("People in your team")

    class Meta(DirectoryTable.Meta):
        sequence = (
            "name",
            "job_title",
            "relation",
            "department",
            "location",
            "email",
            "work_phone",
            "manager",
        )

    def value_relation(self, value) -> str:
        return str(_("Directly") if value else _("Through another manager"))

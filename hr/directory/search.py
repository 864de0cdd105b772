"""The directory's contribution to portal search: current colleagues, by work data only
(name, job title, department, location) — never anything from the private profile."""

from collections.abc import Collection, Iterator

from django.urls import reverse

from hr.directory.selectors import current_employees


def search_documents(keys: Collection[str] | None = None) -> Iterator[dict]:
    people = current_employees().select_related("user", "department", "location")
    if keys is not None:
        ids = [int(key.split(":")[-1]) for key in keys if key.split(":")[-1].isdigit()]
        people = people.filter(pk__in=ids)
    for employee in people.order_by("pk").iterator(chunk_size=500):
        work = [employee.job_title, employee.department.name, employee.location.name]
        yield {
            "type": "person",
            "key": f"person:{employee.pk}",
            "title": employee.user.get_full_name() or employee.user.email,
            "text": " · ".join(part for part in work if part),
            "language": "en",
            "audience": "everyone",
            "url": reverse("directory:card", args=[employee.pk]),
            "space": "",
            "category": employee.department.name,
            "updated": None,
        }

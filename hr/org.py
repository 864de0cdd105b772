"""The reporting line as a materialised path.

`Employee.org_path` is the ids from the top of the company down to the person, each written
as nine digits with no separator ("000000004000000117"). Digits only, so every database
collation sorts the paths like plain strings, and fixed width, so "everyone under X" is the
range [X's path, X's path + 1): one index range scan on SQLite and PostgreSQL alike.
"""

from django.db import models, transaction
from django.db.models.functions import Concat, Substr

WIDTH = 9


def segment(pk: int) -> str:
    return f"{pk:0{WIDTH}d}"


def path_ids(path: str) -> list[int]:
    return [int(path[i : i + WIDTH]) for i in range(0, len(path), WIDTH)]


def subtree_bounds(path: str) -> tuple[str, str | None]:
    """The half-open range of paths that start with `path`."""
    upper = str(int(path) + 1).zfill(len(path))
    return path, (upper if len(upper) == len(path) else None)


def subtree_filter(path: str, *, field: str = "org_path", include_self: bool = True) -> models.Q:
    lower, upper = subtree_bounds(path)
    condition = models.Q(**{f"{field}__gte": lower})
    if upper is not None:
        condition &= models.Q(**{f"{field}__lt": upper})
    if not include_self:
        condition &= ~models.Q(**{field: path})
    return condition


@transaction.atomic
def org_path_refresh(employee) -> None:
    """Bring the person's path, and everyone's under them, in line with their manager.

    The manager's row is locked while their path is read, so two moves at once cannot
    each build on a path the other is changing. A nightly rebuild repairs anything that
    bypassed `save()` (bulk writes, a manager's row deleted under SET_NULL)."""
    model = type(employee)
    manager_path = ""
    if employee.manager_id:
        manager_path = (
            model.objects.select_for_update()
            .filter(pk=employee.manager_id)
            .values_list("org_path", flat=True)
            .first()
            or ""
        )
    expected = manager_path + segment(employee.pk)
    stored = model.objects.filter(pk=employee.pk).values_list("org_path", flat=True).first()
    if stored == expected:
        employee.org_path = expected
        return
    if stored:
        # Move the whole subtree in one statement: swap the old prefix for the new one.
        model.objects.filter(subtree_filter(stored)).update(
            org_path=Concat(models.Value(expected), Substr("org_path", len(stored) + 1))
        )
    else:
        model.objects.filter(pk=employee.pk).update(org_path=expected)
    employee.org_path = expected


def org_paths_rebuild(model) -> int:
    """Recompute every path (after bulk writes that bypass `save()`); returns rows changed."""
    rows = list(model.objects.values_list("pk", "manager_id", "org_path"))
    manager_of = {pk: manager for pk, manager, _ in rows}
    computed: dict[int, str] = {}

    def path_of(pk: int) -> str:
        chain = []
        seen = set()
        current = pk
        while current is not None and current not in computed:
            if current in seen:  # a loop in bad data: cut it here rather than spin
                break
            seen.add(current)
            chain.append(current)
            current = manager_of.get(current)
        prefix = computed.get(current, "") if current is not None else ""
        for node in reversed(chain):
            prefix += segment(node)
            computed[node] = prefix
        return computed[pk]

    changed = [
        model(pk=pk, org_path=path_of(pk)) for pk, _, stored in rows if path_of(pk) != stored
    ]
    model.objects.bulk_update(changed, ["org_path"], batch_size=1000)
    return len(changed)

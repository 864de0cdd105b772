"""Key rotation for everything `ess.crypto` encrypts."""

from collections.abc import Callable, Iterator

from django.apps import apps
from django.db import transaction

from ess.audit.services import audit_record
from ess.crypto import EncryptedField, registered_rotations


def encrypted_columns() -> list[tuple[type, list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        if names:
            found.append((model, names))
    return found


def field_keys_rotate(
    *, batch_size: int = 500, progress: Callable[[str, int, int], None] | None = None
) -> Iterator[tuple[str, int]]:
    """Load and save every encrypted value: loading accepts any configured key, saving
    always encrypts with the first. Each batch commits on its own so a long run can be
    interrupted and started again."""
    for model, names in encrypted_columns():
        label = model._meta.label
        pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
        done = 0
        for start in range(0, len(pks), batch_size):
            chunk = pks[start : start + batch_size]
            with transaction.atomic():
                rows = list(
                    model._base_manager.select_for_update().filter(pk__in=chunk).only("pk", *names)
                )
                model._base_manager.bulk_update(rows, names, batch_size=batch_size)
            done += len(chunk)
            if progress:
                progress(label, done, len(pks))
        yield label, len(pks)
    for label, rotate in registered_rotations():
        yield label, rotate()
    audit_record(actor=None, action="crypto.keys_rotated", target=None)

"""Deployment checks that Django's own `check --deploy` does not know about."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def field_keys_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.DEVELOPMENT_FIELD_KEY in settings.ESS_FIELD_KEYS:
        return [
            checks.Error(
                "ESS_FIELD_KEYS still holds the development key, which is public.",
                hint="Generate a key with `manage.py generate_field_key` and set ESS_FIELD_KEYS.",
                id="ess.E001",
            )
        ]
    return []

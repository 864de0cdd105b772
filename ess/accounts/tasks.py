from celery import shared_task

from ess.accounts.ldap import ldap_enabled, ldap_sync


@shared_task
def nightly_ldap_sync() -> dict[str, int]:
    if not ldap_enabled():
        return {}
    summary = ldap_sync()
    return {label: len(getattr(summary, label)) for label in ("created", "updated", "deactivated")}

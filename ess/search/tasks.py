from celery import shared_task

from ess.search.services import index_rebuild


@shared_task(name="search.rebuild_index")
def rebuild_index() -> dict[str, int]:
    """Nightly: re-read every source, healing anything a failed refresh left behind, and
    picking up people who joined or left (the directory has no publish step)."""
    return index_rebuild()

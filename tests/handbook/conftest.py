import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Generated PDFs go to a throw-away MEDIA_ROOT, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"

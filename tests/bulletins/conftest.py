import pytest


@pytest.fixture(autouse=True)
def workbooks_in_tmp(settings, tmp_path):
    """Each test's bulletin workbooks in a directory of its own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")

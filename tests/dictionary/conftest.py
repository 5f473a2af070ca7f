import pytest

from dictionary.reference import load_definitions
from metrics.returns.reference import load_metrics


@pytest.fixture
def dictionary(db):
    """The metric catalogue and the dictionary's first version of every definition."""
    load_metrics()
    load_definitions()

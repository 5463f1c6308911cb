from pathlib import Path

import pytest
from django.core.management import call_command

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output"


@pytest.fixture
def seed(db):
    """The reference data: the Beschlussvorlage of 19.09.2011 (loaddata seed)."""
    call_command("loaddata", "seed", verbosity=0)


@pytest.fixture
def output_dir() -> Path:
    """Folder for screenshots and rendered pages (not committed)."""
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR

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


# Role accounts as the demo command creates them: the groups come from the migrations.
ROLE_GROUPS = {
    "personalamt": "Personalamt",
    "kaemmerei": "Kämmerei",
    "sitzungsdienst": "Sitzungsdienst",
    "admin": None,  # superuser
}
TEST_PASSWORD = "Ein-langes-Test-Passwort-42"


@pytest.fixture
def role_users(db, django_user_model, settings) -> dict:
    """One user per role (personalamt, kaemmerei, sitzungsdienst, admin), password TEST_PASSWORD."""
    from django.contrib.auth.models import Group

    # Hashing four passwords with the production hasher costs seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    users = {}
    for username, group_name in ROLE_GROUPS.items():
        user = django_user_model.objects.create_user(
            username,
            password=TEST_PASSWORD,
            is_superuser=group_name is None,
            is_staff=group_name is None,
        )
        if group_name:
            user.groups.add(Group.objects.get(name=group_name))
        users[username] = user
    return users

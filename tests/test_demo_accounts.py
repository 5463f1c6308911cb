from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_it_creates_the_four_demo_accounts_and_prints_their_passwords(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    text = out.getvalue()
    for name in ["personalamt", "kaemmerei", "sitzungsdienst", "admin"]:
        line = next(line for line in text.splitlines() if line.strip().startswith(name))
        password = line.split()[1]
        assert authenticate(username=name, password=password) is not None
    assert User.objects.get(username="kaemmerei").groups.get().name == "Kämmerei"
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="personalamt").is_staff


def test_it_never_creates_demo_accounts_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("create_demo_accounts", stdout=StringIO())
    assert not User.objects.exists()

"""Every form page, empty and with errors, in every role that may open it, without a browser
(issue 23): each ``aria-describedby`` and ``<label for>`` points at an element of the page,
labels end without a colon, no choice offers "---------", and invalid input shows an error
state (``aria-invalid`` at a field, or an alert) instead of saving or failing. A role that sees
the same form as a role before it does not submit it again.

The browser walk (tests/browser/test_accessibility.py) checks the same pages with axe-core;
this test finds a dangling reference in seconds and on both databases.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin

import pytest
from django.db import transaction

from tests import test_permissions_matrix as matrix
from tests.form_pages import (
    FORM_PAGES,
    FormPage,
    form_page_url,
    parse,
    problems,
    roles_of,
    with_form_samples,
)
from tests.test_permissions_matrix import ROUTES, _client_for

# the permission matrix's world (reference data, a user per role, sample objects), built once
world = matrix.world
samples = matrix.samples
role_users = matrix.role_users

#: how a page shows that input was refused: at the field, in an alert, or as a message
ERROR_MARKS = ('aria-invalid="true"', 'role="alert"', 'class="message error"')


def main_content(html: str) -> str:
    """The page's ``<main>`` without its CSRF token: what the role sees of the form."""
    main = html[html.find("<main") : html.find("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)


def submit(client, url: str, page: FormPage, html: str):
    """The page's form sent back with every text field and choice made invalid."""
    form = parse(html).the_form(page)
    assert form is not None, f"{url}: no form to fill in ({page})"
    data = form.data(page.fill)
    action = urljoin(url, form.action) if form.action else url
    if page.method == "get":
        return client.get(f"{action.split('?')[0]}?{urlencode(data, doseq=True)}", follow=True)
    return client.post(action, data, follow=True)


#: URL names of pages that create or edit something: each must be in FORM_PAGES.
EDIT_PAGE = re.compile(r":(\w+_)?(create|update|edit)(_\w+)?$")


def test_it_knows_every_form_page():
    unknown = sorted(set(FORM_PAGES) - set(ROUTES))
    assert not unknown, f"FORM_PAGES names URLs that do not exist: {unknown}"
    edit_pages = {
        name
        for name in ROUTES
        if EDIT_PAGE.search(name)
        and not name.startswith("admin:")
        and 200 in (matrix.expectation(name) or matrix.read(get=())).get
    }
    missing = sorted(edit_pages - set(FORM_PAGES))
    assert not missing, f"Form pages without a check: {missing}; add them to tests/form_pages.py"


@pytest.mark.parametrize("name", sorted(FORM_PAGES))
def test_it_renders_each_form_accessibly_empty_and_with_errors(name, samples, role_users):
    page = FORM_PAGES[name]
    url = form_page_url(name, with_form_samples(samples, role_users["admin"]))
    failures: list[str] = []
    shown_before: set[str] = set()
    for role in roles_of(name):
        client = _client_for(role, role_users)
        with transaction.atomic():
            response = client.get(url)
            assert response.status_code == 200, f"{role} GET {url}: {response.status_code}"
            html = response.content.decode()
            failures += [f"{url} empty: {p} ({role})" for p in problems(html)]
            content = main_content(html)
            if page.no_errors or content in shown_before:  # the same form, the same errors
                transaction.set_rollback(True)
                continue
            shown_before.add(content)
            answer = submit(client, url, page, html)
            transaction.set_rollback(True)
        assert answer.status_code < 500, f"{role} {url}: {answer.status_code}"
        shown = answer.content.decode()
        if not any(mark in shown for mark in ERROR_MARKS):
            failures.append(f"{url}: invalid input ({page.fill}) shows no error ({role})")
        failures += [f"{url} with errors: {p} ({role})" for p in problems(shown)]
    assert not failures, "\n".join(dict.fromkeys(failures))

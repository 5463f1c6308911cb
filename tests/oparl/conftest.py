"""Fixtures of the OParl tests: the schemas of ../shared/oparl-1.1 and a crawling client."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

#: The OParl 1.1 schemas (third-party, CC BY-SA, kept outside the project on purpose): the
#: folder in OPARL_SCHEMA_DIR, else ../shared next to the checkout, else the workplace's copy
#: (a clone elsewhere, e.g. CI's, has no ../shared of its own).
SCHEMA_CANDIDATES = [
    Path(os.environ["OPARL_SCHEMA_DIR"]) if os.environ.get("OPARL_SCHEMA_DIR") else None,
    Path(settings.BASE_DIR).parent / "shared" / "oparl-1.1" / "schema",
    Path("/work/shared/oparl-1.1/schema"),
]
SCHEMA_DIR = next(
    (path for path in SCHEMA_CANDIDATES if path is not None and path.is_dir()),
    Path(settings.BASE_DIR).parent / "shared" / "oparl-1.1" / "schema",
)
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PREFIX = "/oparl/v1.1/"


class Validators:
    """One draft-7 validator per OParl type; relative $refs ("File.json") resolve among them."""

    def __init__(self, folder: Path) -> None:
        from jsonschema import Draft7Validator
        from referencing import Registry, Resource

        assert folder.is_dir(), f"OParl schemas missing at {folder} (set OPARL_SCHEMA_DIR)"
        schemas = {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}
        resources = []
        for name, schema in schemas.items():
            resource = Resource.from_contents(schema)
            resources.append((schema["$id"], resource))
            resources.append((f"https://schema.oparl.org/1.1/{name}.json", resource))
        registry = Registry().with_resources(resources)
        self.validators = {
            name: Draft7Validator(schema, registry=registry) for name, schema in schemas.items()
        }

    def validate(self, obj: dict[str, Any]) -> None:
        kind = obj["type"].rsplit("/", 1)[-1]
        errors = sorted(self.validators[kind].iter_errors(obj), key=str)
        assert not errors, f"{obj['id']}: " + "; ".join(e.message for e in errors)


@pytest.fixture(scope="session")
def validators() -> Validators:
    return Validators(SCHEMA_DIR)


def objects_in(value: Any) -> Iterator[dict[str, Any]]:
    """Every OParl object in a JSON value (the value itself and everything embedded)."""
    if isinstance(value, dict):
        if "type" in value and "id" in value:
            yield value
        for item in value.values():
            yield from objects_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from objects_in(item)


def check_object(obj: dict[str, Any], validators: Validators) -> None:
    """The rules every object follows, embedded or not."""
    validators.validate(obj)
    assert "created" in obj and "modified" in obj, f"{obj['id']}: created/modified missing"
    for key, value in obj.items():
        assert value is not None, f"{obj['id']}: {key} is null"
        assert value != "" and value != [] or key == "legislativeTerm", (
            f"{obj['id']}: {key} is empty"
        )
    for key in ("created", "modified"):
        assert DATE_TIME.match(obj[key]), f"{obj['id']}: {key} {obj[key]}"
    if "date" in obj:
        assert DATE.match(obj["date"]), f"{obj['id']}: date {obj['date']}"


def path_of(url: str) -> str:
    assert url.startswith("http://testserver/"), url
    return url.removeprefix("http://testserver")


# --- a client that reads the interface as a harvester does -------------------------------


@pytest.fixture
def api() -> Client:
    return Client()  # anonymous


def get(api: Client, url: str, status: int = 200) -> Any:
    response = api.get(path_of(url) if url.startswith("http") else url)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def crawl(api: Client, start: str = PREFIX) -> dict[str, dict[str, Any]]:
    """Every object reachable from the system object: list pages followed through `next`,
    referenced objects fetched at their id. Returns the standalone objects by id."""
    seen: dict[str, dict[str, Any]] = {}
    queue = [start]
    visited_pages: set[str] = set()
    while queue:
        url = queue.pop()
        if url in visited_pages or url in seen:
            continue
        data = get(api, url)
        if "data" in data:
            visited_pages.add(url)
            refs = data["data"]
            if "next" in data["links"]:
                queue.append(data["links"]["next"])
        else:
            seen[data["id"]] = data
            assert data["id"] == (url if url.startswith("http") else f"http://testserver{url}")
            refs = [data]
        for obj in objects_in(refs):
            for key, value in obj.items():
                values = value if isinstance(value, list) else [value]
                for item in values:
                    if (
                        isinstance(item, str)
                        and item.startswith("http://testserver" + PREFIX)
                        and key not in ("accessUrl", "downloadUrl")
                    ):
                        queue.append(item)
            if obj["id"] not in seen:
                queue.append(obj["id"])
    return seen


def all_pages(api: Client, url: str) -> list[dict[str, Any]]:
    pages = [get(api, url)]
    while "next" in pages[-1]["links"]:
        pages.append(get(api, pages[-1]["links"]["next"]))
    return pages


def paper_url(decision: Any) -> str:
    return f"http://testserver{PREFIX}paper/{decision.pk}/"

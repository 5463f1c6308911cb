"""Import OParl objects as the City of Bonn's importer does (stadt-bonn-oparl 1.8.5, vendored in
``stadt_bonn_oparl/``; see README.md): the upstream pre-processing of each type, then its
pydantic model. What raises here is what that importer drops."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from tests.oparl.consumers.stadt_bonn_oparl.api.helpers.processors import (
    _process_consultation,
    _process_meeting,
    _process_organization,
    _process_paper,
    _process_person,
)
from tests.oparl.consumers.stadt_bonn_oparl.api.models import (
    AgendaItemResponse,
    Consultation,
    FileResponse,
    LocationResponse,
    MeetingResponse,
    OParlEntity,
    OrganizationResponse,
    PaperResponse,
    PersonResponse,
)


def _paper(data: dict[str, Any]) -> BaseModel:
    _process_paper(data)
    return PaperResponse(**data)


def _consultation(data: dict[str, Any]) -> BaseModel:
    _process_consultation(data)
    return Consultation.model_validate(data)


def _meeting(data: dict[str, Any]) -> BaseModel:
    _process_meeting(data)
    return MeetingResponse.model_validate(data)


def _organization(data: dict[str, Any]) -> BaseModel:
    _process_organization(data)
    return OrganizationResponse(**data)


def _person(data: dict[str, Any]) -> BaseModel:
    _process_person(data)
    return PersonResponse(**data)


IMPORTERS = {
    "Paper": _paper,
    "Consultation": _consultation,
    "Meeting": _meeting,
    "AgendaItem": lambda data: AgendaItemResponse(**data),
    "Organization": _organization,
    "Person": _person,
    "File": lambda data: FileResponse(**data),
    "Location": lambda data: LocationResponse(**data),
}


def import_object(obj: dict[str, Any]) -> BaseModel:
    """`obj` (a fetched OParl object) as the Bonn importer keeps it. A deleted object carries
    only what OParl 2.8 keeps (id, type, created, modified, deleted): Bonn's full models
    require more (a Paper its reference and date), so it is read with their base model
    ``OParlEntity``, which has ``deleted``."""
    data = copy.deepcopy(obj)
    if data.get("deleted"):
        return OParlEntity.model_validate(data)
    kind = data["type"].rsplit("/", 1)[-1]
    return IMPORTERS[kind](data)

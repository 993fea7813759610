"""What a user submits, as pydantic schemas, and one way to turn a bad submission into a refusal.

The CLI reads these from TOML or JSON files; the API will take them as
request bodies. Field rules that need the closed lists live in the domain.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from openlfr.domain.errors import Invalid

M = TypeVar("M", bound=BaseModel)


def parse(schema: type[M], fields: dict[str, Any], what: str) -> M:
    """``fields`` as ``schema``, or one refusal listing every problem with ``what``."""
    try:
        return schema.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or what}: {e['msg']}" for e in exc.errors()
        )
        raise Invalid(f"the {what} is not valid: {problems}") from None


class Application(BaseModel):
    """What a requester submits: the fields of a deployment the authorisation must record."""

    model_config = ConfigDict(extra="forbid")

    name: str
    use_case: str
    legal_basis: str
    necessity: str
    location: str
    location_grounds: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    cameras: list[str]
    criteria: list[str]
    rights_assessment: str
    dpia_ref: str
    eqia_ref: str
    threshold: float | None = None
    near_assembly: bool = False
    assembly_justification: str = ""
    without_notice: bool = False
    without_notice_justification: str = ""
    under_18_reason: str = ""


class SubjectRecord(BaseModel):
    """A subject as the source police record describes them."""

    model_config = ConfigDict(extra="forbid")

    name: str
    date_of_birth: date
    sex: str
    ethnicity: str
    category: str
    reason: str
    case_reference: str
    review_by: date

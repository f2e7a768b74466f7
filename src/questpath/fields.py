"""Request field types that take exactly what the OpenAPI document says, and nothing else.

Pydantic's lax mode reads `false` as the integer 0, `0` as the boolean false and a number as a
Unix time; a generated client would never send those, and accepting them hides client bugs.
JSON has one number type, so `606.0` is a whole number and is taken as one.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, Field

_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _whole_number(value: Any) -> Any:
    if isinstance(value, (bool, str)):
        raise ValueError("should be a whole number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _date_and_time(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or _NUMBER.fullmatch(value):
        raise ValueError("should be a date and time in ISO 8601, with its offset")
    return value


# In JSON bodies; a query parameter is text, which pydantic reads as a number already. Put
# constraints (Field(ge=…)) before `whole_number` in an Annotated, or on the model's field, so
# that the document shows them as minimum and maximum.
whole_number = BeforeValidator(_whole_number)
WholeNumber = Annotated[int, whole_number]
Flag = Annotated[bool, Field(strict=True)]
Moment = Annotated[AwareDatetime, BeforeValidator(_date_and_time)]

"""Value types shared by the tables: ids, UTC timestamps and en-GB dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

from .dates import (  # noqa: F401  (re-exported: the tables' and services' date helpers)
    LONDON,
    MONTH_NAMES,
    MONTHS,
    format_date,
    format_datetime,
    new_id,
    parse_date,
    parse_datetime,
)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC in SQLite and hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


UKDate = Annotated[date | None, BeforeValidator(parse_date)]
UKDateTime = Annotated[datetime | None, BeforeValidator(parse_datetime)]

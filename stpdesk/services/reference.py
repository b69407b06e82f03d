"""Public reference data shipped in resources/: English councils, ICBs, STP footprints.

ONS Open Geography data, Open Government Licence v3.0 (see resources/reference/SOURCES.md).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Council:
    code: str
    name: str
    tier: str  # district, county, unitary, metropolitan, london_borough
    county_code: str | None
    county_name: str | None
    icb_code: str


@dataclass(frozen=True)
class ICB:
    code: str
    name: str
    ics_name: str
    region: str


@dataclass(frozen=True)
class STP:
    code: str
    name: str


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files("stpdesk.resources") / "reference" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def councils() -> tuple[Council, ...]:
    return tuple(
        Council(
            code=row["lad_code"],
            name=row["lad_name"],
            tier=row["tier"],
            county_code=row["county_code"] or None,
            county_name=row["county_name"] or None,
            icb_code=row["icb_code"],
        )
        for row in _rows("local_authorities.csv")
    )


@cache
def icbs() -> dict[str, ICB]:
    return {
        row["icb_code"]: ICB(row["icb_code"], row["icb_name"], row["ics_name"], row["nhs_region"])
        for row in _rows("icb_2023.csv")
    }


@cache
def stps() -> dict[str, STP]:
    return {row["stp_code"]: STP(row["stp_code"], row["stp_name"]) for row in _rows("stp_2016.csv")}


def council(code: str) -> Council:
    for item in councils():
        if item.code == code:
            return item
    raise KeyError(code)


def council_by_name(name: str) -> Council:
    wanted = name.strip().lower()
    for item in councils():
        if item.name.lower() == wanted:
            return item
    raise KeyError(name)

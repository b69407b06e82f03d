"""Demonstration data: a realistic Sevenoaks database, and synthetic bulk data for scale tests.

:func:`build_demo` writes the record of a district council (Sevenoaks, in the Kent and
Medway footprint) engaging with its NHS partners over the two years before ``today``:
the 2016 STP footprint and the Integrated Care System that succeeded it, the bodies and
people involved, meetings with minutes, asks, commitments both ways and letters. It goes
through the services, so every record is validated and audited, all in one transaction.

:func:`add_scale` adds many synthetic meetings quickly (Core bulk inserts), to try the
application at the size a busy council might reach after years of use.

People, e-mail addresses and phone numbers are invented: addresses use the reserved
``.example`` domain and phone numbers Ofcom's drama range (01632 960xxx), so nothing
can reach a real person. Organisations, places and reference codes are real.
"""

from __future__ import annotations

import random
import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection
from sqlmodel import Session, col, select

from ..config import current_user
from ..model import clock
from ..model import tables as t
from ..model.enums import (
    AskStatus,
    Attendance,
    AuditAction,
    BodyKind,
    CommitmentDirection,
    CommitmentStatus,
    FootprintKind,
    LetterStatus,
    MeetingKind,
    Priority,
)
from ..model.types import LONDON, new_id
from ..store import Database
from .entities import BY_NAME, display_name
from .errors import ServiceError
from .records import EntityService, audit, snapshot, validate
from .reference import council_by_name, icbs, stps

__all__ = ["COUNT_KEYS", "DemoRefused", "add_scale", "build_demo"]

COUNT_KEYS = (
    "footprints",
    "bodies",
    "contacts",
    "members",
    "meetings",
    "asks",
    "commitments",
    "letters",
    "themes",
)
_KEY_OF = {service.spec.name: key for key, service in BY_NAME.items()}

DEMO_SEED = 2016
SCALE_BATCH = 5_000
SCALE_CACHE_KIB = 131_072  # page cache for add_scale: 128 MiB

COUNCIL_NAME = "Sevenoaks District Council"
COUNCIL_ADDRESS = "Council Offices\nArgyle Road\nSevenoaks\nKent\nTN13 1HG"
OUR_DOMAIN = "sevenoaks-dc.example"


class DemoRefused(ServiceError):
    """The demo was not built because the database already holds data."""


def _financial_year(day: date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "'": "", "’": ""})


def _email(name: str, domain: str) -> str:
    words = [word for word in name.split() if word not in ("Dr", "Professor", "Cllr")]
    plain = unicodedata.normalize("NFKD", " ".join(words).translate(_FOLD))
    ascii_name = plain.encode("ascii", "ignore").decode()
    return ".".join(ascii_name.lower().split()) + "@" + domain


# --- The people and organisations ---------------------------------------------


@dataclass(frozen=True)
class _BodySpec:
    key: str
    name: str
    kind: BodyKind
    footprints: tuple[str, ...]  # "stp", "ics"
    domain: str
    code: str | None = None
    website: str | None = None
    notes: str | None = None
    archived: bool = False


def _body_specs(
    icb_name: str, county: tuple[str, str], neighbour: tuple[str, str]
) -> list[_BodySpec]:
    county_code, county_name = county
    neighbour_code, neighbour_name = neighbour
    return [
        _BodySpec(
            "icb",
            icb_name,
            BodyKind.icb,
            ("ics",),
            "kmicb.nhs.example",
            code="QKS",
            website="https://www.kentandmedway.icb.nhs.uk",
            notes="Statutory NHS body for Kent and Medway since 1 July 2022, when it replaced "
            "NHS Kent and Medway CCG (formed in April 2020 from the eight Kent and Medway CCGs).",
        ),
        _BodySpec(
            "ccg",
            "NHS West Kent Clinical Commissioning Group",
            BodyKind.ccg,
            ("stp",),
            "westkentccg.nhs.example",
            code="99J",
            notes="Merged into NHS Kent and Medway CCG on 1 April 2020, which the Integrated "
            "Care Board replaced on 1 July 2022. Kept for the history of our engagement with "
            "the STP.",
            archived=True,
        ),
        _BodySpec(
            "kcc",
            f"{county_name} County Council",
            BodyKind.county_council,
            ("stp", "ics"),
            "kent-cc.example",
            code=county_code,
            website="https://www.kent.gov.uk",
            notes="Upper-tier council: adult social care, public health, the Better Care Fund.",
        ),
        _BodySpec(
            "hwb",
            f"{county_name} Health and Wellbeing Board",
            BodyKind.health_and_wellbeing_board,
            ("stp", "ics"),
            "kent-cc.example",
            notes="A committee of the County Council. One place for a district representative "
            "from each Health and Care Partnership area.",
        ),
        _BodySpec(
            "mtw",
            "Maidstone and Tunbridge Wells NHS Trust",
            BodyKind.nhs_trust,
            ("stp", "ics"),
            "mtw.nhs.example",
            code="RWF",
            website="https://www.mtw.nhs.uk",
            notes="Acute trust for West Kent: Maidstone Hospital and Tunbridge Wells Hospital, Pembury.",
        ),
        _BodySpec(
            "kchft",
            "Kent Community Health NHS Foundation Trust",
            BodyKind.foundation_trust,
            ("stp", "ics"),
            "kchft.nhs.example",
            code="RYY",
            notes="Community nursing and therapy, including the occupational therapists who "
            "assess for Disabled Facilities Grants.",
        ),
        _BodySpec(
            "kmpt",
            "Kent and Medway NHS and Social Care Partnership Trust",
            BodyKind.nhs_trust,
            ("stp", "ics"),
            "kmpt.nhs.example",
            code="RXY",
            website="https://www.kmpt.nhs.uk",
            notes="Mental health trust for Kent and Medway.",
        ),
        _BodySpec(
            "pcn",
            "Sevenoaks Primary Care Network",
            BodyKind.primary_care_network,
            ("ics",),
            "sevenoaks-pcn.nhs.example",
            notes="GP practices in Sevenoaks town and the surrounding villages; hosts the "
            "social prescribing link workers.",
        ),
        _BodySpec(
            "collab",
            "Kent and Medway Mental Health, Learning Disability and Autism Provider Collaborative",
            BodyKind.provider_collaborative,
            ("ics",),
            "kmpc.nhs.example",
        ),
        _BodySpec(
            "hcp",
            "West Kent Health and Care Partnership",
            BodyKind.other,
            ("ics",),
            "westkenthcp.nhs.example",
            notes="Place-based partnership for West Kent: the acute and community trusts, primary "
            "care, the voluntary sector and the four West Kent districts.",
        ),
        _BodySpec(
            "involve",
            "Involve Kent",
            BodyKind.voluntary_sector,
            ("ics",),
            "involvekent.example",
            website="https://www.involvekent.org.uk",
            notes="Voluntary sector infrastructure body and social prescribing provider.",
        ),
        _BodySpec(
            "dhsc",
            "Department of Health and Social Care",
            BodyKind.government_department,
            (),
            "dhsc.gov.example",
            website="https://www.gov.uk/government/organisations/department-of-health-and-social-care",
        ),
        _BodySpec(
            "tmbc",
            f"{neighbour_name} Borough Council",
            BodyKind.district_council,
            ("stp", "ics"),
            "tmbc.example",
            code=neighbour_code,
            website="https://www.tmbc.gov.uk",
            notes="Neighbouring West Kent district; we co-ordinate district asks with them.",
        ),
    ]


# key, name, role, body key
_CONTACTS: tuple[tuple[str, str, str, str], ...] = (
    ("icb_chair", "Professor Hugh Whitlock", "Chair of the Integrated Care Board", "icb"),
    ("icb_ceo", "Priya Raman", "Chief Executive", "icb"),
    ("icb_strategy", "Siân Llewellyn", "Director of Strategy and Partnerships", "icb"),
    ("icb_place", "Gareth Pennington", "Director of Place, West Kent", "icb"),
    ("kcc_dph", "Zofia Łukasiewicz", "Director of Public Health", "kcc"),
    ("kcc_asc", "Andrew Hollis", "Corporate Director, Adult Social Care and Health", "kcc"),
    ("hwb_clerk", "Bernadette O'Connor", "Democratic Services Officer", "hwb"),
    ("mtw_coo", "Chloë Brontë", "Chief Operating Officer", "mtw"),
    ("mtw_flow", "Tomasz Nowak", "Head of Patient Flow and Discharge", "mtw"),
    ("kchft_dir", "Efua Mensah", "Director of Community Services, West Kent", "kchft"),
    ("kchft_ot", "Rhodri Bowen", "Occupational Therapy Lead", "kchft"),
    ("kmpt_cd", "Dr Anjali Deshpande", "Clinical Director, West Kent", "kmpt"),
    ("pcn_cd", "Dr Marcus Feld", "Clinical Director", "pcn"),
    ("pcn_slw", "Leanne Tuck", "Social Prescribing Link Worker", "pcn"),
    ("collab_pd", "Ingrid Sørensen", "Programme Director", "collab"),
    ("hcp_pm", "Niamh Gallagher", "Programme Manager", "hcp"),
    ("involve_ceo", "Josephine Adebayo", "Chief Executive", "involve"),
    ("dhsc_dd", "Hamish MacLeod", "Deputy Director, Integration and Local Government", "dhsc"),
    ("tmbc_housing", "René Dubois", "Head of Housing", "tmbc"),
    ("ccg_ao", "Graham Stokes", "Accountable Officer (until March 2020)", "ccg"),
)

# key, name, position
_MEMBERS: tuple[tuple[str, str, str], ...] = (
    ("leader", "Peter Fleetwood", "Leader of the Council"),
    ("deputy", "Helen Marchant", "Deputy Leader and Cabinet Member for Housing and Health"),
    ("environment", "Kwame Asante", "Cabinet Member for Environment and Community Safety"),
    ("communities", "Aoife Ní Bhriain", "Cabinet Member for People and Communities"),
)

EXTRA_THEMES = (
    "Supported accommodation",
    "Workforce",
    "Integration and governance",
    "Cost of living",
)


# --- What meetings talk about ---------------------------------------------------


@dataclass(frozen=True)
class _Topic:
    agenda: str
    themes: tuple[str, ...]
    paragraphs: tuple[str, ...]
    outcomes: tuple[str, ...]


_TOPICS: dict[str, _Topic] = {
    "seat": _Topic(
        "District councils' place in the Integrated Care Partnership",
        ("Integration and governance", "Housing"),
        (
            "{lead} reminded the meeting that housing is the missing third of the triangle with "
            "hospital and social care, and that a fully integrated out-of-hospital care system "
            "needs the housing team at the planning table. The twelve Kent districts share one "
            "rotating place, so Sevenoaks is heard directly at most one year in four.",
            "{officer} accepted that district representation had not kept pace with the move "
            "from the STP footprint to the Integrated Care System, and said the terms of "
            "reference would be reviewed this year. The ICB would welcome one proposal from the "
            "districts through the Kent Council Leaders rather than twelve separate requests.",
            "Members asked again for co-chairing between an NHS leader and a council leader, "
            "one of the eight solutions South East councils put to the Health Secretary. "
            "Equal partnership should show in who sets the agenda and signs off the plan, not "
            "only in who is invited to attend.",
            "Discussion turned to the engagement gap the King's Fund described: plans written "
            "largely by NHS leaders, in technical language, with councils consulted afterwards "
            "on settled proposals. {lead} asked that district officers be involved while options "
            "are still open, and that papers carry a plain-English summary.",
        ),
        (
            "The ICB will bring revised terms of reference, with a proposal for district "
            "representation, to the next Partnership meeting.",
            "Agreed that the Kent districts will put one joint proposal for district seats "
            "through the Kent Council Leaders.",
            "No change to membership yet; the chair will take the request for co-chairing to the "
            "ICB board.",
        ),
    ),
    "dfg": _Topic(
        "Disabled Facilities Grants: allocation, spend and waiting times",
        ("Disabled Facilities Grants", "Housing", "Prevention"),
        (
            "Officers reported {n1} Disabled Facilities Grant completions so far in {fy}, with an "
            "average of {weeks} weeks from referral to finished adaptation. The main delay is "
            "still the wait for an occupational therapy assessment, not the building work.",
            "{lead} set out the case that every stairlift, level-access shower and ramp funded "
            "by a Disabled Facilities Grant prevents falls and admissions, and lets people return "
            "home safely after a stay in hospital. The grant is health money spent by housing "
            "teams and should be planned as part of the system's prevention offer.",
            "The Better Care Fund pass-through was discussed. The county keeps a share of the "
            "Disabled Facilities Grant allocation for its own adaptations service; the districts "
            "asked for the full allocation to be passed through, with any county share agreed "
            "openly each year.",
            "{officer} suggested a trusted-assessor route, so that minor adaptations under "
            "£{small} can be approved by trained housing staff without a full occupational "
            "therapy assessment. Members welcomed the idea and asked for it to be modelled.",
        ),
        (
            "Agreed to model a trusted-assessor route for minor adaptations and report back.",
            "The county will confirm the Disabled Facilities Grant pass-through for the coming "
            "year in writing.",
            "Noted the waiting times; a joint improvement plan for adaptations will come to the "
            "next meeting.",
        ),
    ),
    "discharge": _Topic(
        "Hospital discharge: housing in the discharge team",
        ("Hospital discharge", "Housing"),
        (
            "{officer} reported {n1} delayed discharges last quarter where the main cause was "
            "housing: homes that were unsafe, inaccessible or lost while the patient was in "
            "hospital. Those patients stayed an average of {n2} days longer than they needed to.",
            "Members proposed a district housing officer in the discharge hub, as in the "
            "Leicester, Leicestershire and Rutland case study, so that homelessness and housing "
            "problems are picked up on the ward rather than on the day of discharge.",
            "The housing officer in the discharge team has now handled {n1} cases. Ward staff say "
            "the biggest change is earlier conversations: housing problems are raised within two "
            "days of admission rather than when a patient is medically fit to leave.",
            "There was concern that winter pressures would again push people out of hospital "
            "into unsuitable homes. {lead} asked that step-down flats and supported housing be "
            "counted as part of the system's discharge capacity.",
        ),
        (
            "The trust will host a district housing officer in the discharge hub and report on "
            "delays with a housing cause each month.",
            "Agreed to review the housing-in-discharge pilot after six months.",
            "Step-down flats to be included in the winter discharge plan.",
        ),
    ),
    "dementia": _Topic(
        "Dementia-friendly communities",
        ("Dementia", "Prevention"),
        (
            "Sevenoaks, Edenbridge and Swanley are working towards recognition as "
            "dementia-friendly communities. {n1} local businesses and {n2} community groups have "
            "signed up, and all of the council's customer service staff are Dementia Friends.",
            "{officer} described the community side: memory cafés, singing groups and gardening "
            "clubs that keep people with dementia connected and delay the point at which they "
            "need social care. Most run on small grants and volunteer time, and several are at "
            "risk.",
            "Members asked that GP surgeries and community health teams signpost to local "
            "dementia-friendly groups as a matter of routine; at present referrals depend on "
            "individual staff knowing what exists.",
            "Age-friendly and dementia-friendly work is prevention in its plainest form: the more "
            "local communities are geared up to care for vulnerable people, the less likely "
            "those people are to be admitted to hospital or to need social care.",
        ),
        (
            "Agreed to co-produce a directory of dementia-friendly groups for surgeries and "
            "community teams.",
            "Partners will look at co-funding a dementia-friendly communities coordinator.",
        ),
    ),
    "debt": _Topic(
        "Debt advice and the cost of living",
        ("Debt advice", "Mental health", "Cost of living"),
        (
            "Debt and poor mental health are closely linked. The council's debt advice team "
            "helped {n1} households last year, and a third of them said money worries had "
            "affected their health.",
            "{officer} agreed to trial debt advice sessions in GP surgeries, starting with two "
            "practices in the Sevenoaks Primary Care Network. Patients who raise money worries "
            "with a GP or social prescriber would be booked straight into a session.",
            "Early results from the surgery sessions: {n2} patients seen, £{amount} of unclaimed "
            "benefits identified, and several rent arrears cases settled before eviction "
            "proceedings began.",
            "As in the Lincolnshire cost-of-living response, the aim is to guide people through "
            "the support that exists rather than add another service. Members asked for one "
            "referral route from social prescribers to the council's advisers.",
        ),
        (
            "Debt advice sessions in surgeries to continue and extend to a third practice.",
            "Agreed a single referral route from social prescribing to debt advice, to start "
            "next quarter.",
        ),
    ),
    "envhealth": _Topic(
        "Environmental health: damp, mould and noise",
        ("Environmental health", "Housing", "Mental health"),
        (
            "Environmental health officers inspected {n1} private rented homes for damp and mould "
            "last year and served improvement notices on {n2}. Data on children admitted with "
            "respiratory illness would let the team target the worst streets first.",
            "Noise nuisance is a frequent cause of stress and anxiety. {officer} agreed that "
            "mental health teams should know how to refer residents to the council's "
            "environmental health service.",
            "{lead} noted that environmental health, licensing, leisure and planning are a "
            "district council's core business and together shape healthier places. They are "
            "prevention services even if they never appear in an NHS plan.",
        ),
        (
            "Public health will share ward-level respiratory admissions data with environmental "
            "health.",
            "Agreed a referral route from mental health teams to environmental health.",
        ),
    ),
    "supported": _Topic(
        "Supported accommodation and the benefit cap",
        ("Supported accommodation", "Housing"),
        (
            "There is a shortage of supported accommodation for older people and for people "
            "leaving mental health care. Providers say schemes are not being built because the "
            "benefit cap makes rents in supported housing uncertain.",
            "Members restated the call, first made by South East councils in 2016, for the "
            "benefit cap to be removed permanently for supported accommodation. Some people need "
            "supported housing but not full social care; without it they stay in hospital or "
            "move into residential care too early.",
            "{officer} agreed that supported housing need should appear in the system's joint "
            "forward plan, with a shared estimate of the units Kent and Medway needs over the "
            "next five years.",
        ),
        (
            "Supported housing need to be included in the refresh of the joint forward plan.",
            "Agreed to raise the benefit cap for supported accommodation with the Department "
            "again.",
        ),
    ),
    "workforce": _Topic(
        "Workforce: jobs and qualifications across health, care and housing",
        ("Workforce", "Integration and governance"),
        (
            "The cultures and structures of the NHS and local government remain fundamentally "
            "different. A careful re-design of jobs and qualifications is needed so that staff "
            "can work across organisations without losing pay, pension or professional standing.",
            "{officer} described a joint role being trialled: a housing and health coordinator "
            "employed by the council but based with the community health team, with an honorary "
            "NHS contract and access to the shared care record.",
            "Members raised recruitment: care workers and occupational therapists leave West Kent "
            "because they cannot afford to live here. Key-worker housing was proposed as a "
            "district contribution to the workforce plan.",
        ),
        (
            "A joint workforce group will scope shared roles across housing and community health.",
            "Key-worker housing to be considered in the ICS workforce plan.",
        ),
    ),
    "savings": _Topic(
        "Measuring savings and shared outcomes",
        ("Integration and governance", "Prevention"),
        (
            "One argument for integration is more efficient spending, but there is still no "
            "clarity on how savings are measured. When a Disabled Facilities Grant prevents a "
            "fall, the saving lands in the NHS while the cost lands with the district.",
            "{officer} presented a draft outcomes framework with {n1} measures. Members asked for "
            "an agreed definition of integration with measurable goals for every partner, and "
            "for district measures (homelessness prevented, adaptations completed, households "
            "helped with debt) to sit alongside the NHS ones.",
            "Cuts to local government funding, including public health budgets, make it hard to "
            "sustain existing preventive services, let alone expand them. {lead} asked that any "
            "savings shown be shared with the partners who produced them.",
        ),
        (
            "The outcomes framework will be revised to include district measures.",
            "Agreed to test a method for sharing prevention savings on one pilot scheme.",
        ),
    ),
    "leisure": _Topic(
        "Leisure, physical activity and social prescribing",
        ("Leisure", "Prevention", "Mental health"),
        (
            "The council's leisure centres provided {n1} exercise referral places last year for "
            "people with long-term conditions, recovering from cardiac events or at risk of "
            "falls. Demand exceeds places and GP referrals are uneven across the district.",
            "Social prescribers connect patients with walking groups, singing groups and "
            "gardening clubs. {officer} noted that social prescribers call the directory of local "
            "groups the council keeps the most useful tool they have.",
        ),
        (
            "Partners will look at funding more exercise referral places at district leisure centres.",
        ),
    ),
    "planning": _Topic(
        "Planning healthy places",
        ("Planning", "Prevention"),
        (
            "Planning shapes where people live: green space, walkable streets and homes that are "
            "not isolated or overcrowded all help prevent poor physical and mental health. "
            "Members asked that health partners respond to major planning applications, not "
            "only to the local plan.",
            "New housing in Swanley and Edenbridge will add about {n3} residents over the plan "
            "period. Developer contributions could fund new GP premises, but only if the ICB sets "
            "out its estates needs in time for them to be secured.",
        ),
        ("The ICB estates team will set out primary care premises needs for the local plan.",),
    ),
    "mental": _Topic(
        "Community mental health",
        ("Mental health", "Prevention"),
        (
            "Mental health should have the same support as physical health. District councils "
            "are not mental health specialists, but their community work can put people in touch "
            "with groups and activities that keep them well.",
            "{officer} described the community mental health model for West Kent: teams aligned "
            "with primary care networks, with voluntary sector partners providing peer support. "
            "Members asked where housing and debt advice fit in the model.",
            "A drop-in at the Sevenoaks community hub was proposed, staffed jointly by the trust "
            "and the voluntary sector. The trust will look at demand before committing staff.",
        ),
        ("The trust will consider a community drop-in and report on demand.",),
    ),
    "winter": _Topic(
        "Winter: warm homes and keeping people well",
        ("Housing", "Hospital discharge", "Cost of living"),
        (
            "Cold, damp homes drive winter admissions for respiratory illness and falls. The "
            "council's warm homes team can arrange heating repairs and insulation grants, but "
            "hears about most patients only after they have been admitted.",
            "{officer} asked whether warm homes checks could be offered to every patient "
            "discharged in winter who lives alone. Members supported the idea if the ICB funds "
            "the extra visits.",
        ),
        ("Warm homes checks for winter discharges to be costed for the ICB.",),
    ),
}

_OPENINGS: dict[MeetingKind, tuple[str, ...]] = {
    MeetingKind.stp_board: (
        "The chair welcomed members and noted apologies. The minutes of the last meeting were "
        "agreed and the action log reviewed, with {n4} actions carried forward.",
        "The Partnership met in public. {lead} attended for the West Kent districts; the chair "
        "noted that papers had been published a week in advance.",
    ),
    MeetingKind.health_and_wellbeing_board: (
        "The Board received the Director of Public Health's update and noted declarations of "
        "interest. {lead} attended as the district representative for West Kent.",
        "The Board met in the Council Chamber. Minutes of the previous meeting were agreed; "
        "the Joint Strategic Needs Assessment refresh was noted.",
    ),
    MeetingKind.partnership_board: (
        "The West Kent Health and Care Partnership Board met with the acute and community "
        "trusts, primary care, the voluntary sector and the four West Kent districts.",
        "{officer} presented the place-based delivery plan; partners reported progress against "
        "their actions.",
    ),
    MeetingKind.one_to_one: (
        "An informal meeting to take stock before the next Partnership meeting. Notes are for "
        "members and officers only.",
        "A catch-up requested by {lead} to follow up the last round of asks.",
    ),
    MeetingKind.workshop: (
        "A facilitated workshop with officers from health, housing, social care and the "
        "voluntary sector, working at mixed tables.",
        "About {people} people took part, from every partner in West Kent.",
    ),
    MeetingKind.briefing: (
        "Officers briefed members ahead of the decisions due this quarter.",
        "A short briefing for members; no decisions were taken.",
    ),
    MeetingKind.site_visit: (
        "Members were shown round by {officer} and spoke with ward staff and discharge "
        "coordinators.",
    ),
}

_CLOSINGS = (
    "Actions were agreed as recorded in the action log. The meeting closed at {close}.",
    "{lead} thanked partners for a constructive discussion. Date of the next meeting to be "
    "confirmed.",
    "Any other business: none. The meeting closed at {close}.",
)


# --- The meetings, asks, commitments and letters ---------------------------------


@dataclass(frozen=True)
class _MeetingSpec:
    key: str
    days: int  # from today: negative in the past
    kind: MeetingKind
    title: str
    location: str
    bodies: tuple[str, ...]
    contacts: tuple[str, ...]
    members: tuple[str, ...]
    topics: tuple[str, ...]
    start: tuple[int, int]
    minutes: int


_K = MeetingKind
_ICP = "Kent and Medway Integrated Care Partnership"
_SESSIONS = "Sessions House, County Hall, Maidstone"
_HWB = "Kent Health and Wellbeing Board"
_HCP = "West Kent Health and Care Partnership Board"
_ARGYLE = "Council Offices, Argyle Road, Sevenoaks"
_TEAMS = "Microsoft Teams"
_ICP_BODIES = ("icb", "kcc", "tmbc", "mtw")
_ICP_PEOPLE = ("icb_chair", "icb_strategy", "kcc_asc")
_HWB_BODIES = ("hwb", "kcc", "icb")
_HWB_PEOPLE = ("kcc_dph", "hwb_clerk", "icb_place")
_HCP_BODIES = ("hcp", "mtw", "kchft", "pcn", "involve", "tmbc")
_HCP_PEOPLE = ("hcp_pm", "mtw_flow", "kchft_dir", "pcn_cd", "tmbc_housing")

# fmt: off
_MEETINGS: tuple[_MeetingSpec, ...] = (
    # key, days from today, kind, title, location,
    #     bodies, contacts, members (the first leads), topics, start (UK time), minutes
    _MeetingSpec("ics1", -700, _K.stp_board, _ICP, _SESSIONS,
                 _ICP_BODIES, _ICP_PEOPLE, ("leader", "deputy"), ("seat", "supported"), (14, 0), 150),
    _MeetingSpec("o1", -690, _K.one_to_one, "One-to-one with the ICB Director of Strategy", _ARGYLE,
                 ("icb",), ("icb_strategy",), ("deputy",), ("seat", "savings"), (11, 0), 60),
    _MeetingSpec("hwb1", -660, _K.health_and_wellbeing_board, _HWB, "Council Chamber, " + _SESSIONS,
                 _HWB_BODIES, _HWB_PEOPLE, ("deputy",), ("seat", "dementia"), (10, 0), 180),
    _MeetingSpec("hcp1", -640, _K.partnership_board, _HCP, "Academic Centre, Maidstone Hospital",
                 _HCP_BODIES, _HCP_PEOPLE, ("deputy", "communities"), ("seat", "dfg"), (9, 30), 120),
    _MeetingSpec("w1", -620, _K.workshop, "Housing and health: the missing third", "Stag Community Arts Centre, Sevenoaks",
                 ("icb", "kcc", "mtw", "kchft", "tmbc"), ("icb_place", "kcc_asc", "mtw_flow", "kchft_ot", "tmbc_housing"),
                 ("deputy", "leader", "communities"), ("dfg", "discharge", "supported"), (9, 30), 180),
    _MeetingSpec("ics2", -600, _K.stp_board, _ICP, _SESSIONS,
                 _ICP_BODIES, _ICP_PEOPLE, ("leader", "deputy"), ("seat", "workforce"), (14, 0), 150),
    _MeetingSpec("o2", -560, _K.one_to_one, "One-to-one with the MTW Chief Operating Officer",
                 "Tunbridge Wells Hospital, Pembury",
                 ("mtw",), ("mtw_coo", "mtw_flow"), ("deputy",), ("discharge",), (15, 30), 45),
    _MeetingSpec("hwb2", -540, _K.health_and_wellbeing_board, _HWB, "Council Chamber, " + _SESSIONS,
                 _HWB_BODIES, _HWB_PEOPLE, ("deputy",), ("envhealth", "mental"), (10, 0), 180),
    _MeetingSpec("b1", -510, _K.briefing, "Cabinet briefing: Disabled Facilities Grants and the Better Care Fund", _ARGYLE,
                 ("kcc",), ("kcc_asc",),
                 ("leader", "deputy", "environment", "communities"), ("dfg",), (17, 30), 60),
    _MeetingSpec("ics3", -500, _K.stp_board, _ICP, _SESSIONS,
                 _ICP_BODIES, _ICP_PEOPLE, ("leader", "deputy"), ("savings", "dfg"), (14, 0), 150),
    _MeetingSpec("hcp2", -480, _K.partnership_board, _HCP, _TEAMS,
                 _HCP_BODIES, _HCP_PEOPLE, ("deputy",), ("discharge", "winter"), (9, 30), 120),
    _MeetingSpec("o3", -450, _K.one_to_one, "One-to-one with the PCN Clinical Director", "Sevenoaks Medical Centre",
                 ("pcn",), ("pcn_cd",), ("deputy",), ("debt",), (13, 0), 45),
    _MeetingSpec("hwb3", -430, _K.health_and_wellbeing_board, _HWB, "Council Chamber, " + _SESSIONS,
                 _HWB_BODIES, _HWB_PEOPLE, ("deputy",), ("dfg", "savings"), (10, 0), 180),
    _MeetingSpec("ics4", -400, _K.stp_board, _ICP, _SESSIONS,
                 _ICP_BODIES, _ICP_PEOPLE, ("leader", "deputy"), ("workforce", "supported"), (14, 0), 150),
    _MeetingSpec("w2", -370, _K.workshop, "Dementia-friendly Sevenoaks", "Stag Community Arts Centre, Sevenoaks",
                 ("involve", "kchft", "pcn", "kcc"), ("involve_ceo", "kchft_dir", "pcn_slw", "kcc_dph"),
                 ("communities", "deputy"), ("dementia", "leisure"), (9, 30), 180),
    _MeetingSpec("hcp3", -350, _K.partnership_board, _HCP, "Academic Centre, Maidstone Hospital",
                 _HCP_BODIES, _HCP_PEOPLE, ("deputy", "communities"), ("dementia", "dfg"), (9, 30), 120),
    _MeetingSpec("hwb4", -320, _K.health_and_wellbeing_board, _HWB, "Council Chamber, " + _SESSIONS,
                 _HWB_BODIES, _HWB_PEOPLE, ("deputy", "environment"), ("envhealth", "winter"), (10, 0), 180),
    _MeetingSpec("ics5", -300, _K.stp_board, _ICP, _SESSIONS,
                 _ICP_BODIES, _ICP_PEOPLE, ("leader", "deputy"), ("savings", "planning"), (14, 0), 150),
    _MeetingSpec("o4", -280, _K.one_to_one, "One-to-one with KCHFT on adaptations", _TEAMS,
                 ("kchft",), ("kchft_dir", "kchft_ot"), ("deputy",), ("dfg",), (11, 0), 45),
    _MeetingSpec("b2", -250, _K.briefing, "Briefing from DHSC officials on integration", _TEAMS,
                 ("dhsc",), ("dhsc_dd",), ("leader", "deputy"), ("supported", "savings"), (16, 0), 60),
    _MeetingSpec("hcp4", -230, _K.partnership_board, _HCP, _TEAMS,
                 _HCP_BODIES, _HCP_PEOPLE + ("pcn_slw",), ("deputy",), ("debt", "leisure"), (9, 30), 120),
    _MeetingSpec("hwb5", -210, _K.health_and_wellbeing_board, _HWB, "Council Chamber, " + _SESSIONS,
                 _HWB_BODIES, _HWB_PEOPLE, ("deputy",), ("planning", "mental"), (10, 0), 180),
    _MeetingSpec("ics6", -190, _K.stp_board, _ICP, _SESSIONS,
                 _ICP_BODIES, _ICP_PEOPLE + ("icb_ceo",),
                 ("leader", "deputy"), ("seat", "discharge"), (14, 0), 150),
    _MeetingSpec("w3", -160, _K.workshop, "District councils in the ICS: prevention and the wider determinants", _ARGYLE,
                 ("icb", "kcc", "tmbc", "involve"), ("icb_strategy", "kcc_dph", "tmbc_housing", "involve_ceo"),
                 ("leader", "deputy", "environment"), ("leisure", "envhealth", "planning"), (9, 30), 180),
    _MeetingSpec("o5", -140, _K.one_to_one, "One-to-one with KMPT on community mental health", _TEAMS,
                 ("kmpt",), ("kmpt_cd",), ("deputy",), ("mental",), (12, 0), 45),
    _MeetingSpec("s1", -120, _K.site_visit, "Visit to the discharge hub at Tunbridge Wells Hospital",
                 "Tunbridge Wells Hospital, Pembury",
                 ("mtw", "kchft"), ("mtw_flow", "kchft_ot"),
                 ("deputy", "leader"), ("discharge", "dfg"), (10, 30), 120),
    _MeetingSpec("hwb6", -100, _K.health_and_wellbeing_board, _HWB, "Council Chamber, " + _SESSIONS,
                 _HWB_BODIES, _HWB_PEOPLE, ("deputy",), ("debt", "dementia"), (10, 0), 180),
    _MeetingSpec("ics7", -85, _K.stp_board, _ICP, _SESSIONS,
                 _ICP_BODIES, _ICP_PEOPLE, ("leader", "deputy"), ("seat", "workforce"), (14, 0), 150),
    _MeetingSpec("hcp5", -50, _K.partnership_board, _HCP, "Academic Centre, Maidstone Hospital",
                 _HCP_BODIES, _HCP_PEOPLE, ("deputy", "communities"), ("winter", "discharge"), (9, 30), 120),
    _MeetingSpec("o6", -20, _K.one_to_one, "One-to-one with the Chief Executive of Involve Kent", _ARGYLE,
                 ("involve",), ("involve_ceo",), ("communities",), ("dementia",), (14, 0), 60),
    # The next three weeks
    _MeetingSpec("o7", 4, _K.one_to_one, "One-to-one with the ICB Director of Place", _TEAMS,
                 ("icb",), ("icb_place",), ("deputy",), ("winter", "planning"), (11, 0), 45),
    _MeetingSpec("hwb7", 9, _K.health_and_wellbeing_board, _HWB, "Council Chamber, " + _SESSIONS,
                 _HWB_BODIES, _HWB_PEOPLE, ("deputy",), ("envhealth", "debt"), (10, 0), 180),
    _MeetingSpec("ics8", 15, _K.stp_board, _ICP, _SESSIONS,
                 _ICP_BODIES, _ICP_PEOPLE, ("leader", "deputy"), ("seat", "savings"), (14, 0), 150),
    _MeetingSpec("w4", 19, _K.workshop, "Workforce: re-designing jobs and qualifications across health, care and housing",
                 "Stag Community Arts Centre, Sevenoaks",
                 ("collab", "kchft", "kcc", "tmbc"), ("collab_pd", "kchft_dir", "kcc_asc", "tmbc_housing"),
                 ("deputy", "communities"), ("workforce",), (9, 30), 180),
)
# fmt: on


@dataclass(frozen=True)
class _AskSpec:
    key: str
    title: str
    body: str
    priority: Priority
    status: AskStatus
    meeting: str | None  # None: raised in the joint letter
    themes: tuple[str, ...]
    rationale: str
    response: str | None = None


_H, _M, _L = Priority.high, Priority.medium, Priority.low
_OPEN, _ACC, _PART = AskStatus.open, AskStatus.accepted, AskStatus.partly_met
_DEC, _WD = AskStatus.declined, AskStatus.withdrawn

_ASKS: tuple[_AskSpec, ...] = (
    _AskSpec(
        "seat_icp",
        "Two seats for district councils on the Kent and Medway Integrated Care Partnership",
        "icb",
        _H,
        _PART,
        "ics1",
        ("Integration and governance", "Housing"),
        "Housing is the missing third of health and care. One rotating place for twelve districts means Sevenoaks is heard directly one year in four.",
        "One additional seat offered, rotating among the four West Kent districts, from April.",
    ),
    _AskSpec(
        "cochair",
        "Co-chairing of the Partnership by an NHS leader and a council leader",
        "icb",
        _H,
        _DEC,
        "ics2",
        ("Integration and governance",),
        "Co-chairing was one of the eight solutions South East councils put to the Health Secretary; equal partnership should show in who sets the agenda.",
        "The ICB does not support co-chairing while the Partnership is chaired by the County Council Leader; it will keep this under review.",
    ),
    _AskSpec(
        "hcp_seat",
        "A standing seat for Sevenoaks on the West Kent Health and Care Partnership Board",
        "hcp",
        _M,
        _ACC,
        "hcp1",
        ("Integration and governance",),
        "Most of the decisions that affect our residents are now taken at place level in West Kent.",
        "Agreed: each West Kent district now has a seat on the Board.",
    ),
    _AskSpec(
        "dfg_pass",
        "Pass the full Disabled Facilities Grant allocation through to districts",
        "kcc",
        _H,
        _PART,
        "b1",
        ("Disabled Facilities Grants", "Housing"),
        "Adaptations prevent falls and admissions; top-slicing the Better Care Fund allocation lengthens waiting lists for Disabled Facilities Grants.",
        "The county will pass through the allocation in full but keep 3% for its adaptations service.",
    ),
    _AskSpec(
        "dfg_ot",
        "Fund a shared occupational therapist to fast-track Disabled Facilities Grant assessments",
        "kchft",
        _H,
        _OPEN,
        "o4",
        ("Disabled Facilities Grants", "Workforce"),
        "The wait for an occupational therapy assessment is the longest part of the Disabled Facilities Grant process.",
    ),
    _AskSpec(
        "discharge_twh",
        "A district housing officer in the discharge team at Tunbridge Wells Hospital",
        "mtw",
        _H,
        _ACC,
        "o2",
        ("Hospital discharge", "Housing"),
        "Delayed discharges with a housing cause could be resolved on the ward if a housing officer were there.",
        "Agreed; the trust will provide a desk and system access in the discharge hub.",
    ),
    _AskSpec(
        "discharge_mh",
        "Extend the housing officer in discharge pilot to Maidstone Hospital",
        "mtw",
        _M,
        _OPEN,
        "s1",
        ("Hospital discharge", "Housing"),
        "The Tunbridge Wells pilot has shortened delays with a housing cause; Maidstone sees many Sevenoaks residents too.",
    ),
    _AskSpec(
        "dementia_coord",
        "Co-fund a dementia-friendly communities coordinator for Sevenoaks, Edenbridge and Swanley",
        "kcc",
        _M,
        _PART,
        "w2",
        ("Dementia", "Prevention"),
        "Community groups keep people with dementia connected and delay the need for social care, but run on volunteers and small grants.",
        "Public health will fund half the post for two years if the council funds the rest.",
    ),
    _AskSpec(
        "dementia_training",
        "Dementia Friends training for reception staff in community health clinics",
        "kchft",
        _L,
        _ACC,
        "hcp3",
        ("Dementia",),
        "A dementia-friendly community needs its health services to be dementia-friendly too.",
        "Agreed; sessions to be run by the council's trained Dementia Friends Champions.",
    ),
    _AskSpec(
        "debt_gp",
        "Debt advice sessions in GP surgeries across the Sevenoaks Primary Care Network",
        "pcn",
        _H,
        _ACC,
        "o3",
        ("Debt advice", "Mental health"),
        "Debt and poor mental health are linked; patients raise money worries with their GP first.",
        "Two practices will host weekly sessions in a spare consulting room.",
    ),
    _AskSpec(
        "debt_referral",
        "A direct referral route from social prescribers to the council's debt advice team",
        "pcn",
        _M,
        _OPEN,
        "hcp4",
        ("Debt advice", "Cost of living"),
        "Patients are currently told to ring the council themselves, and many never do.",
    ),
    _AskSpec(
        "benefit_cap",
        "Remove the benefit cap permanently for supported accommodation",
        "dhsc",
        _H,
        _DEC,
        None,
        ("Supported accommodation", "Housing"),
        "Providers will not build supported housing while the benefit cap makes rents uncertain; people stay in hospital or go into residential care too early.",
        "The Department replied that the benefit cap is a matter for the Department for Work and Pensions and no change is planned.",
    ),
    _AskSpec(
        "savings_method",
        "Agree how savings from prevention are measured and shared between partners",
        "icb",
        _M,
        _OPEN,
        "ics3",
        ("Integration and governance", "Prevention"),
        "Without clarity on measuring savings, district prevention work looks like cost with no return.",
    ),
    _AskSpec(
        "workforce_roles",
        "Joint re-design of jobs and qualifications across housing, care and community health",
        "collab",
        _M,
        _PART,
        "ics4",
        ("Workforce",),
        "Fundamentally different cultures and structures stop staff working across organisations.",
        "Included as a workstream in the ICS workforce plan; no funding yet.",
    ),
    _AskSpec(
        "damp_data",
        "Share ward-level data on children admitted with respiratory illness",
        "kcc",
        _H,
        _OPEN,
        "hwb4",
        ("Environmental health", "Housing"),
        "Environmental health could target damp and mould inspections on the streets where children are being admitted.",
    ),
    _AskSpec(
        "noise_pathway",
        "Include noise nuisance referrals in the mental health crisis pathway",
        "kmpt",
        _L,
        _WD,
        "hwb2",
        ("Environmental health", "Mental health"),
        "Noise nuisance is a common trigger for stress and anxiety.",
        "Withdrawn by us: the pathway is being redesigned and we will raise this with the new model.",
    ),
    _AskSpec(
        "mh_dropin",
        "A community mental health drop-in at the Sevenoaks community hub",
        "kmpt",
        _M,
        _PART,
        "o5",
        ("Mental health",),
        "Residents have to travel to Maidstone for services that could be offered locally.",
        "A monthly outreach session will run for six months to test demand.",
    ),
    _AskSpec(
        "phm_access",
        "Access for district officers to the population health management dashboards",
        "icb",
        _M,
        _ACC,
        "ics5",
        ("Prevention",),
        "District services target the wider determinants of health and need the same data as NHS planners.",
        "Access agreed for three named officers, subject to information governance training.",
    ),
    _AskSpec(
        "exercise_referral",
        "Fund GP exercise referral places at district leisure centres",
        "icb",
        _L,
        _PART,
        "w3",
        ("Leisure", "Prevention"),
        "Exercise referral demand exceeds places; referrals are uneven across the district.",
        "Funding agreed for one year at two of the three leisure centres.",
    ),
    _AskSpec(
        "supported_jfp",
        "Include supported housing need in the joint forward plan",
        "icb",
        _H,
        _ACC,
        "w1",
        ("Supported accommodation", "Housing"),
        "Some people need supported housing but not full social care; the plan should say how many units the system needs.",
        "Agreed; a supported housing section will be added at the next refresh.",
    ),
    _AskSpec(
        "hwb_item",
        "A standing district item on every Health and Wellbeing Board agenda",
        "hwb",
        _M,
        _DEC,
        "hwb1",
        ("Integration and governance",),
        "District services are rarely discussed at the Board.",
        "The Board prefers themed sessions; the districts will lead one themed session a year.",
    ),
    _AskSpec(
        "bcf_plan",
        "Involve district housing leads in drawing up the Better Care Fund plan",
        "kcc",
        _H,
        _ACC,
        "hwb3",
        ("Disabled Facilities Grants", "Housing"),
        "Disabled Facilities Grants are part of the Better Care Fund but districts have not been involved in the plan.",
        "Agreed; district housing leads are invited to the planning workshops.",
    ),
    _AskSpec(
        "vcs_grants",
        "Pool small grants for dementia-friendly and age-friendly community groups",
        "involve",
        _L,
        _OPEN,
        "o6",
        ("Dementia", "Prevention"),
        "Many small groups apply separately to several funders; pooling would cut their paperwork.",
    ),
    _AskSpec(
        "warm_homes",
        "Fund warm homes checks for patients discharged in winter who live alone",
        "icb",
        _M,
        _OPEN,
        "hcp5",
        ("Housing", "Hospital discharge", "Cost of living"),
        "Cold homes drive winter readmissions; the council's warm homes team can visit within days.",
    ),
    _AskSpec(
        "gp_premises",
        "Set out GP premises needs so developer contributions can fund new premises in Swanley",
        "icb",
        _M,
        _PART,
        "hwb5",
        ("Planning",),
        "Developer contributions can only be secured for needs the ICB has set out in time.",
        "The estates team has listed Swanley as a priority but not yet set out the costs.",
    ),
)


@dataclass(frozen=True)
class _CommitmentSpec:
    text: str
    direction: CommitmentDirection
    body: str
    contact: str | None
    ask: str | None
    meeting: str | None  # None: the ask's meeting
    status: str  # done, dropped, overdue (pending, past due), pending (not yet due)
    due_days: int  # after the meeting or the day the ask was raised
    evidence: str | None = None


_TO, _BY = CommitmentDirection.to_us, CommitmentDirection.by_us

_COMMITMENTS: tuple[_CommitmentSpec, ...] = (
    _CommitmentSpec(
        "Bring revised Partnership terms of reference, with a proposal for district representation",
        _TO,
        "icb",
        "icb_strategy",
        "seat_icp",
        None,
        "done",
        90,
        "Revised terms of reference approved at the Partnership, adding one rotating West Kent district seat.",
    ),
    _CommitmentSpec(
        "Give three district officers access to the population health dashboards",
        _TO,
        "icb",
        "icb_place",
        "phm_access",
        None,
        "done",
        45,
        "Logins issued after information governance training.",
    ),
    _CommitmentSpec(
        "Set out how savings from prevention will be measured and shared",
        _TO,
        "icb",
        "icb_strategy",
        "savings_method",
        None,
        "overdue",
        120,
    ),
    _CommitmentSpec(
        "Provide a desk and system access for the housing officer in the discharge hub",
        _TO,
        "mtw",
        "mtw_flow",
        "discharge_twh",
        None,
        "done",
        30,
        "Housing officer based in the discharge hub three days a week.",
    ),
    _CommitmentSpec(
        "Send monthly figures on delayed discharges with a housing cause",
        _TO,
        "mtw",
        "mtw_flow",
        None,
        "hcp2",
        "overdue",
        30,
    ),
    _CommitmentSpec(
        "Report on whether Maidstone Hospital can host the housing officer pilot",
        _TO,
        "mtw",
        "mtw_coo",
        "discharge_mh",
        None,
        "overdue",
        42,
    ),
    _CommitmentSpec(
        "Confirm occupational therapy capacity for Disabled Facilities Grant assessments",
        _TO,
        "kchft",
        "kchft_ot",
        "dfg_ot",
        None,
        "overdue",
        60,
    ),
    _CommitmentSpec(
        "Run Dementia Friends sessions for clinic reception staff",
        _TO,
        "kchft",
        "kchft_dir",
        "dementia_training",
        None,
        "done",
        120,
        "Four sessions held; 62 staff trained.",
    ),
    _CommitmentSpec(
        "Confirm the Disabled Facilities Grant pass-through in writing",
        _TO,
        "kcc",
        "kcc_asc",
        "dfg_pass",
        None,
        "done",
        60,
        "Allocation letter received confirming full pass-through less 3%.",
    ),
    _CommitmentSpec(
        "Invite district housing leads to the Better Care Fund planning workshops",
        _TO,
        "kcc",
        "kcc_asc",
        "bcf_plan",
        None,
        "done",
        30,
        "Invitations received; our Head of Housing attended both workshops.",
    ),
    _CommitmentSpec(
        "Share ward-level respiratory admissions data with environmental health",
        _TO,
        "kcc",
        "kcc_dph",
        "damp_data",
        None,
        "overdue",
        60,
    ),
    _CommitmentSpec(
        "Provide consulting rooms in two surgeries for weekly debt advice sessions",
        _TO,
        "pcn",
        "pcn_cd",
        "debt_gp",
        None,
        "done",
        45,
        "Sessions running at two practices since the spring.",
    ),
    _CommitmentSpec(
        "Agree a referral route from social prescribers to debt advice",
        _TO,
        "pcn",
        "pcn_slw",
        "debt_referral",
        None,
        "pending",
        400,
    ),
    _CommitmentSpec(
        "Report on demand for a community mental health drop-in",
        _TO,
        "kmpt",
        "kmpt_cd",
        "mh_dropin",
        None,
        "overdue",
        60,
    ),
    _CommitmentSpec(
        "Reply to the joint letter on the benefit cap for supported accommodation",
        _TO,
        "dhsc",
        "dhsc_dd",
        "benefit_cap",
        None,
        "done",
        40,
        "Reply received from the Department; see the letter record.",
    ),
    _CommitmentSpec(
        "Share the draft workforce plan with the districts",
        _TO,
        "collab",
        "collab_pd",
        "workforce_roles",
        None,
        "dropped",
        90,
        "Superseded by the ICS workforce strategy, which was shared instead.",
    ),
    _CommitmentSpec(
        "Confirm whether winter warm homes checks can be funded",
        _TO,
        "icb",
        "icb_place",
        "warm_homes",
        None,
        "pending",
        90,
    ),
    _CommitmentSpec(
        "Add each West Kent district to the Board's membership",
        _TO,
        "hcp",
        "hcp_pm",
        "hcp_seat",
        None,
        "done",
        60,
        "Terms of reference updated; Sevenoaks attends as a member.",
    ),
    _CommitmentSpec(
        "Include a supported housing section in the joint forward plan refresh",
        _TO,
        "icb",
        "icb_strategy",
        "supported_jfp",
        None,
        "done",
        150,
        "Joint forward plan refresh published with a supported housing needs section.",
    ),
    _CommitmentSpec(
        "Propose a pooled small grants scheme for community groups",
        _TO,
        "involve",
        "involve_ceo",
        "vcs_grants",
        None,
        "pending",
        60,
    ),
    _CommitmentSpec(
        "Set out GP premises costs for Swanley for the local plan",
        _TO,
        "icb",
        "icb_place",
        "gp_premises",
        None,
        "overdue",
        90,
    ),
    _CommitmentSpec(
        "Send Disabled Facilities Grant spend and waiting times to the Board",
        _BY,
        "hcp",
        "hcp_pm",
        None,
        "hcp1",
        "done",
        30,
        "Figures sent and presented at the following Board.",
    ),
    _CommitmentSpec(
        "Draft the joint district proposal for Partnership seats",
        _BY,
        "icb",
        "icb_strategy",
        None,
        "ics1",
        "done",
        60,
        "Proposal agreed by the Kent Council Leaders and sent to the ICB.",
    ),
    _CommitmentSpec(
        "Nominate a housing officer for the discharge team",
        _BY,
        "mtw",
        "mtw_flow",
        "discharge_twh",
        None,
        "done",
        21,
        "Senior housing options officer nominated and started in the hub.",
    ),
    _CommitmentSpec(
        "Map dementia-friendly community groups in the district",
        _BY,
        "involve",
        "involve_ceo",
        None,
        "w2",
        "overdue",
        90,
    ),
    _CommitmentSpec(
        "Provide debt advisers for two surgery sessions a week",
        _BY,
        "pcn",
        "pcn_cd",
        "debt_gp",
        None,
        "done",
        45,
        "Two advisers rota'd; 140 patients seen in the first six months.",
    ),
    _CommitmentSpec(
        "Offer damp and mould visits within ten working days of a health referral",
        _BY,
        "kcc",
        "kcc_dph",
        None,
        "hwb4",
        "pending",
        60,
    ),
    _CommitmentSpec(
        "Share leisure centre exercise referral capacity figures",
        _BY,
        "icb",
        "icb_place",
        "exercise_referral",
        None,
        "dropped",
        30,
        "No longer needed: the ICB took the figures from the leisure operator directly.",
    ),
    _CommitmentSpec(
        "Host the dementia-friendly communities workshop",
        _BY,
        "involve",
        "involve_ceo",
        None,
        "hwb1",
        "done",
        285,  # about when the workshop (w2) is held
        "Workshop held at the Stag Community Arts Centre.",
    ),
    _CommitmentSpec(
        "Respond to the ICB consultation on the joint forward plan",
        _BY,
        "icb",
        "icb_strategy",
        None,
        "ics4",
        "dropped",
        45,
        "Responded jointly through the Kent districts instead.",
    ),
)


# --- Building -----------------------------------------------------------------


# What makes a database "hold data": live records, as ``workflows.is_empty`` counts them
# (a council profile alone, or records only in the recycle bin, do not).
_DATA_TABLES = (
    t.Footprint,
    t.Body,
    t.Contact,
    t.Member,
    t.Meeting,
    t.Ask,
    t.Commitment,
    t.Letter,
)


def _check_empty(session: Session, db: Database) -> None:
    for table in _DATA_TABLES:
        query = select(table.id).limit(1)
        if "deleted_at" in table.model_fields:
            query = query.where(col(table.deleted_at).is_(None))
        if session.exec(query).first() is not None:
            raise DemoRefused(
                f"{db.path} already holds data, so the demo was not added and nothing was "
                "changed. Use a new file with --db (for example --db demo.sqlite)."
            )


class _DemoBuilder:
    def __init__(self, session: Session, today: date) -> None:
        self.session = session
        self.today = today
        self.rng = random.Random(DEMO_SEED)
        self.counts = dict.fromkeys(COUNT_KEYS, 0)
        self.ids: dict[str, str] = {}
        self.theme_ids: dict[str, str] = {}
        self.meeting_days: dict[str, date] = {}
        self.members: dict[str, t.Member] = {}
        self.contacts: dict[str, t.Contact] = {}
        self.asks: dict[str, t.Ask] = {}

    def create(self, service: EntityService[Any], data: dict[str, Any]) -> Any:
        record = service.create_in(self.session, validate(service.spec.create, data))
        self.counts[_KEY_OF[service.spec.name]] += 1
        return record

    # --- council and footprints ------------------------------------------------

    def profile(self, lad_code: str) -> None:
        """Sevenoaks' profile, unless one was saved already: set-up also keeps it."""
        if self.session.exec(select(t.CouncilProfile)).first() is not None:
            return
        checked: BaseModel = validate(
            t.CouncilProfileBase,
            {
                "name": COUNCIL_NAME,
                "lad_code": lad_code,
                "address": COUNCIL_ADDRESS,
                "protective_marking": "OFFICIAL",
            },
        )
        profile = t.CouncilProfile(**checked.model_dump())
        self.session.add(profile)
        self.session.flush()
        audit(
            self.session,
            action=AuditAction.create,
            entity="council_profile",
            record=profile,
            before=None,
            summary=f"Saved council profile “{profile.name}”",
        )

    def footprints(self, code: str) -> None:
        icb = icbs()[code]
        stp = stps()[code]
        ics = self.create(
            BY_NAME["footprints"],
            {
                "code": code,
                "name": icb.ics_name,
                "kind": FootprintKind.ics,
                "region": icb.region,
                "notes": f"Integrated Care System since 1 July 2022, with {icb.name} as its "
                "statutory NHS body. Succeeded the 2016 STP footprint.",
            },
        )
        self.ids["ics"] = ics.id
        old = self.create(
            BY_NAME["footprints"],
            {
                "code": code,
                "name": stp.name,
                "kind": FootprintKind.stp,
                "region": icb.region,
                "successor_id": ics.id,
                "notes": "One of the 44 Sustainability and Transformation Plan footprints "
                "published in March 2016: the eight Kent and Medway CCGs, Kent County Council "
                "and Medway Council, with the NHS trusts. District councils had no seat of their "
                "own on the STP board.",
            },
        )
        self.ids["stp"] = old.id

    # --- organisations and people ------------------------------------------------

    def themes(self) -> None:
        existing = {theme.name: theme.id for theme in self.session.exec(select(t.Theme)).all()}
        for name in EXTRA_THEMES:
            if name not in existing:
                existing[name] = self.create(BY_NAME["themes"], {"name": name}).id
        self.theme_ids = existing

    def theme_list(self, names: Any) -> list[str]:
        result: list[str] = []
        for name in names:
            theme_id = self.theme_ids.get(name)
            if theme_id and theme_id not in result:
                result.append(theme_id)
        return result

    def bodies(self, specs: list[_BodySpec]) -> dict[str, str]:
        domains = {}
        for spec in specs:
            body = self.create(
                BY_NAME["bodies"],
                {
                    "name": spec.name,
                    "kind": spec.kind,
                    "code": spec.code,
                    "website": spec.website,
                    "notes": spec.notes,
                    "footprint_ids": [self.ids[key] for key in spec.footprints],
                },
            )
            self.ids[spec.key] = body.id
            domains[spec.key] = spec.domain
            if spec.archived:
                before = snapshot(body)
                body.archived_at = clock.now()
                self.session.add(body)
                self.session.flush()
                audit(
                    self.session,
                    action=AuditAction.archive,
                    entity="body",
                    record=body,
                    before=before,
                    summary=f"Archived body “{body.name}”",
                )
        return domains

    def people(self, domains: dict[str, str]) -> None:
        phones = self.rng.sample(range(1000), len(_CONTACTS))
        for (key, name, role, body_key), phone in zip(_CONTACTS, phones, strict=True):
            notes = None
            if key == "ccg_ao":
                notes = "Led the West Kent CCG's work on the STP; now retired from the NHS."
            self.contacts[key] = self.create(
                BY_NAME["contacts"],
                {
                    "name": name,
                    "role": role,
                    "body_id": self.ids[body_key],
                    "email": _email(name, domains[body_key]),
                    "phone": f"01632 960{phone:03d}",
                    "notes": notes,
                },
            )
        for key, name, position in _MEMBERS:
            self.members[key] = self.create(
                BY_NAME["members"],
                {
                    "title": "Cllr",
                    "name": name,
                    "position": position,
                    "council": COUNCIL_NAME,
                    "email": _email(f"cllr {name}", OUR_DOMAIN),
                },
            )

    # --- meetings -----------------------------------------------------------------

    def meeting_day(self, days: int) -> date:
        jitter = self.rng.randint(-3, 3) if days < -10 else 0
        day = self.today + timedelta(days=days + jitter)
        if day.weekday() >= 5:  # Saturday or Sunday: the Friday before
            day -= timedelta(days=day.weekday() - 4)
            if day <= self.today and days > 0:
                day += timedelta(days=3)
        return day

    def meetings(self, specs: list[_MeetingSpec]) -> None:
        for spec in specs:
            day = self.meeting_day(spec.days)
            self.meeting_days[spec.key] = day
            starts = datetime.combine(day, time(*spec.start), LONDON)
            ends = starts + timedelta(minutes=spec.minutes)
            held = day < self.today
            lead = self.members[spec.members[0]]
            officer = self.contacts[spec.contacts[0]]
            topics = [_TOPICS[key] for key in spec.topics]
            attendees = self.attendees(spec, held)
            themes = self.theme_list(name for topic in topics for name in topic.themes)
            data = {
                "title": spec.title,
                "starts_at": starts,
                "ends_at": ends,
                "location": spec.location,
                "kind": spec.kind,
                "agenda": self.agenda(spec.kind, topics),
                "notes": self.minutes(
                    spec.kind, topics, partial(self.fill, day, lead, officer, ends)
                )
                if held
                else self.pre_briefing(spec, topics, lead),
                "outcome": self.rng.choice(topics[0].outcomes) if held else None,
                "body_ids": [self.ids[key] for key in spec.bodies],
                "attendees": attendees,
                "theme_ids": themes,
            }
            self.ids[spec.key] = self.create(BY_NAME["meetings"], data).id

    def fill(self, day: date, lead: t.Member, officer: t.Contact, ends: datetime) -> dict[str, str]:
        rng = self.rng
        return {
            "lead": display_name(lead),
            "officer": officer.name,
            "fy": _financial_year(day),
            "n1": str(rng.randint(12, 140)),
            "n2": str(rng.randint(3, 40)),
            "n3": f"{rng.randint(18, 60) * 100:,}",
            "n4": str(rng.randint(3, 12)),
            "people": str(rng.randint(25, 60)),
            "weeks": str(rng.randint(14, 38)),
            "small": f"{rng.choice((1_000, 1_500, 2_000)):,}",
            "amount": f"{rng.randint(40, 310) * 1_000:,}",
            "close": f"{ends.hour}:{ends.minute:02d}",
        }

    def attendees(self, spec: _MeetingSpec, held: bool) -> list[dict[str, Any]]:
        people: list[dict[str, Any]] = []
        for index, key in enumerate(spec.members):
            attendance = Attendance.present if held else Attendance.invited
            if index > 0 and self.rng.random() < 0.2:
                attendance = Attendance.apologies
            people.append({"member_id": self.members[key].id, "attendance": attendance})
        for index, key in enumerate(spec.contacts):
            attendance = Attendance.present if held else Attendance.invited
            if index > 0 and self.rng.random() < 0.15:
                attendance = Attendance.apologies
            people.append({"contact_id": self.contacts[key].id, "attendance": attendance})
        return people

    def agenda(self, kind: MeetingKind, topics: list[_Topic]) -> str:
        items = [topic.agenda for topic in topics]
        if kind in (MeetingKind.one_to_one, MeetingKind.site_visit):
            lines = [*items, "Next steps"]
        elif kind == MeetingKind.workshop:
            lines = [
                "Welcome and purpose of the day",
                *items,
                "Table discussions",
                "Feedback and next steps",
            ]
        else:
            lines = [
                "Welcome, apologies and declarations of interest",
                "Minutes of the previous meeting and action log",
                *items,
                "Forward plan",
                "Any other business",
            ]
        return "\n".join(f"{number}. {line}" for number, line in enumerate(lines, start=1))

    def minutes(
        self, kind: MeetingKind, topics: list[_Topic], fill: Callable[[], dict[str, str]]
    ) -> str:
        """Opening, two or three paragraphs per topic (fresh figures each), closing."""
        rng = self.rng
        frame = fill()
        paragraphs = [rng.choice(_OPENINGS[kind]).format(**frame)]
        for topic in topics:
            count = 2 if len(topics) > 1 else 3
            figures = fill()
            chosen = rng.sample(topic.paragraphs, min(count, len(topic.paragraphs)))
            paragraphs.extend(paragraph.format(**figures) for paragraph in chosen)
        paragraphs.append(rng.choice(_CLOSINGS).format(**frame))
        return "\n\n".join(paragraphs)

    def pre_briefing(self, spec: _MeetingSpec, topics: list[_Topic], lead: t.Member) -> str:
        aims = "; ".join(topic.agenda[:1].lower() + topic.agenda[1:] for topic in topics)
        body_ids = {self.ids[key] for key in spec.bodies}
        asks = [
            ask.title
            for ask in self.asks.values()
            if ask.status == AskStatus.open and ask.body_id in body_ids
        ]
        text = (
            f"Pre-meeting note for {display_name(lead)}. Not yet held. "
            f"What we want from this meeting: progress on {aims}."
        )
        if asks:
            text += "\n\nOpen asks to press: " + "; ".join(asks) + "."
        return text

    # --- asks, commitments, letters ---------------------------------------------

    def raised_on(self, spec: _AskSpec, letter_day: date) -> date:
        return self.meeting_days[spec.meeting] if spec.meeting else letter_day

    def answer_day(self, raised: date) -> date:
        answered = raised + timedelta(days=self.rng.randint(14, 75))
        return max(raised, min(answered, self.today - timedelta(days=1)))

    def ask_records(self, joint_letter_day: date, joint_reply_day: date) -> None:
        for spec in _ASKS:
            raised = self.raised_on(spec, joint_letter_day)
            answered = None
            if spec.status != AskStatus.open:
                answered = joint_reply_day if spec.meeting is None else self.answer_day(raised)
            self.asks[spec.key] = self.create(
                BY_NAME["asks"],
                {
                    "title": spec.title,
                    "rationale": spec.rationale,
                    "body_id": self.ids[spec.body],
                    "meeting_id": self.ids[spec.meeting] if spec.meeting else None,
                    "priority": spec.priority,
                    "status": spec.status,
                    "response": spec.response,
                    "raised_on": raised,
                    "responded_on": answered,
                    "theme_ids": self.theme_list(spec.themes),
                },
            )

    def commitment_records(self) -> None:
        rng, today = self.rng, self.today
        ask_specs = {spec.key: spec for spec in _ASKS}
        for spec in _COMMITMENTS:
            ask = self.asks[spec.ask] if spec.ask else None
            meeting_key = spec.meeting or (ask_specs[spec.ask].meeting if spec.ask else None)
            if meeting_key:
                base = self.meeting_days[meeting_key]
            else:
                assert ask is not None and ask.raised_on is not None
                base = ask.raised_on
            due = base + timedelta(days=spec.due_days)
            status = CommitmentStatus.pending
            completed = None
            if spec.status == "overdue":
                due = min(due, today - timedelta(days=rng.randint(4, 30)))
            elif spec.status == "pending":
                due = max(due, today + timedelta(days=rng.randint(7, 60)))
            elif spec.status == "done":
                status = CommitmentStatus.done
                completed = due + timedelta(days=rng.randint(-10, 12))
                completed = max(base, min(completed, today - timedelta(days=1)))
            else:
                status = CommitmentStatus.dropped
            themes = ask_specs[spec.ask].themes if spec.ask else ()
            if meeting_key and not themes:
                meeting_spec = next(m for m in _MEETINGS if m.key == meeting_key)
                themes = _TOPICS[meeting_spec.topics[0]].themes
            self.create(
                BY_NAME["commitments"],
                {
                    "text": spec.text,
                    "direction": spec.direction,
                    "body_id": self.ids[spec.body],
                    "contact_id": self.contacts[spec.contact].id if spec.contact else None,
                    "meeting_id": self.ids[meeting_key] if meeting_key else None,
                    "ask_id": ask.id if ask else None,
                    "due_date": due,
                    "status": status,
                    "evidence": spec.evidence,
                    "completed_on": completed,
                    "theme_ids": self.theme_list(themes),
                },
            )

    def letters(self, joint_day: date, joint_reply: date) -> None:
        members = self.members
        ask_ids = {key: ask.id for key, ask in self.asks.items()}
        self.create(
            BY_NAME["letters"],
            {
                "template": "joint-solutions",
                "subject": "Solutions to improve the integration of health, care and housing",
                "recipient_address": "The Secretary of State for Health and Social Care\n"
                "Department of Health and Social Care\n39 Victoria Street\nLondon\nSW1H 0EU",
                "body_id": self.ids["dhsc"],
                "letter_date": joint_day,
                "status": LetterStatus.reply_received,
                "reply_on": joint_reply,
                "reply_notes": "Acknowledged the role of district councils in prevention. On the "
                "benefit cap for supported accommodation: a matter for the Department for Work "
                "and Pensions, no change planned. No view on co-chairing, which is for local "
                "systems to decide.",
                "opening": "We write as members of a district council in Kent to propose "
                "solutions that would let councils play their full part in integrating health and "
                "care. Local government is not yet an equal partner in the Integrated Care System, "
                "and opportunities to draw on councils' skills in prevention are being missed.",
                "closing": "We would welcome the chance to discuss these proposals with your "
                "officials.",
                "signatory_ids": [members["leader"].id, members["deputy"].id],
                "ask_ids": [
                    ask_ids["cochair"],
                    ask_ids["benefit_cap"],
                    ask_ids["savings_method"],
                    ask_ids["workforce_roles"],
                ],
            },
        )
        self.create(
            BY_NAME["letters"],
            {
                "template": "seat-at-the-table",
                "subject": "District councils at the Integrated Care Partnership table",
                "recipient_contact_id": self.contacts["icb_chair"].id,
                "body_id": self.ids["icb"],
                "letter_date": self.today - timedelta(days=70),
                "status": LetterStatus.sent,
                "opening": "Housing is the missing third of health and social care. A fully "
                "integrated out-of-hospital care system needs the housing team at the planning "
                "table, and that means district councils.",
                "closing": "We look forward to your reply and to working with you on the "
                "Partnership's review of its terms of reference.",
                "signatory_ids": [members["deputy"].id, members["leader"].id],
                "ask_ids": [ask_ids["seat_icp"], ask_ids["cochair"], ask_ids["supported_jfp"]],
            },
        )
        overdue = [
            spec.text
            for spec in _COMMITMENTS
            if spec.status == "overdue" and spec.direction == _TO and spec.body == "icb"
        ]
        self.create(
            BY_NAME["letters"],
            {
                "template": "overdue-commitments",
                "subject": "Commitments made to Sevenoaks District Council that are now overdue",
                "recipient_contact_id": self.contacts["icb_ceo"].id,
                "body_id": self.ids["icb"],
                "letter_date": self.today,
                "status": LetterStatus.draft,
                "opening": f"At our recent meetings the ICB made {len(overdue)} commitments to "
                "the council that have passed their due dates without being met: "
                + "; ".join(text[:1].lower() + text[1:] for text in overdue)
                + ".",
                "closing": "Could you let us know when each will be met?",
                "signatory_ids": [members["deputy"].id],
                "ask_ids": [ask_ids["savings_method"], ask_ids["gp_premises"]],
            },
        )


# --- promises kept: a realistic spread -------------------------------------------------
# Added once the content's commitments are in, through the workflows (so each move and
# delivery is kept and audited as the app keeps it): most bodies keep their word; one
# trust slips, its dates moved once or twice with reasons, delivered late, one dropped.


@dataclass(frozen=True)
class _PromiseKept:
    body: str  # body key
    contact: str
    text: str
    due: int  # first due, in days from today
    moves: tuple[tuple[int, str], ...] = ()  # (new due date in days from today, why)
    done: int | None = None  # delivered, in days from today
    evidence: str = ""
    dropped: str = ""  # why it was dropped


_PROMISE_HISTORY: tuple[_PromiseKept, ...] = (
    _PromiseKept(
        "mtw",
        "mtw_flow",
        "Share the discharge-to-assess pathway map with the district housing teams",
        -270,
        (
            (-215, "The pathway is under review after the winter pressures"),
            (-170, "Waiting for sign-off by the Trust's executive team"),
        ),
        done=-158,
        evidence="Pathway map sent by the Head of Patient Flow and Discharge.",
    ),
    _PromiseKept(
        "mtw",
        "mtw_coo",
        "Name a discharge lead for patients from Sevenoaks district",
        -200,
        done=-179,
        evidence="Discharge lead named in a letter from the Chief Operating Officer.",
    ),
    _PromiseKept(
        "mtw",
        "mtw_coo",
        "Fund the hospital housing adviser post for a second year",
        -120,
        ((-60, "Awaiting the ICB's decision on winter funding"),),
        dropped="The ICB did not renew the funding and the Trust will not fund the post alone.",
    ),
    _PromiseKept(
        "hcp",
        "hcp_pm",
        "Publish the Partnership's housing and health priorities",
        -190,
        done=-193,
        evidence="Priorities published on the Partnership's website.",
    ),
    _PromiseKept(
        "hcp",
        "hcp_pm",
        "Circulate the West Kent winter plan to district councillors",
        -75,
        done=-78,
        evidence="Winter plan sent to every member of the council.",
    ),
    _PromiseKept(
        "pcn",
        "pcn_cd",
        "Hold flu vaccination clinics in two district community centres",
        -95,
        done=-96,
        evidence="Clinics held in Edenbridge and Swanley.",
    ),
    _PromiseKept(
        "pcn",
        "pcn_slw",
        "Send social prescribing referral figures for the quarter",
        -40,
        done=-40,
        evidence="Figures received by email.",
    ),
)

# Commitments of the content that slipped too: (text, days later, why). One overdue stays
# overdue (moved to two days ago at the latest).
_SLIPPED: tuple[tuple[str, int, str], ...] = (
    (
        "Report on whether Maidstone Hospital can host the housing officer pilot",
        28,
        "The Trust's estates survey of the discharge lounge is not finished",
    ),
    (
        "Confirm whether winter warm homes checks can be funded",
        30,
        "Waiting for the ICB's winter funding decision",
    ),
)


def _meeting_with(session: Session, body_id: str, until: date, since: date | None) -> str | None:
    """The last meeting with a body held from ``since`` to ``until`` (where a date was
    agreed, or a promise made), if there was one."""
    query = (
        select(t.Meeting.id)
        .join(t.MeetingBody, col(t.MeetingBody.meeting_id) == t.Meeting.id)
        .where(t.MeetingBody.body_id == body_id)
        .where(
            col(t.Meeting.starts_at) < datetime.combine(until + timedelta(days=1), time(0), LONDON)
        )
        .order_by(col(t.Meeting.starts_at).desc())
    )
    if since is not None:
        query = query.where(col(t.Meeting.starts_at) >= datetime.combine(since, time(0), LONDON))
    return session.exec(query.limit(1)).first()


def _promise_history(builder: _DemoBuilder) -> None:
    from ..model.engagement import is_overdue
    from . import workflows

    session, today = builder.session, builder.today

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    with clock.as_of(today):
        for spec in _PROMISE_HISTORY:
            body_id = builder.ids[spec.body]
            made = day(min(spec.due - 30, -1))
            record = builder.create(
                BY_NAME["commitments"],
                {
                    "text": spec.text,
                    "direction": CommitmentDirection.to_us,
                    "body_id": body_id,
                    "contact_id": builder.contacts[spec.contact].id,
                    "meeting_id": _meeting_with(session, body_id, made, made - timedelta(days=60)),
                    "due_date": day(spec.due),
                },
            )
            due = day(spec.due)
            for moved_to, reason in spec.moves:
                workflows.reschedule_in(
                    session,
                    record.id,
                    new_due_date=day(moved_to),
                    reason=reason,
                    meeting_id=_meeting_with(session, body_id, due, made),
                )
                due = day(moved_to)
            if spec.done is not None:
                workflows.mark_done_in(
                    session, record.id, evidence=spec.evidence, completed_on=day(spec.done)
                )
            elif spec.dropped:
                workflows.drop_in(session, record.id, reason=spec.dropped)
        for text, later, reason in _SLIPPED:
            record = session.exec(select(t.Commitment).where(t.Commitment.text == text)).one()
            assert record.due_date is not None
            moved_to = record.due_date + timedelta(days=later)
            if is_overdue(record.status, record.due_date, today=today):
                moved_to = min(moved_to, day(-2))
            workflows.reschedule_in(
                session,
                record.id,
                new_due_date=moved_to,
                reason=reason,
                meeting_id=_meeting_with(
                    session, record.body_id, min(record.due_date, today), None
                ),
            )


def build_demo(db: Database, *, today: date | None = None) -> dict[str, int]:
    """Fill an empty database with a realistic record for Sevenoaks District Council.

    Dates are relative to ``today`` (default: today in the UK) and the content is the same
    on every run. Everything is written in one transaction, so a failure leaves nothing.
    Raises :class:`DemoRefused` if the database already holds data (any live footprint,
    body, contact, member, meeting, ask, commitment or letter); a council profile saved
    beforehand is kept. Returns how many records of each kind the demo created
    (``themes``: the themes it added to the standard ones).
    """
    today = today or clock.today()
    ours = council_by_name("Sevenoaks")
    assert ours.county_code and ours.county_name  # a district has a county
    county = (ours.county_code, ours.county_name)
    neighbour = council_by_name("Tonbridge and Malling")
    icb = icbs()[ours.icb_code]
    joint_day = today - timedelta(days=330)
    joint_reply = joint_day + timedelta(days=47)
    with db.session() as session:
        _check_empty(session, db)
        builder = _DemoBuilder(session, today)
        builder.profile(ours.code)
        builder.footprints(ours.icb_code)
        builder.themes()
        domains = builder.bodies(_body_specs(icb.name, county, (neighbour.code, neighbour.name)))
        builder.people(domains)
        # Asks are raised at past meetings; the briefing notes for upcoming meetings list
        # the asks still open, so those meetings come after the asks.
        builder.meetings([spec for spec in _MEETINGS if spec.days < 0])
        builder.ask_records(joint_day, joint_reply)
        builder.meetings([spec for spec in _MEETINGS if spec.days >= 0])
        builder.commitment_records()
        builder.letters(joint_day, joint_reply)
        _promise_history(builder)
        return builder.counts


# --- Synthetic data at scale ----------------------------------------------------

_SCALE_TITLES: tuple[tuple[MeetingKind, str], ...] = (
    (MeetingKind.stp_board, "Integrated Care Partnership"),
    (MeetingKind.partnership_board, "Health and Care Partnership Board"),
    (MeetingKind.health_and_wellbeing_board, "Health and Wellbeing Board"),
    (MeetingKind.one_to_one, "One-to-one with the ICB"),
    (MeetingKind.workshop, "Housing and health workshop"),
    (MeetingKind.briefing, "Members' briefing"),
    (MeetingKind.site_visit, "Discharge hub visit"),
    (MeetingKind.other, "Primary care network catch-up"),
)
_SCALE_NOTES = (
    "Disabled Facilities Grant waiting times were reviewed.",
    "Delayed discharges with a housing cause were discussed.",
    "Members asked for a district seat at the planning table.",
    "Debt advice sessions in GP surgeries are continuing.",
    "Dementia-friendly community groups need small grants.",
    "Environmental health will target damp and mould.",
    "Supported accommodation need is rising.",
    "Savings from prevention are still not measured.",
    "Exercise referral places at leisure centres are full.",
    "Warm homes checks for winter discharges were proposed.",
)
_SCALE_ASKS = (
    "Fast-track adaptations assessments",
    "Housing officer in the discharge team",
    "District seat on the partnership board",
    "Debt advice in GP surgeries",
    "Co-fund a dementia coordinator",
    "Share respiratory admissions data",
    "Include supported housing in the plan",
    "Agree how prevention savings are measured",
)
_SCALE_COMMITMENTS = (
    "Send the figures before the next meeting",
    "Confirm funding in writing",
    "Bring a proposal to the board",
    "Nominate an officer to the working group",
    "Share the draft plan for comment",
    "Report back on demand",
)
_SCALE_LOCATIONS = (
    "Microsoft Teams",
    "Council Offices",
    "County Hall",
    "Hospital education centre",
)
_FIRST_NAMES = ("Alex", "Sam", "Jordan", "Morgan", "Taylor", "Jamie", "Robin", "Casey")
_LAST_NAMES = ("Archer", "Baker", "Carter", "Dawson", "Ellis", "Fletcher", "Gray", "Hughes")


def _scale_people(
    session: Session, rng: random.Random, added: dict[str, int]
) -> tuple[list[str], list[str], list[str]]:
    """Live bodies, contacts and members to link to; a small set is created if there are none."""

    def create(key: str, data: dict[str, Any]) -> Any:
        service = BY_NAME[key]
        added[key] += 1
        return service.create_in(session, validate(service.spec.create, data))

    body_ids = list(
        session.exec(
            select(t.Body.id).where(col(t.Body.archived_at).is_(None)).order_by(col(t.Body.id))
        ).all()
    )
    if not body_ids:
        for name, kind in (
            ("Example Integrated Care Board", BodyKind.icb),
            ("Example Hospitals NHS Trust", BodyKind.nhs_trust),
            ("Example County Council", BodyKind.county_council),
        ):
            body_ids.append(create("bodies", {"name": name, "kind": kind}).id)
    contact_ids = list(
        session.exec(
            select(t.Contact.id)
            .where(col(t.Contact.archived_at).is_(None))
            .where(col(t.Contact.deleted_at).is_(None))
            .order_by(col(t.Contact.id))
        ).all()
    )
    if not contact_ids:
        for number in range(6):
            name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
            contact = create(
                "contacts",
                {
                    "name": name,
                    "role": "Programme Manager",
                    "body_id": body_ids[number % len(body_ids)],
                    "email": _email(f"{name} {number}", "nhs.example"),
                },
            )
            contact_ids.append(contact.id)
    member_ids = list(
        session.exec(
            select(t.Member.id)
            .where(col(t.Member.archived_at).is_(None))
            .order_by(col(t.Member.id))
        ).all()
    )
    if not member_ids:
        for position in ("Leader of the Council", "Cabinet Member for Housing and Health"):
            name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
            member_ids.append(create("members", {"name": name, "position": position}).id)
    return body_ids, contact_ids, member_ids


def _max_variables(connection: Connection) -> int:
    """How many ``?`` parameters one SQLite statement may hold (999 on old builds)."""
    driver = connection.connection.driver_connection
    try:
        limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
    except (AttributeError, sqlite3.Error):
        limit = 999
    return max(1, min(limit, 32_766))


_Statement = tuple[str, tuple[Any, ...]]


class _BulkStatements:
    """Turn rows into multi-row ``INSERT ... VALUES (...), (...)`` statements.

    Not ``executemany``: there every row is a statement of its own, SQLite opens a
    statement savepoint for each, and FTS5 writes its pending index out at every
    savepoint, so the search triggers make each row several times slower. In one
    statement the triggers still fire per row but FTS5 batches its writes.

    SQLAlchemy compiles a multi-row insert afresh every time (it is not cached), which
    costs more than SQLite's own work, so the statement text is built once per table and
    row count, and every value goes through its column type's bind processor exactly as a
    Core insert would (``UTCDateTime`` refuses naive datetimes; enums and dates are
    converted).
    """

    def __init__(self, dialect: Any, max_variables: int, max_rows: int = 2_000) -> None:
        self.dialect = dialect
        self.max_variables = max_variables
        self.max_rows = max_rows
        self._sql: dict[tuple[str, tuple[str, ...], int], str] = {}
        self._processors: dict[tuple[str, tuple[str, ...]], list[Any]] = {}

    def _text(self, table: Any, names: tuple[str, ...], count: int) -> str:
        key = (table.name, names, count)
        sql = self._sql.get(key)
        if sql is None:
            quote = self.dialect.identifier_preparer
            columns = ", ".join(quote.quote(name) for name in names)
            row = "(" + ", ".join("?" * len(names)) + ")"
            sql = f"INSERT INTO {quote.format_table(table)} ({columns}) VALUES " + ", ".join(
                [row] * count
            )
            self._sql[key] = sql
        return sql

    def build(self, table: Any, rows: list[dict[str, Any]]) -> list[_Statement]:
        if not rows:
            return []
        names = tuple(rows[0])
        processors = self._processors.get((table.name, names))
        if processors is None:
            # dialect_impl: SQLite's own DATETIME/DATE formats, as the ORM stores them.
            processors = [
                table.c[name].type.dialect_impl(self.dialect).bind_processor(self.dialect)
                for name in names
            ]
            self._processors[(table.name, names)] = processors
        pairs = list(zip(names, processors, strict=True))
        per_statement = max(1, min(self.max_rows, self.max_variables // len(names)))
        statements = []
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = tuple(
                process(row[name]) if process else row[name]
                for row in chunk
                for name, process in pairs
            )
            statements.append((self._text(table, names, len(chunk)), params))
        return statements


@dataclass
class _ScaleBatch:
    statements: list[_Statement]
    first_id: str
    counts: dict[str, int]


class _ScaleRows:
    """Generates the synthetic rows, batch by batch, from one seeded random source."""

    def __init__(
        self,
        rng: random.Random,
        today: date,
        body_ids: list[str],
        contact_ids: list[str],
        member_ids: list[str],
        theme_ids: list[str],
        statements: _BulkStatements,
    ) -> None:
        self.rng = rng
        self.today = today
        self.midnight = datetime.combine(today, time(0), UTC)
        self.now = clock.now()
        self.body_ids = body_ids
        self.contact_ids = contact_ids
        self.member_ids = member_ids
        self.theme_ids = theme_ids
        self.statements = statements

    def batch(self, first: int, size: int) -> _ScaleBatch:
        """Meetings numbered ``first`` to ``first + size - 1`` and their related rows."""
        rng, today, now = self.rng, self.today, self.now
        body_ids, contact_ids, member_ids = self.body_ids, self.contact_ids, self.member_ids
        meetings: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        topics: list[dict[str, Any]] = []
        attendees: list[dict[str, Any]] = []
        asks: list[dict[str, Any]] = []
        commitments: list[dict[str, Any]] = []
        for number in range(first, first + size):
            meeting_id = new_id()
            kind, title = rng.choice(_SCALE_TITLES)
            # Mostly the past five years, a few in the next month; 08:00-17:45 UTC.
            day_offset = rng.randint(-1826, 30)
            starts = self.midnight + timedelta(
                days=day_offset, minutes=rng.randrange(480, 1065, 15)
            )
            day = today + timedelta(days=day_offset)
            body_id = rng.choice(body_ids)
            meetings.append(
                {
                    "id": meeting_id,
                    "created_at": now,
                    "updated_at": now,
                    "deleted_at": None,
                    "title": f"{title} (synthetic {number})",
                    "starts_at": starts,
                    "ends_at": starts + timedelta(minutes=rng.choice((45, 60, 90, 120))),
                    "location": rng.choice(_SCALE_LOCATIONS),
                    "kind": kind.value,
                    "agenda": None,
                    "notes": " ".join(rng.sample(_SCALE_NOTES, 2)),
                    "outcome": None,
                }
            )
            links.append({"meeting_id": meeting_id, "body_id": body_id})
            if self.theme_ids:
                topics.append({"meeting_id": meeting_id, "theme_id": rng.choice(self.theme_ids)})
            for contact_id, member_id in (
                (rng.choice(contact_ids), None),
                (None, rng.choice(member_ids)),
            ):
                attendees.append(
                    {
                        "id": new_id(),
                        "meeting_id": meeting_id,
                        "contact_id": contact_id,
                        "member_id": member_id,
                        "attendance": "present" if rng.random() < 0.9 else "apologies",
                    }
                )
            ask_id = new_id()
            answered = day_offset < -30 and rng.random() < 0.6
            asks.append(
                {
                    "id": ask_id,
                    "created_at": now,
                    "updated_at": now,
                    "deleted_at": None,
                    "title": rng.choice(_SCALE_ASKS),
                    "rationale": None,
                    "body_id": body_id,
                    "meeting_id": meeting_id,
                    "letter_id": None,
                    "priority": rng.choice(("high", "medium", "medium", "low")),
                    "status": rng.choice(("accepted", "partly_met", "declined"))
                    if answered
                    else "open",
                    "response": None,
                    "raised_on": day,
                    "responded_on": day + timedelta(days=21) if answered else None,
                }
            )
            due = day + timedelta(days=rng.randint(14, 90))
            status = "pending"
            if due < today:
                status = rng.choice(("done", "done", "done", "pending", "dropped"))
            commitments.append(
                {
                    "id": new_id(),
                    "created_at": now,
                    "updated_at": now,
                    "deleted_at": None,
                    "text": rng.choice(_SCALE_COMMITMENTS),
                    "direction": "to_us" if rng.random() < 0.6 else "by_us",
                    "body_id": body_id,
                    "contact_id": rng.choice(contact_ids),
                    "meeting_id": meeting_id,
                    "ask_id": ask_id if rng.random() < 0.5 else None,
                    "due_date": due,
                    "status": status,
                    "evidence": None,
                    "completed_on": due if status == "done" else None,
                }
            )
        statements: list[_Statement] = []
        for table, rows in (
            (t.Meeting.__table__, meetings),  # type: ignore[attr-defined]
            (t.MeetingBody.__table__, links),  # type: ignore[attr-defined]
            (t.MeetingTheme.__table__, topics),  # type: ignore[attr-defined]
            (t.MeetingAttendee.__table__, attendees),  # type: ignore[attr-defined]
            (t.Ask.__table__, asks),  # type: ignore[attr-defined]
            (t.Commitment.__table__, commitments),  # type: ignore[attr-defined]
        ):
            statements.extend(self.statements.build(table, rows))
        counts = {
            "meetings": len(meetings),
            "asks": len(asks),
            "commitments": len(commitments),
            "attendees": len(attendees),
        }
        return _ScaleBatch(statements, meetings[0]["id"], counts)


def add_scale(
    db: Database,
    count: int,
    *,
    seed: int = 0,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Add ``count`` synthetic meetings, each with an ask, a commitment, two attendees
    (a contact and a member), a body and (if there are themes) a theme, linked to the
    bodies and people already in the database (a few are created first if there are none).

    Bulk inserts in batches of :data:`SCALE_BATCH` meetings, all in one transaction, with
    one audit entry for the whole addition; the search index triggers fire for every row.
    ``progress(done)`` is called after each batch. Returns how many records of each kind
    were added, plus ``attendees``.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    today = today or clock.today()
    rng = random.Random(seed)
    added = dict.fromkeys(COUNT_KEYS, 0)
    added["attendees"] = 0
    if count == 0:
        return added
    with db.session() as session:
        body_ids, contact_ids, member_ids = _scale_people(session, rng, added)
        session.flush()
        theme_ids = list(session.exec(select(t.Theme.id).order_by(col(t.Theme.name))).all())
        connection = session.connection()
        statements = _BulkStatements(connection.dialect, _max_variables(connection))
        rows = _ScaleRows(rng, today, body_ids, contact_ids, member_ids, theme_ids, statements)
        first_id = ""
        cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        # A bigger page cache while the random-id indexes grow; put back afterwards.
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SCALE_CACHE_KIB}")
        try:
            done = 0
            while done < count:
                batch = rows.batch(done + 1, min(SCALE_BATCH, count - done))
                for sql, params in batch.statements:
                    connection.exec_driver_sql(sql, params)
                first_id = first_id or batch.first_id
                for key, value in batch.counts.items():
                    added[key] += value
                done += batch.counts["meetings"]
                if progress is not None:
                    progress(done)
        finally:
            connection.exec_driver_sql(f"PRAGMA cache_size={int(cache_size)}")
        session.add(
            t.AuditEntry(
                actor=current_user(),
                action=AuditAction.create,
                entity="meeting",
                entity_id=first_id,
                summary=f"Added {count} synthetic meetings",
                after={key: value for key, value in added.items() if value} | {"seed": seed},
            )
        )
    return added

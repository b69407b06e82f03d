"""The team database: the team's shared copy on PostgreSQL, reached with psycopg 3.

Everything PostgreSQL-specific lives here: connecting (the password from the OS keyring
or libpq's own pgpass file, never from stpdesk's files), creating and upgrading the
team schema (its own Alembic scripts in ``team_migrations``, one transaction per
upgrade), the login roles, and the reads and writes a sync makes. The rules that decide
what a sync writes are in services/team.py.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from .errors import StoreError

KEYRING_SERVICE = "stpdesk team database"
ROLES = ("reader", "editor", "admin")
GROUP = {role: f"stpdesk_{role}" for role in ROLES}
PUSH_LOCK = 0x53745064  # pg_advisory_xact_lock key: pushes take turns
CONNECT_TIMEOUT = 5  # seconds: an unreachable server is reported, not waited for


class TeamError(StoreError):
    """A problem with the team database; ``str(error)`` says what to do."""


class TeamUnreachable(TeamError):
    """The server could not be reached (or went away); nothing was changed here."""


class TeamRefused(TeamError):
    """The server refused: wrong password, or a login not allowed to do this."""


class TeamSchemaMismatch(TeamError):
    pass


def describe(url: str) -> str:
    """``alice@db.council.gov.uk/stpdesk``: the server as messages name it."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the team database"
    host = parts.get("host") or "localhost"
    if host.startswith("/"):
        host = "localhost"
    user = parts.get("user") or _os_user()
    return f"{user}@{host}/{parts.get('dbname') or user}"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def check_url(url: str) -> dict[str, str]:
    """The parts of a server address; refuses one holding a password."""
    text = url.strip()
    if not text:
        raise TeamError("Give the team database's address, e.g. postgresql://you@server/stpdesk.")
    try:
        parts = conninfo_to_dict(text)
    except psycopg.ProgrammingError as error:
        raise TeamError(
            f"“{text}” is not a PostgreSQL address ({error}); write it as "
            "postgresql://you@server/stpdesk?sslmode=verify-full"
        ) from None
    if parts.get("password"):
        raise TeamError(
            "The address holds a password; stpdesk never stores one. Remove it from the "
            "address and put it in your keyring (stpdesk team password) or your pgpass file."
        )
    return {key: str(value) for key, value in parts.items()}


def keyring_account(url: str) -> str:
    parts = check_url(url)
    host = parts.get("host") or "localhost"
    return f"{parts.get('user') or _os_user()}@{host}"


def stored_password(url: str) -> str | None:
    """This login's password from the OS keyring, if it holds one (else libpq reads pgpass)."""
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(KEYRING_SERVICE, keyring_account(url))
        except KeyringError:
            return None
    except Exception:  # no usable keyring on this machine: pgpass it is
        return None


def store_password(url: str, password: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, keyring_account(url), password)
    except KeyringError as error:
        raise TeamError(
            f"The password could not be kept in this computer's keyring ({error}); put it in "
            "your pgpass file instead."
        ) from None


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection:
    """A connection to the team database, or TeamUnreachable / TeamRefused in plain words."""
    check_url(url)
    extra: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT, "application_name": "stpdesk"}
    password = stored_password(url)
    if password:
        extra["password"] = password
    try:
        return psycopg.connect(url, autocommit=autocommit, **extra)
    except psycopg.OperationalError as error:
        raise explain(error, url) from None


def explain(error: BaseException, url: str) -> TeamError:
    """A psycopg error as a message for the user."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    where = describe(url)
    if isinstance(error, psycopg.errors.InsufficientPrivilege):
        return TeamRefused(
            f"The team database refused this change: your login may not make it ({text}). "
            "Nothing was changed there or here; ask your team's admin for an editor login."
        )
    lowered = text.lower()
    if "password" in lowered or "authentication" in lowered:
        return TeamRefused(
            f"The team database {where} did not accept your login ({text}). Put your "
            "password in your keyring with “stpdesk team password”, or in your pgpass file."
        )
    if "does not exist" in lowered and "database" in lowered:
        return TeamRefused(f"There is no team database {where} ({text}); check the address.")
    return TeamUnreachable(
        f"The team database {where} could not be reached ({text}). Your changes are kept "
        "on this laptop and go at the next sync."
    )


@contextmanager
def transaction(url: str) -> Iterator[psycopg.Connection]:
    """One server transaction: committed when the block ends, rolled back on any error."""
    connection = connect(url)
    try:
        with connection.transaction():
            yield connection
    except psycopg.Error as error:
        raise explain(error, url) from None
    finally:
        connection.close()


# --- the schema ------------------------------------------------------------------------


def _alembic_config():  # noqa: ANN202 - alembic.config.Config
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("stpdesk.store") / "team_migrations")
    )
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""


def server_revision(connection: psycopg.Connection) -> str | None:
    row = connection.execute("SELECT to_regclass('stpdesk.alembic_version') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return None
    found = connection.execute("SELECT version_num FROM stpdesk.alembic_version").fetchone()
    return found[0] if found else None


def upgrade_schema(url: str) -> tuple[str | None, str]:
    """Create or upgrade the team schema in ONE transaction; returns (before, after)."""
    from alembic import command
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    check_url(url)
    engine = create_engine(
        "postgresql+psycopg://", creator=lambda: connect(url), poolclass=NullPool
    )
    try:
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            try:
                with connection.begin():
                    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (PUSH_LOCK,))
                    connection.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS stpdesk")
                    before = server_revision(raw)
                    config = _alembic_config()
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    after = server_revision(raw) or ""
            except TeamError:
                raise
            except Exception as error:
                original = getattr(error, "orig", error)
                if isinstance(original, psycopg.Error):
                    raise explain(original, url) from None
                raise
    finally:
        engine.dispose()
    return before, after


def check_schema(connection: psycopg.Connection, url: str) -> None:
    """Refuse to sync with a team database of another schema than this stpdesk's."""
    try:
        found = server_revision(connection)
    except psycopg.errors.InsufficientPrivilege:
        raise TeamRefused(
            f"Your login {describe(url)} is not a member of the team; ask your team's admin "
            "to add you (stpdesk team users add)."
        ) from None
    head = head_revision()
    if found is None:
        raise TeamSchemaMismatch(
            f"{describe(url)} is not a team database yet; your team's admin sets it up with "
            f"“stpdesk team init URL”."
        )
    if found != head:
        known = [script.revision for script in _scripts()]
        if found not in known:
            raise TeamSchemaMismatch(
                f"The team database was set up by a newer stpdesk (schema {found}); update "
                "stpdesk on this laptop."
            )
        raise TeamSchemaMismatch(
            f"The team database needs upgrading (schema {found}, this stpdesk uses {head}); "
            "ask your team's admin to run “stpdesk team init URL”."
        )


def _scripts() -> list[Any]:
    from alembic.script import ScriptDirectory

    return list(ScriptDirectory.from_config(_alembic_config()).walk_revisions())


# --- logins ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamUser:
    name: str
    role: str  # reader, editor or admin
    can_log_in: bool


def add_user(url: str, name: str, role: str, password: str) -> None:
    """A PostgreSQL login for one person, in the group that gives ``role``'s grants."""
    if role not in ROLES:
        raise TeamError(f"Role must be one of {', '.join(ROLES)}, not “{role}”.")
    with transaction(url) as connection:
        exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        login = sql.Identifier(name)
        secret = sql.Literal(password)
        if exists:
            raise TeamError(
                f"There is already a login called “{name}” on this server; choose another name."
            )
        attributes = sql.SQL("LOGIN CREATEROLE" if role == "admin" else "LOGIN")
        connection.execute(
            sql.SQL("CREATE ROLE {} {} PASSWORD {}").format(login, attributes, secret)
        )
        if role == "admin":  # admins add logins: they hand on every group
            groups = sql.SQL(", ").join(sql.Identifier(group) for group in GROUP.values())
            connection.execute(sql.SQL("GRANT {} TO {} WITH ADMIN OPTION").format(groups, login))
        else:
            connection.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(GROUP[role]), login))


def list_users(url: str) -> list[TeamUser]:
    with transaction(url) as connection:
        rows = connection.execute(
            """
            SELECT member.rolname, member.rolcanlogin, array_agg(grp.rolname)
            FROM pg_auth_members m
            JOIN pg_roles grp ON grp.oid = m.roleid
            JOIN pg_roles member ON member.oid = m.member
            WHERE grp.rolname = ANY(%s) AND member.rolname <> ALL(%s)
            GROUP BY member.rolname, member.rolcanlogin
            ORDER BY member.rolname
            """,
            (list(GROUP.values()), list(GROUP.values())),
        ).fetchall()
    users = []
    for name, can_log_in, groups in rows:
        role = next(r for r in reversed(ROLES) if GROUP[r] in groups)
        users.append(TeamUser(name, role, bool(can_log_in)))
    return users


# --- what a sync reads and writes ----------------------------------------------------------


@dataclass
class ServerRecord:
    entity: str
    record_id: str
    hash: str
    ancestors: set[str]
    document: dict[str, Any] | None  # None: removed for good
    row_version: int
    change_seq: int
    changed_by: str

    @property
    def removed(self) -> bool:
        return self.document is None


_COLUMNS = "entity, record_id, hash, ancestors, document, row_version, change_seq, changed_by"


def _server_record(row: tuple) -> ServerRecord:
    entity, record_id, hash_, ancestors, document, row_version, change_seq, changed_by = row
    return ServerRecord(
        entity, record_id, hash_, set(ancestors), document, row_version, change_seq, changed_by
    )


def team_id(connection: psycopg.Connection) -> str:
    row = connection.execute("SELECT value FROM stpdesk.team WHERE key = 'team_id'").fetchone()
    return row[0] if row else ""


def last_change(connection: psycopg.Connection) -> int:
    row = connection.execute(
        "SELECT greatest((SELECT max(change_seq) FROM stpdesk.record), "
        "(SELECT max(change_seq) FROM stpdesk.erasure))"
    ).fetchone()
    return int(row[0] or 0) if row else 0


def changes_since(
    connection: psycopg.Connection, after: int, *, exclude_origin: str | None = None
) -> list[ServerRecord]:
    """Records written after change number ``after`` (by other laptops), oldest first."""
    query = f"SELECT {_COLUMNS} FROM stpdesk.record WHERE change_seq > %s"
    params: list[Any] = [after]
    if exclude_origin:
        query += " AND origin <> %s"
        params.append(exclude_origin)
    with connection.cursor() as cursor:
        cursor.execute(query + " ORDER BY change_seq", params)
        return [_server_record(row) for row in cursor]


def erasures_since(connection: psycopg.Connection, after: int) -> list[tuple[str, int, str]]:
    """(contact id, change number, erased by) of erasures after ``after``."""
    return [
        (row[0], int(row[1]), row[2])
        for row in connection.execute(
            "SELECT contact_id, change_seq, erased_by FROM stpdesk.erasure "
            "WHERE change_seq > %s ORDER BY change_seq",
            (after,),
        )
    ]


def erased_ids(connection: psycopg.Connection, ids: Iterable[str]) -> set[str]:
    return {
        row[0]
        for row in connection.execute(
            "SELECT contact_id FROM stpdesk.erasure WHERE contact_id = ANY(%s)", (list(ids),)
        )
    }


def lock_for_push(connection: psycopg.Connection) -> None:
    """Pushes take turns, so change numbers follow the order pushes commit in (a pull
    that has seen number N has seen every change up to N)."""
    connection.execute("SELECT pg_advisory_xact_lock(%s)", (PUSH_LOCK,))


def rows_for_update(
    connection: psycopg.Connection, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], ServerRecord]:
    if not keys:
        return {}
    found: dict[tuple[str, str], ServerRecord] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM stpdesk.record "
            "WHERE (entity, record_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
            ([k[0] for k in keys], [k[1] for k in keys]),
        )
        for row in cursor:
            record = _server_record(row)
            found[(record.entity, record.record_id)] = record
    return found


@dataclass
class Write:
    entity: str
    record_id: str
    hash: str
    ancestors: list[str]
    document: dict[str, Any] | None
    expected_version: int | None  # None: a new row
    text: str | None = None  # the document as JSON already, if the caller has it


class LostRace(TeamError):
    """A row changed between reading and writing it (cannot happen under the push lock)."""


def write_records(connection: psycopg.Connection, writes: list[Write], origin: str) -> None:
    """Insert new rows with COPY, update the rest checking each row's version."""
    new = [w for w in writes if w.expected_version is None]
    changed = [w for w in writes if w.expected_version is not None]
    if new:
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY stpdesk.record (entity, record_id, hash, ancestors, document, removed, "
                "origin) FROM STDIN"
            ) as copy,
        ):
            for w in new:
                copy.write_row(
                    (
                        w.entity,
                        w.record_id,
                        w.hash,
                        w.ancestors,
                        None
                        if w.document is None
                        else (w.text if w.text is not None else json.dumps(w.document)),
                        w.document is None,
                        origin,
                    )
                )
    if changed:
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE stpdesk.record SET hash = %s, ancestors = %s, document = %s, "
                "removed = %s, origin = %s "
                "WHERE entity = %s AND record_id = %s AND row_version = %s",
                [
                    (
                        w.hash,
                        w.ancestors,
                        None
                        if w.document is None
                        else (
                            w.text if w.text is not None else psycopg.types.json.Jsonb(w.document)
                        ),
                        w.document is None,
                        origin,
                        w.entity,
                        w.record_id,
                        w.expected_version,
                    )
                    for w in changed
                ],
                returning=False,
            )
            # executemany's rowcount is the total over all statements
            if cursor.rowcount != len(changed):
                raise LostRace("A record changed on the server during this push; sync again.")


def record_erasures(connection: psycopg.Connection, contact_ids: Iterable[str]) -> None:
    for contact_id in contact_ids:
        connection.execute(
            "INSERT INTO stpdesk.erasure (contact_id) VALUES (%s) ON CONFLICT DO NOTHING",
            (contact_id,),
        )


def note_laptop(connection: psycopg.Connection, database_id: str) -> None:
    connection.execute(
        "INSERT INTO stpdesk.laptop (database_id) VALUES (%s) "
        "ON CONFLICT (database_id) DO UPDATE SET last_push_at = now()",
        (database_id,),
    )

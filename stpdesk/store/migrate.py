"""Running Alembic migrations (imported only when the schema is out of date)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

from .identity import APPLICATION_ID
from .layout import layout_problems


class MigrationFailed(RuntimeError):
    """The upgrade was rolled back: the file is as it was."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("stpdesk.store") / "migrations"))
    return config


def script_revisions() -> list[str]:
    """Every revision id, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def upgrade(engine: Engine, revision: str = "head", *, verify: bool = True) -> None:
    """Create or upgrade the schema in ONE transaction: it commits whole or not at all.

    Python's sqlite3 module does not begin a transaction before CREATE or DROP, so left
    to itself each statement commits on its own and a killed process leaves half a
    schema. Here the driver is told to keep out (``isolation_level = None``) and the
    transaction is begun and ended explicitly. Foreign keys are off meanwhile (batch
    mode rebuilds tables) and checked before the commit; with ``verify`` the new schema
    is compared with what its revision promises and the file is marked as stpdesk's.
    """
    config = alembic_config()
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # not allowed inside a transaction
        connection.commit()
        driver = connection.connection.driver_connection
        assert driver is not None
        isolation_level = driver.isolation_level
        driver.isolation_level = None
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            # Alembic sees a transaction already open and leaves it to us.
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            problems = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
            if problems:
                raise MigrationFailed(f"the upgrade left broken links: {problems[:5]}")
            if verify:
                reached = connection.execute(
                    text("SELECT version_num FROM alembic_version")
                ).scalar()
                differences = layout_problems(driver, str(reached))
                if differences:
                    raise MigrationFailed(
                        f"the upgrade did not build schema {reached}: {'; '.join(differences[:5])}"
                    )
                connection.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
            driver.execute("COMMIT")
        except BaseException:
            if driver.in_transaction:
                driver.execute("ROLLBACK")
            raise
        finally:
            driver.isolation_level = isolation_level
            connection.rollback()  # SQLAlchemy's own notion of the transaction
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()

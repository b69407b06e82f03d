"""Alembic environment: migrations run on the connection stpdesk hands over."""

from alembic import context
from sqlmodel import SQLModel

from stpdesk.model import sync, tables  # noqa: F401  (registers the tables on the metadata)

config = context.config
connection = config.attributes.get("connection")

if connection is None:  # pragma: no cover - developer use: `alembic revision --autogenerate`
    from sqlalchemy import create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    connection = engine.connect()

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds tables
)
with context.begin_transaction():
    context.run_migrations()

"""Alembic environment of the team database (PostgreSQL): migrations run on the
connection stpdesk hands over, inside the one transaction it has begun."""

from alembic import context

config = context.config
context.configure(
    connection=config.attributes["connection"],
    target_metadata=None,
    version_table="alembic_version",
    version_table_schema="stpdesk",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()

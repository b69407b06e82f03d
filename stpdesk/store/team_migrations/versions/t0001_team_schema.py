"""the team database: records, erasures, laptops, who changed what

Revision ID: t0001
Revises:
Create Date: 2026-12-06

Each record is kept as the JSON document a bundle carries, with its content hash and
the hashes of the versions it replaced. Every write takes the next number of one
sequence (``change_seq``), so a laptop pulls what changed after the last number it saw;
pushes take one lock, so numbers are handed out in the order pushes commit. Who wrote
a row is the server's own ``session_user``, set by trigger, never what a laptop sends.
Readers may select; editors may also insert and update; admins may also add logins.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "t0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUPS = ("stpdesk_reader", "stpdesk_editor", "stpdesk_admin")


def upgrade() -> None:
    for group in GROUPS:
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{group}') "
            f"THEN CREATE ROLE {group} NOLOGIN; END IF; END $$"
        )
    op.execute("GRANT stpdesk_reader TO stpdesk_editor")
    op.execute("GRANT stpdesk_editor TO stpdesk_admin")
    op.execute("CREATE SEQUENCE stpdesk.change_seq")
    op.execute(
        """
        CREATE TABLE stpdesk.team (
            key text PRIMARY KEY,
            value text NOT NULL
        )
        """
    )
    op.execute("INSERT INTO stpdesk.team VALUES ('team_id', gen_random_uuid()::text)")
    op.execute(
        """
        CREATE TABLE stpdesk.record (
            entity text NOT NULL,
            record_id text NOT NULL,
            hash text NOT NULL,
            ancestors text[] NOT NULL DEFAULT '{}',
            document jsonb,
            removed boolean NOT NULL DEFAULT false,
            row_version bigint NOT NULL DEFAULT 1,
            change_seq bigint NOT NULL DEFAULT 0,
            origin text NOT NULL,
            changed_by text NOT NULL DEFAULT session_user,
            changed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (entity, record_id),
            CHECK (removed OR document IS NOT NULL)
        )
        """
    )
    op.execute("CREATE INDEX record_change_seq ON stpdesk.record (change_seq)")
    op.execute(
        """
        CREATE TABLE stpdesk.erasure (
            contact_id text PRIMARY KEY,
            change_seq bigint NOT NULL DEFAULT 0,
            erased_by text NOT NULL DEFAULT session_user,
            erased_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        """
        CREATE TABLE stpdesk.laptop (
            database_id text PRIMARY KEY,
            joined_by text NOT NULL DEFAULT session_user,
            joined_at timestamptz NOT NULL DEFAULT now(),
            last_push_by text,
            last_push_at timestamptz
        )
        """
    )
    op.execute(
        """
        CREATE TABLE stpdesk.change_log (
            id bigserial PRIMARY KEY,
            entity text NOT NULL,
            record_id text NOT NULL,
            action text NOT NULL,
            origin text NOT NULL,
            changed_by text NOT NULL DEFAULT session_user,
            changed_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    # Stamps every write with the server's own facts; SECURITY DEFINER so editors can
    # add to the change log only through it (session_user is still the login).
    op.execute(
        """
        CREATE FUNCTION stpdesk.stamp_record() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, stpdesk AS $$
        BEGIN
            NEW.change_seq := nextval('stpdesk.change_seq');
            NEW.changed_by := session_user;
            NEW.changed_at := now();
            IF TG_OP = 'UPDATE' THEN
                NEW.row_version := OLD.row_version + 1;
            ELSE
                NEW.row_version := 1;
            END IF;
            INSERT INTO stpdesk.change_log (entity, record_id, action, origin)
            VALUES (NEW.entity, NEW.record_id,
                    CASE WHEN NEW.removed THEN 'removed'
                         WHEN TG_OP = 'INSERT' THEN 'added' ELSE 'changed' END,
                    NEW.origin);
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER record_stamp BEFORE INSERT OR UPDATE ON stpdesk.record "
        "FOR EACH ROW EXECUTE FUNCTION stpdesk.stamp_record()"
    )
    op.execute(
        """
        CREATE FUNCTION stpdesk.stamp_erasure() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, stpdesk AS $$
        BEGIN
            NEW.change_seq := nextval('stpdesk.change_seq');
            NEW.erased_by := session_user;
            NEW.erased_at := now();
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER erasure_stamp BEFORE INSERT OR UPDATE ON stpdesk.erasure "
        "FOR EACH ROW EXECUTE FUNCTION stpdesk.stamp_erasure()"
    )
    op.execute(
        """
        CREATE FUNCTION stpdesk.stamp_laptop() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                NEW.joined_by := session_user;
                NEW.joined_at := now();
            ELSE
                NEW.joined_by := OLD.joined_by;
                NEW.joined_at := OLD.joined_at;
                NEW.last_push_by := session_user;
                NEW.last_push_at := now();
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER laptop_stamp BEFORE INSERT OR UPDATE ON stpdesk.laptop "
        "FOR EACH ROW EXECUTE FUNCTION stpdesk.stamp_laptop()"
    )
    op.execute("REVOKE ALL ON SCHEMA stpdesk FROM PUBLIC")
    op.execute("REVOKE ALL ON ALL TABLES IN SCHEMA stpdesk FROM PUBLIC")
    op.execute("GRANT USAGE ON SCHEMA stpdesk TO stpdesk_reader")
    op.execute("GRANT SELECT ON ALL TABLES IN SCHEMA stpdesk TO stpdesk_reader")
    op.execute(
        "GRANT INSERT, UPDATE ON stpdesk.record, stpdesk.erasure, stpdesk.laptop TO stpdesk_editor"
    )
    op.execute("GRANT USAGE ON SEQUENCE stpdesk.change_seq TO stpdesk_editor")


def downgrade() -> None:
    op.execute(
        "DROP TABLE stpdesk.change_log, stpdesk.laptop, stpdesk.erasure, stpdesk.record, stpdesk.team"
    )
    op.execute("DROP FUNCTION stpdesk.stamp_record, stpdesk.stamp_erasure, stpdesk.stamp_laptop")
    op.execute("DROP SEQUENCE stpdesk.change_seq")

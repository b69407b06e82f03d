"""A throwaway PostgreSQL server for the team-database tests.

Started once per test session with the machine's own ``initdb`` and ``pg_ctl``, on a
Unix socket in a temporary folder (no TCP), and removed when the session ends.
``initdb`` refuses to run as root, so as root the server runs as the ``postgres``
system user. The superuser ``postgres`` connects without a password; every other
login needs its password (scram-sha-256), as on a council's real server.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path


def find_initdb() -> Path | None:
    """The newest ``initdb`` of PostgreSQL 15 or later on this machine."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1])
    on_path = shutil.which("initdb")
    return Path(on_path) if on_path else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PostgresServer:
    folder: Path
    port: int
    bin_dir: Path

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@/{database}?host={self.socket_dir}&port={self.port}"

    def admin(self, database: str = "postgres"):  # noqa: ANN201 - a psycopg Connection
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def new_database(self) -> str:
        name = f"team_{uuid.uuid4().hex[:10]}"
        with self.admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _pg_ctl(self, *args: str, check: bool = True) -> None:
        command = [str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), *args]
        _as_postgres(command, check=check)

    def stop(self) -> None:
        self._pg_ctl("-m", "immediate", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def halt(self) -> None:
        """Stop the server at once, as a server that goes away does."""
        self._pg_ctl("-m", "immediate", "stop")

    def start(self) -> None:
        """Start it (again, after :meth:`halt`)."""
        self._pg_ctl(
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-o",
            f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' -c fsync=off "
            "-c max_connections=200 -c full_page_writes=off",
            "start",
        )


def _as_postgres(command: list[str], *, check: bool = True) -> None:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=check, capture_output=True, timeout=120)


def start_server(initdb: Path) -> PostgresServer:
    folder = Path(tempfile.mkdtemp(prefix="stpdesk-pg-"))
    (folder / "socket").mkdir()
    if os.geteuid() == 0:
        for path in (folder, folder / "socket"):
            shutil.chown(path, "postgres", "postgres")
    folder.chmod(0o755)
    server = PostgresServer(folder, _free_port(), initdb.parent)
    _as_postgres(
        [
            str(initdb),
            "-D",
            str(folder / "data"),
            "-U",
            "postgres",
            "--auth-local=scram-sha-256",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ]
    )
    hba = folder / "data" / "pg_hba.conf"
    rules = "local all postgres trust\nlocal all all scram-sha-256\n"
    if os.geteuid() == 0:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", "tee", str(hba)],
            input=rules.encode(),
            check=True,
            capture_output=True,
        )
    else:
        hba.write_text(rules)
    server.start()
    return server

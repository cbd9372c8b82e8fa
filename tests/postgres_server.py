"""A real PostgreSQL server for the tests, started from Debian's package in a temporary folder.

PostgreSQL refuses to run as root (CI runs as root), so as root the cluster belongs to
`nobody`. Trust authentication on 127.0.0.1 only: the tests log in as the organisation's
people without passwords (passwords are the DBA's job, not LinkStar's). A missing server is
an error, not a skip: `.ci/run` installs the package.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

ADMIN = "postgres_admin"
PUBLISHER = "linkstar_publisher"


def _bin_dir() -> Path:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name)
    )
    if not candidates:
        raise RuntimeError(
            "PostgreSQL is not installed: `apt-get install -y postgresql` (as .ci/run does)"
        )
    return candidates[-1].parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class PostgresServer:
    port: int

    def url(self, user: str, database: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A fresh database owned by the publisher (a non-superuser that may create roles, as
        the README asks a DBA to set up); its URL as LINKSTAR_POSTGRES_URL."""
        with psycopg.connect(self.url(ADMIN), autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')
            admin.execute(f'create database "{name}" owner {PUBLISHER}')
        return self.url(PUBLISHER, name)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="linkstar-postgres-"))
    as_root = os.geteuid() == 0
    owner = pwd.getpwnam("nobody") if as_root else None
    if owner:
        os.chown(root, owner.pw_uid, owner.pw_gid)

    def run(*args: str) -> None:
        subprocess.run(
            [str(bin_dir / args[0]), *args[1:]],
            check=True,
            cwd=root,
            user=owner.pw_uid if owner else None,
            group=owner.pw_gid if owner else None,
            extra_groups=[] if owner else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    port = _free_port()
    data = root / "data"
    run("initdb", "-D", str(data), "-U", ADMIN, "--auth=trust", "-E", "UTF8", "--no-sync")
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    run("pg_ctl", "start", "-w", "-D", str(data), "-l", str(root / "server.log"), "-o", options)
    try:
        server = PostgresServer(port)
        with psycopg.connect(server.url(ADMIN), autocommit=True) as admin:
            admin.execute(f"create role {PUBLISHER} login createrole")
        yield server
    finally:
        run("pg_ctl", "stop", "-D", str(data), "-m", "immediate")
        shutil.rmtree(root, ignore_errors=True)

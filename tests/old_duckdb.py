"""An older DuckDB, as a BI driver bundles it, in its own virtual environment.

Created once (under a file lock: parallel test workers share it) inside the project's .venv, so
`make clean` removes it with the rest; the package comes from PyPI through uv like every other.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from filelock import FileLock

OLD_DUCKDB = "1.1.3"

# Every table of every schema, every row fetched (so every column's type is decoded), with the
# comments the file carries.
_READ_EVERYTHING = textwrap.dedent(
    """
    import json, sys, duckdb
    connection = duckdb.connect(sys.argv[1], read_only=True)
    tables = connection.execute(
        "select schema_name, table_name, comment from duckdb_tables() order by all").fetchall()
    report = {"version": duckdb.__version__, "tables": {}}
    for schema, table, comment in tables:
        rows = connection.execute(f'select * from "{schema}"."{table}"').fetchall()
        columns = dict(connection.execute(
            "select column_name, comment from duckdb_columns() "
            "where schema_name = ? and table_name = ?", [schema, table]).fetchall())
        report["tables"][f"{schema}.{table}"] = {
            "rows": len(rows), "comment": comment, "columns": columns}
    print(json.dumps(report))
    """
)


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, f"{args} failed: {result.stderr[-3000:]}"


def old_duckdb_python() -> Path:
    venv = Path(sys.prefix) / f"duckdb-{OLD_DUCKDB}"
    installed = venv / ".installed"
    with FileLock(f"{venv}.lock", timeout=600):
        if not installed.exists():
            uv = str(Path(sys.executable).parent / "uv")
            _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)])
            python = str(venv / "bin" / "python")
            # pytz: how this DuckDB returns TIMESTAMPTZ values to Python
            _run(
                [
                    uv,
                    "pip",
                    "install",
                    "--quiet",
                    "--python",
                    python,
                    f"duckdb=={OLD_DUCKDB}",
                    "pytz",
                ]
            )
            installed.touch()
    return venv / "bin" / "python"


def read_with_old_duckdb(database: Path) -> dict:
    """{"version", "tables": {"schema.table": {"rows", "comment", "columns": {name: comment}}}}."""
    result = subprocess.run(
        [str(old_duckdb_python()), "-c", _READ_EVERYTHING, str(database)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["version"] == OLD_DUCKDB
    return report

"""The dbt project, and a manifest that is always current.

dagster-dbt builds assets from dbt's manifest.json. It is parsed here when missing (a fresh
clone, CI), when any project file is newer than it (a model was edited or pulled), and on
every start of `dagster dev`, with the dbt installed beside this Python, so nothing depends
on the virtual environment being activated.
"""

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from filelock import FileLock

from linkstar_pipeline.lib import dbt_command
from linkstar_pipeline.lib.paths import export_linkstar_home

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"


def dbt_executable() -> str:
    """`linkstar-dbt` (dbt that keeps its parse cache across homes, lib/dbt_command.py) from
    beside this Python: installed with LinkStar, so it is the dbt of this environment."""
    beside_python = Path(sys.executable).parent / "linkstar-dbt"
    return (
        str(beside_python)
        if beside_python.exists()
        else (shutil.which("linkstar-dbt") or "linkstar-dbt")
    )


def parse_dbt_project(project: DbtProject) -> None:
    """Parse under a file lock: processes importing the definitions at once (parallel test
    workers, a CLI run beside `dagster dev`) must not write the same manifest together."""
    target = Path(project.project_dir) / project.target_path
    target.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target / "parse.lock")):
        if not manifest_is_stale(project) and not os.environ.get("DAGSTER_IS_DEV_CLI"):
            return  # another process parsed it while this one waited
        cli = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
        cli.cli(["--quiet", "parse"], target_path=project.target_path).wait()


_PROJECT_FILE_DIRS = ("models", "macros", "seeds", "tests", "snapshots", "analyses")


def manifest_is_stale(project: DbtProject) -> bool:
    """True when the manifest is missing or older than any file dbt parses."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    root = Path(project.project_dir)
    # dbt_command.py decides dbt's parse-cache key: a change to it must re-parse too.
    files = [root / "dbt_project.yml", root / "profiles.yml", Path(dbt_command.__file__)]
    for folder in _PROJECT_FILE_DIRS:
        files.extend(p for p in (root / folder).rglob("*") if p.is_file())
    return any(f.exists() and f.stat().st_mtime > built for f in files)


export_linkstar_home()  # dbt's profile and sources read LINKSTAR_HOME from the environment
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
if os.environ.get("DAGSTER_IS_DEV_CLI") or manifest_is_stale(dbt_project):
    parse_dbt_project(dbt_project)

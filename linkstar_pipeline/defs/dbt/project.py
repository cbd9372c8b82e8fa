"""The dbt project, and a manifest that is always current.

dagster-dbt builds assets from dbt's manifest.json. `dagster dev` regenerates it
(prepare_if_dev); a fresh clone, a test run or `linkstar run` has none, so it is parsed here
when missing.
"""

from pathlib import Path

from dagster_dbt import DbtProject

from linkstar_pipeline.lib.paths import export_linkstar_home

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"

export_linkstar_home()  # dbt's profile and sources read LINKSTAR_HOME from the environment
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
if not dbt_project.manifest_path.exists():
    dbt_project.preparer.prepare(dbt_project)

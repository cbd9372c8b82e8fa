"""The one Dagster entry point: `defs`, assembled from everything under defs/.

It runs with the in-process executor: the steps are API calls and one dbt subprocess, and a
process per step (the multiprocess default) would re-import Dagster, dbt and the manifest for
about 7 seconds each.
"""

from pathlib import Path

import dagster as dg

defs = dg.Definitions.merge(
    dg.load_from_defs_folder(path_within_project=Path(__file__).resolve().parent),
    dg.Definitions(executor=dg.in_process_executor),
)

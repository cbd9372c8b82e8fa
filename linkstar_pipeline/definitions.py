"""The one Dagster entry point: `defs`, assembled from everything under defs/.

It runs with the in-process executor: the steps are API calls and one dbt subprocess, and a
process per step (the multiprocess default) would re-import Dagster, dbt and the manifest for
about 7 seconds each. Its loggers are Dagster's console (the default, for the UI and the
daemon) and the `linkstar` command's concise progress lines (lib/progress_log.py).
"""

from pathlib import Path

import dagster as dg

from linkstar_pipeline.lib.progress_log import PROGRESS_LOGGER, progress_logger

defs = dg.Definitions.merge(
    dg.load_from_defs_folder(path_within_project=Path(__file__).resolve().parent),
    dg.Definitions(
        executor=dg.in_process_executor,
        loggers={"console": dg.colored_console_logger, PROGRESS_LOGGER: progress_logger},
    ),
)

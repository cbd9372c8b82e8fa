"""The one full refresh every end-to-end test module reads (once per pytest worker).

Environment variables are set only while the refresh runs: the warehouse, serving database,
raw files and Dagster home stay on disk and the sandbox keeps serving for the whole session,
so any e2e module can compare them with the generator's truth without refreshing again."""

from __future__ import annotations

import pytest

from linkstar_pipeline.lib.erp_inbox import ErpFolders
from linkstar_pipeline.lib.paths import linkstar_paths
from sandbox.erp_exports import write_erp_exports
from tests.conftest import AS_OF, HISTORY_START, point_connectors_at, refresh, sandbox_running


@pytest.fixture(scope="session")
def loaded_warehouse(tmp_path_factory):
    """(LINKSTAR_HOME, running sandbox, refresh result, DAGSTER_HOME) after one full refresh."""
    home = tmp_path_factory.mktemp("e2e") / "home"
    dagster_home = tmp_path_factory.mktemp("dagster_home")
    with sandbox_running() as sandbox:
        with pytest.MonkeyPatch.context() as monkeypatch:
            monkeypatch.setenv("LINKSTAR_HOME", str(home))
            monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
            point_connectors_at(monkeypatch, sandbox.base_url)
            inbox = ErpFolders.under(linkstar_paths()).inbox
            write_erp_exports(sandbox.dataset, inbox, sandbox.as_of())  # as a seller drops them
            result = refresh(HISTORY_START, AS_OF.date())
        yield home, sandbox, result, dagster_home

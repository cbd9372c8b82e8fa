"""The Dagster code location as the UI and the daemon see it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import dagster as dg

from linkstar_pipeline.defs.refresh.jobs import INGEST_JOB_NAME
from linkstar_pipeline.lib.kpi_config.normalize import TABLES as KPI_CONFIG_TABLES

KPI_SHOP_DAILY = dg.AssetKey(["marts", "kpi_shop_daily"])


def _defs():
    from linkstar_pipeline.definitions import defs

    return defs


def test_dagster_definitions_validate_passes_without_name_warnings(tmp_path):
    """The workspace `make dev` loads, as the UI loads it: valid, and no warning per
    component about the code location's name (55 of them when the names disagree)."""
    env = dict(os.environ, LINKSTAR_HOME=str(tmp_path / "home"), DAGSTER_HOME=str(tmp_path))
    bin_dir = os.path.dirname(sys.executable)
    result = subprocess.run(
        [f"{bin_dir}/dagster", "definitions", "validate", "-w", "workspace.yaml"],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "code location name" not in result.stdout + result.stderr


def test_assets_are_grouped_like_the_architecture():
    graph = _defs().resolve_asset_graph()
    groups: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        groups.setdefault(graph.get(key).group_name, set()).add(key.to_user_string())
    assert {
        f"tiktok_shop/{name}"
        for name in [
            "shops",
            "orders",
            "returns",
            "cancellations",
            "products",
            "finance_statements",
            "finance_payments",
            "unsettled_orders",
            "shop_performance_daily",
            "video_performance_daily",
            "live_sessions",
            "affiliate_orders",
            "cs_conversations",
            "product_reviews",
        ]
    } <= groups["tiktok_shop"]
    assert all(key.startswith("tiktok_shop/") for key in groups["tiktok_shop"])
    assert {
        f"staging/stg_tiktok_shop__{name}"
        for name in [
            "orders",
            "order_line_items",
            "shops",
            "returns",
            "return_line_items",
            "cancellations",
            "products",
            "skus",
        ]
    } <= groups["staging"]
    assert {"intermediate/int_orders_with_sales_basis"} <= groups["intermediate"]
    assert {
        f"marts/{name}"
        for name in ["kpi_shop_daily", "fct_orders", "fct_returns", "dim_shops", "dim_dates"]
    } <= groups["marts"]
    assert groups["reference"] == {
        "reference/markets",
        "reference/order_status_mapping",
        "reference/recon_checks",
        "reference/freshness_thresholds",
        "reference/fx_supplementary_rates",
        "reference/after_sales_status_mapping",
        "reference/advertiser_shops",
        "reference/kpi_scoring_catalog",
    }
    assert groups["kpi_config"] == {f"kpi_config/{table}" for table in KPI_CONFIG_TABLES}
    assert groups["tiktok_ads"] == {
        f"tiktok_ads/{name}"
        for name in [
            "advertisers",
            "campaigns",
            "adgroups",
            "ads",
            "ad_report_daily",
            "advertiser_report_daily",
            "gmv_max_report_daily",
        ]
    }
    assert groups["erp"] == {
        "erp/order_fulfilment",
        "erp/sku_landed_cost",
        "erp/inventory_snapshot",
        "erp/api_orders",
        "erp/api_inventory",
    }
    assert {
        "staging/stg_tiktok_ads__ad_daily_stats",
        "staging/stg_erp__fulfilment_lines",
        "staging/stg_erp__inventory_snapshots",
        "staging/stg_erp__sku_landed_costs",
        "staging/stg_erp_api__orders",
        "staging/stg_erp_api__order_items",
        "staging/stg_erp_api__inventory_levels",
    } <= groups["staging"]
    assert "intermediate/int_erp_fulfilment_lines" in groups["intermediate"]
    assert "marts/fct_ads_daily" in groups["marts"]
    assert groups["fx"] == {"fx/ecb_history"}
    assert {"staging/stg_fx__ecb_rates"} <= groups["staging"]
    assert {"intermediate/int_fx_rates_daily"} <= groups["intermediate"]
    assert "marts/fct_fx_rates_daily" in groups["marts"]
    assert groups["serving"] == {"serving/published_marts"}
    for feed in ["orders", "returns", "cancellations"]:
        assert graph.get(dg.AssetKey(["tiktok_shop", feed])).partitions_def is not None


def test_dbt_sources_are_the_ingestion_assets_and_dbt_tests_are_checks():
    graph = _defs().resolve_asset_graph()
    base_orders = graph.get(dg.AssetKey(["staging", "base_tiktok_shop__orders"]))
    assert dg.AssetKey(["tiktok_shop", "orders"]) in base_orders.parent_keys
    check_names = {
        check.name for check in graph.asset_check_keys if check.asset_key == KPI_SHOP_DAILY
    }
    assert any(name.startswith("unique_combination_of_columns") for name in check_names)
    assert any(name.startswith("column_rules_kpi_shop_daily") for name in check_names)

    orders_checks = {
        c.name
        for c in graph.asset_check_keys
        if c.asset_key == dg.AssetKey(["tiktok_shop", "orders"])
    }
    assert {
        "orders_partitions_have_no_gaps",
        "orders_landed_match_api_total_count",
    } <= orders_checks
    for model, source in [
        ("stg_erp__fulfilment_lines", ["erp", "order_fulfilment"]),
        ("stg_erp__inventory_snapshots", ["erp", "inventory_snapshot"]),
        ("stg_tiktok_ads__ad_daily_stats", ["tiktok_ads", "ad_report_daily"]),
        ("stg_tiktok_ads__advertiser_daily_stats", ["tiktok_ads", "advertiser_report_daily"]),
        ("stg_tiktok_shop__cancellations", ["tiktok_shop", "cancellations"]),
    ]:
        assert dg.AssetKey(source) in graph.get(dg.AssetKey(["staging", model])).parent_keys


def test_mart_not_nulls_are_contract_constraints_not_test_queries():
    """A contracted mart's NOT NULL is enforced by the engine when the table is built (one less
    query per column per build); a plain not_null test on such a column would be redundant.
    A not_null of severity warn is another thing: the column may be null, and says so."""
    import json

    from linkstar_pipeline.defs.dbt.project import dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text())
    models = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    kpi_shop_daily = manifest["nodes"]["model.linkstar.kpi_shop_daily"]
    assert kpi_shop_daily["config"]["contract"]["enforced"]
    assert {"type": "not_null"} in [
        {"type": c["type"]} for c in kpi_shop_daily["columns"]["gmv_paid_amount"]["constraints"]
    ]
    redundant = [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("test_metadata", {}).get("name") == "not_null"
        and not node.get("config", {}).get("where")
        # a warning is not a constraint: it keeps the row and says so (fct_ads_daily.shop_id)
        and node.get("config", {}).get("severity", "ERROR").upper() != "WARN"
        and node.get("attached_node") in models
        and models[node["attached_node"]]["config"]["contract"]["enforced"]
    ]
    assert redundant == []


def test_the_erp_inbox_sensor_runs_by_default_and_rebuilds_what_depends_on_erp():
    defs = _defs()
    sensor = defs.resolve_sensor_def("erp_inbox_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    job = defs.resolve_job_def(sensor.job_name)
    selected = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert {"erp/order_fulfilment", "staging/stg_erp__fulfilment_lines"} <= selected
    assert "tiktok_shop/orders" not in selected


def test_warehouse_writers_share_one_pool():
    graph = _defs().resolve_asset_graph()
    for key in [KPI_SHOP_DAILY, dg.AssetKey(["serving", "published_marts"])]:
        assert graph.get(key).pools == {"warehouse"}
    for ingestion in [["tiktok_shop", "orders"], ["fx", "ecb_history"]]:
        assert not graph.get(dg.AssetKey(ingestion)).pools


def test_nightly_schedule_refreshes_the_lookback_window_in_one_run(tmp_path, monkeypatch):
    monkeypatch.setenv("LINKSTAR_HOME", str(tmp_path))
    shops = tmp_path / "raw" / "tiktok_shop" / "shops" / "shops.jsonl.gz"
    shops.parent.mkdir(parents=True)
    shops.write_bytes(b"")  # history exists: only the look-back is due
    schedule = _defs().resolve_schedule_def("nightly_refresh")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.job_name == INGEST_JOB_NAME
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2026-11-18"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-11-21"


def test_a_finished_ingestion_run_launches_the_build_whether_it_failed_or_not():
    """The nightly is ingest_sources then rebuild_from_raw: a sensor per outcome requests the
    build, so a failing source never stops the marts of the others."""
    from linkstar_pipeline.defs.refresh.jobs import REBUILD_JOB_NAME

    defs = _defs()
    instance = dg.DagsterInstance.ephemeral()

    @dg.op
    def a_source_fails():
        raise RuntimeError("the affiliate endpoint answered 40004")

    @dg.op
    def a_source_loads():
        return 1

    for op, sensor_name in [
        (a_source_fails, "build_after_failed_ingestion"),
        (a_source_loads, "build_after_ingestion"),
    ]:
        job = dg.GraphDefinition(name=INGEST_JOB_NAME, node_defs=[op]).to_job()
        result = job.execute_in_process(instance=instance, raise_on_error=False)
        assert result.success == (op is a_source_loads)
        finished = result.get_run_failure_event() if not result.success else result.all_events[-1]
        sensor = defs.resolve_sensor_def(sensor_name)
        assert sensor.job_name == REBUILD_JOB_NAME
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor_name,
            dagster_event=finished,
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(result.run_id),
        )
        request = sensor(context)
        assert request.run_key == f"build-after-{result.run_id}"
        assert request.tags["linkstar/after_ingestion_run"] == result.run_id


def test_a_mart_materialized_on_its_own_is_published_for_bi_after_its_run():
    """Issue 19's backfill bullet: materializing a mart from the UI (a run of only that mart)
    republishes serving; a run that published itself, or changed no mart, does not."""
    from linkstar_pipeline.defs.serving.sensors import PUBLISH_JOB_NAME

    defs = _defs()
    published = dg.AssetKey(["serving", "published_marts"])
    sensor = defs.resolve_sensor_def("publish_after_mart_runs")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.job_name == PUBLISH_JOB_NAME
    assert defs.resolve_job_def(PUBLISH_JOB_NAME).asset_layer.selected_asset_keys == {published}
    instance = dg.DagsterInstance.ephemeral()

    def after_a_run_materializing(*keys: dg.AssetKey):
        # Stand-ins under the real keys: the sensor reads the run's materializations, not dbt.
        @dg.multi_asset(specs=[dg.AssetSpec(key) for key in keys])
        def stand_in():
            for key in keys:
                yield dg.MaterializeResult(asset_key=key)

        result = dg.materialize([stand_in], instance=instance)
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor.name,
            dagster_event=result.all_events[-1],
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(result.run_id),
        )
        return result.run_id, sensor(context)

    run_id, request = after_a_run_materializing(KPI_SHOP_DAILY)
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == f"publish-after-{run_id}"
    for keys in [(KPI_SHOP_DAILY, published), (dg.AssetKey(["tiktok_shop", "orders"]),)]:
        _, skipped = after_a_run_materializing(*keys)
        assert isinstance(skipped, dg.SkipReason), keys


def test_lineage_is_complete_from_landed_source_to_mart():
    """Every dbt source is the asset that lands it (no auto-created stub in group `default`),
    every landed asset feeds a model, and every staging model feeds something."""
    graph = _defs().resolve_asset_graph()
    by_group: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        by_group.setdefault(graph.get(key).group_name, set()).add(key.to_user_string())
    assert "default" not in by_group, by_group.get("default")
    landing_groups = {"tiktok_shop", "tiktok_ads", "erp", "fx", "kpi_config"}
    dead_ends = {
        key.to_user_string()
        for key in graph.get_all_asset_keys()
        if graph.get(key).group_name in landing_groups | {"staging"}
        and not graph.get(key).child_keys
    }
    assert dead_ends == set()


def test_every_asset_check_says_what_it_checks():
    graph = _defs().resolve_asset_graph()
    specs = [spec for assets in graph.assets_defs for spec in assets.check_specs]
    assert [spec.key for spec in specs if not spec.description] == []
    by_name = {(spec.asset_key.to_user_string(), spec.name): spec.description for spec in specs}
    # Generic tests are described from their name, model, columns and arguments.
    orders = {n: d for (a, n), d in by_name.items() if a == "staging/stg_tiktok_shop__orders"}
    (rules,) = [d for n, d in orders.items() if n.startswith("column_rules_") and "never null" in d]
    assert rules.startswith("stg_tiktok_shop__orders: order_id, shop_id")
    assert "order_id unique (no value twice)" in rules
    # An unknown status is kept and shown, never a stop: its rule is in a warn-level test.
    (warned,) = [d for n, d in orders.items() if n.startswith("column_rules_") and "warns" in d]
    assert "every order_status exists in order_status_mapping.order_status" in warned
    # Singular tests that read several models are checks on the asset they protect, described
    # by the comment that opens their SQL.
    for asset, test in [
        ("staging/stg_tiktok_shop__statements", "statement_totals_equal_their_transactions"),
        ("intermediate/int_ads_day_slices", "ads_day_slices_cover_every_advertiser_day_once"),
        ("marts/kpi_ads_daily", "ads_amounts_unconverted_only_without_a_rate"),
        ("marts/kpi_scorecards", "kpi_scores_use_their_months_config_version"),
    ]:
        assert (asset, test) in by_name, f"{test} is not a check on {asset}"
        assert test not in by_name[(asset, test)], "described by its name, not its comment"
    # ... and so is every other singular test (a test reading several models names the one
    # it protects in meta.dagster.ref; meta.dagster.asset_key is ignored for tests).
    from linkstar_pipeline.defs.dbt.project import dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text())
    singular = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and not node.get("test_metadata")
    }
    assert singular - {name for _, name in by_name} == set()


def _upstream_steps(job: dg.JobDefinition) -> dict[str, set[str]]:
    """Each step of the job → the steps it waits for."""
    structure = job.graph.dependency_structure
    return {
        node.name: {
            output.node.name
            for outputs in structure.input_to_upstream_outputs_for_node(node.name).values()
            for output in outputs
        }
        for node in job.graph.nodes
    }


def test_the_fx_integrity_check_holds_back_the_publish_and_nothing_else():
    """Issue 14: a shop day using a currency with no FX rate blocks the publish. The check runs
    after the dbt build and only the publish waits for it, so every model is built whatever
    it finds; the publish job (UI, sensor publish_after_mart_runs) runs it too, on the
    warehouse as it is."""
    from linkstar_pipeline.defs.refresh.jobs import REBUILD_JOB_NAME
    from linkstar_pipeline.defs.serving.sensors import PUBLISH_JOB_NAME
    from linkstar_pipeline.defs.trust.integrity import CHECK_NAME

    defs = _defs()
    rebuild = _upstream_steps(defs.resolve_job_def(REBUILD_JOB_NAME))
    publish = _upstream_steps(defs.resolve_job_def(PUBLISH_JOB_NAME))
    for steps in (rebuild, publish):
        assert {step for step, waits_for in steps.items() if CHECK_NAME in waits_for} == {
            "published_marts"
        }
    assert rebuild[CHECK_NAME] == {"linkstar_dbt_models"}
    assert publish == {CHECK_NAME: set(), "published_marts": {CHECK_NAME}}

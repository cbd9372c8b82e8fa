"""Customer service and reviews through the whole slice: sandbox → raw files → dbt staging.

Every expected number comes from the sandbox's plain-Python truth (sandbox/service.py)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from sandbox.service import first_response_truth, reviews_truth

pytestmark = pytest.mark.e2e

SERVICE_MODELS = (
    "stg_tiktok_shop__cs_conversations",
    "stg_tiktok_shop__cs_messages",
    "stg_tiktok_shop__product_reviews",
)


def warehouse_rows(home, sql: str):
    connection = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_staged_first_response_seconds_per_conversation_match_the_truth(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    truth = first_response_truth(sandbox.service, sandbox.as_of())
    rows = warehouse_rows(
        home,
        "select conversation_id, response_seconds from staging.stg_tiktok_shop__cs_conversations",
    )
    staged = dict(rows)
    assert len(rows) == len(staged) == len(truth)
    expected = {cid: t.response_seconds for cid, t in truth.items()}
    differences = [
        (cid, staged.get(cid), want) for cid, want in expected.items() if staged.get(cid) != want
    ]
    assert not differences, differences[:10]
    assert any(v is None for v in expected.values()) and any(
        v and v > 86400 for v in expected.values()
    )


def test_staged_reviews_and_bad_reviews_per_shop_local_day_match_the_truth(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    truth = reviews_truth(sandbox.service, sandbox.as_of())
    rows = warehouse_rows(
        home,
        "select shop_id, created_local_date, count(*), count(*) filter (where is_bad_review) "
        "from staging.stg_tiktok_shop__product_reviews group by 1, 2",
    )
    staged = {(shop, day): (n, bad) for shop, day, n, bad in rows}
    assert all(isinstance(day, date) for _, day in staged)
    assert staged == truth
    assert sum(bad for _, bad in truth.values()) > 0


def test_no_buyer_identity_or_message_text_from_service_payloads_in_the_warehouse(
    loaded_warehouse, warehouse_text_values
):
    _, sandbox, *_ = loaded_warehouse
    pii = sandbox.service.pii_values()
    phones = {c.buyer.phone_number for cs in sandbox.service.conversations.values() for c in cs}
    texts = {
        m.text for cs in sandbox.service.conversations.values() for c in cs for m in c.messages
    }
    texts |= {r.text for rs in sandbox.service.reviews.values() for r in rs}
    columns = list(warehouse_text_values)
    leaks = []
    for (schema, table, column), values in warehouse_text_values.items():
        for value in values:
            if (
                value in pii
                or value in texts
                or table in SERVICE_MODELS
                and any(p in value for p in phones)
            ):
                leaks.append((schema, table, column, value))
    assert not leaks, leaks[:10]
    staged_columns = {c for _, t, c in columns if t in SERVICE_MODELS}
    assert not staged_columns & {
        "nickname",
        "user_id",
        "im_user_id",
        "content",
        "review_text",
        "text",
    }


def test_service_staging_tests_ran_as_asset_checks_and_passed(loaded_warehouse):
    _, _, result, _ = loaded_warehouse
    evaluations = [
        e for e in result.get_asset_check_evaluations() if e.asset_key.path[-1] in SERVICE_MODELS
    ]
    assert {e.asset_key.path[-1] for e in evaluations} == set(SERVICE_MODELS)
    assert not [e.check_name for e in evaluations if not e.passed]

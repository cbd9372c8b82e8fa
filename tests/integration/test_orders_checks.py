"""The raw-data checks on landed orders, on real files in a temporary LINKSTAR_HOME."""

import json

from linkstar_pipeline.defs.tiktok_shop.checks import (
    orders_landed_match_api_total_count,
    orders_partitions_have_no_gaps,
)
from linkstar_pipeline.lib.raw_landing import RawPage, raw_file_path, write_raw_pages


def _land(home, day: str, orders: int, total_count: int) -> None:
    body = {
        "code": 0,
        "data": {"orders": [{"id": str(n)} for n in range(orders)], "total_count": total_count},
    }
    page = RawPage(
        "tiktok_shop",
        "orders",
        "POST /order/202309/orders/search",
        "S1",
        day,
        1,
        "r",
        "2026-11-05T00:00:00",
        200,
        {},
        None,
        json.dumps(body),
    )
    write_raw_pages(raw_file_path(home / "raw", "tiktok_shop", "orders", day), [page])


def test_a_missing_day_between_landed_partitions_is_reported(linkstar_home):
    for day in ["2026-11-01", "2026-11-02", "2026-11-04"]:
        _land(linkstar_home, day, orders=2, total_count=2)
    result = orders_partitions_have_no_gaps()
    assert not result.passed
    assert result.metadata["missing_partitions"].value == ["2026-11-03"]
    _land(linkstar_home, "2026-11-03", orders=2, total_count=2)
    assert orders_partitions_have_no_gaps().passed


def test_fewer_orders_landed_than_the_api_counted_fails_the_count_check(linkstar_home):
    _land(linkstar_home, "2026-11-01", orders=3, total_count=3)
    assert orders_landed_match_api_total_count().passed
    _land(linkstar_home, "2026-11-02", orders=2, total_count=5)
    result = orders_landed_match_api_total_count()
    assert not result.passed
    assert result.metadata["mismatches"].value == [
        {"partition": "2026-11-02", "shop_id": "S1", "landed": 2, "api_total_count": 5}
    ]

"""The raw-data checks on landed search feeds (orders, returns, cancellations), on real
files in a temporary LINKSTAR_HOME."""

import json

import pytest

from linkstar_pipeline.defs.tiktok_shop.checks import feed_checks
from linkstar_pipeline.defs.tiktok_shop.feeds import ORDERS, SEARCH_FEEDS
from linkstar_pipeline.lib.raw_landing import RawPage, raw_file_path, write_raw_pages


def check_named(name: str):
    return next(c for c in feed_checks if {k.name for k in c.check_keys} == {name})


orders_partitions_have_no_gaps = check_named("orders_partitions_have_no_gaps")
orders_landed_match_api_total_count = check_named("orders_landed_match_api_total_count")


def _land(home, day: str, orders: int, total_count: int, feed=ORDERS) -> None:
    _land_pages(home, day, [[str(n) for n in range(orders)]], total_count, feed)


def _land_pages(home, day: str, pages: list[list[str]], total_count: int, feed=ORDERS) -> None:
    """One shop's walk of `pages`, each a list of record ids, as landed raw."""
    raw = []
    for number, ids in enumerate(pages, start=1):
        records = [{feed.id_field: record_id} for record_id in ids]
        body = {"code": 0, "data": {feed.list_key: records, "total_count": total_count}}
        raw.append(
            RawPage(
                "tiktok_shop",
                feed.entity,
                f"POST {feed.path}",
                "S1",
                day,
                number,
                f"r{number}",
                "2026-11-05T00:00:00",
                200,
                {},
                None,
                json.dumps(body),
            )
        )
    write_raw_pages(raw_file_path(home / "raw", "tiktok_shop", feed.entity, day), raw)


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


@pytest.mark.parametrize("feed", SEARCH_FEEDS, ids=lambda feed: feed.entity)
def test_every_feed_has_both_checks_reading_its_own_folder_and_list(linkstar_home, feed):
    gaps = check_named(f"{feed.entity}_partitions_have_no_gaps")
    counts = check_named(f"{feed.entity}_landed_match_api_total_count")
    assert not gaps().passed  # nothing landed yet
    _land(linkstar_home, "2026-11-01", orders=3, total_count=3, feed=feed)
    _land(linkstar_home, "2026-11-03", orders=1, total_count=4, feed=feed)
    assert gaps().metadata["missing_partitions"].value == ["2026-11-02"]
    assert counts().metadata["mismatch_count"].value == 1


def test_an_order_served_on_two_pages_counts_once_against_the_api_total(linkstar_home):
    """An order changed mid-walk comes on two pages (sandbox `reserved_order_rate`): counted
    once it matches the total; and a duplicate never hides an order that was lost."""
    _land_pages(linkstar_home, "2026-11-01", [["1", "2"], ["2", "3"]], total_count=3)
    assert orders_landed_match_api_total_count().passed
    _land_pages(linkstar_home, "2026-11-02", [["1", "2"], ["2"]], total_count=3)
    result = orders_landed_match_api_total_count()
    assert result.metadata["mismatches"].value == [
        {"partition": "2026-11-02", "shop_id": "S1", "landed": 2, "api_total_count": 3}
    ]

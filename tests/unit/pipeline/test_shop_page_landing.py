"""The shared 'check each shop's pages, keep them for one raw file' step every TikTok Shop
landing asset uses: numbering, counts, the file it writes and the errors it raises."""

import json
from datetime import UTC, datetime

import pytest

from connectors.tiktok_shop import ApiResponse
from linkstar_pipeline.defs.tiktok_shop.landing import PageContents, land_shop_pages
from linkstar_pipeline.defs.tiktok_shop.payloads import PayloadError
from linkstar_pipeline.lib.raw_landing import RawFile, raw_file_path, read_raw_pages

PAYMENTS = PageContents("payments", ("id", "amount"))


def _response(request_id: str, payments: list[dict]) -> ApiResponse:
    data = {"payments": payments}
    text = json.dumps({"code": 0, "data": data, "request_id": request_id})
    return ApiResponse(
        method="GET",
        path="/finance/202309/payments",
        query={"page_size": "100"},
        request_body=None,
        http_status=200,
        request_id=request_id,
        fetched_at=datetime(2026, 11, 2, 1, 0, tzinfo=UTC),
        text=text,
        data=data,
        attempts=1,
    )


def test_pages_are_numbered_per_shop_counted_and_written_to_the_partition_file(tmp_path):
    raw = RawFile("tiktok_shop", "payments", "2026-11-01")
    first_shop = [_response("a1", [{"id": "1", "amount": "5"}]), _response("a2", [])]
    found = land_shop_pages(raw, first_shop, PAYMENTS, "shop-1")
    land_shop_pages(raw, [_response("b1", [{"id": "2", "amount": "7"}])], PAYMENTS, "shop-2")

    path = raw.write(tmp_path, "2026-11-01")

    assert found == [{"id": "1", "amount": "5"}]
    assert path == raw_file_path(tmp_path, "tiktok_shop", "payments", "2026-11-01")
    assert raw.records == 2
    pages = list(read_raw_pages(path))
    assert [(p.shop_id, p.page_number, p.request_id) for p in pages] == [
        ("shop-1", 1, "a1"),
        ("shop-1", 2, "a2"),
        ("shop-2", 1, "b1"),
    ]
    assert {p.partition_key for p in pages} == {"2026-11-01"}
    assert pages[0].body == first_shop[0].text


def test_a_bad_page_names_its_origin_and_nothing_is_kept(tmp_path):
    raw = RawFile("tiktok_shop", "payments", "2026-11-01")
    bad = _response("a1", [{"id": "9"}])
    with pytest.raises(PayloadError) as error:
        land_shop_pages(raw, [bad], PAYMENTS, "shop-1")
    message = str(error.value)
    for part in ("GET /finance/202309/payments", "a1", "shop-1", "2026-11-01", "id=9", "amount"):
        assert part in message
    assert raw.pages == [] and raw.records == 0


def test_a_run_with_no_pages_replaces_the_old_file_with_an_empty_one(tmp_path):
    raw = RawFile("tiktok_shop", "payments", "2026-11-01")
    land_shop_pages(raw, [_response("a1", [{"id": "1", "amount": "5"}])], PAYMENTS, "shop-1")
    path = raw.write(tmp_path, "2026-11-01")
    assert len(list(read_raw_pages(path))) == 1

    RawFile("tiktok_shop", "payments", "2026-11-01").write(tmp_path, "2026-11-01")

    assert list(read_raw_pages(path)) == []

import gzip
import json

import pytest

from linkstar_pipeline.lib.raw_landing import (
    RawPage,
    raw_file_path,
    read_raw_pages,
    write_raw_pages,
)


def _page(number: int, body: str) -> RawPage:
    return RawPage(
        source="tiktok_shop",
        entity="orders",
        endpoint="POST /order/202309/orders/search",
        shop_id="1",
        partition_key="2026-11-01",
        page_number=number,
        request_id=f"req-{number}",
        fetched_at="2026-11-02T01:00:00.000000",
        http_status=200,
        request_query={"page_size": "100"},
        request_body='{"update_time_ge":1}',
        body=body,
    )


def test_pages_round_trip_with_the_body_byte_for_byte(tmp_path):
    body = '{"code":0,"message":"Success","data":{"orders":[{"id":"1","note":"多语言 ✓"}]},"request_id":"x"}'
    path = raw_file_path(tmp_path, "tiktok_shop", "orders", "2026-11-01")
    assert write_raw_pages(path, [_page(1, body), _page(2, "{}")]) == 2
    pages = list(read_raw_pages(path))
    assert [p.page_number for p in pages] == [1, 2]
    assert pages[0].body == body
    assert pages[0] == _page(1, body)


def test_relanding_a_partition_replaces_the_file_and_leaves_no_temporaries(tmp_path):
    path = raw_file_path(tmp_path, "tiktok_shop", "orders", "2026-11-01")
    write_raw_pages(path, [_page(1, "old"), _page(2, "old")])
    write_raw_pages(path, [_page(1, "new")])
    assert [p.body for p in read_raw_pages(path)] == ["new"]
    assert sorted(f.name for f in path.parent.iterdir()) == ["2026-11-01.jsonl.gz"]


def test_a_failure_while_writing_keeps_the_previous_file_whole(tmp_path):
    path = raw_file_path(tmp_path, "tiktok_shop", "orders", "2026-11-01")
    write_raw_pages(path, [_page(1, "good")])

    def broken_pages():
        yield _page(1, "partial")
        raise ConnectionError("API went away mid-partition")

    with pytest.raises(ConnectionError):
        write_raw_pages(path, broken_pages())
    assert [p.body for p in read_raw_pages(path)] == ["good"]
    assert sorted(f.name for f in path.parent.iterdir()) == ["2026-11-01.jsonl.gz"]


def test_a_corrupt_line_is_reported_with_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(json.dumps({"source": "x"}) + "\n")
    with pytest.raises(ValueError, match=r"bad\.jsonl\.gz: line 1"):
        list(read_raw_pages(path))

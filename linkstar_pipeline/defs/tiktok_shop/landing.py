"""Turn client responses into checked raw pages, and read back the landed shops list.

Every TikTok Shop landing asset does the same per shop: number the pages of one call
sequence, name where each came from (`PageOrigin`: endpoint, request id, shop, partition),
check its records before anything lands, and keep the page for one raw file per partition.
`land_shop_pages` is that step, given the endpoint's `PageContents`; `checked_pages` /
`check_page` are the part before the page is kept, for assets that file a page under more
than one partition (customer service) or look at each page (the update-day feeds);
`partitions_metadata` is the metadata of a run over daily partitions. Defined once so the
raw file layout, the page numbering and the error messages cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from connectors.tiktok_shop import ApiResponse
from linkstar_pipeline.defs.tiktok_shop.payloads import (
    PageOrigin,
    check_required_fields,
    records_in,
)
from linkstar_pipeline.lib.raw_landing import RawFile, RawPage, raw_file_path, read_raw_pages

SOURCE = "tiktok_shop"


def raw_page(
    response: ApiResponse,
    entity: str,
    page_number: int,
    shop_id: str | None,
    partition_key: str | None,
) -> RawPage:
    body = response.request_body.decode("utf-8") if response.request_body is not None else None
    return RawPage(
        source=SOURCE,
        entity=entity,
        endpoint=f"{response.method} {response.path}",
        shop_id=shop_id,
        partition_key=partition_key,
        page_number=page_number,
        request_id=response.request_id,
        fetched_at=response.fetched_at.replace(tzinfo=None).isoformat(timespec="microseconds"),
        http_status=response.http_status,
        request_query=dict(response.query),
        request_body=body,
        body=response.text,
    )


def page_origin(
    response: ApiResponse, shop_id: str | None = None, partition_key: str | None = None
) -> PageOrigin:
    """Where a page came from, as every payload error names it."""
    return PageOrigin(
        endpoint=f"{response.method} {response.path}",
        request_id=response.request_id,
        shop_id=shop_id,
        partition_key=partition_key,
    )


@dataclass(frozen=True)
class PageContents:
    """What one endpoint's pages must hold: where the records sit and which fields staging
    keys on (`id_field` names a record in errors).

    `list_key` is the key under `data`, or a function of the page where the key varies
    (unsettled orders); `records_of` reads the records another way than `data[list_key]`
    (content's nested lists), `list_key` then only naming the list in errors.
    """

    list_key: str | Callable[[ApiResponse], str]
    required: tuple[str, ...]
    id_field: str = "id"
    records_of: Callable[[ApiResponse], list[dict[str, Any]]] | None = None


@dataclass(frozen=True)
class CheckedPage:
    """One page whose records passed the required-field check, numbered within its call."""

    number: int
    response: ApiResponse
    origin: PageOrigin
    records: list[dict[str, Any]]

    def raw_page(self, entity: str, partition_key: str | None) -> RawPage:
        return raw_page(self.response, entity, self.number, self.origin.shop_id, partition_key)


def check_page(
    response: ApiResponse,
    number: int,
    contents: PageContents,
    shop_id: str | None,
    partition_key: str | None = None,
) -> CheckedPage:
    """Check one page as it arrives: a page lacking a field staging keys on raises a
    `PayloadError` naming endpoint, request id, shop, partition and record, before any file
    is replaced. `partition_key` is the one errors name (None where a page may land under
    several days)."""
    origin = page_origin(response, shop_id, partition_key)
    key = contents.list_key if isinstance(contents.list_key, str) else contents.list_key(response)
    if contents.records_of is None:
        records = records_in(response.data, key, origin)
    else:
        records = contents.records_of(response)
    check_required_fields(records, contents.required, key, origin, contents.id_field)
    return CheckedPage(number, response, origin, records)


def checked_pages(
    responses: Iterable[ApiResponse],
    contents: PageContents,
    shop_id: str | None,
    partition_key: str | None = None,
) -> Iterator[CheckedPage]:
    """`check_page` on every page of one shop's call, numbered from 1, as they arrive."""
    for number, response in enumerate(responses, start=1):
        yield check_page(response, number, contents, shop_id, partition_key)


def land_shop_pages(
    raw: RawFile, responses: Iterable[ApiResponse], contents: PageContents, shop_id: str
) -> list[dict[str, Any]]:
    """Check every page of one shop's `responses` and add it to `raw` (pages and errors carry
    `raw.partition_key`), counting its records; returns the records, for assets that fetch
    more per record (statement transactions)."""
    found: list[dict[str, Any]] = []
    for page in checked_pages(responses, contents, shop_id, raw.partition_key):
        raw.add(page.raw_page(raw.entity, raw.partition_key), len(page.records))
        found.extend(page.records)
    return found


def partitions_metadata(
    entity: str,
    per_partition: Mapping[str, Mapping[str, int]],
    records_key: str,
    shops: int,
    raw_dir: Path,
) -> dict[str, Any]:
    """Materialization metadata of a run over daily partitions, each one raw file:
    `per_partition[day]` holds `pages` and the record count under `records_key`."""
    return {
        "partitions": len(per_partition),
        f"{entity}_landed": sum(p[records_key] for p in per_partition.values()),
        "pages_landed": sum(p["pages"] for p in per_partition.values()),
        "shops": shops,
        "per_partition": dg.MetadataValue.json(per_partition),
        "raw_dir": dg.MetadataValue.path(str(raw_dir / SOURCE / entity)),
    }


@dataclass(frozen=True)
class LandedShop:
    shop_id: str
    cipher: str
    region: str


def shops_file(raw_dir: Path) -> Path:
    return raw_file_path(raw_dir, SOURCE, "shops", "shops")


def landed_shops(raw_dir: Path) -> list[LandedShop]:
    """The shops (and their ciphers) from the last landed shops page."""
    path = shops_file(raw_dir)
    if not path.exists():
        raise FileNotFoundError(
            f"No landed TikTok Shop shops at {path}: materialize the tiktok_shop/shops asset first."
        )
    shops: list[LandedShop] = []
    for page in read_raw_pages(path):
        for shop in json.loads(page.body)["data"]["shops"]:
            shops.append(
                LandedShop(shop_id=str(shop["id"]), cipher=shop["cipher"], region=shop["region"])
            )
    return shops


def landed_feed_files(raw_dir: Path, entity: str) -> dict[str, Path]:
    """Every landed file of one feed (orders, returns...), keyed by partition, unopened."""
    folder = raw_dir / SOURCE / entity
    return {
        path.name.removesuffix(".jsonl.gz"): path
        for path in sorted(folder.glob("*.jsonl.gz"))
        if not path.name.startswith("_")  # a placeholder (raw_landing.PLACEHOLDER_NAME)
    }


def landed_feed_pages_by_partition(raw_dir: Path, entity: str) -> dict[str, list[RawPage]]:
    """Every landed page of one feed, keyed by partition (reads and decompresses every file)."""
    return {
        key: list(read_raw_pages(path)) for key, path in landed_feed_files(raw_dir, entity).items()
    }


def record_ids_in_page(page: RawPage, list_key: str, id_field: str) -> set[str]:
    """The distinct ids a landed page holds (an API may serve a record twice in one walk)."""
    records = json.loads(page.body).get("data", {}).get(list_key) or []
    return {str(record[id_field]) for record in records}

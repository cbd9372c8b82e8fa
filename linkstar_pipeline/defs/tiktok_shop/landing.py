"""Turn client responses into raw pages, and read back the landed shops list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from connectors.tiktok_shop import ApiResponse
from linkstar_pipeline.lib.raw_landing import RawPage, raw_file_path, read_raw_pages

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
    return {path.name.removesuffix(".jsonl.gz"): path for path in sorted(folder.glob("*.jsonl.gz"))}


def landed_feed_pages_by_partition(raw_dir: Path, entity: str) -> dict[str, list[RawPage]]:
    """Every landed page of one feed, keyed by partition (reads and decompresses every file)."""
    return {
        key: list(read_raw_pages(path)) for key, path in landed_feed_files(raw_dir, entity).items()
    }


def records_in_page(page: RawPage, list_key: str) -> int:
    return len(json.loads(page.body).get("data", {}).get(list_key) or [])

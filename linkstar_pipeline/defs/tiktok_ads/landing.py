"""Turn ads client responses into raw pages, and read back the landed advertisers."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from connectors.tiktok_ads import AdsResponse
from linkstar_pipeline.defs.dbt import project as dbt_project
from linkstar_pipeline.lib.raw_landing import RawFile, RawPage, raw_file_path, read_raw_pages

SOURCE = "tiktok_ads"


def raw_page(response: AdsResponse, entity: str, page_number: int, partition_key: str | None):
    """`shop_id` holds the advertiser id: the raw page schema is shared by every API source."""
    return RawPage(
        source=SOURCE,
        entity=entity,
        endpoint=f"GET {response.endpoint}",
        shop_id=response.advertiser_id,
        partition_key=partition_key,
        page_number=page_number,
        request_id=response.request_id,
        fetched_at=response.fetched_at.replace(tzinfo=None).isoformat(timespec="microseconds"),
        http_status=response.http_status,
        request_query=dict(response.params),
        request_body=None,
        body=response.text,
    )


def land_ads_pages(raw: RawFile, responses: Iterable[AdsResponse]) -> int:
    """Every page of one advertiser's call into `raw`, numbered from 1 and carrying
    `raw.partition_key`, its `rows` counted as records; returns the rows of this call (the
    per-advertiser and per-store counts in the report assets' metadata)."""
    rows = 0
    for number, response in enumerate(responses, start=1):
        raw.add(raw_page(response, raw.entity, number, raw.partition_key), len(response.rows))
        rows += len(response.rows)
    return rows


@dataclass(frozen=True)
class LandedAdvertiser:
    advertiser_id: str
    currency: str
    timezone: str


def advertisers_file(raw_dir: Path) -> Path:
    return raw_file_path(raw_dir, SOURCE, "advertisers", "advertisers")


def landed_advertisers(raw_dir: Path) -> list[LandedAdvertiser]:
    path = advertisers_file(raw_dir)
    if not path.exists():
        raise FileNotFoundError(
            f"No landed TikTok Ads advertisers at {path}: materialize tiktok_ads/advertisers first."
        )
    found = []
    for page in read_raw_pages(path):
        for row in json.loads(page.body)["data"].get("list") or []:
            found.append(
                LandedAdvertiser(str(row["advertiser_id"]), row["currency"], row["timezone"])
            )
    return found


def advertiser_shops_file() -> Path:
    """The advertiser ↔ shop link: the dbt seed `advertiser_shops`, the one configuration
    both the GMV Max ingestion (which store to ask for) and the marts read."""
    return dbt_project.DBT_PROJECT_DIR / "seeds" / "advertiser_shops.csv"


def stores_by_advertiser(path: Path | None = None) -> dict[str, list[str]]:
    """advertiser id -> the shop (store) ids it sells for, in file order."""
    path = path or advertiser_shops_file()
    stores: dict[str, list[str]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            advertiser_id = (row.get("advertiser_id") or "").strip()
            shop_id = (row.get("shop_id") or "").strip()
            if not advertiser_id.isdigit() or not shop_id.isdigit():
                raise ValueError(
                    f"{path}, line {line}: advertiser_id and shop_id must be numeric ids, "
                    f"got {advertiser_id!r} and {shop_id!r}"
                )
            stores[advertiser_id].append(shop_id)
    return dict(stores)

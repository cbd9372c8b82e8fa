"""TikTok Ads ingestion: advertisers, their ad structure, the daily ad report and the GMV Max
report, landed raw.

Report figures are in each advertiser's own currency and time zone, so windows are computed
on the advertiser's clock (a UTC window misses the newest day of an account ahead of UTC).
Recent days are restated as conversions arrive: every run re-pulls a look-back of
TIKTOK_ADS_LOOKBACK_DAYS (default 7) whatever range it was asked for, and staging keeps the
newest fetch of each ad and day.
"""

from datetime import date, datetime, timedelta

import dagster as dg

from connectors.tiktok_ads import advertiser_local_today, lookback_window
from linkstar_pipeline.defs.tiktok_ads.landing import (
    SOURCE,
    advertisers_file,
    land_ads_pages,
    landed_advertisers,
    raw_page,
    stores_by_advertiser,
)
from linkstar_pipeline.defs.tiktok_ads.resources import TikTokAdsApiResource
from linkstar_pipeline.defs.tiktok_shop.partitions import order_update_days
from linkstar_pipeline.lib.clock import pipeline_now, pipeline_today
from linkstar_pipeline.lib.freshness import DAILY_FRESHNESS
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.raw_landing import RawFile, write_raw_pages

GROUP = "tiktok_ads"
# What the warehouse keeps per ad and day: sums only (ratios are recomputed from them; reach
# is kept at this grain only, as it cannot be summed across ads or days).
REPORT_METRICS = (
    "spend",
    "impressions",
    "reach",
    "clicks",
    "conversion",
    "complete_payment",
    "total_onsite_shopping_value",
    "video_play_actions",
    "video_watched_2s",
    "video_watched_6s",
    "likes",
    "comments",
    "shares",
    "follows",
)
REPORT_DIMENSIONS = ("ad_id", "stat_time_day")
# The account's own daily totals, only to hold the ad-level figures against.
ADVERTISER_TOTAL_METRICS = ("spend", "impressions", "clicks")


@dg.asset(
    key=[SOURCE, "advertisers"],
    group_name=GROUP,
    kinds={"python", "json"},
    freshness_policy=DAILY_FRESHNESS,
    description=(
        "Advertisers the token reaches (TIKTOK_ADS_ADVERTISER_IDS, or discovered) with their "
        "currency and time zone (GET /advertiser/info/), landed raw."
    ),
)
def advertisers(
    context: dg.AssetExecutionContext, tiktok_ads: TikTokAdsApiResource
) -> dg.MaterializeResult:
    client = tiktok_ads.client()
    ids = client.advertiser_ids()
    if not ids:
        raise dg.Failure("The TikTok Ads token reaches no advertiser; nothing to load.")
    responses = client.get_advertisers(ids)
    pages = [raw_page(r, "advertisers", n, None) for n, r in enumerate(responses, start=1)]
    path = advertisers_file(linkstar_paths().raw_dir)
    write_raw_pages(path, pages)
    rows = [row for r in responses for row in r.rows]
    currencies = sorted({str(row.get("currency")) for row in rows})
    context.log.info(f"Landed {len(rows)} advertisers ({', '.join(currencies)}) to {path}")
    return dg.MaterializeResult(
        metadata={
            "advertisers": len(rows),
            "currencies": ", ".join(currencies),
            "raw_file": dg.MetadataValue.path(str(path)),
        }
    )


_STRUCTURE = {"campaigns": "iter_campaigns", "adgroups": "iter_adgroups", "ads": "iter_ads"}


@dg.multi_asset(
    name="tiktok_ads_structure",
    specs=[
        dg.AssetSpec(
            [SOURCE, entity],
            deps=[advertisers],
            group_name=GROUP,
            kinds={"python", "json"},
            freshness_policy=DAILY_FRESHNESS,
            description=(
                f"Every advertiser's {entity} (GET /{entity[:-1]}/get/, all pages), a snapshot "
                f"landed raw as raw/tiktok_ads/{entity}/<fetch day>.jsonl.gz."
            ),
        )
        for entity in _STRUCTURE
    ],
)
def structure(context: dg.AssetExecutionContext, tiktok_ads: TikTokAdsApiResource):
    client = tiktok_ads.client()
    raw_dir = linkstar_paths().raw_dir
    accounts = landed_advertisers(raw_dir)
    fetch_day = pipeline_today().isoformat()
    for entity, method in _STRUCTURE.items():
        snapshot = RawFile(SOURCE, entity)
        for account in accounts:
            land_ads_pages(snapshot, getattr(client, method)(account.advertiser_id))
        path = snapshot.write(raw_dir, fetch_day)
        context.log.info(f"{entity}: {snapshot.records} from {len(accounts)} advertisers to {path}")
        yield dg.MaterializeResult(
            asset_key=[SOURCE, entity],
            metadata={
                entity: snapshot.records,
                "pages": len(snapshot.pages),
                "raw_file": dg.MetadataValue.path(str(path)),
            },
        )


def _daily_report_asset(name: str, description: str):
    """A report over the partition range, every advertiser, after `advertisers`: a backfill
    in one run, as the range lands as one file (`first_last`)."""
    return dg.asset(
        key=[SOURCE, name],
        deps=[advertisers],
        group_name=GROUP,
        kinds={"python", "json"},
        freshness_policy=DAILY_FRESHNESS,
        partitions_def=order_update_days,
        backfill_policy=dg.BackfillPolicy.single_run(),
        description=description,
    )


def _asked_days(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """First and last day of the run's partition range (before each advertiser's look-back)."""
    window = context.partition_time_window
    return window.start.date(), (window.end - timedelta(days=1)).date()


def _land_basic_report(
    context: dg.AssetExecutionContext,
    tiktok_ads: TikTokAdsApiResource,
    name: str,
    level: str,
    metrics: tuple[str, ...],
    dimensions: tuple[str, ...],
) -> dg.MaterializeResult:
    """One BASIC report per advertiser over the partition range on its own clock, widened to
    the restatement look-back, landed as one raw file per run range."""
    client = tiktok_ads.client()
    settings = client.settings
    raw_dir = linkstar_paths().raw_dir
    first, last = _asked_days(context)
    now = pipeline_now()
    run_file = RawFile(SOURCE, name, f"{first}..{last}")
    per_advertiser: dict[str, dict[str, object]] = {}
    for account in landed_advertisers(raw_dir):
        start, end = _local_window(first, last, account.timezone, settings.lookback_days, now)
        if start > end:
            continue
        responses = client.iter_report_pages(
            account.advertiser_id, level, start, end, metrics, dimensions
        )
        rows = land_ads_pages(run_file, responses)
        per_advertiser[account.advertiser_id] = {
            "days": f"{start}..{end}",
            "rows": rows,
            "currency": account.currency,
        }
        context.log.info(f"advertiser {account.advertiser_id}: {rows} {level} rows, {start}..{end}")
    path = run_file.write(raw_dir, f"{first}_{last}")
    return dg.MaterializeResult(
        metadata={
            "rows_landed": sum(int(v["rows"]) for v in per_advertiser.values()),
            "pages_landed": len(run_file.pages),
            "advertisers": len(per_advertiser),
            "per_advertiser": dg.MetadataValue.json(per_advertiser),
            "raw_file": dg.MetadataValue.path(str(path)),
        }
    )


@_daily_report_asset(
    "ad_report_daily",
    "Daily ad-level report (GET /report/integrated/get/, BASIC, AUCTION_AD, ad_id × "
    "stat_time_day) for the partition range on each advertiser's own clock, widened to the "
    "restatement look-back; one raw file per run range, replaced when the range is re-run.",
)
def ad_report_daily(
    context: dg.AssetExecutionContext, tiktok_ads: TikTokAdsApiResource
) -> dg.MaterializeResult:
    return _land_basic_report(
        context, tiktok_ads, "ad_report_daily", "AUCTION_AD", REPORT_METRICS, REPORT_DIMENSIONS
    )


@_daily_report_asset(
    "advertiser_report_daily",
    "Daily advertiser-level totals (GET /report/integrated/get/, BASIC, AUCTION_ADVERTISER, "
    "advertiser_id × stat_time_day: spend, impressions, clicks) over the same days as the ad "
    "report. Not a KPI source: held against the ad-level figures summed, which miss deleted "
    "ads' spend (marts.recon_daily, check ads_ad_level_vs_advertiser_spend).",
)
def advertiser_report_daily(
    context: dg.AssetExecutionContext, tiktok_ads: TikTokAdsApiResource
) -> dg.MaterializeResult:
    return _land_basic_report(
        context,
        tiktok_ads,
        "advertiser_report_daily",
        "AUCTION_ADVERTISER",
        ADVERTISER_TOTAL_METRICS,
        ("advertiser_id", "stat_time_day"),
    )


@_daily_report_asset(
    "gmv_max_report_daily",
    "Daily GMV Max report (GET /gmv_max/report/get/, campaign_id × stat_time_day) of each "
    "advertiser's store(s) from the advertiser_shops seed, one store per call, over the "
    "partition range on the advertiser's clock widened to the restatement look-back.",
)
def gmv_max_report_daily(
    context: dg.AssetExecutionContext, tiktok_ads: TikTokAdsApiResource
) -> dg.MaterializeResult:
    client = tiktok_ads.client()
    raw_dir = linkstar_paths().raw_dir
    first, last = _asked_days(context)
    now = pipeline_now()
    stores = stores_by_advertiser()
    run_file = RawFile(SOURCE, "gmv_max_report_daily", f"{first}..{last}")
    per_store: dict[str, dict[str, object]] = {}
    unlinked = []
    for account in landed_advertisers(raw_dir):
        start, end = _local_window(
            first, last, account.timezone, client.settings.lookback_days, now
        )
        if account.advertiser_id not in stores:
            unlinked.append(account.advertiser_id)
        if start > end:
            continue
        for store_id in stores.get(account.advertiser_id, []):
            responses = client.iter_gmv_max_report_pages(
                account.advertiser_id, store_id, start, end
            )
            rows = land_ads_pages(run_file, responses)
            per_store[store_id] = {
                "advertiser_id": account.advertiser_id,
                "days": f"{start}..{end}",
                "rows": rows,
                "currency": account.currency,
            }
    if unlinked:
        context.log.warning(
            f"No store linked in the advertiser_shops seed for advertisers {unlinked}: "
            "their GMV Max figures are not loaded."
        )
    path = run_file.write(raw_dir, f"{first}_{last}")
    return dg.MaterializeResult(
        metadata={
            "store_days_landed": sum(int(v["rows"]) for v in per_store.values()),
            "stores": len(per_store),
            "advertisers_without_store": len(unlinked),
            "per_store": dg.MetadataValue.json(per_store),
            "raw_file": dg.MetadataValue.path(str(path)),
        }
    )


def _local_window(
    first: date, last: date, timezone: str, lookback_days: int, now: datetime
) -> tuple[date, date]:
    """The asked days, widened back to the look-back and capped at the advertiser's today."""
    today = advertiser_local_today(timezone, now)
    restated_from, _ = lookback_window(today, lookback_days)
    return min(first, restated_from), min(last + timedelta(days=1), today)

"""Customer-service conversations and product reviews, landed raw per UTC update day.

Neither endpoint is walked day by day: the conversation list has no time filter (it is read
newest first down to the window's start) and a review window per day would cost one paced
call per shop and day. Each run walks the whole partition window once per shop and files
every page under the day(s) of the records on it; a page spanning two days lands in both,
which staging absorbs because it keeps the newest version of each id anyway.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import dagster as dg

from connectors.tiktok_shop_service import (
    CONVERSATIONS_LIST_KEY,
    MESSAGES_LIST_KEY,
    REVIEWS_LIST_KEY,
    TikTokShopServiceClient,
    conversation_activity_time,
)
from linkstar_pipeline.defs.tiktok_shop import assets as shop_assets
from linkstar_pipeline.defs.tiktok_shop.landing import (
    SOURCE,
    PageContents,
    check_page,
    checked_pages,
    landed_shops,
    partitions_metadata,
)
from linkstar_pipeline.defs.tiktok_shop.resources import TikTokShopApiResource
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.raw_landing import RawPage, raw_file_path, write_raw_pages

CONVERSATIONS_ENTITY = "cs_conversations"
REVIEWS_ENTITY = "product_reviews"
REQUIRED_CONVERSATION_FIELDS = ("id", "latest_message")
REQUIRED_MESSAGE_FIELDS = ("id", "create_time", "sender")
REQUIRED_REVIEW_FIELDS = ("id", "rating", "product_id", "create_time", "update_time")
_CONVERSATIONS = PageContents(CONVERSATIONS_LIST_KEY, REQUIRED_CONVERSATION_FIELDS)
_MESSAGES = PageContents(MESSAGES_LIST_KEY, REQUIRED_MESSAGE_FIELDS)
_REVIEWS = PageContents(REVIEWS_LIST_KEY, REQUIRED_REVIEW_FIELDS)


def _day_key(unix_seconds: int) -> str:
    return datetime.fromtimestamp(unix_seconds, UTC).strftime("%Y-%m-%d")


def _window_days(context: dg.AssetExecutionContext) -> tuple[list[str], int, int]:
    window = context.partition_time_window
    start, end = window.start.astimezone(UTC), window.end.astimezone(UTC)
    days, day = [], start
    while day < end:
        days.append(day.strftime("%Y-%m-%d"))
        day += timedelta(days=1)
    return days, int(start.timestamp()), int(end.timestamp())


def _land_by_day(
    context: dg.AssetExecutionContext,
    entity: str,
    days: list[str],
    pages_by_day: dict[str, list[RawPage]],
    records_by_day: dict[str, int],
    shops: int,
) -> dg.MaterializeResult:
    """Replace every partition file of the window (empty days too, so reruns never keep
    stale pages), only after every shop's pages arrived."""
    raw_dir = linkstar_paths().raw_dir
    per_partition = {}
    for day in days:
        write_raw_pages(raw_file_path(raw_dir, SOURCE, entity, day), pages_by_day.get(day, []))
        per_partition[day] = {
            "records": records_by_day.get(day, 0),
            "pages": len(pages_by_day.get(day, [])),
        }
        context.log.info(
            f"{entity} {day}: {per_partition[day]['records']} records in "
            f"{per_partition[day]['pages']} pages from {shops} shops"
        )
    return dg.MaterializeResult(
        metadata=partitions_metadata(entity, per_partition, "records", shops, raw_dir)
    )


@shop_assets.shop_landing_asset(
    CONVERSATIONS_ENTITY,
    "Customer-service conversations whose newest message falls on each UTC day (GET "
    "/customer_service/202309/conversations, newest first), with every message of each "
    "(GET .../conversations/{id}/messages), landed raw. Holds buyer PII: raw only.",
)
def cs_conversations(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    service = TikTokShopServiceClient(tiktok_shop.client())
    days, start, end = _window_days(context)
    shops = landed_shops(linkstar_paths().raw_dir)
    pages_by_day: dict[str, list[RawPage]] = defaultdict(list)
    records_by_day: dict[str, int] = defaultdict(int)
    for shop in shops:
        for number, page in enumerate(service.conversations_since(shop.cipher, start), start=1):
            # A conversation page may land under several days: its errors name no partition.
            checked = check_page(page.response, number, _CONVERSATIONS, shop.shop_id)
            in_window = [c for c in page.recent if conversation_activity_time(c) < end]
            for day in sorted({_day_key(conversation_activity_time(c)) for c in in_window}):
                pages_by_day[day].append(checked.raw_page(CONVERSATIONS_ENTITY, day))
            for conversation in in_window:
                day = _day_key(conversation_activity_time(conversation))
                records_by_day[day] += 1
                messages = service.messages(shop.cipher, str(conversation["id"]))
                for message_page in checked_pages(messages, _MESSAGES, shop.shop_id, day):
                    pages_by_day[day].append(message_page.raw_page(CONVERSATIONS_ENTITY, day))
    return _land_by_day(
        context, CONVERSATIONS_ENTITY, days, pages_by_day, records_by_day, len(shops)
    )


@shop_assets.shop_landing_asset(
    REVIEWS_ENTITY,
    "Product reviews created or updated (seller reply) on each UTC day (GET "
    "/product/202309/reviews on update_time, ASSUMED endpoint), every shop, landed raw. "
    "Reviewer identity and text stay in raw.",
)
def product_reviews(
    context: dg.AssetExecutionContext, tiktok_shop: TikTokShopApiResource
) -> dg.MaterializeResult:
    service = TikTokShopServiceClient(tiktok_shop.client())
    days, start, end = _window_days(context)
    shops = landed_shops(linkstar_paths().raw_dir)
    pages_by_day: dict[str, list[RawPage]] = defaultdict(list)
    records_by_day: dict[str, int] = defaultdict(int)
    for shop in shops:
        # A page may land under several days: its errors name no partition.
        for page in checked_pages(service.reviews(shop.cipher, start, end), _REVIEWS, shop.shop_id):
            review_days = [_day_key(int(r["update_time"])) for r in page.records]
            for day in review_days:
                records_by_day[day] += 1
            for day in sorted(set(review_days)):
                pages_by_day[day].append(page.raw_page(REVIEWS_ENTITY, day))
    return _land_by_day(context, REVIEWS_ENTITY, days, pages_by_day, records_by_day, len(shops))

"""TikTok Shop content endpoints: shop, video and LIVE analytics, and affiliate orders.

The ONE place that names these endpoints: paths (with their versions), page-size limits, the
date parameters and the field mapping table. Built on `TikTokShopClient` (signing, pacing,
retries and envelope checks are its job).

What is assumed (reference: analytics paths *unconfirmed*; taken from public SDKs, see
docs). Every path can be overridden from the environment without a code change:

=====================  ======  ==========================================  ==================
endpoint               method  default path                                override variable
=====================  ======  ==========================================  ==================
shop performance       GET     /analytics/202405/shop/performance          TIKTOK_SHOP_PATH_SHOP_PERFORMANCE
video performance      GET     /analytics/202409/shop_videos/performance   TIKTOK_SHOP_PATH_VIDEO_PERFORMANCE
LIVE performance       GET     /analytics/202508/shop_lives/performance    TIKTOK_SHOP_PATH_LIVE_PERFORMANCE
affiliate orders       POST    /affiliate_seller/202410/orders/search      TIKTOK_SHOP_PATH_AFFILIATE_ORDERS
=====================  ======  ==========================================  ==================

Surprises worth knowing:
- analytics dates are `YYYY-MM-DD` in the SHOP'S LOCAL time zone, `start_date_ge` inclusive,
  `end_date_lt` exclusive; a day is published only once it is over (`latest_available_date`);
- analytics are the platform's own view (restated for days), to reconcile against, never the
  order truth; affiliate orders filter on Unix seconds (`update_time_ge` / `_lt`) instead;
- there is no creators endpoint for a seller's own creators: creators arrive embedded in
  video rows (`username`) and affiliate order SKUs (`creator_user_id`, `creator_username`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from connectors.tiktok_shop import ApiResponse, TikTokShopClient

DEFAULT_SHOP_PERFORMANCE_PATH = "/analytics/202405/shop/performance"
DEFAULT_VIDEO_PERFORMANCE_PATH = "/analytics/202409/shop_videos/performance"
DEFAULT_LIVE_PERFORMANCE_PATH = "/analytics/202508/shop_lives/performance"
DEFAULT_AFFILIATE_ORDERS_PATH = "/affiliate_seller/202410/orders/search"

# Public docs: analytics lists max 100 a page (default 10). Affiliate orders: *unconfirmed*.
VIDEO_PAGE_SIZE_LIMITS = (1, 100)
LIVE_PAGE_SIZE_LIMITS = (1, 100)
AFFILIATE_PAGE_SIZE_LIMITS = (1, 100)
# Longest window one analytics call may span (sandbox choice; the real limit is *unconfirmed*).
MAX_ANALYTICS_DAYS = 90

# Where each record sits in `data`.
LIST_KEYS = {
    "shop_performance": "performance.intervals",
    "video_performance": "videos",
    "live_sessions": "live_stream_sessions",
    "affiliate_orders": "orders",
}

# FIELD MAPPING TABLE: canonical name -> dotted path in one API record, per entity.
# Versions rename fields (e.g. LIVE `unit_sold` vs video `units_sold`); when a version moves,
# change it here (and the staging models that read the same paths). Paths marked (sandbox)
# are not in the public docs of the list endpoints and are assumptions.
FIELD_MAP: dict[str, dict[str, str]] = {
    "shop_performance": {
        "start_date": "start_date",
        "end_date": "end_date",
        "gmv_amount": "gmv.amount",
        "currency": "gmv.currency",
        "orders": "orders",
        "buyers": "buyers",
        "units_sold": "units_sold",
        "product_impressions": "product_impressions",
        "product_page_views": "product_page_views",
        "visitors": "visitors",  # (sandbox)
        "add_to_cart": "add_to_cart_count",  # (sandbox)
        "conversion_rate": "conversion_rate",
    },
    "video_performance": {
        "video_id": "id",
        "title": "title",
        "username": "username",
        "post_time": "video_post_time",
        "duration_seconds": "duration",  # (sandbox)
        "product_id": "products.0.id",
        "views": "views",
        "likes": "likes",  # (sandbox; details endpoint: engagement_data.total_likes)
        "comments": "comments",  # (sandbox)
        "shares": "shares",  # (sandbox)
        "product_clicks": "product_clicks",  # (sandbox; docs give click_through_rate)
        "orders": "sku_orders",
        "units_sold": "units_sold",
        "gmv_amount": "gmv.amount",
        "currency": "gmv.currency",
    },
    "live_sessions": {
        "live_id": "id",
        "title": "title",
        "host_username": "username",
        "start_time": "start_time",
        "end_time": "end_time",
        "peak_viewers": "interaction_performance.pcu",
        "total_viewers": "interaction_performance.viewers",
        "avg_watch_seconds": "interaction_performance.avg_viewing_duration",
        "orders": "sales_performance.sku_orders",
        "buyers": "sales_performance.customers",
        "units_sold": "sales_performance.unit_sold",
        "gmv_amount": "sales_performance.gmv.amount",
        "currency": "sales_performance.gmv.currency",
    },
    "affiliate_orders": {
        "order_id": "id",
        "create_time": "create_time",
        "update_time": "update_time",
        "skus": "skus",
        "creator_id": "skus.0.creator_user_id",
        "creator_username": "skus.0.creator_username",
        "content_type": "skus.0.content_type",
        "content_id": "skus.0.content_id",
        "commission_rate": "skus.0.commission_rate",
    },
}


@dataclass(frozen=True)
class ContentPaths:
    """Endpoint paths; each one overridable by environment (see the module docstring)."""

    shop_performance: str = DEFAULT_SHOP_PERFORMANCE_PATH
    video_performance: str = DEFAULT_VIDEO_PERFORMANCE_PATH
    live_performance: str = DEFAULT_LIVE_PERFORMANCE_PATH
    affiliate_orders: str = DEFAULT_AFFILIATE_ORDERS_PATH

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ContentPaths:
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            override = env.get(f"TIKTOK_SHOP_PATH_{f.name.upper()}", "").strip()
            values[f.name] = override or f.default
            if not values[f.name].startswith("/"):
                raise ValueError(
                    f"TIKTOK_SHOP_PATH_{f.name.upper()}={override!r} must be an absolute path"
                )
        return cls(**values)


def field_value(entity: str, record: Mapping[str, Any], name: str) -> Any:
    """One canonical field of one API record, through the mapping table (None if absent)."""
    value: Any = record
    for part in FIELD_MAP[entity][name].split("."):
        if isinstance(value, list):
            value = value[int(part)] if part.isdigit() and int(part) < len(value) else None
        elif isinstance(value, Mapping):
            value = value.get(part)
        else:
            return None
    return value


def records(entity: str, response: ApiResponse) -> list[dict]:
    """The records of one page of `entity`."""
    value: Any = response.data
    for part in LIST_KEYS[entity].split("."):
        value = (value or {}).get(part)
    return list(value or [])


def date_window(first: date, last: date) -> dict[str, str]:
    """Shop-local days `first`..`last` (inclusive) as the analytics query expects them."""
    if last < first:
        raise ValueError(f"last day {last} is before first day {first}")
    if (last - first).days + 1 > MAX_ANALYTICS_DAYS:
        raise ValueError(f"{first}..{last} spans more than {MAX_ANALYTICS_DAYS} days: split it")
    return {
        "start_date_ge": first.isoformat(),
        "end_date_lt": (last + timedelta(days=1)).isoformat(),
    }


class TikTokShopContentClient:
    """The content endpoints over one `TikTokShopClient` (which it does not own)."""

    def __init__(self, client: TikTokShopClient, paths: ContentPaths | None = None) -> None:
        self.client = client
        self.paths = paths or ContentPaths.from_env()

    def shop_performance(self, shop_cipher: str, first: date, last: date) -> ApiResponse:
        """Daily intervals (`granularity=1D`) for shop-local days first..last."""
        params = {**date_window(first, last), "granularity": "1D", "currency": "LOCAL"}
        return self.client.get(self.paths.shop_performance, shop_cipher, params)

    def video_performance(
        self, shop_cipher: str, day: date, page_size: int = 100
    ) -> Iterator[ApiResponse]:
        """Every video's metrics for ONE shop-local day (the list aggregates its window, so
        one call per day gives per-day rows)."""
        params = {**date_window(day, day), "currency": "LOCAL", "account_type": "ALL"}
        return self.client.get_pages(
            self.paths.video_performance,
            shop_cipher,
            page_size=page_size,
            limits=VIDEO_PAGE_SIZE_LIMITS,
            list_key=LIST_KEYS["video_performance"],
            params=params,
        )

    def live_sessions(
        self, shop_cipher: str, first: date, last: date, page_size: int = 100
    ) -> Iterator[ApiResponse]:
        """LIVE sessions that started on shop-local days first..last, with their metrics."""
        params = {**date_window(first, last), "currency": "LOCAL", "account_type": "ALL"}
        return self.client.get_pages(
            self.paths.live_performance,
            shop_cipher,
            page_size=page_size,
            limits=LIVE_PAGE_SIZE_LIMITS,
            list_key=LIST_KEYS["live_sessions"],
            params=params,
        )

    def affiliate_orders(
        self, shop_cipher: str, update_time_ge: int, update_time_lt: int, page_size: int = 100
    ) -> Iterator[ApiResponse]:
        """Affiliate orders updated in [ge, lt) (Unix seconds, exclusive upper bound)."""
        return self.client.search_pages(
            self.paths.affiliate_orders,
            AFFILIATE_PAGE_SIZE_LIMITS,
            shop_cipher,
            page_size,
            {"update_time_ge": update_time_ge, "update_time_lt": update_time_lt},
            list_key=LIST_KEYS["affiliate_orders"],
        )

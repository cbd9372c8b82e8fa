"""The content endpoints of the emulated TikTok Shop gateway: shop, video and LIVE analytics
and affiliate orders, served from a `ContentWorld` at the gateway's data clock.

Registered on an existing `TikTokShopApi` (`register_content_routes`), so signing, token,
throttle and faults apply as for every other endpoint. Paths come from
`connectors.tiktok_shop_content` (the one place they are named). There is no creators
endpoint: creators come embedded in video rows and affiliate order SKUs.

Analytics queries take shop-local `start_date_ge` (inclusive) and `end_date_lt` (exclusive)
dates; days after `latest_available_date` (yesterday, shop-local) are not served yet.
List pages use an offset token bound to the query (sandbox choice; real tokens are opaque).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sandbox.content import (
    AFFILIATE,
    ContentWorld,
    LiveStats,
    VideoDay,
    latest_available_date,
    line_commission,
)
from sandbox.generator import ORDER_STATUSES, Shop, money_str
from sandbox.ground_truth import local_date
from sandbox.tiktok_shop_api import (
    CODE_INVALID_PARAM,
    ApiError,
    ApiRequest,
    TikTokShopApi,
    _keyset_page,
    _Searchable,
    _SearchQuery,
    _SearchSpec,
)


# The emulated API's own facts, written here from the public docs and never imported from the
# connectors: a sandbox sharing the client's paths or limits would agree with a wrong client.
# Paths: TikTok Shop Partner Center's analytics (2024-2025 versions) and affiliate seller APIs.
@dataclass(frozen=True)
class ContentPaths:
    shop_performance: str = "/analytics/202405/shop/performance"
    video_performance: str = "/analytics/202409/shop_videos/performance"
    live_performance: str = "/analytics/202508/shop_lives/performance"
    affiliate_orders: str = "/affiliate_seller/202410/orders/search"


# Analytics lists: at most 100 a page (public docs). Affiliate orders: the same (unconfirmed).
VIDEO_PAGE_SIZE_LIMITS = (1, 100)
LIVE_PAGE_SIZE_LIMITS = (1, 100)
AFFILIATE_PAGE_SIZE_LIMITS = (1, 100)
# Longest window one analytics call may span: the sandbox's choice (the real limit is unknown).
MAX_ANALYTICS_DAYS = 90

_AFFILIATE_SEARCH = _SearchSpec(
    AFFILIATE_PAGE_SIZE_LIMITS, "DESC", "order_status", ORDER_STATUSES, False
)
_VIDEO_SORT = ("gmv", "sku_orders", "units_sold", "views", "click_through_rate")
_LIVE_SORT = ("gmv", "sku_orders", "unit_sold", "customers")


def register_content_routes(
    api: TikTokShopApi, world: ContentWorld, paths: ContentPaths | None = None
) -> None:
    ContentApi(api, world).register(paths or ContentPaths())


class ContentApi:
    def __init__(self, api: TikTokShopApi, world: ContentWorld) -> None:
        self.api = api
        self.world = world

    def register(self, paths: ContentPaths) -> None:
        self.api.register_route(paths.shop_performance, "GET", self.shop_performance)
        self.api.register_route(paths.video_performance, "GET", self.video_performance)
        self.api.register_route(paths.live_performance, "GET", self.live_performance)
        self.api.register_route(paths.affiliate_orders, "POST", self.affiliate_orders)

    # ------------------------------------------------------------------ analytics

    def shop_performance(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        first, end = _date_range(request)
        granularity = request.query.get("granularity", "ALL")
        if granularity not in ("ALL", "1D"):
            raise ApiError(400, CODE_INVALID_PARAM, "granularity must be ALL or 1D")
        _check_currency(request)
        as_of = self.api.as_of()
        days = [d for d in self.world.shop_days(shop, as_of) if first <= d.local_date < end]
        cur = shop.currency
        groups = [[d] for d in days] if granularity == "1D" else ([days] if days else [])
        intervals = []
        for group in groups:
            orders = sum(d.orders for d in group)
            visitors = sum(d.visitors for d in group)
            intervals.append(
                {
                    "start_date": group[0].local_date.isoformat(),
                    "end_date": _next(group[-1].local_date),
                    "gmv": {"amount": money_str(sum(d.gmv for d in group), cur), "currency": cur},
                    "orders": orders,
                    "buyers": sum(d.buyers for d in group),
                    "units_sold": sum(d.units for d in group),
                    "product_impressions": sum(d.product_impressions for d in group),
                    "product_page_views": sum(d.product_page_views for d in group),
                    "visitors": visitors,
                    "add_to_cart_count": sum(d.add_to_cart for d in group),
                    "conversion_rate": str(
                        group[0].conversion_rate if len(group) == 1 else _rate(orders, visitors)
                    ),
                }
            )
        return {
            "latest_available_date": latest_available_date(shop, as_of).isoformat(),
            "performance": {"intervals": intervals},
        }

    def video_performance(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        first, end = _date_range(request)
        _check_currency(request)
        account = request.query.get("account_type", "ALL")
        if account not in ("ALL", "LINKED_ACCOUNTS", "AFFILIATES"):
            raise ApiError(
                400, CODE_INVALID_PARAM, "account_type must be ALL, LINKED_ACCOUNTS or AFFILIATES"
            )
        sort_field, descending = _sort(request, _VIDEO_SORT)
        page_size = _page_size(request, VIDEO_PAGE_SIZE_LIMITS)
        as_of = self.api.as_of()
        by_video: dict[str, list[VideoDay]] = defaultdict(list)
        for row in self.world.video_days(shop, as_of):
            if first <= row.local_date < end:
                by_video[row.video_id].append(row)
        cur = shop.currency
        rows = []
        for video_id, days in by_video.items():
            video = self.world.video_by_id[video_id]
            if account == "LINKED_ACCOUNTS" and video.creator_id is not None:
                continue
            if account == "AFFILIATES" and video.creator_id is None:
                continue
            views = sum(d.views for d in days)
            clicks = sum(d.product_clicks for d in days)
            gmv = sum((d.gmv for d in days), Decimal(0))
            rows.append(
                {
                    "id": video_id,
                    "title": video.title,
                    "username": video.username,
                    "video_post_time": datetime.fromtimestamp(video.post_time, UTC).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    ),
                    "duration": video.duration_seconds,
                    "products": [{"id": video.product_id, "name": video.product_name}],
                    "views": views,
                    "likes": sum(d.likes for d in days),
                    "comments": sum(d.comments for d in days),
                    "shares": sum(d.shares for d in days),
                    "product_clicks": clicks,
                    "click_through_rate": str(_rate(clicks, views)),
                    "sku_orders": sum(d.orders for d in days),
                    "units_sold": sum(d.units for d in days),
                    "gmv": {"amount": money_str(gmv, cur), "currency": cur},
                }
            )
        rows.sort(key=lambda r: (_sort_value(r, sort_field), r["id"]), reverse=descending)
        page = _offset_page(request, rows, page_size, "videos")
        page["latest_available_date"] = latest_available_date(shop, as_of).isoformat()
        return page

    def live_performance(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        first, end = _date_range(request)
        _check_currency(request)
        sort_field, descending = _sort(request, _LIVE_SORT)
        page_size = _page_size(request, LIVE_PAGE_SIZE_LIMITS)
        as_of = self.api.as_of()
        last = latest_available_date(shop, as_of)
        rows = [
            _live_row(stats, shop)
            for stats in self.world.live_stats(shop, as_of)
            if first <= _local(shop, stats.session.start_time) < end
            and _local(shop, stats.session.start_time) <= last
        ]
        field = {
            "gmv": "gmv",
            "sku_orders": "sku_orders",
            "unit_sold": "unit_sold",
            "customers": "customers",
        }[sort_field]
        rows.sort(
            key=lambda r: (_sort_value(r["sales_performance"], field), r["id"]), reverse=descending
        )
        page = _offset_page(request, rows, page_size, "live_stream_sessions")
        page["latest_available_date"] = last.isoformat()
        return page

    # ------------------------------------------------------------------ affiliate

    def affiliate_orders(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        query = _SearchQuery.parse(request, shop, _AFFILIATE_SEARCH)
        as_of = self.api.as_of()
        found = []
        for order, attribution in self.world.attributions_at(shop.shop_id, as_of):
            if attribution.channel != AFFILIATE:
                continue
            state = order.state_at(as_of)
            assert state is not None
            row = _Searchable(order.order_id, order.create_time, state.update_time, state.status)
            found.append(
                (row, lambda o=order, a=attribution, s=state: self._affiliate_view(o, a, s))
            )
        return _keyset_page(query, found, "orders")

    def _affiliate_view(self, order, attribution, state) -> dict:
        creator = self.world.creator_by_id[attribution.creator_id]
        cur = order.currency
        rate = attribution.commission_rate
        return {
            "id": order.order_id,
            "status": state.status,
            "create_time": order.create_time,
            "update_time": state.update_time,
            "skus": [
                {
                    "sku_id": li.sku_id,
                    "product_id": li.product_id,
                    "quantity": 1,
                    "price": {
                        "amount": money_str(li.sale_price + li.platform_discount, cur),
                        "currency": cur,
                    },
                    "creator_user_id": creator.creator_id,
                    "creator_username": creator.handle,
                    "content_type": attribution.content_type,
                    "content_id": attribution.content_id,
                    "commission_rate": f"{rate:.4f}",
                    "estimated_commission": {
                        "amount": money_str(line_commission(li, rate, cur), cur),
                        "currency": cur,
                    },
                }
                for li in order.line_items
            ],
        }


def _live_row(stats: LiveStats, shop: Shop) -> dict:
    s = stats.session
    cur = shop.currency
    return {
        "id": s.live_id,
        "title": s.title,
        "username": s.host_username,
        "start_time": str(s.start_time),
        "end_time": str(s.end_time),
        "interaction_performance": {
            "pcu": s.peak_viewers,
            "viewers": s.total_viewers,
            "avg_viewing_duration": str(s.avg_watch_seconds),
        },
        "sales_performance": {
            "gmv": {"amount": money_str(stats.gmv, cur), "currency": cur},
            "sku_orders": stats.orders,
            "customers": stats.buyers,
            "unit_sold": stats.units,
        },
    }


def _local(shop: Shop, seconds: int) -> date:
    return local_date(shop, seconds)


def _date_range(request: ApiRequest) -> tuple[date, date]:
    """[first, end) shop-local dates from `start_date_ge` / `end_date_lt`, validated."""
    parsed = []
    for name in ("start_date_ge", "end_date_lt"):
        raw = request.query.get(name, "")
        try:
            parsed.append(date.fromisoformat(raw) if len(raw) == 10 else None)
        except ValueError:
            parsed.append(None)
        if parsed[-1] is None:
            raise ApiError(
                400, CODE_INVALID_PARAM, f"{name} is required, YYYY-MM-DD (shop local date)"
            )
    first, end = parsed
    assert first is not None and end is not None
    if end <= first:
        raise ApiError(400, CODE_INVALID_PARAM, "end_date_lt must be after start_date_ge")
    if (end - first).days > MAX_ANALYTICS_DAYS:
        raise ApiError(400, CODE_INVALID_PARAM, f"date range longer than {MAX_ANALYTICS_DAYS} days")
    return first, end


def _check_currency(request: ApiRequest) -> None:
    if request.query.get("currency", "LOCAL") != "LOCAL":
        raise ApiError(400, CODE_INVALID_PARAM, "currency: the sandbox serves LOCAL only")


def _page_size(request: ApiRequest, limits: tuple[int, int]) -> int:
    raw = request.query.get("page_size", "10")
    lo, hi = limits
    if not raw.isdigit() or not lo <= int(raw) <= hi:
        raise ApiError(400, CODE_INVALID_PARAM, f"page_size must be {lo}-{hi}")
    return int(raw)


def _sort(request: ApiRequest, allowed: tuple[str, ...]) -> tuple[str, bool]:
    field = request.query.get("sort_field", "gmv")
    order = request.query.get("sort_order", "DESC")
    if field not in allowed or order not in ("ASC", "DESC"):
        raise ApiError(
            400,
            CODE_INVALID_PARAM,
            f"sort_field must be one of {', '.join(allowed)}, sort_order ASC|DESC",
        )
    return field, order == "DESC"


def _sort_value(row: dict, field: str) -> Decimal:
    value = row[field]
    return Decimal(value["amount"] if isinstance(value, dict) else str(value))


def _offset_page(request: ApiRequest, rows: list[dict], page_size: int, list_key: str) -> dict:
    """One page; the token holds the offset and a fingerprint of the query it belongs to."""
    fingerprint = hashlib.sha256(
        json.dumps(sorted((k, v) for k, v in request.query.items() if k not in _VOLATILE)).encode()
    ).hexdigest()[:16]
    offset = 0
    token = request.query.get("page_token", "")
    if token:
        try:
            payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            offset = int(payload["o"])
            valid = payload["q"] == fingerprint and offset >= 0
        except (binascii.Error, ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            raise ApiError(
                400, CODE_INVALID_PARAM, "page_token is invalid or belongs to a different query"
            )
    page = rows[offset : offset + page_size]
    more = offset + page_size < len(rows)
    next_token = ""
    if more:
        raw = json.dumps({"q": fingerprint, "o": offset + page_size}).encode()
        next_token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return {list_key: page, "next_page_token": next_token, "total_count": len(rows)}


_VOLATILE = frozenset({"page_token", "page_size", "sign", "timestamp", "access_token"})


def _next(day: date) -> str:
    return (day + timedelta(days=1)).isoformat()


def _rate(numerator: int, denominator: int) -> Decimal:
    if denominator == 0:
        return Decimal("0.0000")
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))

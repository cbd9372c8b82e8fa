"""Customer-service and product-review endpoints of the emulated TikTok Shop gateway.

Registered on an existing `TikTokShopApi` (signing, token, throttle and faults come with it):

- `GET /customer_service/202309/conversations` — the shop's conversations, newest activity
  first, paged by `page_token`; `page_size` 1-20. Public SDKs agree on the path and the
  `page_size`/`page_token`/`locale` query; the sort order and `is_complaint` are sandbox choices.
- `GET /customer_service/202309/conversations/{conversation_id}/messages` — one
  conversation's messages, newest first, `page_size` 1-10 (limits unconfirmed).
- `GET /product/202309/reviews` — reviews of the shop's products with `update_time_ge` /
  `update_time_lt` (exclusive, like orders), oldest update first, `page_size` 1-50. No public
  source documents a product-review endpoint: path, filters and fields are ASSUMED here and
  in `connectors.tiktok_shop_service`, the one place the pipeline names them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from typing import Any

from sandbox.generator import Shop
from sandbox.service import ServiceData, build_service
from sandbox.tiktok_shop_api import CODE_INVALID_PARAM, ApiError, ApiRequest, TikTokShopApi

CONVERSATIONS_PATH = "/customer_service/202309/conversations"
MESSAGES_PATH = "/customer_service/202309/conversations/{conversation_id}/messages"
REVIEWS_PATH = "/product/202309/reviews"

CONVERSATION_PAGE_SIZE = (1, 20)
MESSAGE_PAGE_SIZE = (1, 10)
REVIEW_PAGE_SIZE = (1, 50)
_REVIEW_TIME_FILTERS = ("update_time_ge", "update_time_lt", "create_time_ge", "create_time_lt")


class ServiceEndpoints:
    """Handlers over one `ServiceData`, reading the gateway's data clock."""

    def __init__(self, api: TikTokShopApi, service: ServiceData) -> None:
        self.api = api
        self.service = service

    def _conversations(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        page_size = _page_size(request, CONVERSATION_PAGE_SIZE)
        as_of = self.api.as_of()
        rows = []
        for c in self.service.conversations.get(shop.shop_id, []):
            update_time = c.update_time_at(as_of)
            if update_time is not None:
                rows.append((update_time, c.conversation_id, lambda c=c: c.api_view(as_of)))
        return _page(request, rows, page_size, "conversations", [shop.shop_id], descending=True)

    def _messages(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        page_size = _page_size(request, MESSAGE_PAGE_SIZE)
        conversation_id = request.path_params.get("conversation_id", "")
        conversation = self.service.conversation(conversation_id)
        as_of = self.api.as_of()
        if (
            conversation is None
            or conversation.shop.shop_id != shop.shop_id
            or not conversation.visible_messages(as_of)
        ):
            raise ApiError(
                400,
                CODE_INVALID_PARAM,
                f"conversation_id {conversation_id!r} not found in this shop",
            )
        rows = [
            (m.create_time, m.message_id, lambda m=m: m.api_view(conversation.buyer))
            for m in conversation.visible_messages(as_of)
        ]
        return _page(request, rows, page_size, "messages", [shop.shop_id, conversation_id], True)

    def _reviews(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        page_size = _page_size(request, REVIEW_PAGE_SIZE)
        filters = {}
        for name in _REVIEW_TIME_FILTERS:
            raw = request.query.get(name)
            if raw is None:
                continue
            if not raw.isdigit():
                raise ApiError(400, CODE_INVALID_PARAM, f"{name} must be Unix seconds (integer)")
            filters[name] = int(raw)
        as_of = self.api.as_of()
        rows = []
        for review in self.service.reviews.get(shop.shop_id, []):
            update_time = review.update_time_at(as_of)
            if update_time is None or not _within(filters, review.create_time, update_time):
                continue
            rows.append((update_time, review.review_id, lambda r=review: r.api_view(as_of)))
        fingerprint = [shop.shop_id, sorted(filters.items())]
        return _page(request, rows, page_size, "reviews", fingerprint, descending=False)


def register_service_routes(api: TikTokShopApi, service: ServiceData | None = None) -> ServiceData:
    """Serve the customer-service and review endpoints on `api`; returns the data served."""
    data = service or build_service(api.dataset)
    endpoints = ServiceEndpoints(api, data)
    api.register_route(CONVERSATIONS_PATH, "GET", endpoints._conversations)
    api.register_route(MESSAGES_PATH, "GET", endpoints._messages)
    api.register_route(REVIEWS_PATH, "GET", endpoints._reviews)
    return data


def _within(filters: dict[str, int], create_time: int, update_time: int) -> bool:
    checks = {
        "update_time_ge": update_time >= filters.get("update_time_ge", update_time),
        "update_time_lt": "update_time_lt" not in filters
        or update_time < filters["update_time_lt"],
        "create_time_ge": create_time >= filters.get("create_time_ge", create_time),
        "create_time_lt": "create_time_lt" not in filters
        or create_time < filters["create_time_lt"],
    }
    return all(checks.values())


def _page_size(request: ApiRequest, limits: tuple[int, int]) -> int:
    raw = request.query.get("page_size", "")
    lo, hi = limits
    if not raw.isdigit() or not lo <= int(raw) <= hi:
        raise ApiError(400, CODE_INVALID_PARAM, f"page_size is required, {lo}-{hi}")
    return int(raw)


def _page(
    request: ApiRequest,
    rows: list[tuple[int, str, Callable[[], Any]]],
    page_size: int,
    list_field: str,
    fingerprint_parts: list,
    descending: bool,
) -> dict:
    """Keyset paging over (sort key, id): the token holds the last key served and the
    query it belongs to, so records added mid-walk never shift a page."""
    fingerprint = hashlib.sha256(json.dumps(fingerprint_parts).encode()).hexdigest()[:16]
    rows = sorted(rows, key=lambda r: (r[0], r[1]), reverse=descending)
    token = request.query.get("page_token", "")
    if token:
        cursor = _decode_token(token, fingerprint)
        if descending:
            rows = [r for r in rows if (r[0], r[1]) < cursor]
        else:
            rows = [r for r in rows if (r[0], r[1]) > cursor]
    page = rows[:page_size]
    next_token = ""
    if len(rows) > len(page):
        payload = json.dumps({"q": fingerprint, "k": [page[-1][0], page[-1][1]]}).encode()
        next_token = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return {
        list_field: [view() for _, _, view in page],
        "next_page_token": next_token,
    }


def _decode_token(token: str, fingerprint: str) -> tuple[int, str]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        key, record_id = payload["k"]
        if payload["q"] == fingerprint and isinstance(key, int):
            return key, str(record_id)
    except (binascii.Error, ValueError, KeyError, TypeError):
        pass
    raise ApiError(400, CODE_INVALID_PARAM, "page_token is invalid or belongs to a different query")

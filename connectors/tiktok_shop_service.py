"""TikTok Shop customer service (conversations, messages) and product reviews.

Built on `TikTokShopClient.get_pages`, which signs, paces, retries and checks envelopes.
Everything this module assumes about the endpoints is in the constants below, the one place
to change when TikTok versions them per region:

- Conversations `GET /customer_service/202309/conversations` and messages
  `GET /customer_service/202309/conversations/{conversation_id}/messages`: path and the
  `page_size`/`page_token`/`locale` query agree across public SDKs. UNCONFIRMED: the page-size
  limits (1-20, 1-10), that conversations come newest activity first with no time filter,
  that a conversation's activity time is `latest_message.create_time` in Unix seconds, and
  the `is_complaint` flag.
- Reviews `GET /product/202309/reviews`: no public source documents it; path, the
  `update_time_ge`/`update_time_lt` filters (exclusive upper bound, like orders), the page
  size 1-50 and the fields (`id`, `rating`, `product_id`, `sku_id`, `order_id`,
  `create_time`, `update_time`, `reviewer`) are ASSUMED.

Buyer nicknames, user ids and message text are PII: this module passes pages through
untouched for landing; the warehouse's staging drops them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from connectors.tiktok_shop import ApiResponse, TikTokShopClient, TikTokShopResponseError

logger = logging.getLogger(__name__)

CONVERSATIONS_PATH = "/customer_service/202309/conversations"
MESSAGES_PATH_TEMPLATE = "/customer_service/202309/conversations/{conversation_id}/messages"
REVIEWS_PATH = "/product/202309/reviews"
CONVERSATION_PAGE_SIZE_LIMITS = (1, 20)
MESSAGE_PAGE_SIZE_LIMITS = (1, 10)
REVIEW_PAGE_SIZE_LIMITS = (1, 50)
CONVERSATIONS_LIST_KEY = "conversations"
MESSAGES_LIST_KEY = "messages"
REVIEWS_LIST_KEY = "reviews"
DEFAULT_LOCALE = "en-US"


def messages_path(conversation_id: str) -> str:
    if not conversation_id or "/" in conversation_id:
        raise ValueError(f"conversation_id {conversation_id!r} is not a conversation id")
    return MESSAGES_PATH_TEMPLATE.format(conversation_id=conversation_id)


def conversation_activity_time(conversation: dict[str, Any]) -> int:
    """When a conversation last changed: its newest message (assumed Unix seconds)."""
    latest = conversation.get("latest_message") or {}
    value = latest.get("create_time", conversation.get("create_time"))
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise TikTokShopResponseError(
            f"TikTok Shop GET {CONVERSATIONS_PATH}: conversation {conversation.get('id', '?')} "
            f"has no integer latest_message.create_time (got {value!r})",
            "GET",
            CONVERSATIONS_PATH,
        )
    return int(value)


@dataclass(frozen=True)
class ConversationPage:
    """One list page, with the conversations it holds that changed at or after `since`."""

    response: ApiResponse
    recent: list[dict[str, Any]]


class TikTokShopServiceClient:
    """Customer-service and review calls for one seller authorization."""

    def __init__(self, client: TikTokShopClient, locale: str = DEFAULT_LOCALE) -> None:
        self.client = client
        self.locale = locale

    def conversations_since(
        self, shop_cipher: str, since: int, *, page_size: int = 20
    ) -> Iterator[ConversationPage]:
        """List pages, newest activity first, until a page reaches activity before `since`.

        The list takes no time filter, so the walk stops early instead: every conversation
        active at or after `since` is on the pages yielded (conversations active during the
        walk may move to the front and be missed this time; the next run's look-back gets
        them).
        """
        pages = self.client.get_pages(
            CONVERSATIONS_PATH,
            shop_cipher,
            page_size=page_size,
            limits=CONVERSATION_PAGE_SIZE_LIMITS,
            list_key=CONVERSATIONS_LIST_KEY,
            params={"locale": self.locale},
        )
        for response in pages:
            records = response.data.get(CONVERSATIONS_LIST_KEY) or []
            recent = [c for c in records if conversation_activity_time(c) >= since]
            yield ConversationPage(response, recent)
            if len(recent) < len(records):
                pages.close()
                return

    def messages(
        self, shop_cipher: str, conversation_id: str, *, page_size: int = 10
    ) -> Iterator[ApiResponse]:
        """Every page of one conversation's messages (newest first)."""
        return self.client.get_pages(
            messages_path(conversation_id),
            shop_cipher,
            page_size=page_size,
            limits=MESSAGE_PAGE_SIZE_LIMITS,
            list_key=MESSAGES_LIST_KEY,
            params={"locale": self.locale},
            path_template=MESSAGES_PATH_TEMPLATE,
        )

    def reviews(
        self, shop_cipher: str, update_time_ge: int, update_time_lt: int, *, page_size: int = 50
    ) -> Iterator[ApiResponse]:
        """Every page of reviews created or updated (seller reply) in [ge, lt)."""
        for name, value in (("update_time_ge", update_time_ge), ("update_time_lt", update_time_lt)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be Unix seconds as an int, got {value!r}")
        return self.client.get_pages(
            REVIEWS_PATH,
            shop_cipher,
            page_size=page_size,
            limits=REVIEW_PAGE_SIZE_LIMITS,
            list_key=REVIEWS_LIST_KEY,
            params={"update_time_ge": update_time_ge, "update_time_lt": update_time_lt},
        )

"""Customer-service and review endpoints over real HTTP: client + emulator.

Expected ids come from the sandbox's service model in plain Python."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connectors.retry import RetryPolicy
from connectors.sandbox_defaults import sandbox_environment
from connectors.tiktok_shop import TikTokShopApiError, TikTokShopClient, TikTokShopSettings
from connectors.tiktok_shop_service import (
    CONVERSATIONS_PATH,
    MESSAGES_PATH_TEMPLATE,
    REVIEWS_PATH,
    TikTokShopServiceClient,
    messages_path,
)
from sandbox.tiktok_shop_api import CODE_INVALID_PARAM, CODE_THROTTLED
from tests.conftest import sandbox_running, shop_client_noting_rate_limit_keys

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SINCE = int(datetime(2026, 11, 10, tzinfo=UTC).timestamp())
FAST_RETRY = RetryPolicy(max_attempts=8, base_delay=0.01, max_delay=0.2)


@pytest.fixture(scope="module")
def sb():
    with sandbox_running(start_date=date(2026, 11, 1), end_date=AS_OF.date(), as_of=AS_OF) as s:
        yield s


def service_client(base_url: str, max_attempts: int = 8) -> TikTokShopServiceClient:
    settings = TikTokShopSettings.from_env(environ=sandbox_environment(base_url))
    retry = RetryPolicy(max_attempts=max_attempts, base_delay=0.01, max_delay=0.2)
    return TikTokShopServiceClient(TikTokShopClient(settings, retry=retry))


def test_conversation_walk_pages_newest_first_and_stops_at_the_window(sb):
    shop = sb.dataset.shops[0]
    as_of = sb.as_of()
    expected = {
        c.conversation_id
        for c in sb.service.conversations[shop.shop_id]
        if (c.update_time_at(as_of) or 0) >= SINCE
    }
    pages = list(service_client(sb.base_url).conversations_since(shop.cipher, SINCE, page_size=3))
    found = [c["id"] for p in pages for c in p.recent]
    assert sorted(found) == sorted(expected) and len(found) == len(set(found))
    assert len(pages) >= 2
    times = [
        c["latest_message"]["create_time"] for p in pages for c in p.response.data["conversations"]
    ]
    assert times == sorted(times, reverse=True)
    older = sum(
        1 for c in sb.service.conversations[shop.shop_id] if (c.update_time_at(as_of) or 0) < SINCE
    )
    assert older > 3 and len(pages) <= len(expected) // 3 + 2  # never walked to the end


def test_messages_of_one_conversation_match_the_model_and_hold_no_future(sb):
    shop = sb.dataset.shops[1]
    conversation = next(c for c in sb.service.conversations[shop.shop_id] if len(c.messages) >= 5)
    pages = list(
        service_client(sb.base_url).messages(shop.cipher, conversation.conversation_id, page_size=2)
    )
    messages = [m for p in pages for m in p.data["messages"]]
    assert len(pages) == -(-len(messages) // 2)
    assert [m["id"] for m in messages] == [m.message_id for m in reversed(conversation.messages)]
    assert {m["sender"]["role"] for m in messages} <= {"BUYER", "CUSTOMER_SERVICE", "SYSTEM"}
    assert all(m["create_time"] <= sb.as_of() for m in messages)


def test_every_conversations_messages_are_paced_as_one_endpoint(sb):
    """Limits are per endpoint: one bucket for all conversations, keyed by the path template."""
    shop = sb.dataset.shops[0]
    conversations = [c for c in sb.service.conversations[shop.shop_id] if c.messages][:3]
    client, keys = shop_client_noting_rate_limit_keys(sb.base_url)
    for conversation in conversations:
        list(TikTokShopServiceClient(client).messages(shop.cipher, conversation.conversation_id))
    assert len(conversations) == 3 and keys == [MESSAGES_PATH_TEMPLATE] * 3


def test_reviews_filter_on_update_time_with_an_exclusive_upper_bound(sb):
    shop = sb.dataset.shops[0]
    as_of, lt = sb.as_of(), SINCE + 3 * 86400
    expected = {
        r.review_id
        for r in sb.service.reviews[shop.shop_id]
        if (u := r.update_time_at(as_of)) is not None and SINCE <= u < lt
    }
    pages = list(service_client(sb.base_url).reviews(shop.cipher, SINCE, lt, page_size=5))
    found = [r["id"] for p in pages for r in p.data["reviews"]]
    assert expected and sorted(found) == sorted(expected)
    assert all("rating" in r and 1 <= r["rating"] <= 5 for p in pages for r in p.data["reviews"])


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (CONVERSATIONS_PATH, {"page_size": 21}),
        (CONVERSATIONS_PATH, {"page_size": 0}),
        (CONVERSATIONS_PATH, {"page_size": 5, "page_token": "not-a-token"}),
        (REVIEWS_PATH, {"page_size": 51}),
        (REVIEWS_PATH, {"page_size": 10, "update_time_ge": "yesterday"}),
        (messages_path("123"), {"page_size": 5}),
        (messages_path("123"), {"page_size": 11}),
    ],
)
def test_bad_parameters_are_refused_with_invalid_param(sb, path, params):
    client = service_client(sb.base_url).client
    with pytest.raises(TikTokShopApiError) as caught:
        client.get(path, sb.dataset.shops[0].cipher, params)
    assert caught.value.code == CODE_INVALID_PARAM


def test_client_refuses_page_sizes_outside_the_limits_before_sending(sb):
    client = service_client(sb.base_url)
    with pytest.raises(ValueError, match="between 1 and 20"):
        next(client.conversations_since(sb.dataset.shops[0].cipher, SINCE, page_size=50))


def test_a_conversation_of_another_shop_is_not_served(sb):
    other = sb.service.conversations[sb.dataset.shops[1].shop_id][0]
    with pytest.raises(TikTokShopApiError):
        list(
            service_client(sb.base_url).messages(sb.dataset.shops[0].cipher, other.conversation_id)
        )


def test_throttled_calls_are_retried_and_the_walk_completes():
    with sandbox_running(
        start_date=date(2026, 11, 1),
        end_date=AS_OF.date(),
        as_of=AS_OF,
        rate_limit_per_second=5.0,
        rate_limit_burst=2,
        shop_count=1,
    ) as sb:
        shop = sb.dataset.shops[0]
        client = service_client(sb.base_url, max_attempts=20)
        found = [
            c["id"]
            for p in client.conversations_since(shop.cipher, 0, page_size=2)
            for c in p.recent
        ]
        visible = [
            c for c in sb.service.conversations[shop.shop_id] if c.update_time_at(sb.as_of())
        ]
        assert sorted(found) == sorted(c.conversation_id for c in visible)
        codes = [code for _, path, _, code in sb.request_log if path == CONVERSATIONS_PATH]
        assert CODE_THROTTLED in codes

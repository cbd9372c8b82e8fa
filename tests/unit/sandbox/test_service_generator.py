"""Invariants of the seeded customer-service and review data, and the first-response rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from sandbox.generator import DatasetConfig, generate_dataset
from sandbox.service import (
    AGENT,
    BUYER,
    SYSTEM,
    WORK_END_HOUR,
    WORK_START_HOUR,
    Message,
    build_service,
    first_response,
    first_response_truth,
    reviews_truth,
)

AS_OF = int(datetime(2026, 11, 20, 12, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def world():
    dataset = generate_dataset(DatasetConfig(7, date(2026, 11, 1), date(2026, 11, 20), 25))
    return dataset, build_service(dataset)


def test_the_same_seed_builds_the_same_conversations_and_reviews(world):
    dataset, service = world
    again = build_service(dataset)
    assert again.conversations == service.conversations
    assert again.reviews == service.reviews


def test_every_conversation_starts_with_a_buyer_question_and_agents_belong_to_the_shop(world):
    _, service = world
    for shop_id, conversations in service.conversations.items():
        agents = set(service.agents[shop_id])
        for c in conversations:
            times = [m.create_time for m in c.messages]
            assert times == sorted(times)
            assert any(m.role == BUYER for m in c.messages)
            assert {m.agent for m in c.messages if m.role == AGENT} <= agents


def test_first_answers_fall_in_the_shops_working_hours(world):
    _, service = world
    for conversations in service.conversations.values():
        for c in conversations:
            answered = first_response(list(c.messages)).first_agent_response_at
            if answered is not None:
                hour = datetime.fromtimestamp(answered, ZoneInfo(c.shop.time_zone)).hour
                assert WORK_START_HOUR <= hour < WORK_END_HOUR, c.conversation_id


def test_some_conversations_are_slow_some_never_answered_and_some_are_complaints(world):
    _, service = world
    truth = first_response_truth(service, AS_OF)
    seconds = [t.response_seconds for t in truth.values()]
    assert sum(s is None for s in seconds) >= 3
    assert sum(1 for s in seconds if s is not None and s > 24 * 3600) >= 3
    assert sum(1 for s in seconds if s is not None and s < 3600) >= 10
    everything = [c for cs in service.conversations.values() for c in cs]
    assert any(c.is_complaint for c in everything)
    assert {c.topic for c in everything} == {"PARCEL", "RETURN", "PRE_SALE"}


def test_nothing_is_visible_before_it_happens(world):
    dataset, service = world
    early = int(datetime(2026, 11, 3, tzinfo=UTC).timestamp())
    for conversations in service.conversations.values():
        for c in conversations:
            view = c.api_view(early)
            if view is not None:
                assert view["latest_message"]["create_time"] <= early
    for reviews in service.reviews.values():
        for r in reviews:
            order = dataset.order_by_id(r.order_id)
            assert r.create_time > order.delivery_time
            assert (r.api_view(early) is None) == (r.create_time > early)


def test_a_few_skus_draw_a_cluster_of_bad_reviews(world):
    _, service = world
    assert service.bad_skus
    for shop_id, sku in service.bad_skus.items():
        ratings = [r.rating for r in service.reviews[shop_id] if r.sku_id == sku]
        others = [r.rating for r in service.reviews[shop_id] if r.sku_id != sku]
        assert sum(x <= 2 for x in ratings) / len(ratings) > 0.5
        assert sum(x <= 2 for x in others) / len(others) < 0.2
    totals = reviews_truth(service, AS_OF)
    assert sum(bad for _, bad in totals.values()) < sum(n for n, _ in totals.values())


def test_buyers_sometimes_paste_their_phone_number_into_a_message(world):
    _, service = world
    texts = [
        (m.text, c.buyer.phone_number)
        for cs in service.conversations.values()
        for c in cs
        for m in c.messages
        if m.role == BUYER
    ]
    assert any(phone in text for text, phone in texts)
    assert all(phone in service.pii_values() for _, phone in texts)


def msg(role: str, t: int) -> Message:
    return Message(f"m{t}", role, t, "x")


def test_first_response_skips_system_messages_and_buyer_follow_ups():
    messages = [msg(SYSTEM, 5), msg(BUYER, 10), msg(SYSTEM, 11), msg(BUYER, 50), msg(AGENT, 70)]
    result = first_response(messages)
    assert (result.first_buyer_message_at, result.first_agent_response_at) == (10, 70)
    assert result.response_seconds == 60


def test_an_agent_message_before_the_buyer_wrote_is_not_a_response():
    assert first_response([msg(AGENT, 1), msg(BUYER, 10)]).response_seconds is None
    assert first_response([msg(SYSTEM, 1)]).first_buyer_message_at is None

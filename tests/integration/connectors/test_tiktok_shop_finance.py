"""Finance endpoints, client against the sandbox over real HTTP: paging, limits, the
templated transactions path, payouts and unsettled orders. Expected values come from the
sandbox's settlement model (sandbox/finance.py) in plain Python."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from connectors import tiktok_shop_finance as finance
from connectors.rate_limit import RateLimiter
from connectors.retry import RetryPolicy
from connectors.sandbox_defaults import sandbox_environment
from connectors.tiktok_shop import TikTokShopApiError, TikTokShopClient, TikTokShopSettings
from sandbox.tiktok_shop_api import CODE_THROTTLED
from tests.conftest import sandbox_running, shop_client_noting_rate_limit_keys

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
GE = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
LT = int(datetime(2026, 11, 21, tzinfo=UTC).timestamp())
FAST_RETRY = RetryPolicy(max_attempts=8, base_delay=0.01, max_delay=0.2)


@pytest.fixture(scope="module")
def sb():
    with sandbox_running(
        start_date=date(2026, 10, 20), end_date=AS_OF.date(), as_of=AS_OF, shop_count=3
    ) as running:
        yield running


@pytest.fixture(scope="module")
def client(sb):
    settings = TikTokShopSettings.from_env(environ=sandbox_environment(sb.base_url))
    return TikTokShopClient(settings, retry=FAST_RETRY)


@pytest.fixture(scope="module")
def shop(sb):
    return sb.dataset.shops[0]


def test_statements_page_through_the_window_oldest_first_as_the_model_cuts_them(sb, client, shop):
    pages = list(
        finance.search_statements(
            client, shop.cipher, statement_time_ge=GE, statement_time_lt=LT, page_size=3
        )
    )
    statements = [s for page in pages for s in page.data["statements"]]
    as_of = sb.as_of()
    expected = [
        s
        for s in sb.finance.statements_for_shop(shop.shop_id)
        if GE <= s.statement_time < LT and s.statement_time <= as_of
    ]
    assert len(pages) > 2, "page_size=3 must make the client follow page tokens"
    assert [s["id"] for s in statements] == [s.statement_id for s in expected]
    assert [s["statement_time"] for s in statements] == sorted(
        s["statement_time"] for s in statements
    )
    assert all(s["statement_time"] % 86400 == 0 for s in statements), "cut at 00:00 UTC"
    assert [Decimal(s["settlement_amount"]) for s in statements] == [
        s.total("settlement") for s in expected
    ]


def test_a_statements_transactions_add_up_to_it(sb, client, shop):
    statement = next(
        s
        for s in sb.finance.statements_for_shop(shop.shop_id)
        if len(s.transactions) > 5 and s.statement_time <= sb.as_of()
    )
    pages = list(
        finance.get_statement_transactions(client, shop.cipher, statement.statement_id, page_size=2)
    )
    rows = [t for page in pages for t in page.data["statement_transactions"]]
    assert {t["id"] for t in rows} == {t.transaction_id for t in statement.transactions}
    for row in rows:
        parts = ("revenue_amount", "fee_amount", "shipping_cost_amount", "adjustment_amount")
        assert sum(Decimal(row[p]) for p in parts) == Decimal(row["settlement_amount"])
    assert sum(Decimal(t["settlement_amount"]) for t in rows) == statement.total("settlement")
    assert pages[0].data["statement_id"] == statement.statement_id


def test_a_statement_of_another_shop_or_not_yet_cut_is_not_found(sb, client, shop):
    other = sb.finance.statements_for_shop(sb.dataset.shops[1].shop_id)[0]
    with pytest.raises(TikTokShopApiError) as error:
        list(finance.get_statement_transactions(client, shop.cipher, other.statement_id))
    assert error.value.http_status == 404 and other.statement_id in str(error.value)
    future = [
        s for s in sb.finance.statements_for_shop(shop.shop_id) if s.statement_time > sb.as_of()
    ]
    with pytest.raises(TikTokShopApiError):
        list(finance.get_statement_transactions(client, shop.cipher, future[0].statement_id))


def test_limits_are_checked_before_anything_is_sent(client, shop):
    with pytest.raises(ValueError, match="between 1 and 100"):
        finance.search_payments(
            client, shop.cipher, create_time_ge=GE, create_time_lt=LT, page_size=101
        )
    with pytest.raises(ValueError, match="digits"):
        finance.get_statement_transactions(client, shop.cipher, "../orders")
    with pytest.raises(TypeError):
        finance.search_statements(
            client, shop.cipher, statement_time_ge=float(GE), statement_time_lt=LT
        )


def test_payouts_show_processing_until_paid(sb, client, shop):
    rows = [
        p
        for page in finance.search_payments(
            client, shop.cipher, create_time_ge=GE, create_time_lt=LT
        )
        for p in page.data["payments"]
    ]
    as_of = sb.as_of()
    expected = {
        p.payment_id: p.status_at(as_of)
        for p in sb.finance.payments_for_shop(shop.shop_id)
        if GE <= p.create_time < LT and p.create_time <= as_of
    }
    assert {p["id"]: p["status"] for p in rows} == expected
    assert {"PAID", "PROCESSING"} == set(expected.values())
    assert all(("paid_time" in p) == (p["status"] == "PAID") for p in rows)


def test_unsettled_orders_are_the_paid_orders_not_yet_settled(sb, client, shop):
    pages = list(finance.get_unsettled_orders(client, shop.cipher, page_size=100))
    rows = [r for page in pages for r in page.data[finance.unsettled_list_key(page)]]
    expected = sb.finance.unsettled_orders(sb.dataset, shop.shop_id, sb.as_of())
    assert len(pages) > 1
    assert [r["order_id"] for r in rows] == [o.order_id for o in expected]
    assert {r["unsettled_reason"] for r in rows} == {"NOT_DELIVERED", "IN_SETTLEMENT_PERIOD"}


def test_the_emulator_refuses_a_transactions_call_without_its_sort_field(sb, client, shop):
    statement = sb.finance.statements_for_shop(shop.shop_id)[0]
    with pytest.raises(TikTokShopApiError, match="sort_field"):
        client.get(
            finance.statement_transactions_path(statement.statement_id),
            shop.cipher,
            {"page_size": 10},
        )


def test_every_statements_transactions_share_one_rate_limit(sb, shop):
    """Limits are per endpoint (reference): the client paces, and the emulator throttles, all
    statements' transactions as one endpoint, not each statement id as a new one."""
    statements = [s for s in sb.finance.statements_for_shop(shop.shop_id) if s.transactions][:3]
    pacing, keys = shop_client_noting_rate_limit_keys(sb.base_url)
    for statement in statements:
        list(finance.get_statement_transactions(pacing, shop.cipher, statement.statement_id))
    assert len(statements) == 3 and keys == [finance.TRANSACTIONS_PATH_TEMPLATE] * 3

    with sandbox_running(
        start_date=date(2026, 11, 1),
        end_date=AS_OF.date(),
        as_of=AS_OF,
        shop_count=1,
        rate_limit_per_second=0.01,
        rate_limit_burst=1,
    ) as throttled:
        one = throttled.dataset.shops[0]
        first, second = [
            s for s in throttled.finance.statements_for_shop(one.shop_id) if s.transactions
        ][:2]
        settings = TikTokShopSettings.from_env(environ=sandbox_environment(throttled.base_url))
        unpaced = TikTokShopClient(
            settings, retry=RetryPolicy(max_attempts=1), limiter_for=lambda key: RateLimiter(0)
        )
        list(finance.get_statement_transactions(unpaced, one.cipher, first.statement_id))
        with pytest.raises(TikTokShopApiError) as error:
            list(finance.get_statement_transactions(unpaced, one.cipher, second.statement_id))
    assert (error.value.http_status, error.value.code) == (429, CODE_THROTTLED)

"""Returns and cancellations search, client against the sandbox over real HTTP.

Expected ids come from the sandbox's after-sales model (`state_at`) in plain Python."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from connectors.retry import RetryPolicy
from connectors.sandbox_defaults import sandbox_environment
from connectors.tiktok_shop import TikTokShopApiError, TikTokShopClient, TikTokShopSettings
from tests.conftest import sandbox_running

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
START = date(2026, 10, 25)
GE = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
LT = int(datetime(2026, 11, 20, tzinfo=UTC).timestamp())
FAST_RETRY = RetryPolicy(max_attempts=8, base_delay=0.01, max_delay=0.2)


@pytest.fixture(scope="module")
def sb():
    with sandbox_running(start_date=START, end_date=AS_OF.date(), as_of=AS_OF) as running:
        yield running


def client_for(base_url: str) -> TikTokShopClient:
    settings = TikTokShopSettings.from_env(environ=sandbox_environment(base_url))
    return TikTokShopClient(settings, retry=FAST_RETRY)


def expected(records, as_of: int, ge: int, lt: int) -> dict[str, str]:
    """id → status of every record whose update_time at `as_of` is in [ge, lt)."""
    found = {}
    for record in records:
        state = record.state_at(as_of)
        if state is not None and ge <= state[1] < lt:
            key = getattr(record, "return_id", None) or record.cancel_id
            found[key] = state[0]
    return found


def fetch(client: TikTokShopClient, method: str, list_key: str, id_key: str, status_key: str, **kw):
    shops = client.get_authorized_shops().data["shops"]
    pages = [
        page
        for shop in shops
        for page in getattr(client, method)(
            shop["cipher"], update_time_ge=GE, update_time_lt=LT, **kw
        )
    ]
    records = [r for page in pages for r in page.data.get(list_key, [])]
    return {r[id_key]: r[status_key] for r in records}, records, pages


def test_returns_in_the_window_are_exactly_the_models_with_their_status(sb):
    got, records, pages = fetch(
        client_for(sb.base_url),
        "search_returns",
        "return_orders",
        "return_id",
        "return_status",
        page_size=10,
    )
    truth = expected(sb.api.after_sales.returns, sb.as_of(), GE, LT)
    assert truth and got == truth
    assert len(records) == len(got), "paging served a return twice"
    assert len(pages) > len({p.query["shop_cipher"] for p in pages}), "must page at size 10"
    assert "RETURN_OR_REFUND_REQUEST_COMPLETE" in set(got.values())


def test_cancellations_in_the_window_are_exactly_the_models(sb):
    got, records, _ = fetch(
        client_for(sb.base_url),
        "search_cancellations",
        "cancellations",
        "cancel_id",
        "cancel_status",
    )
    truth = expected(sb.api.after_sales.cancellations, sb.as_of(), GE, LT)
    assert truth and got == truth
    assert all(r["refund_amount"]["refund_total"] for r in records)


def test_returns_search_oldest_first_by_default(sb):
    client = client_for(sb.base_url)
    cipher = client.get_authorized_shops().data["shops"][0]["cipher"]
    page = next(client.search_returns(cipher, update_time_ge=GE, update_time_lt=LT, page_size=50))
    created = [r["create_time"] for r in page.data["return_orders"]]
    assert created == sorted(created)


@pytest.mark.parametrize("page_size", [9, 51])
def test_returns_page_size_outside_10_to_50_is_refused_before_sending(sb, page_size):
    client = client_for(sb.base_url)
    before = len(sb.request_log)
    with pytest.raises(ValueError, match="between 10 and 50"):
        client.search_returns("cipher", page_size=page_size)
    assert len(sb.request_log) == before


def test_the_sandbox_itself_rejects_a_page_size_the_reference_forbids(sb):
    """Sent past the client's own check (a raw call), the API answers with an error code."""
    client = client_for(sb.base_url)
    cipher = client.get_authorized_shops().data["shops"][0]["cipher"]
    with pytest.raises(TikTokShopApiError) as caught:
        next(
            client._pages(
                "POST", "/return_refund/202309/returns/search", cipher, 100, {}, list_key="x"
            )
        )
    assert caught.value.code == 40006


def test_a_later_clock_moves_returns_on_and_the_window_sees_it(sb):
    client = client_for(sb.base_url)
    before, *_ = fetch(client, "search_returns", "return_orders", "return_id", "return_status")
    later = AS_OF + timedelta(days=4)
    sb.set_as_of(later)
    try:
        wide_lt = int(later.timestamp()) + 1
        shops = client.get_authorized_shops().data["shops"]
        after = {
            r["return_id"]: r["return_status"]
            for shop in shops
            for page in client.search_returns(
                shop["cipher"], update_time_ge=GE, update_time_lt=wide_lt
            )
            for r in page.data["return_orders"]
        }
        truth = expected(sb.api.after_sales.returns, sb.as_of(), GE, wide_lt)
        assert after == truth
        assert any(after.get(rid) != status for rid, status in before.items())
    finally:
        sb.set_as_of(AS_OF)


def test_products_search_bounds_are_inclusive_and_a_full_walk_lists_every_product(sb):
    """Products use `update_time_le` (inclusive), unlike orders: a product updated exactly at
    the bound is in; an `_lt` bound is refused by the client rather than silently ignored."""
    client = client_for(sb.base_url)
    shop = client.get_authorized_shops().data["shops"][0]
    products = sb.api.products[shop["id"]]
    as_of = sb.as_of()
    everything = {
        p["id"]: p["update_time"]
        for page in client.search_products(shop["cipher"], page_size=5)
        for p in page.data["products"]
    }
    assert everything == {p.product_id: p.update_time_at(as_of) for p in products}
    edited = next(p for p in products if p.update_time_at(as_of) != p.create_time)
    at = edited.update_time_at(as_of)
    exact = {
        p["id"]
        for page in client.search_products(shop["cipher"], update_time_ge=at, update_time_le=at)
        for p in page.data["products"]
    }
    assert edited.product_id in exact
    with pytest.raises(TypeError, match="update_time_le"):
        client.search_products(shop["cipher"], update_time_lt=at)
    skus = next(iter(client.search_products(shop["cipher"]))).data["products"][0]["skus"]
    assert {"id", "seller_sku", "price", "inventory"} <= set(skus[0])

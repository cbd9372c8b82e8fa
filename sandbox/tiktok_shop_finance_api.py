"""The finance (settlement) endpoints of the emulated TikTok Shop API, on the shared gateway.

`register_finance_routes(api, finance)` adds them to a `TikTokShopApi`, so signing, token,
throttling and fault injection apply exactly as for orders. What the reference fixes: the
paths, GET with filters in the query, page size 1-100, page tokens, oldest first, decimal
strings in the settlement currency. The rest is the sandbox's reading of public clients and is
isolated here: statements filter on `statement_time_ge`/`statement_time_lt` (upper bound
exclusive, like orders) and sort on `statement_time`; statement transactions accept only
`sort_field=order_create_time`; payments filter and sort on `create_time`; unsettled orders
list under `data.transactions` (the key a public client of the newer version reads).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sandbox.finance import (
    ADJUSTMENT_TRANSACTION,
    Finance,
    Payment,
    Statement,
    Transaction,
    order_amounts,
)
from sandbox.generator import ZERO, Dataset, Order, Shop, money_str
from sandbox.tiktok_shop_api import CODE_INVALID_PARAM, ApiError, ApiRequest, TikTokShopApi

STATEMENTS_PATH = "/finance/202309/statements"
STATEMENT_TRANSACTIONS_PATH = "/finance/202309/statements/{statement_id}/statement_transactions"
PAYMENTS_PATH = "/finance/202309/payments"
UNSETTLED_ORDERS_PATH = "/finance/202309/orders/unsettled"
PAGE_SIZE = (1, 100)
CODE_NOT_FOUND_STATEMENT = 40004


def register_finance_routes(api: TikTokShopApi, finance: Finance, dataset: Dataset) -> None:
    """Serve the four finance endpoints behind `api`'s gateway."""
    routes = _FinanceRoutes(api.as_of, finance, dataset)
    api.register_route(STATEMENTS_PATH, "GET", routes.statements)
    api.register_route(STATEMENT_TRANSACTIONS_PATH, "GET", routes.statement_transactions)
    api.register_route(PAYMENTS_PATH, "GET", routes.payments)
    api.register_route(UNSETTLED_ORDERS_PATH, "GET", routes.unsettled_orders)


class _FinanceRoutes:
    def __init__(self, as_of: Callable[[], int], finance: Finance, dataset: Dataset) -> None:
        self._as_of, self._finance, self._dataset = as_of, finance, dataset

    def statements(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        as_of = self._as_of()
        query = _ListQuery.parse(request, shop, "statement_time", ("statement_time",))
        visible = [
            (s.statement_time, s.statement_id, s)
            for s in self._finance.statements_for_shop(shop.shop_id)
            if s.statement_time <= as_of
        ]
        return query.page(visible, "statements", lambda s: _statement_view(s, as_of))

    def statement_transactions(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        as_of = self._as_of()
        statement_id = request.path_params.get("statement_id", "")
        statement = self._finance.statement(statement_id)
        if (
            statement is None
            or statement.shop.shop_id != shop.shop_id
            or statement.statement_time > as_of
        ):
            raise ApiError(404, CODE_NOT_FOUND_STATEMENT, f"Statement {statement_id} not found")
        query = _ListQuery.parse(request, shop, None, ("order_create_time",), required_sort=True)
        rows = [(t.sort_time, t.transaction_id, t) for t in statement.transactions]
        data = query.page(rows, "statement_transactions", _transaction_view)
        return {**_statement_view(statement, as_of, with_id_key="statement_id"), **data}

    def payments(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        as_of = self._as_of()
        query = _ListQuery.parse(request, shop, "create_time", ("create_time",))
        visible = [
            (p.create_time, p.payment_id, p)
            for p in self._finance.payments_for_shop(shop.shop_id)
            if p.create_time <= as_of
        ]
        return query.page(visible, "payments", lambda p: _payment_view(p, as_of))

    def unsettled_orders(self, request: ApiRequest, shop: Shop | None) -> dict:
        assert shop is not None
        as_of = self._as_of()
        query = _ListQuery.parse(request, shop, "search_time", ("order_create_time",))
        orders = self._finance.unsettled_orders(self._dataset, shop.shop_id, as_of)
        rows = [(o.create_time, o.order_id, o) for o in orders]
        return query.page(rows, "transactions", lambda o: _unsettled_view(o, as_of))


class _ListQuery:
    """Page size, optional `<prefix>_ge`/`<prefix>_lt` window on the sort key, sort order and an
    offset page token bound to the query's fingerprint."""

    def __init__(self, shop_id: str, page_size: int, window: dict, descending: bool, offset: int):
        self.shop_id, self.page_size, self.window = shop_id, page_size, window
        self.descending, self.offset = descending, offset

    @classmethod
    def parse(
        cls,
        request: ApiRequest,
        shop: Shop,
        window_prefix: str | None,
        sort_fields: Sequence[str],
        required_sort: bool = False,
    ) -> _ListQuery:
        q = request.query
        size = q.get("page_size", "")
        lo, hi = PAGE_SIZE
        if not size.isdigit() or not lo <= int(size) <= hi:
            raise ApiError(400, CODE_INVALID_PARAM, f"page_size is required, {lo}-{hi}")
        sort_field = q.get("sort_field")
        if (required_sort and sort_field is None) or (
            sort_field is not None and sort_field not in sort_fields
        ):
            raise ApiError(
                400, CODE_INVALID_PARAM, f"sort_field must be {' or '.join(sort_fields)}"
            )
        sort_order = q.get("sort_order", "ASC")
        if sort_order not in ("ASC", "DESC"):
            raise ApiError(400, CODE_INVALID_PARAM, "sort_order must be ASC or DESC")
        window = {}
        for bound in ("ge", "lt"):
            name = f"{window_prefix}_{bound}"
            if window_prefix and name in q:
                if not q[name].isdigit():
                    raise ApiError(400, CODE_INVALID_PARAM, f"{name} must be Unix seconds")
                window[bound] = int(q[name])
        query = cls(shop.shop_id, int(size), window, sort_order == "DESC", 0)
        token = q.get("page_token", "")
        if token:
            query.offset = query._offset_from(token)
        return query

    def page(self, rows: list[tuple[int, str, Any]], list_field: str, view: Callable) -> dict:
        """`rows` are (sort key, id, record); the window applies to the sort key."""
        lo, hi = self.window.get("ge"), self.window.get("lt")
        kept = [r for r in rows if (lo is None or r[0] >= lo) and (hi is None or r[0] < hi)]
        kept.sort(key=lambda r: (r[0], r[1]), reverse=self.descending)
        page = kept[self.offset : self.offset + self.page_size]
        end = self.offset + len(page)
        return {
            list_field: [view(record) for _, _, record in page],
            "next_page_token": self._token(end) if end < len(kept) else "",
            "total_count": len(kept),
        }

    def _fingerprint(self) -> str:
        parts = [self.shop_id, sorted(self.window.items()), self.descending]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]

    def _token(self, offset: int) -> str:
        raw = json.dumps({"q": self._fingerprint(), "o": offset}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _offset_from(self, token: str) -> int:
        try:
            payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if payload["q"] == self._fingerprint() and isinstance(payload["o"], int):
                return payload["o"]
        except (binascii.Error, ValueError, KeyError, TypeError):
            pass
        raise ApiError(
            400, CODE_INVALID_PARAM, "page_token is invalid or belongs to a different query"
        )


def _amounts(currency: str, values: Mapping[str, Any]) -> dict[str, str]:
    return {name: money_str(value, currency) for name, value in values.items()}


def _statement_view(statement: Statement, as_of: int, with_id_key: str = "id") -> dict:
    currency = statement.shop.currency
    return {
        with_id_key: statement.statement_id,
        "statement_time": statement.statement_time,
        "currency": currency,
        **_amounts(
            currency,
            {
                "revenue_amount": statement.total("revenue"),
                "fee_amount": statement.total("fee"),
                "adjustment_amount": statement.total("adjustment"),
                "shipping_cost_amount": statement.total("shipping_cost"),
                "settlement_amount": statement.total("settlement"),
            },
        ),
        "payment_status": statement.payment.status_at(as_of),
        "payment_id": statement.payment.payment_id,
    }


def _transaction_view(transaction: Transaction) -> dict:
    currency = transaction.shop.currency
    view: dict[str, Any] = {"id": transaction.transaction_id, "type": transaction.type}
    if transaction.order is not None:  # a shop-level adjustment has no order
        view["order_id"] = transaction.order.order_id
        view["order_create_time"] = transaction.order.create_time
    view.update(
        currency=currency,
        **_amounts(
            currency,
            {
                "revenue_amount": transaction.revenue,
                "fee_amount": transaction.fee,
                "affiliate_commission_amount": transaction.affiliate_commission,
                "shipping_cost_amount": transaction.shipping_cost,
                "adjustment_amount": transaction.adjustment,
                "settlement_amount": transaction.settlement,
            },
        ),
    )
    if transaction.type == ADJUSTMENT_TRANSACTION:
        view["adjustment_id"] = transaction.transaction_id
        view["adjustment_reason"] = transaction.adjustment_reason
    return view


def _payment_view(payment: Payment, as_of: int) -> dict:
    currency = payment.shop.currency
    status = payment.status_at(as_of)
    view = {
        "id": payment.payment_id,
        "create_time": payment.create_time,
        "status": status,
        "amount": {"value": money_str(payment.amount, currency), "currency": currency},
        "settlement_amount": {"value": money_str(payment.amount, currency), "currency": currency},
        "reserve_amount": {"value": money_str(ZERO, currency), "currency": currency},
        "bank_account": payment.bank_account,
    }
    if status == "PAID":
        view["paid_time"] = payment.paid_time
    return view


def _unsettled_view(order: Order, as_of: int) -> dict:
    currency = order.currency
    revenue, fee, shipping_cost = order_amounts(order)
    delivered = order.delivery_time is not None and order.delivery_time <= as_of
    return {
        "id": order.order_id,
        "order_id": order.order_id,
        "order_create_time": order.create_time,
        "currency": currency,
        **_amounts(
            currency,
            {
                "est_revenue_amount": revenue,
                "est_fee_amount": fee,
                "est_shipping_cost_amount": shipping_cost,
                "est_settlement_amount": revenue + fee + shipping_cost,
            },
        ),
        "unsettled_reason": "IN_SETTLEMENT_PERIOD" if delivered else "NOT_DELIVERED",
    }

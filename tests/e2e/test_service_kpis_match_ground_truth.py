"""Customer-service and settlement marts against the sandbox's plain-Python truth.

kpi_cs_daily (shop and agent levels) is recomputed here from the sandbox's conversations
(sandbox/service.py: first_response_truth, reviews_truth) with Python's statistics module;
fct_settlements and kpi_settlement_monthly from its statements (sandbox/finance.py). Nothing
here repeats the SQL: days come from zoneinfo, percentiles from `statistics`, money from
Decimal."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import duckdb
import pytest

from sandbox.ecb_fx import published_through, rate_in_force
from sandbox.finance import statement_cut_after
from sandbox.ground_truth import loaded_orders, order_gmv
from sandbox.service import AGENT, first_response_truth, reviews_truth

pytestmark = pytest.mark.e2e

AMOUNTS = ("revenue", "fee", "shipping_cost", "adjustment", "settlement")
CENT = Decimal("0.01")


def mart_rows(home, sql: str) -> list[dict]:
    """Rows of the published marts (serving database, read-only), as dicts."""
    connection = duckdb.connect(str(home / "serving" / "serving.duckdb"), read_only=True)
    try:
        cursor = connection.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        connection.close()


def local_day(time_zone: str, unix_seconds: int) -> date:
    return datetime.fromtimestamp(unix_seconds, ZoneInfo(time_zone)).date()


def percentile(values: list[int], fraction: float) -> float:
    """Linear-interpolation percentile (statistics' inclusive method), computed independently."""
    if len(values) == 1:
        return float(values[0])
    if fraction == 0.5:
        return float(statistics.median(values))
    cuts = statistics.quantiles(values, n=10, method="inclusive")
    return float(cuts[round(fraction * 10) - 1])


def close(actual, expected: float | None, tolerance: float) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    return abs(float(actual) - expected) <= tolerance


def conversation_truth(sandbox) -> dict[tuple, list[dict]]:
    """Per (level, shop, local day, agent): the conversations as the truth sees them."""
    as_of = sandbox.as_of()
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for conversation_id, response in first_response_truth(sandbox.service, as_of).items():
        conversation = sandbox.service.conversation(conversation_id)
        shop = conversation.shop
        visible = conversation.visible_messages(as_of)
        asked = response.first_buyer_message_at
        day = local_day(shop.time_zone, asked if asked is not None else visible[0].create_time)
        agent = next(
            (
                m.agent.agent_id
                for m in visible
                if m.role == AGENT and asked is not None and m.create_time >= asked
            ),
            None,
        )
        record = {
            "asked": asked is not None,
            "seconds": response.response_seconds,
            "complaint": conversation.is_complaint,
        }
        groups[("shop", shop.shop_id, day, None)].append(record)
        if agent is not None:
            groups[("agent", shop.shop_id, day, agent)].append(record)
    return groups


def expected_cs_row(records: list[dict]) -> dict:
    asked = sum(r["asked"] for r in records)
    answered = sorted(r["seconds"] for r in records if r["seconds"] is not None)
    within = {h: sum(1 for s in answered if s <= h * 3600) for h in (12, 24)}
    return {
        "conversations": len(records),
        "conversations_asked": asked,
        "conversations_answered": len(answered),
        "conversations_unanswered": asked - len(answered),
        "complaints": sum(r["complaint"] for r in records),
        "median": percentile(answered, 0.5) if answered else None,
        "p90": percentile(answered, 0.9) if answered else None,
        "rate_12h": within[12] / asked if asked else None,
        "rate_24h": within[24] / asked if asked else None,
    }


def test_kpi_cs_daily_matches_the_conversations_and_reviews_truth(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    groups = conversation_truth(sandbox)
    reviews = reviews_truth(sandbox.service, sandbox.as_of())
    for shop_id, day in reviews:
        groups.setdefault(("shop", shop_id, day, None), [])
    rows = {
        (r["level"], r["shop_id"], r["local_date"], r["agent_id"]): r
        for r in mart_rows(home, "select * from marts.kpi_cs_daily")
    }
    assert set(rows) == set(groups)
    assert {level for level, *_ in rows} == {"shop", "agent"}

    differences = []
    for key, records in groups.items():
        row, want = rows[key], expected_cs_row(records)
        for column in (
            "conversations",
            "conversations_asked",
            "conversations_answered",
            "conversations_unanswered",
            "complaints",
        ):
            if row[column] != want[column]:
                differences.append((key, column, row[column], want[column]))
        for column, name, tolerance in (
            ("first_response_seconds_median", "median", 0.05 + 1e-9),
            ("first_response_seconds_p90", "p90", 0.05 + 1e-9),
            ("response_12h_rate", "rate_12h", 1e-6),
            ("response_24h_rate", "rate_24h", 1e-6),
        ):
            if not close(row[column], want[name], tolerance):
                differences.append((key, column, row[column], want[name]))
        if key[0] == "shop":
            count, bad = reviews.get((key[1], key[2]), (0, 0))
            rate = bad / count if count else None
            if (row["reviews"], row["bad_reviews"]) != (count, bad) or not close(
                row["bad_review_rate"], rate, 1e-6
            ):
                differences.append((key, "reviews", row["reviews"], row["bad_reviews"], count, bad))
    assert not differences, differences[:10]

    # The data must exercise what the KPIs are about: slow answers, unanswered, bad reviews.
    shop_rows = [r for r in rows.values() if r["level"] == "shop"]
    assert any(r["response_12h_rate"] is not None and r["response_12h_rate"] < 1 for r in shop_rows)
    assert any(r["conversations_unanswered"] > 0 for r in shop_rows)
    assert any(r["bad_review_rate"] for r in shop_rows)


def test_fct_cs_daily_counts_add_up_to_the_shop_level_kpis(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    groups = conversation_truth(sandbox)
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in mart_rows(home, "select * from marts.fct_cs_daily"):
        total = totals[(row["shop_id"], row["local_date"])]
        total[0] += row["conversations"]
        total[1] += row["conversations_unanswered"]
        total[2] += row["answered_within_24h"]
    expected = {}
    for (level, shop_id, day, _), records in groups.items():
        if level == "shop":
            want = expected_cs_row(records)
            expected[(shop_id, day)] = [
                want["conversations"],
                want["conversations_unanswered"],
                sum(1 for r in records if r["seconds"] is not None and r["seconds"] <= 86400),
            ]
    assert dict(totals) == expected


def reporting_rate_truth(sandbox, currency: str, day: date) -> Decimal | None:
    """USD per unit of `currency` on `day`: each currency's newest ECB quote on or before it
    that was already published at the data clock (today's rates come out in the afternoon,
    CET) — each its own, since a currency may miss days the others have (MYR's gap week)."""
    newest = min(day, published_through(datetime.fromtimestamp(sandbox.as_of(), UTC)))
    published = {d: {**q, "EUR": Decimal(1)} for d, q in sandbox.fx_rates.items() if d <= newest}
    usd, local = (rate_in_force(published, c, newest) for c in ("USD", currency))
    if usd is None or local is None:
        return None
    return published[usd]["USD"] / published[local][currency]


def test_fct_settlements_amounts_per_statement_match_the_finance_truth(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    as_of = sandbox.as_of()
    visible = [s for s in sandbox.finance.statements if s.statement_time <= as_of]
    rows = mart_rows(home, "select * from marts.fct_settlements")
    assert len(rows) == sum(len(s.transactions) for s in visible)

    by_statement: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_statement[row["statement_id"]].append(row)
    assert set(by_statement) == {s.statement_id for s in visible}

    differences, converted = [], 0
    for statement in visible:
        members = by_statement[statement.statement_id]
        cut = datetime.fromtimestamp(statement.statement_time, UTC)
        for amount in AMOUNTS:
            landed = sum((Decimal(str(r[f"{amount}_amount"])) for r in members), Decimal(0))
            if landed != statement.total(amount):
                differences.append(
                    (statement.statement_id, amount, landed, statement.total(amount))
                )
        for row in members:
            if row["statement_date_utc"] != cut.date() or row["statement_local_date"] != local_day(
                statement.shop.time_zone, statement.statement_time
            ):
                differences.append((statement.statement_id, "dates", row["statement_local_date"]))
        rate = reporting_rate_truth(sandbox, statement.shop.currency, cut.date())
        if rate is not None:
            want = sum(
                (
                    (t.settlement * rate).quantize(CENT, rounding=ROUND_HALF_UP)
                    for t in statement.transactions
                ),
                Decimal(0),
            )
            got = sum((Decimal(str(r["settlement_amount_reporting"])) for r in members), Decimal(0))
            converted += 1
            if abs(got - want) > CENT * len(members):
                differences.append((statement.statement_id, "reporting", got, want))
    assert not differences, differences[:10]
    assert converted > 0, "some statements must be in an ECB-quoted currency"


def test_settled_vs_gmv_per_shop_month_reconciles_with_the_truth(loaded_warehouse):
    home, sandbox, *_ = loaded_warehouse
    as_of = sandbox.as_of()
    expected: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for order in loaded_orders(sandbox.dataset, as_of):
        state = order.state_at(as_of)
        if state is None or "paid_time" not in state.times or state.status == "CANCELLED":
            continue
        month = local_day(order.shop.time_zone, state.times["paid_time"]).replace(day=1)
        totals = expected[(order.shop.shop_id, month)]
        totals[0] += order_gmv(order)
        settled = sandbox.finance.order_settle_time.get(order.order_id)
        if settled is not None and statement_cut_after(settled) <= as_of:
            totals[1] += order_gmv(order)
    rows = mart_rows(home, "select * from marts.kpi_settlement_monthly")
    landed = {
        (r["shop_id"], r["month_start"]): [
            Decimal(str(r["gmv_paid_amount"])),
            Decimal(str(r["gmv_settled_amount"])),
        ]
        for r in rows
        if r["orders_paid"] > 0
    }
    assert landed == dict(expected)
    for r in rows:
        assert r["gmv_paid_amount"] == r["gmv_settled_amount"] + r["gmv_unsettled_amount"]
    # Fee rate per shop and month of the order's payment, from the statements' transactions.
    money: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for statement in sandbox.finance.statements:
        if statement.statement_time > as_of:
            continue
        for t in statement.transactions:
            # a transaction of no order (a penalty) counts in its statement's local month
            dated = statement.statement_time if t.order is None else t.order.paid_time
            month = local_day(statement.shop.time_zone, dated).replace(day=1)
            money[(statement.shop.shop_id, month)][0] += t.fee
            money[(statement.shop.shop_id, month)][1] += t.revenue
    fee_rates = {
        (r["shop_id"], r["month_start"]): r["fee_rate"] for r in rows if r["transactions"] > 0
    }
    assert set(fee_rates) == set(money)
    wrong = [
        (key, fee_rates[key], -fee / revenue)
        for key, (fee, revenue) in money.items()
        if not close(fee_rates[key], float(-fee / revenue) if revenue else None, 1e-6)
    ]
    assert not wrong, wrong[:10]
    assert any(rate is not None for rate in fee_rates.values())

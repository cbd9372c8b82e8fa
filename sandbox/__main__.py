"""`python -m sandbox`: serve the TikTok Shop sandbox until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
from datetime import UTC, datetime, timedelta

from connectors.sandbox_defaults import SANDBOX_PORT
from sandbox.server import SandboxSettings, serve


def parse_args(argv: list[str] | None = None) -> SandboxSettings:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=SANDBOX_PORT, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=30, help="UTC days of orders, ending today")
    parser.add_argument("--orders-per-shop-day", type=int, default=40)
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of 500/502 answers")
    parser.add_argument("--slow-rate", type=float, default=0.0, help="share of slow answers")
    parser.add_argument("--slow-seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")
    end = datetime.now(UTC).date()
    return SandboxSettings(
        port=args.port,
        seed=args.seed,
        start_date=end - timedelta(days=args.days - 1),
        end_date=end,
        orders_per_shop_day=args.orders_per_shop_day,
        fault_rate=args.fault_rate,
        slow_rate=args.slow_rate,
        slow_seconds=args.slow_seconds,
    )


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    serve(parse_args(argv))


if __name__ == "__main__":
    main()

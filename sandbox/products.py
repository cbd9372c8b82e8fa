"""Products and SKUs as `POST /product/202309/products/search` shows them, with stock.

Built from each shop's catalogue (the SKUs orders are drawn from). A product is listed well
before the generated window and then edited now and then (stock replenished, a listing
tweaked), each edit moving its `update_time`, so the products feed has real update days to
load incrementally. Each edit recounts stock: a SKU shows its pool's available units
(sandbox/stock.py) at the newest edit, the same series the ERP exports and ERP API show. Every product has its own random stream per (seed, product id).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from sandbox.generator import DAY, HOUR, Dataset, Shop, Sku, money_str
from sandbox.stock import StockModel

PRODUCT_STATUS = "ACTIVATE"
_EDIT_RATE_PER_DAY = 0.12
_LISTED_BEFORE_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Product:
    """One listing: its SKUs, when it was created, and the moments it was edited."""

    product_id: str
    shop: Shop
    title: str
    skus: tuple[Sku, ...]
    create_time: int
    edit_times: tuple[int, ...]  # sorted
    seed: int
    stock: StockModel | None = None  # None for hand-built datasets: a random recount

    def update_time_at(self, as_of: int) -> int | None:
        """The newest change at `as_of`; None before the product exists."""
        if self.create_time > as_of:
            return None
        edits = [t for t in self.edit_times if t <= as_of]
        return edits[-1] if edits else self.create_time

    def stock_at(self, sku: Sku, as_of: int) -> int:
        """Units available in the shop's warehouse as of the newest edit (each edit recounts)."""
        if self.stock is not None:
            counted_at = self.update_time_at(as_of) or self.create_time
            pool = self.stock.pool(self.shop.shop_id, sku.seller_sku)
            return self.stock.level_at(pool, counted_at).on_hand
        version = sum(1 for t in self.edit_times if t <= as_of)
        return random.Random(f"{self.seed}:{sku.sku_id}:stock:{version}").randint(0, 400)

    def api_view(self, as_of: int) -> dict | None:
        update_time = self.update_time_at(as_of)
        if update_time is None:
            return None
        warehouse = f"72{self.shop.shop_id[2:]}"
        return {
            "id": self.product_id,
            "title": self.title,
            "status": PRODUCT_STATUS,
            "create_time": self.create_time,
            "update_time": update_time,
            "skus": [
                {
                    "id": sku.sku_id,
                    "seller_sku": sku.seller_sku,
                    "price": {
                        "amount": money_str(sku.original_price, self.shop.currency),
                        "currency": self.shop.currency,
                    },
                    "inventory": [
                        {"warehouse_id": warehouse, "quantity": self.stock_at(sku, as_of)}
                    ],
                }
                for sku in self.skus
            ],
        }


def build_products(dataset: Dataset) -> dict[str, list[Product]]:
    """Every shop's products (gift SKUs included: they are listed too), by shop id."""
    config = dataset.config
    seed = config.seed if config else 0
    days = config.days() if config else []
    first_day = days[0] if days else datetime.now(UTC).date()
    listed = int(datetime.combine(first_day, datetime.min.time(), UTC).timestamp())
    listed -= _LISTED_BEFORE_WINDOW_DAYS * DAY
    products: dict[str, list[Product]] = {}
    for shop in dataset.shops:
        by_product: dict[str, list[Sku]] = {}
        for sku in dataset.catalogues.get(shop.shop_id, ()):
            by_product.setdefault(sku.product_id, []).append(sku)
        for product_id, skus in by_product.items():
            rng = random.Random(f"{seed}:{product_id}:product")
            edits = []
            for day in days:
                if rng.random() < _EDIT_RATE_PER_DAY:
                    start = int(datetime.combine(day, datetime.min.time(), UTC).timestamp())
                    edits.append(start + rng.randrange(DAY))
            title = skus[0].product_name.rsplit(" - ", 1)[0]
            products.setdefault(shop.shop_id, []).append(
                Product(
                    product_id=product_id,
                    shop=shop,
                    title=title,
                    skus=tuple(skus),
                    create_time=listed + rng.randrange(30 * DAY) + rng.randrange(HOUR),
                    edit_times=tuple(sorted(edits)),
                    seed=seed,
                    stock=dataset.stock,
                )
            )
    return products

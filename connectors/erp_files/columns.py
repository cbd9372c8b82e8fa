"""The canonical tables an ERP export is read into, and their typed columns.

Whatever the vendor calls a column, the warehouse sees these names and types. Mapping files
point vendor headers at them; the definitions live here, once, so a mapping cannot invent a
column or change its type. Money read from ERPs is CNY unless a currency column says
otherwise: purchase and freight costs are booked in China.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT = "text"
INTEGER = "integer"
DECIMAL = "decimal"
MONEY = "money"
DATETIME = "datetime"
DATE = "date"
COLUMN_TYPES = (TEXT, INTEGER, DECIMAL, MONEY, DATETIME, DATE)

ORDER_FULFILMENT = "order_fulfilment"
SKU_LANDED_COST = "sku_landed_cost"
INVENTORY_SNAPSHOT = "inventory_snapshot"


@dataclass(frozen=True)
class CanonicalColumn:
    """One column of a canonical table; `required` columns must be in every file or defaulted.

    `minimum` is the smallest value a row may hold (a package ships at least one unit, a
    cost is never negative); a smaller one rejects the file, naming row and column.
    """

    name: str
    type: str
    required: bool
    meaning: str
    minimum: int | None = None


def _col(
    name: str, type_: str, required: bool, meaning: str, minimum: int | None = None
) -> CanonicalColumn:
    return CanonicalColumn(name, type_, required, meaning, minimum)


# fmt: off
CANONICAL_TABLES: dict[str, tuple[CanonicalColumn, ...]] = {
    # One row per ERP package x SKU line. A TikTok order split into two packages has two
    # erp_order_no values; platform_order_id links them back to the order.
    ORDER_FULFILMENT: (
        _col("platform_order_id", TEXT, True, "TikTok Shop order id"),
        _col("erp_order_no", TEXT, True, "the ERP's package / order number"),
        _col("shop_name", TEXT, False, "shop as named in the ERP"),
        _col("seller_sku", TEXT, True, "seller SKU (TikTok seller_sku, Lingxing MSKU)"),
        _col("quantity", INTEGER, True, "units of the SKU in the package", minimum=1),
        _col("warehouse", TEXT, False, "warehouse the package left from"),
        _col("carrier", TEXT, False, "carrier or logistics channel"),
        _col("tracking_number", TEXT, False, "carrier tracking number"),
        _col("shipped_at", DATETIME, False, "when the ERP marked the package shipped (UTC)"),
        _col("signed_for_at", DATETIME, False, "when the buyer signed for it (UTC)"),
        _col("shipping_cost", MONEY, False, "logistics cost of the package", minimum=0),
        _col("shipping_cost_currency", TEXT, False, "currency of shipping_cost"),
        _col("purchase_cost", MONEY, False, "purchase cost per unit, CNY", minimum=0),
        _col("first_leg_freight", MONEY, False, "first-leg (head haul) freight per unit, CNY", minimum=0),
    ),
    SKU_LANDED_COST: (
        _col("seller_sku", TEXT, True, "seller SKU"),
        _col("purchase_cost", MONEY, True, "purchase cost per unit", minimum=0),
        _col("first_leg_freight", MONEY, False, "first-leg freight per unit", minimum=0),
        _col("currency", TEXT, False, "currency of both costs"),
        _col("effective_date", DATE, False, "day the cost applies from (ERP clock)"),
    ),
    INVENTORY_SNAPSHOT: (
        _col("snapshot_date", DATE, True, "day the stock was counted (ERP clock)"),
        _col("seller_sku", TEXT, True, "seller SKU"),
        _col("warehouse", TEXT, True, "warehouse holding the stock"),
        _col("on_hand", INTEGER, True, "available units (可用量)", minimum=0),
        _col("in_transit", INTEGER, False, "units on the way to the warehouse", minimum=0),
    ),
}
# fmt: on

# (earlier, later): times of one row that cannot run backwards (a parcel is signed for only
# after it was shipped); a row where they do rejects the file, naming both columns.
TIME_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    ORDER_FULFILMENT: (("shipped_at", "signed_for_at"),),
}


def canonical_column(kind: str, name: str) -> CanonicalColumn | None:
    return next((c for c in CANONICAL_TABLES.get(kind, ()) if c.name == name), None)

"""What a landed TikTok Shop page must contain, checked before its partition is replaced.

Unknown new fields are fine (the raw body is kept whole); a missing field that staging keys
on is an error naming the record, so a broken page never replaces a good partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

REQUIRED_SHOP_FIELDS = ("id", "region", "cipher")


class PayloadError(ValueError):
    """A response page lacks something the warehouse needs; names where it came from."""


@dataclass(frozen=True)
class PageOrigin:
    endpoint: str
    request_id: str
    shop_id: str | None = None
    partition_key: str | None = None

    def describe(self) -> str:
        parts = [f"tiktok_shop {self.endpoint}", f"request_id={self.request_id}"]
        if self.shop_id:
            parts.append(f"shop_id={self.shop_id}")
        if self.partition_key:
            parts.append(f"partition={self.partition_key}")
        return ", ".join(parts)


def records_in(data: dict[str, Any], list_key: str, origin: PageOrigin) -> list[dict[str, Any]]:
    records = data.get(list_key)
    if records is None:
        return []
    if not isinstance(records, list):
        raise PayloadError(
            f"{origin.describe()}: data.{list_key} is {type(records).__name__}, expected a list"
        )
    return records


def check_required_fields(
    records: list[dict[str, Any]],
    required: tuple[str, ...],
    list_key: str,
    origin: PageOrigin,
    id_field: str = "id",
) -> None:
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise PayloadError(f"{origin.describe()}: data.{list_key}[{index}] is not an object")
        missing = [field for field in required if record.get(field) in (None, "")]
        if missing:
            record_id = record.get(id_field, "?")
            raise PayloadError(
                f"{origin.describe()}: data.{list_key}[{index}] ({id_field}={record_id}) lacks required "
                f"field(s) {', '.join(missing)}"
            )

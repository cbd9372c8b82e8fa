"""The two checks every paged walk makes, shared by the TikTok Shop (page tokens), TikTok Ads
(page numbers) and ERP (offsets) clients.

1. A page must carry its list. A page whose envelope promises records (`total_count: 175`,
   or a next page) but holds no list, or something other than a list, or a list whose
   records are not objects, is refused: taken as an empty page it would land fewer records
   and replace a good raw file with a smaller one. The references describe the list on every
   list answer; a page may still leave it out (or send null) where nothing is owed: the last
   page once the reported total has arrived, or an empty result (total 0). Every page of
   a walk that reports no total owes its list (an empty list still says so): taken as
   empty, a later page would end the walk short and a first one would land nothing (both
   seen on the customer-service conversations and their messages, which report no total,
   under a mix of faults: a shop or conversation whose records fit on one page lost them
   all). A first page with no `data` at all says nothing either: it is refused too.
2. A walk must make progress. A page that brings no record not already seen, or more pages
   than the largest reported total allows (plus a margin, as records updated mid-walk may
   come round again), means the server is looping: a page token that changes on every page
   while the records repeat is caught here, where only an exactly repeated token was before.
   `nothing_new` tells it before the page is taken, so a client that can ask again for
   another way on (the TikTok Shop client: another page token) need not count the page.

Records are told apart by their content (a digest of their canonical JSON), not by an id
field, so one helper serves every endpoint; a record updated mid-walk is new content, not a
repeat.

Both checks return what is wrong in words ("" when nothing is); each client raises its own
error naming the endpoint, the page (token, number or offset) and the request id.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Pages beyond what the largest reported total needs before a walk counts as looping: at
# least this many, or this share of the pages the total needs, whichever is more.
EXTRA_PAGES = 2
EXTRA_PAGE_SHARE = 0.1


def reported_total(value: Any) -> int | None:
    """A reported record count as an int; None when absent or not a whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def max_pages(total: int, page_size: int) -> int:
    """How many pages a walk over `total` records may take, the margin included."""
    needed = math.ceil(total / max(1, page_size))
    return needed + max(EXTRA_PAGES, math.ceil(needed * EXTRA_PAGE_SHARE))


@dataclass
class PageWalk:
    """What one paged walk has seen so far; `page_size` is the size asked for."""

    page_size: int
    pages: int = 0
    records: int = 0
    largest_total: int | None = None
    _seen: set[bytes] = field(default_factory=set)

    def list_problem(
        self, data: Mapping[str, Any], list_key: str, *, total: int | None, more: bool
    ) -> str:
        """What is wrong with the list of the page about to be taken ("" if nothing).

        `total` is the page's reported record count (None if it reports none); `more` says
        whether the page points to a next one. Call it before `take`; a problem here may be
        worth another try of the same page, like a body cut short in transit.
        """
        if not data and self.pages == 0:
            return (
                f"no `data` (no `{list_key}` list, no total, no next page) on the first page: "
                "an empty result still says so"
            )
        value = data.get(list_key)
        if isinstance(value, list):
            return records_problem(value, list_key)
        if value is not None:
            return f"`{list_key}` is a JSON {_json_type(value)}, not a list"
        owed = self._owed(total, more)
        if not owed:
            return ""
        state = "no" if list_key not in data else "a null"
        return f"{state} `{list_key}` list although {owed}"

    def take(self, records: Sequence[Any], *, total: int | None, more: bool) -> str:
        """Count the page's records; what is wrong with going on to the next page ("" if
        nothing, and always "" on the last page: a walk that ends cannot loop)."""
        self.pages += 1
        self.records += len(records)
        if total is not None:
            self.largest_total = max(total, self.largest_total or 0)
        fresh = 0
        for record in records:
            digest = _digest(record)
            if digest not in self._seen:
                self._seen.add(digest)
                fresh += 1
        if not more:
            return ""
        if fresh == 0:
            return _looping(self.pages, len(records))
        if self.largest_total is not None:
            limit = max_pages(self.largest_total, self.page_size)
            if self.pages >= limit:
                return (
                    f"{self.pages} pages of up to {self.page_size} records and still a next "
                    f"page, while the total of {self.largest_total} needs at most {limit}: "
                    "paging would loop"
                )
        return ""

    def nothing_new(self, records: Sequence[Any]) -> str:
        """What is wrong with the next page, pointing to one more, if every record of it was
        seen before ("" if it brings one); nothing is counted."""
        if any(_digest(record) not in self._seen for record in records):
            return ""
        return _looping(self.pages + 1, len(records))

    def _owed(self, total: int | None, more: bool) -> str:
        if more:
            return "the page points to a next page"
        known = total if total is not None else self.largest_total
        if known is None:
            # Nothing says the walk is complete: without its list this page may be the
            # records the walk promised (a page reached by the page before's pointer), or,
            # on a first page, a result whose records went missing rather than an empty one.
            if self.pages:
                return "the page before pointed to this one and no total says nothing is left"
            return "no total says the result is empty"
        if self.records < known:
            return f"the reported total is {known} and {self.records} arrived before this page"
        return ""


def records_problem(records: Sequence[Any], list_key: str) -> str:
    """What is wrong with a page's records ("" if nothing): each must be a JSON object; a
    list of ids or of rows as arrays is not what the endpoint is described to send."""
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            return f"`{list_key}`[{index}] is a JSON {_json_type(record)}, not an object"
    return ""


def _looping(page: int, repeated: int) -> str:
    return (
        f"page {page} brought no record not already seen ({repeated} repeated) yet points to "
        "a next page: paging would loop"
    )


def _digest(record: Any) -> bytes:
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__

"""The fault knobs the emulators share (TikTok Shop, TikTok Ads, Lingxing), so a rate means
the same on every API: a share of answers replaced by a server fault, held back past a
client's timeout or cut short with the connection dropped (`TransportFaults`), and a share
of list pages without their list (`ListFaults`).

Each knob draws from a deterministic sequence of its own, seeded per emulator: turning one
knob on never shifts another's draws, and a run is repeatable. What a server fault looks like
(an HTTP 500 envelope, a 502 HTML page, an envelope code under HTTP 200) is each emulator's
own choice, so a draw only says that one happens and hands over a number to pick which.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sandbox.tiktok_shop_api import ApiResponse

LIST_FAULTS = ("missing", "not_list")


class SeededShare:
    """About `rate` of the calls to `hit()` answer True, from a thread-safe sequence seeded
    by `seed`; never a draw while the rate is 0."""

    def __init__(self, rate: float, seed: str) -> None:
        self.rate = rate
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def hit(self) -> bool:
        if self.rate <= 0:
            return False
        with self._lock:
            return self._rng.random() < self.rate


@dataclass(frozen=True)
class TransportDraw:
    """What happens to one answer. `fault` is None, or a number in [0, 1) with which the
    emulator picks which of its fault answers to give."""

    fault: float | None = None
    delay_seconds: float = 0.0
    cut_short: bool = False

    def apply(self, response: ApiResponse) -> ApiResponse:
        """The answer as the HTTP layer is to send it: after `delay_seconds` (sandbox.server
        sleeps), and only half its body under the full `Content-Length`, then a hang-up."""
        if self.cut_short and len(response.body) > 1:
            response = replace(response, truncate_at=len(response.body) // 2)
        if self.delay_seconds > 0:
            response = replace(response, delay_seconds=self.delay_seconds)
        return response


class TransportKnobs(Protocol):
    """The fields every emulator's settings carry under these names."""

    fault_rate: float
    slow_rate: float
    slow_seconds: float
    truncate_rate: float


class TransportFaults:
    """The transport knobs of one emulator: four draws per answer (fault, which fault, slow,
    cut), in that order, from the sequence seeded by `seed`."""

    def __init__(self, seed: str, knobs: TransportKnobs) -> None:
        self.knobs = knobs
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def draw(self) -> TransportDraw:
        k = self.knobs
        if k.fault_rate <= 0 and k.slow_rate <= 0 and k.truncate_rate <= 0:
            return TransportDraw()
        with self._lock:
            fault, kind, slow, cut = (self._rng.random() for _ in range(4))
        return TransportDraw(
            fault=kind if fault < k.fault_rate else None,
            delay_seconds=k.slow_seconds if slow < k.slow_rate else 0.0,
            cut_short=cut < k.truncate_rate,
        )


class ListFaults:
    """The list fault knob of one emulator: a deterministic share (`rate`) of the pages it
    is applied to lose every list at the top level of their `data` (`kind="missing"`) or
    carry an object in its place (`"not_list"`), the rest of the page untouched."""

    def __init__(self, rate: float, kind: str, seed: str) -> None:
        if kind not in LIST_FAULTS:
            raise ValueError(f"list_fault must be one of {', '.join(LIST_FAULTS)}, got {kind!r}")
        self.kind = kind
        self._share = SeededShare(rate, f"{seed}:list-faults")

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        if not self._share.hit():
            return data
        if self.kind == "missing":
            return {k: v for k, v in data.items() if not isinstance(v, list)}
        return {k: ({} if isinstance(v, list) else v) for k, v in data.items()}

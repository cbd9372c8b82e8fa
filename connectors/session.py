"""The HTTP session every client holds, closed only by whoever created it."""

from __future__ import annotations

from typing import Self

import requests


class SessionOwner:
    """Mixin: `close()` and `with` close the session only if the client made it (a caller's
    shared session stays open for its other users)."""

    def _adopt_session(self, session: requests.Session | None) -> None:
        self._owns_session = session is None
        self._session = session or requests.Session()

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

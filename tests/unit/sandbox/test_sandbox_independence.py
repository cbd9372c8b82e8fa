"""The sandbox shares no API facts with the connectors it is meant to catch out.

An emulator that imports the client's paths, page sizes or field names agrees with a wrong
client; the suite would pass while the real API refuses. Only the public test credentials and
the sandbox's address (`connectors/sandbox_defaults.py`: what the two sides must agree on to
talk at all) and the log redaction of secrets may cross.
"""

import ast
from pathlib import Path

SANDBOX = Path(__file__).resolve().parents[3] / "sandbox"
ALLOWED = {
    "connectors.sandbox_defaults",
    "connectors.tiktok_shop_token.redact_secret_query_values",
}


def _connector_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("connectors"):
            if node.module == "connectors.sandbox_defaults":
                found.add(node.module)
            else:
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("connectors"))
    return found


def test_the_sandbox_imports_nothing_from_the_connectors_but_credentials():
    crossing = {
        f"{path.name}: {name}"
        for path in sorted(SANDBOX.glob("*.py"))
        for name in _connector_imports(path) - ALLOWED
    }
    assert not crossing, sorted(crossing)

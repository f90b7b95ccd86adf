"""Security properties of the deployment (README, "Security and threat model")."""

from __future__ import annotations

import ast
import json
import re
import socket
import stat
import subprocess
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import rasa
from packaging.version import Version

from bot.api_token import api_token
from knowledge.paths import BUILD_DIR, REPO_ROOT
from tests.bad_inputs import BAD_TEXTS
from tests.bot.clients import http

FIXED_RASA = Version("3.6.21")  # CVE-2024-49375: remote code execution through a crafted model

# -- Rasa version ---------------------------------------------------------------------------------


def test_rasa_is_at_least_the_fixed_version():
    lock = (REPO_ROOT / "requirements.lock").read_text(encoding="utf-8")
    (locked,) = re.findall(r"^rasa==(\S+)$", lock, flags=re.MULTILINE)
    assert Version(locked) >= FIXED_RASA
    assert Version(rasa.__version__) >= FIXED_RASA


# -- the HTTP API needs the token -----------------------------------------------------------------

API_ENDPOINTS = [
    ("GET", "/status", None),
    ("GET", "/domain", None),
    ("POST", "/model/parse", {"text": "什么是腰部客户"}),
    ("GET", "/conversations/security-probe/tracker", None),
    ("POST", "/conversations/security-probe/messages", {"text": "你好", "sender": "user"}),
    ("POST", "/conversations/security-probe/trigger_intent", {"name": "greet"}),
    ("POST", "/conversations/security-probe/predict", None),
    ("PUT", "/conversations/security-probe/tracker/events", []),
    ("POST", "/conversations/security-probe/tracker/events", {"event": "restart"}),
    ("PUT", "/model", {"model_file": "/tmp/not-a-model.tar.gz"}),
    ("DELETE", "/model", None),
    ("POST", "/model/train", None),
    ("POST", "/model/test/intents", None),
]


def call(assistant, method: str, path: str, payload, query: str = "") -> Tuple[int, str]:
    body = None if payload is None else json.dumps(payload).encode("utf-8")
    status, _, text = http(f"{assistant.url}{path}{query}", body, method)
    return status, text


@pytest.mark.server
@pytest.mark.parametrize(
    "method, path, payload", API_ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in API_ENDPOINTS]
)
def test_api_refuses_requests_without_a_valid_token(assistant, method, path, payload):
    assert call(assistant, method, path, payload)[0] == 401
    assert call(assistant, method, path, payload, "?token=wrong")[0] == 401


@pytest.mark.server
@pytest.mark.parametrize(
    "method, path, payload", [e for e in API_ENDPOINTS if e[0] == "GET" or e[1] == "/model/parse"]
)
def test_api_answers_with_the_token(assistant, method, path, payload):
    status, text = call(assistant, method, path, payload, f"?token={api_token()}")
    assert status == 200, text[:300]


@pytest.mark.server
def test_channels_and_health_need_no_token(assistant):
    assert http(f"{assistant.url}/", method="GET", content_type=None)[0] == 200
    body = json.dumps({"sender": "security-probe", "message": "你好"}).encode()
    assert http(f"{assistant.url}/webhooks/rest/webhook", body)[0] == 200


# -- listening sockets ----------------------------------------------------------------------------


def listening_addresses(port: int) -> List[str]:
    """Local addresses of the sockets listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                # /proc prints each 32-bit word in host (little-endian) order.
                raw = b"".join(raw[i : i + 4][::-1] for i in range(0, width // 2, 4))
                family = socket.AF_INET if width == 8 else socket.AF_INET6
                found.append(socket.inet_ntop(family, raw))
    return found


@pytest.mark.server
def test_action_server_listens_on_localhost_only(assistant):
    assert listening_addresses(assistant.actions_port) == ["127.0.0.1"]


@pytest.mark.server
def test_rasa_listens_on_localhost_by_default(assistant):
    assert listening_addresses(assistant.rasa_port) == ["127.0.0.1"]


# -- CORS ---------------------------------------------------------------------------------------


def preflight(assistant, origin: str, path: str = "/webhooks/rest/webhook") -> dict:
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    status, response_headers, _ = http(f"{assistant.url}{path}", None, "OPTIONS", None, headers)
    return {k.lower(): v for k, v in response_headers.items()}


@pytest.mark.server
@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/model/parse", "/status"])
def test_cors_allows_only_the_configured_origins(assistant, path):
    assert len(assistant.cors) >= 2
    for listed in assistant.cors:  # every one of them (Rasa kept only the last of repeated --cors flags)
        assert preflight(assistant, listed, path).get("access-control-allow-origin") == listed
    listed = assistant.cors[0]
    for origin in ("http://evil.example", "null", listed + ".evil.example"):
        assert "access-control-allow-origin" not in preflight(assistant, origin, path)


@pytest.mark.server
def test_a_cross_origin_post_from_elsewhere_gets_no_cors_header(assistant):
    body = json.dumps({"sender": "cors-probe", "message": "你好"}).encode()
    _, headers, _ = http(
        f"{assistant.url}/webhooks/rest/webhook", body, headers={"Origin": "http://evil.example"}
    )
    assert "access-control-allow-origin" not in {k.lower() for k in headers}


# -- secrets ------------------------------------------------------------------------------------

SECRET_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),  # a JWT
    re.compile(r"\b(?:ghp|gho|github_pat|xox[abp]|sk)_[A-Za-z0-9_]{20,}"),  # GitHub, Slack, API keys
    # token / secret / password / key = <a long literal>, not a placeholder such as ${DB_PASSWORD}
    re.compile(
        r"(?i)\b[\w-]*(?:token|secret|passw(?:or)?d|api[_-]?key|aes[_-]?key)\b['\"]?\s*[:=]\s*['\"]?"
        r"(?!\$\{|/)(?=[^\s'\"]*\d)(?=[^\s'\"]*[A-Za-z])([A-Za-z0-9+/_=-]{16,})"
    ),
]


ALLOWED = "pragma: allowlist secret"  # marks a test fixture's made-up key, as detect-secrets does


def tracked_files() -> Iterator[Path]:
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, names):
        path = REPO_ROOT / name.decode()
        if path.is_file():
            yield path


def test_no_secret_is_committed():
    found = []
    for path in tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for line in text.splitlines():
            if ALLOWED in line:
                continue
            for pattern in SECRET_PATTERNS:
                found += [f"{path.relative_to(REPO_ROOT)}: {m.group(0)[:60]}" for m in pattern.finditer(line)]
    assert not found, found


def test_the_api_token_is_not_in_the_repository_and_only_its_owner_reads_it():
    token = api_token()
    assert all(token not in path.read_text(errors="ignore") for path in tracked_files())
    token_file = BUILD_DIR / "rasa_api_token"
    if token_file.exists():
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    ignored = subprocess.run(["git", "check-ignore", "-q", str(token_file)], cwd=REPO_ROOT)
    assert ignored.returncode == 0, "build/ must be ignored by git"


def test_the_secret_scan_finds_what_it_looks_for():
    fake = "Zq3" * 8  # built here, so this file does not trip the scan itself
    samples = [
        f'RASA_API_TOKEN="{fake}"',
        f"password: {fake}",
        f"aes_key = '{fake}'",
        "-----BEGIN RSA " + "PRIVATE KEY-----",
    ]
    assert all(any(p.search(s) for p in SECRET_PATTERNS) for s in samples), samples
    assert not any(p.search("password: ${DB_PASSWORD}") for p in SECRET_PATTERNS)


# -- SQL only with parameters --------------------------------------------------------------------

SQL_METHODS = {"execute", "executemany", "executescript", "query"}
SQL_CODE = ["knowledge", "actions", "bot"]


def module_constants(tree: ast.Module) -> set:
    """Names assigned once at module level (constants of the code, not input)."""
    names = [
        t.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    ]
    return {n for n in names if names.count(n) == 1 and n.upper() == n}


def _fixed_text(node: ast.expr, constants: set) -> bool:
    """SQL text that cannot depend on input: literals and module constants, however joined."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, int, float))
    if isinstance(node, ast.Name):
        return node.id in constants
    if isinstance(node, ast.JoinedStr):
        return all(
            _fixed_text(v.value if isinstance(v, ast.FormattedValue) else v, constants) for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _fixed_text(node.left, constants) and _fixed_text(node.right, constants)
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        return name == "text" and _fixed_text(node.args[0], constants)  # SQLAlchemy's text(constant)
    return False


def unsafe_sql_calls(source: str) -> List[int]:
    """Lines where SQL text is built from run-time values (f-string, format, %, +) instead of parameters.

    A reviewed exception (an identifier checked against a fixed list, which SQL cannot take as a
    parameter) carries ``# noqa: S608`` on the call, the marker ruff's own SQL-injection rule uses.
    """
    tree = ast.parse(source)
    constants = module_constants(tree)
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
            continue
        if node.func.attr not in SQL_METHODS or _fixed_text(node.args[0], constants):
            continue
        if not any("noqa: S608" in line for line in lines[node.lineno - 1 : node.end_lineno]):
            found.append(node.lineno)
    return found


def test_sql_is_never_built_from_values():
    found = []
    for folder in SQL_CODE:
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            found += [f"{path.relative_to(REPO_ROOT)}:{line}" for line in unsafe_sql_calls(path.read_text())]
    assert not found, f"SQL built at run time (use ? parameters): {found}"


def test_the_sql_scan_catches_built_statements():
    built = 'conn.execute(f"select * from t where a = {x}")\nconn.execute("select %s" % x)\n'
    assert unsafe_sql_calls(built) == [1, 2]
    assert unsafe_sql_calls('conn.execute("select * from t where a = " + x)') == [1]
    assert unsafe_sql_calls('conn.execute("select * from t where a = ?", (x,))') == []
    assert unsafe_sql_calls('LIMIT = 5\nconn.execute(f"select * from t limit {LIMIT}")') == []
    assert unsafe_sql_calls('conn.execute(f"delete from [{table}]")  # noqa: S608 - a name from TABLES') == []
    constant = 'SQL = "delete from t where a < :a"\ns.execute(sqlalchemy.text(SQL), {"a": x})'
    assert unsafe_sql_calls(constant) == []
    assert unsafe_sql_calls('s.execute(sqlalchemy.text(f"delete from t where a < {x}"))') == [1]


SQL_LIKE = [text for case, text in BAD_TEXTS if case.startswith(("sql", "fts", "like"))] + [
    '" OR 1=1 --',
    "腰部客户'); DELETE FROM names; --",
    "*",
    'entries_fts MATCH "*"',
    "\x00' OR ''='",
]


@pytest.mark.parametrize("text", SQL_LIKE)
def test_injection_attempts_against_search_change_nothing(kb, text):
    before = [e.id for e in kb.entries()]
    result = kb.search(text)
    assert result.status in {"found", "ambiguous", "none"}
    assert [e.id for e in kb.entries()] == before
    assert kb.get("腰部客户") is not None

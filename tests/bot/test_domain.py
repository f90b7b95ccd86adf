"""Meta-tests that keep the domain, the actions and the data consistent."""

from __future__ import annotations

import ast
import re

import yaml
from rasa_sdk.executor import ActionExecutor

from knowledge.paths import REPO_ROOT

DOMAIN_FILES = sorted((REPO_ROOT / "bot" / "domain").glob("*.yml"))


def domain_items(key: str):
    items = {}
    for path in DOMAIN_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        value = data.get(key) or {}
        items.update(value if isinstance(value, dict) else {name: None for name in value})
    return items


def registered_actions():
    executor = ActionExecutor()
    executor.register_package("actions")
    return set(executor.actions)


def test_every_domain_action_has_a_class_and_back():
    assert set(domain_items("actions")) == registered_actions()


def responses_named_in_python():
    """Every string in actions/ and bot/ that is a whole response name, wherever it stands:
    response="utter_…", a constant (RATING_RESPONSE = "utter_rate_answer"), a conditional."""
    named = {}
    for path in [*(REPO_ROOT / "actions").rglob("*.py"), *(REPO_ROOT / "bot").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"utter_\w*[a-z0-9]", node.value):  # utter_ask_ is a prefix, not a name
                    named.setdefault(node.value, f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    return named


def test_every_response_used_in_python_exists_in_the_domain():
    responses = set(domain_items("responses"))
    named = responses_named_in_python()
    assert {"utter_rate_answer", "utter_service_unavailable"} <= set(named)  # held in constants
    missing = {name: where for name, where in named.items() if name not in responses}
    assert not missing, missing

"""Meta-tests that keep the domain, the actions and the data consistent."""

from __future__ import annotations

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


def test_every_response_used_in_python_exists_in_the_domain():
    responses = set(domain_items("responses"))
    used = set()
    for path in (REPO_ROOT / "actions").glob("*.py"):
        used |= set(re.findall(r'response="(utter_\w+)"', path.read_text(encoding="utf-8")))
    assert used, "no responses found in actions/"
    assert used <= responses, used - responses

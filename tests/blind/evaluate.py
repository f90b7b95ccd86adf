"""Measure the assistant on a blind set and print the figures.

    python -m tests.blind.evaluate descriptions tests/blind/descriptions_studied.yml
    python -m tests.blind.evaluate questions tests/blind/questions_fresh.yml --errors

Descriptions are scored twice: the reader alone (facts, framework, class: ``--reader
module:function``, text → scoring.Reading) and the running assistant's replies (the class
each description gets in a conversation of its own). Questions are scored on the replies.
The assistant is started on free ports with the trained model (``--url`` uses a running one).
Figures go to build/blind_<set name>.json.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path
from typing import Callable, List

import yaml

from knowledge.paths import BUILD_DIR, REPO_ROOT
from tests.blind import scoring
from tests.bot.clients import RestClient

DEFAULT_READER = "tests.blind.readers:read"


def form_questions() -> List[str]:
    """The questions of the classification form (every ``utter_ask_…`` of its domain file)."""
    path = REPO_ROOT / "bot" / "domain" / "classification.yml"
    responses = yaml.safe_load(path.read_text(encoding="utf-8"))["responses"]
    return [variants[0]["text"] for name, variants in responses.items() if name.startswith("utter_ask_")]


def _reader(spec: str) -> Callable[[str], scoring.Reading]:
    module, _, function = spec.partition(":")
    return getattr(importlib.import_module(module), function)


def _assistant(url: str | None):
    if url:
        return nullcontext(url)
    from knowledge.build import build
    from tests.bot.servers import running, scratch

    tmp = Path(tempfile.mkdtemp(prefix="blind-"))
    build(tmp / "knowledge.db", nlu_artefacts=False)
    env = {"KB_DB_PATH": str(tmp / "knowledge.db"), "KB_LOG_PATH": str(tmp / "logbook.db")}
    return _Started(running(scratch(tmp, env=env)))


class _Started:
    def __init__(self, context) -> None:
        self.context = context

    def __enter__(self) -> str:
        return self.context.__enter__().url

    def __exit__(self, *exc) -> None:
        self.context.__exit__(*exc)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("kind", choices=("descriptions", "questions"))
    parser.add_argument("set", type=Path)
    parser.add_argument("--url", help="a running assistant's Rasa URL (default: start one)")
    parser.add_argument("--reader", default=DEFAULT_READER, help="module:function for the reader alone")
    parser.add_argument("--no-replies", action="store_true", help="descriptions: the reader alone")
    parser.add_argument("--errors", action="store_true", help="print every miss")
    args = parser.parse_args(argv)

    figures = {}
    if args.kind == "descriptions":
        cases = scoring.load_descriptions(args.set)
        reader = scoring.score_descriptions(cases, _reader(args.reader))
        print(f"== reader alone ({args.reader})\n{reader.report(args.errors)}")
        figures["reader"] = reader.figures()
    if args.kind == "questions" or not args.no_replies:
        with _assistant(args.url) as url:
            rest = RestClient(url)

            def send(sender: str, text: str) -> List[str]:
                return rest(sender, text).texts

            if args.kind == "descriptions":
                replies = scoring.score_description_replies(cases, send)
                print(f"\n== the assistant's replies\n{replies.report(args.errors)}")
            else:
                questions = scoring.load_questions(args.set)
                replies = scoring.score_question_replies(questions, send, form_questions())
                print(replies.report(args.errors))
            figures["replies"] = replies.figures()
    out = BUILD_DIR / f"blind_{args.set.stem}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"\nfigures written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

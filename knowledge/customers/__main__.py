"""python -m knowledge.customers train | read "<description>" [--json]"""

from __future__ import annotations

import argparse
import json
import sys
from typing import List

from knowledge.customers.training import MODEL_FILE, is_current, save, train


def _train(force: bool) -> int:
    if not force and is_current():
        print(f"fact reader is up to date: {MODEL_FILE.relative_to(MODEL_FILE.parents[1])}")
        return 0
    model = train()
    save(model)
    sizes = ", ".join(f"{n} {what}" for what, n in model.sizes.items())
    print(f"trained the fact reader on {sizes} in {model.seconds:.1f}s: {MODEL_FILE}")
    return 0


def _read(text: str, as_json: bool) -> int:
    from knowledge.customers import describe
    from knowledge.customers.describe import class_term

    described = describe(text)
    if as_json:
        print(json.dumps({
            "facts": described.facts.stated(),
            "evidence": described.facts.evidence,
            "levels": {d: level.value for d, level in described.levels.items()},
            "framework": described.framework,
            "class": described.class_name,
        }, ensure_ascii=False, indent=2))  # fmt: skip
        return 0
    for name, value in described.facts.stated().items():
        print(f"  {name} = {value}   «{described.facts.evidence.get(name, '')}»")
    for verdict in described.verdicts:
        shown = class_term(verdict) or verdict.outside or f"needs {', '.join(verdict.missing)}"
        print(f"{verdict.framework['id']:>13}: {shown}")
    return 0


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.customers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    trainer = commands.add_parser("train", help="train the fact reader from data/customers/ (if changed)")
    trainer.add_argument("--force", action="store_true")
    reader = commands.add_parser("read", help="read one description")
    reader.add_argument("text")
    reader.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "train":
        return _train(args.force)
    return _read(args.text, args.json)


if __name__ == "__main__":
    sys.exit(main())

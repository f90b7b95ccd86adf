"""Command line: ``python -m knowledge build | search QUESTION [--json] | list``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List

from knowledge import paths
from knowledge.build import build
from knowledge.loader import ValidationError
from knowledge.model import SearchResult
from knowledge.search import KnowledgeBase, KnowledgeBaseMissing


def result_json(kb: KnowledgeBase, result: SearchResult) -> dict:
    """The JSON contract shared by the CLI and the FAQ API."""
    return {
        "query": result.query,
        "status": result.status,
        "results": [
            {
                "id": c.entry.id,
                "term": c.entry.term,
                "answer": c.entry.short,
                "score": c.score,
                "match": c.method,
                "sources": [{"file": f, "title": kb.source_title(f)} for f in c.entry.sources],
            }
            for c in result.candidates
        ],
    }


def _print_answer(kb: KnowledgeBase, result: SearchResult) -> None:
    if result.status == "none":
        print(f"知识库中没有找到与“{result.query}”相关的词条。")
        return
    best = result.best.entry
    if result.status == "ambiguous":
        print("不确定您问的是哪一个，可能是：" + "、".join(c.entry.term for c in result.candidates))
        print()
    print(f"【{best.term}】{best.short}")
    print()
    print(best.answer)
    if best.strategy:
        print()
        print("应对策略：")
        print(best.strategy)
    print()
    print("来源：" + "；".join(f"{kb.source_title(f)}（{f}）" for f in best.sources))


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="validate knowledge/ and build the database")
    build_cmd.add_argument("--db", help=f"database path (default {paths.db_path()})")
    build_cmd.add_argument("--entries", help=f"entry files folder (default {paths.ENTRIES_DIR})")
    build_cmd.add_argument(
        "--no-nlu", action="store_true", help="skip the jieba dictionary and the Rasa lookup table"
    )
    search_cmd = commands.add_parser("search", help="answer a question from the knowledge base")
    search_cmd.add_argument("question")
    search_cmd.add_argument("--json", action="store_true", help="print ranked results as JSON")
    search_cmd.add_argument("--limit", type=int, default=5)
    commands.add_parser("list", help="list every term")
    args = parser.parse_args(argv)

    if args.command == "build":
        try:
            report = build(
                args.db,
                Path(args.entries) if args.entries else paths.ENTRIES_DIR,
                nlu_artefacts=not args.no_nlu,
            )
        except ValidationError as error:
            print(f"knowledge base is invalid ({len(error.problems)} problems):", file=sys.stderr)
            for problem in error.problems:
                print(f"  - {problem}", file=sys.stderr)
            return 1
        print(f"built {report.entries} entries ({report.names} names) in {report.seconds:.2f}s:")
        for path in report.written:
            print(f"  {path}")
        return 0

    kb = KnowledgeBase()
    try:
        if args.command == "list":
            for entry in kb.entries():
                aliases = f"（{'、'.join(entry.aliases)}）" if entry.aliases else ""
                print(f"{entry.topic}\t{entry.term}{aliases}")
            return 0
        result = kb.search(args.question, limit=max(1, args.limit))
    except KnowledgeBaseMissing as error:
        print(error, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result_json(kb, result), ensure_ascii=False, indent=2))
    else:
        _print_answer(kb, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``python -m knowledge build | search QUESTION [--json] | list | report | purge``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import List

from knowledge import paths
from knowledge.build import build
from knowledge.loader import ValidationError
from knowledge.logbook import Logbook, LogbookReader, Period, retention_days
from knowledge.model import SearchResult
from knowledge.results import result_json
from knowledge.search import KnowledgeBase, KnowledgeBaseMissing


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


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


def _report(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from knowledge.report import build_report, render_html, render_text

    if args.days is not None and args.days < 1:
        parser.error("--days must be at least 1")
    if args.until is not None and args.since is None:
        parser.error("--until needs --since")
    if args.since is not None:
        until = _midnight((args.until or datetime.now(timezone.utc).date()) + timedelta(days=1))
        period = Period(_midnight(args.since), until)
        if period.until <= period.since:
            parser.error("--until is before --since")
    else:
        period = Period.last_days(args.days or 30)
    try:
        kb: KnowledgeBase | None = KnowledgeBase()
        kb.entries()
    except KnowledgeBaseMissing:
        kb = None  # entries are then shown by id
    logbook = LogbookReader(args.db)  # a report reads: it creates and purges nothing
    try:
        report = build_report(logbook, period, kb, limit=max(1, args.limit))
    finally:
        logbook.close()
    print(render_text(report), end="")
    if args.html:
        path = Path(args.html)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_html(report), encoding="utf-8")
        print(f"\nwrote {path}")
    return 0


def _purge(args: argparse.Namespace) -> int:
    try:
        days = retention_days() if args.days is None else args.days
    except ValueError as error:
        print(f"KB_LOG_RETENTION_DAYS / curation.retention_days: {error}; nothing purged", file=sys.stderr)
        return 2
    if days is None:
        print("the retention is 'never': nothing purged (give --days N to purge by hand)")
        return 0
    if days < 0:
        print("--days cannot be negative", file=sys.stderr)
        return 2
    logbook = Logbook(args.db, retention=None)  # purge exactly as asked, not on opening
    try:
        deleted = logbook.purge(days)
    finally:
        logbook.close()
    counts = ", ".join(f"{n} {table}" for table, n in deleted.items())
    print(f"deleted records older than {days} days from {logbook.location}: {counts}")
    return 0


LOGBOOK_HELP = f"logbook path or database URL (default KB_LOG_URL, else {paths.log_path()})"


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
    sources_cmd = commands.add_parser(
        "sources",
        help="clean the seeds (../shared/seeds) into knowledge/sources/, the text the build indexes",
    )
    sources_cmd.add_argument("--seeds", help=f"seeds folder (default {paths.SEEDS_DIR})")
    report_cmd = commands.add_parser(
        "report", help="unanswered questions, entries rated 没用, top terms, questions per day"
    )
    period = report_cmd.add_mutually_exclusive_group()
    period.add_argument("--days", type=int, default=None, help="the last N days (default 30)")
    period.add_argument("--since", type=_day, help="first day, YYYY-MM-DD (UTC)")
    report_cmd.add_argument("--until", type=_day, help="last day included, YYYY-MM-DD (default today)")
    report_cmd.add_argument("--html", metavar="PATH", help="also write the report as an HTML page")
    report_cmd.add_argument("--db", help=LOGBOOK_HELP)
    report_cmd.add_argument("--limit", type=int, default=10, help="rows per table (default 10)")
    purge_cmd = commands.add_parser("purge", help="delete logbook records older than the retention period")
    purge_cmd.add_argument(
        "--days",
        type=int,
        default=None,
        help="keep this many days (default: KB_LOG_RETENTION_DAYS, else curation.retention_days)",
    )
    purge_cmd.add_argument("--db", help=LOGBOOK_HELP)
    args = parser.parse_args(argv)

    if args.command == "report":
        return _report(args, parser)
    if args.command == "sources":
        from knowledge.seeds import write_cleaned

        for path in write_cleaned(Path(args.seeds) if args.seeds else paths.SEEDS_DIR):
            print(f"  {path}")
        return 0
    if args.command == "purge":
        return _purge(args)

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
        for stale in report.stale_questions:
            print(f"warning: {stale}", file=sys.stderr)
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

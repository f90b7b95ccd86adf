"""python -m knowledge.portfolio <list.xlsx|list.csv> [--rank-by profit|revenue] [--json]
[--csv OUT] [--xlsx OUT]: a customer list analysed, as the web front's /portfolio does."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List

from knowledge.portfolio import PortfolioError, analyse, analysis_json, export_csv, export_xlsx, read_table
from knowledge.search import KnowledgeBase, KnowledgeBaseMissing

RANK_BY = {"profit": "profit_wan", "revenue": "purchase_wan"}


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.portfolio", description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--rank-by", choices=sorted(RANK_BY))
    parser.add_argument("--json", action="store_true", help="print the analysis as the web API sends it")
    parser.add_argument("--csv", type=Path, help="write the table with the added columns (UTF-8 with BOM)")
    parser.add_argument("--xlsx", type=Path, help="write the table with the added columns as .xlsx")
    args = parser.parse_args(argv)
    try:
        kb = KnowledgeBase()
        analysis = analyse(read_table(args.file), kb, rank_by=RANK_BY.get(args.rank_by or ""))
    except PortfolioError as error:
        print(error.message, file=sys.stderr)
        return 1
    except KnowledgeBaseMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = analysis_json(analysis)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for fid, counts in result["counts"].items():
            print(f"{fid}: " + ", ".join(f"{c['name']} {c['count']}" for c in counts))
        print(f"pareto ({result['rank_column']}): {result['pareto']}")
    for path, data in ((args.csv, export_csv), (args.xlsx, export_xlsx)):
        if path:
            path.write_bytes(data(analysis))
            print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

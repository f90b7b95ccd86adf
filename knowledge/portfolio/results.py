"""A customer list analysed and kept: the one path the web front's upload and a spreadsheet sent in
WeCom share (read, analyse, export, save under an unguessable id), and the short Chinese summary a
chat message gives of it. Plain functions, no web framework, no Rasa.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Tuple

from knowledge.portfolio.analysis import Analysis, Entries, analyse, analysis_json
from knowledge.portfolio.export import export_csv, export_xlsx
from knowledge.portfolio.sheets import Limits, messages, read_table
from knowledge.portfolio.store import ResultStore

# The value-matrix classes in the order a summary lists them.
MATRIX_ORDER = ("platinum_customer", "gold_customer", "iron_customer", "lead_customer")


def analyse_and_keep(
    path: Path,
    name: str,
    kb: Entries | None,
    store: ResultStore,
    limits: Limits | None = None,
    rank_by: str | None = None,
    columns: Dict[str, str | None] | None = None,
) -> Tuple[Analysis, Dict[str, Any]]:
    """The analysis of the list at ``path`` (``name`` as the user called it) and the result kept in
    ``store``, with its ``id`` and ``url`` (/portfolio/<id>). Raises ``PortfolioError``."""
    table = read_table(path, limits or Limits(), name=name)
    analysis = analyse(table, kb, rank_by=rank_by, columns_chosen=columns)
    result = analysis_json(analysis)
    result_id = store.save(result, {"csv": export_csv(analysis), "xlsx": export_xlsx(analysis)})
    return analysis, {**result, "id": result_id, "url": f"/portfolio/{result_id}"}


def summary(analysis: Analysis, link: str, keep_seconds: int) -> str:
    """A few lines for a chat: customers, counts per value-matrix class, the Pareto figure, the link."""
    text = messages()["summary"]
    quadrants = messages()["charts"]["quadrants"]
    counts = analysis.counts["value_matrix"]
    classes = "、".join(
        text["class_count"].format(name=quadrants[class_id], count=counts[class_id])
        for class_id in MATRIX_ORDER
        if counts.get(class_id)
    )
    undecided = sum(1 for c in analysis.customers if c.classes["value_matrix"] not in MATRIX_ORDER)
    lines = [text["head"].format(file=analysis.table.file, customers=len(analysis.customers))]
    lines.append(text["matrix"].format(classes=classes or text["none"]))
    if undecided:
        lines[-1] += text["undecided"].format(count=undecided)
    pareto = analysis.pareto
    if pareto.get("share_for_80") is not None and analysis.rank_by:
        lines.append(text["pareto"].format(column=analysis.mapping.column(analysis.rank_by), **pareto))
    if analysis.mapping.unsure:
        lines.append(text["unsure"])
    hours = max(1, round(keep_seconds / 3600))
    lines.append(
        text["link"].format(url=link, keep=f"{hours // 24} 天" if hours % 24 == 0 else f"{hours} 小时")
    )
    return "\n".join(lines)

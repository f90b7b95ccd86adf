"""A whole customer list classified with the frameworks of knowledge/frameworks/ (issue #15).

Plain functions over plain data, no Rasa: ``read_table`` (an .xlsx or .csv file → header and
rows), ``map_columns`` (headers → the fields the frameworks use), ``analyse`` (per customer the
classes and the pyramid tier by rank, for the list the Pareto figures and counts), ``export_csv``
and ``export_xlsx``.
"""

from knowledge.portfolio.analysis import AMOUNT_FIELDS, Analysis, CustomerResult, analyse, analysis_json
from knowledge.portfolio.columns import Mapping, map_columns
from knowledge.portfolio.export import export_csv, export_xlsx
from knowledge.portfolio.sheets import Limits, PortfolioError, Table, read_table
from knowledge.portfolio.store import ResultStore

__all__ = [
    "AMOUNT_FIELDS",
    "Analysis",
    "CustomerResult",
    "Limits",
    "Mapping",
    "PortfolioError",
    "ResultStore",
    "Table",
    "analyse",
    "analysis_json",
    "export_csv",
    "export_xlsx",
    "map_columns",
    "read_table",
]

"""What the database's writer (knowledge/build.py) and its reader (knowledge/search.py) agree on."""

from __future__ import annotations

# Columns of the entries' full-text index, with their bm25 weights (a name outweighs a mention).
FTS_COLUMNS = {"names_seg": 10.0, "questions_seg": 6.0, "short_seg": 3.0, "body_seg": 1.0}

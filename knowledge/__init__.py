"""The curated knowledge base: loading, validating, building and searching it.

`knowledge/entries/*.yml` are the human-edited sources; `python -m knowledge build`
validates them and writes the SQLite database and the generated NLU artefacts;
`knowledge.search.KnowledgeBase` answers questions from the database.
"""

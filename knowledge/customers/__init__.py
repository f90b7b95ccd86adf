"""Customers as salespeople describe them: reading the facts, and the frameworks that classify them.

Plain functions over plain data, no Rasa: ``read_facts`` (the trained fact reader),
``describe`` (facts, the framework asked for, every framework's verdict).
"""

from knowledge.customers.describe import Description, describe
from knowledge.customers.facts import Facts
from knowledge.customers.reader import read_answer, read_facts

__all__ = ["Description", "Facts", "describe", "read_answer", "read_facts"]

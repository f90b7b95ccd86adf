"""What one message means, read once: the record the actions choose their response from.

A message names knowledge-base terms (or not), describes one of the user's customers (facts, the
framework it asks for) or asks a question, and the reader is more or less sure of it. Each part is
computed when first asked for, so a definition question never pays for reading facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Sequence, Tuple

from knowledge.customers import Description, describe
from knowledge.customers.features import message_signals
from knowledge.customers.lexicon import asks_for_classification, has, lexicon, mentions_a_customer
from knowledge.customers.names import PLACEHOLDER, mask_class_names
from knowledge.customers.reader import model
from knowledge.customers.training import ON_TOPIC
from knowledge.lookup import TermLookup, find_terms
from knowledge.normalize import standardize
from knowledge.search import KnowledgeBase

# From this probability on, the reader's "this is a question, not a description" is believed;
# from the lower one when the NLU took the message for a question too (two readers agreeing).
QUESTION_PROBABILITY = 0.7
AGREED_QUESTION_PROBABILITY = 0.5
# From this probability on, the reader's "question" outweighs a class asked with the facts that
# decide it, when the message names that class (哪些客户算铅质客户？比如老拖款的那种算不算).
SURE_QUESTION_PROBABILITY = 0.9
# From this probability on, the reader's "this is about customer management" is believed.
ON_TOPIC_PROBABILITY = 0.8


@dataclass
class Understanding:
    """One message as the domain understands it."""

    kb: KnowledgeBase
    text: str
    entity_values: Tuple[str, ...] = ()
    # Where the NLU found the term entities, so that a term is not taken for talk about a customer.
    term_spans: Tuple[Tuple[int, int], ...] = field(default_factory=tuple)
    # The NLU took it for a question (its intent asks about terms, and it is sure of it).
    asked_as_question: bool = False

    @property
    def question(self) -> str:
        """What is asked: the text, or for a button's payload (/ask_definition{"term": "价值"}) its terms."""
        return " ".join(self.entity_values) if self.text.startswith("/") else self.text

    def terms(self, names_only: bool = False) -> TermLookup:
        """The entries the message names (its term entities first), or the search that found none."""
        return find_terms(self.kb, self.entity_values, self.text, names_only)

    @cached_property
    def description(self) -> Description:
        """The facts about one customer, the framework asked for and every framework's verdict."""
        return describe(self.text)

    @cached_property
    def kind(self) -> Tuple[str, float]:
        """("description" | "question", probability) as the trained reader tells them apart."""
        text = standardize(self.text)
        signals = message_signals(text, self.description.facts.stated())
        return model().messages.predict([mask_class_names(text)], [signals])[0]["kind"]

    @cached_property
    def on_topic(self) -> bool:
        """About customer management at all (顾客流失率降5%利润能涨多少), not small talk or another
        field (你吃饭了吗, 帮我写个年终总结), as the trained reader tells them apart."""
        topics = model().topic
        if topics is None:
            return False
        label, probability = topics.predict([mask_class_names(standardize(self.text))], [{}])[0]["topic"]
        return label == ON_TOPIC and probability >= ON_TOPIC_PROBABILITY

    @property
    def asks_a_question(self) -> bool:
        """A question about terms or classes (黄金客户一般把多少生意给我们), not about one customer."""
        label, probability = self.kind
        least = AGREED_QUESTION_PROBABILITY if self.asked_as_question else QUESTION_PROBABILITY
        return label == "question" and probability >= least

    @property
    def asks_about_customer_management(self) -> bool:
        """A question (not a description) about customer management, whatever the NLU made of it:
        the greeting or the description it took the message for carries one."""
        return self.asks_a_question and self.on_topic

    @cached_property
    def describes_a_customer(self) -> bool:
        """The message tells about one customer of the user, or asks to classify one.

        Not a question, and it states a fact, asks for a class, or talks about a customer outside
        the terms it names (他们家回款周期拉到了180天 does; 这个月的销售提成怎么算 does not)."""
        if self.text.startswith("/"):
            return True  # a button's payload: the intent says what it is
        if self.asks_a_question and not self.about_one_customer:
            return False
        if self.description.facts.stated() or asks_for_classification(self.text):
            return True
        return mentions_a_customer(_without(self.text, self.term_spans))

    @property
    def about_one_customer(self) -> bool:
        """Whatever its wording, a request to classify a customer of one's own (我想给手上的客户做个分类),
        a yearly purchase figure (客户近三年采购额分别是100万、150万、230万), both value levels
        (客户现在贡献不大，可未来空间巨大) or a class asked with the facts that decide it
        (排名前1%算什么客户) are about one customer — the figure and the levels unless both the NLU
        and the reader take the message for a question (要留住多少客户利润才会翻番)."""
        figures = self.description.facts.purchase_wan is not None or len(self.description.levels) == 2
        if figures and not (self.asked_as_question and self.asks_a_question):
            return True
        if self.asks_about_a_named_class:
            return False
        if self.asks_for_a_class and self.description.verdict.decided:
            return True  # 排名前1%算什么客户: the facts it states are enough for the class it asks
        return (
            self.asks_for_a_class
            and has(standardize(self.text), lexicon()["particular_customer"]) is not None
        )

    @property
    def asks_about_a_named_class(self) -> bool:
        """A question, the reader is sure, about a class it names: who belongs to 铅质客户, not
        which class one customer is in (排名前1%的客户在金字塔里算什么 names none: its facts decide)."""
        label, probability = self.kind
        sure = label == "question" and probability >= SURE_QUESTION_PROBABILITY
        return sure and PLACEHOLDER in mask_class_names(standardize(self.text))

    @property
    def asks_for_a_class(self) -> bool:
        """帮我给客户归个类 / 这客户算不算大客户."""
        return asks_for_classification(self.text)


def _without(text: str, spans: Iterable[Tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def understand(
    kb: KnowledgeBase,
    text: str,
    entity_values: Sequence[str] = (),
    term_spans: Sequence[Tuple[int, int]] = (),
    asked_as_question: bool = False,
) -> Understanding:
    return Understanding(kb, text or "", tuple(entity_values), tuple(term_spans), asked_as_question)

"""What one message means, read once: the record the actions choose their response from.

A message names knowledge-base terms (or not), describes one of the user's customers (facts, the
framework it asks for) or asks a question, and the reader is more or less sure of it. Each part is
computed when first asked for, so a definition question never pays for reading facts.
"""

from __future__ import annotations

import re
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
# The words that make a sentence a question (the reader's kind head weighs everything else).
INTERROGATIVE = re.compile(
    r"[?？]|吗|么样|多少|几[倍成个种类步点年]|什么|啥|哪|怎么|如何|为什么|为啥|是否|是不是|有没有|咩|点样|几多|边个"
    r"|咋|点解|有冇|系唔系|乜"
    r"|\b(?:what|which|how|why|who|when|where|does|do|is|are|can|should)\b",
    re.IGNORECASE,
)
# The words that ask for a figure: a description tells its customer's figures, it does not ask them.
# The cue ends its sentence or a question (没多少, 冇几多 say a level: little; 采购多少我还没统计出来，
# 先帮我看看 tells what is not known).
ASKS_FOR_A_FIGURE = re.compile(
    r"(?:(?<![没冇不])(?:多少|几多)|多几|几倍|百分之几|几成|几个点|占前几|how much|how many)"
    r"[^，,。.!！?？;；]*(?:[?？]|$)",
    re.IGNORECASE,
)
# From this probability on, the reader's "this is about customer management" is believed.
ON_TOPIC_PROBABILITY = 0.8
# … and from this one, its "this is about something else".
OFF_TOPIC_PROBABILITY = 0.95


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
    def topic(self) -> Tuple[str, float] | None:
        """(topic, probability) as the trained reader's topic head tells; None without one. Read once
        per message: on_topic and clearly_off_topic both ask it."""
        topics = model().topic
        if topics is None:
            return None
        return topics.predict([mask_class_names(standardize(self.text))], [{}])[0]["topic"]

    @property
    def clearly_off_topic(self) -> bool:
        """Surely small talk or another field (今天北京天气怎么样), as the trained reader tells: no
        passage is offered for it, however many of its words the sources happen to use."""
        return self.topic is not None and self.topic[0] != ON_TOPIC and self.topic[1] >= OFF_TOPIC_PROBABILITY

    @property
    def on_topic(self) -> bool:
        """About customer management at all (顾客流失率降5%利润能涨多少), not small talk or another
        field (你吃饭了吗, 帮我写个年终总结), as the trained reader tells them apart."""
        return self.topic is not None and self.topic[0] == ON_TOPIC and self.topic[1] >= ON_TOPIC_PROBABILITY

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
        if self.asks_for_a_figure and not (self.names_a_customer or self.asks_for_a_class):
            return False  # 流失率降低5%，利润能增加多少: a figure of the sources asked, none told
        if self.description.facts.stated() or asks_for_classification(self.text):
            return True
        return mentions_a_customer(_without(self.text, self.term_spans))

    @property
    def about_one_customer(self) -> bool:
        """Whatever its wording, a request to classify a customer of one's own (我想给手上的客户做个分类),
        a figure (客户近三年采购额分别是100万、150万、230万; 在全部客户里排前百分之三), both value levels
        (客户现在贡献不大，可未来空间巨大) or a class asked with the facts that decide it
        (排名前1%算什么客户) are about one customer — the figure and the levels unless the reader takes
        the message for a question and it is worded as one, or the NLU agrees (要留住多少客户利润才会
        翻番), and the class asked unless the reader is sure of a question that states no figure
        (要帮个关键客户做财务分析，一般要看哪几个指标: 一般 is no level there)."""
        figures = self.figured or len(self.description.levels) == 2
        if figures and not (self.asks_a_question and (self.asked_as_question or self.interrogative)):
            return True
        if self.asks_about_a_named_class:
            return False
        if (
            self.asks_for_a_class
            and self.description.verdict.decided
            and (not self.sure_question or self.figured)
        ):
            return True  # 排名前1%算什么客户: the facts it states are enough for the class it asks
        return self.asks_for_a_class and self.names_a_customer

    @property
    def asks_for_a_figure(self) -> bool:
        """It asks how much, how many times, what share (利润能增加多少, 投入要多几倍)."""
        return ASKS_FOR_A_FIGURE.search(standardize(self.text)) is not None

    @property
    def names_a_customer(self) -> bool:
        """It points at one customer (这家, 我有个客户, 该客户…)."""
        return has(standardize(self.text), lexicon()["particular_customer"]) is not None

    @property
    def interrogative(self) -> bool:
        """Worded as a question (？, 吗, 多少, 几倍, 哪些…), not a statement (利润高潜力大)."""
        return INTERROGATIVE.search(standardize(self.text)) is not None

    @property
    def asks_about_a_named_class(self) -> bool:
        """A question about a class it names: who belongs to 铅质客户, not which class one customer
        is in (排名前1%的客户在金字塔里算什么 names none: its facts decide). The reader is sure of
        the question, or takes it for one that is worded as one and states no figure (腰部客户要怎么
        维护 我手上很多这种的; 我们这行好多客户老拖款，单子也小。铅质客户到底指哪些客户: the user's
        own customers are context, what is said of them in words no case)."""
        if PLACEHOLDER not in mask_class_names(standardize(self.text)):
            return False
        if self.sure_question:
            return True
        return self.asks_a_question and self.interrogative and not self.figured

    @property
    def figured(self) -> bool:
        """It states a figure (a rank, an amount, years…), not only words (一般要看哪几个指标: 一般)."""
        return any(
            isinstance(v, (int, float)) and not isinstance(v, bool)
            for v in self.description.facts.stated().values()
        )

    @property
    def sure_question(self) -> bool:
        """The reader is sure the message is a question (要帮个关键客户做财务分析，一般要看哪几个指标)."""
        label, probability = self.kind
        return label == "question" and probability >= SURE_QUESTION_PROBABILITY

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

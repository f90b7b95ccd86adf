"""Actions that answer questions about terms: definition, full text, strategy, comparison."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import attach_rating, knowledge_answer, log_gap
from actions.knowledge_base import (
    cite,
    cite_files,
    knowledge_base,
    read_message,
    related_buttons,
    term_button,
)
from bot.nlu import MESSAGE_TOO_LONG
from knowledge.answers import (
    Answer,
    asked_words,
    defining_passage,
    facet_asked,
    facets_asked,
    is_likely,
    is_sure,
    remainder,
)
from knowledge.comparisons import both_joined_in, compared_pair, siblings
from knowledge.lookup import TermLookup, shortened_partner
from knowledge.model import Candidate, Entry, SearchResult
from knowledge.normalize import fold, normalize_name, normalize_query
from knowledge.passages import compact, excerpt
from knowledge.search import KnowledgeBase, KnowledgeBaseMissing

logger = logging.getLogger(__name__)

MAX_SUGGESTIONS = 4
# Longer than this, what was asked is a sentence, not a term's name: never echoed as a missing term.
LONGEST_TERM = 12
COMPARISON = "区别"  # the facet a comparison asks for (knowledge/language.yml)
STRATEGY = "策略"  # the facet of "how to treat / keep them"
# A question naming two classes of one framework and asking what they are, how they differ or who
# counts as which is answered with both side by side, not with the first one named.
SIDE_BY_SIDE = (None, "定义", COMPARISON, "特征")


# The form that asks for what a description left out (bot/domain/classification.yml).
CUSTOMER_FORM = "customer_form"


def _last_entry(kb: KnowledgeBase, tracker: Tracker) -> Entry | None:
    entry_id = tracker.get_slot("last_entry_id")
    return kb.get(entry_id) if entry_id else None


def answer_entry(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: Dict[str, Any],
    kb: KnowledgeBase,
    entry: Entry,
    gap: str | None = None,
) -> List[EventType]:
    """The short answer with its source, and buttons for the full text and related terms."""
    response = "utter_term_answer_segment" if entry.strategy else "utter_term_answer"
    dispatcher.utter_message(
        response=response,
        term=entry.term,
        short=entry.short,
        sources=cite(kb, entry),
        buttons=related_buttons(kb, entry),
    )
    knowledge_answer(dispatcher, tracker, domain, "definition", [entry], gap=gap)
    return [SlotSet("last_entry_id", entry.id), SlotSet("suggested_entry_ids", None)]


def answer_question(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: Dict[str, Any],
    kb: KnowledgeBase,
    facet_hint: str | None = None,
    gap: str | None = None,
    intent: str = "ask_definition",
) -> List[EventType]:
    """The part of an entry (or of the sources) the question asks for; a term the sources only
    mention is said to be undefined; with nothing that answers, the nearest terms or "no entry"."""
    understood = read_message(tracker, kb)
    named = list(understood.terms(names_only=True).entries)
    question = understood.question
    asked = asked_words(question)
    if not named:
        last = _last_entry(kb, tracker)
        if last is not None and facet_asked(question) not in (None, "定义") and len(asked) <= 4:
            named = [last]  # 那它分几种？ — a follow-up about the entry talked about last
        elif not asked:
            return ask_which_term(dispatcher, tracker)  # 怎么维护 / 有什么区别: of what?
        elif (
            len(asked) <= 4
            and facet_asked(question) in (None, "定义")
            and len(choices := kb.entries_named_with(asked)) >= 2
        ):
            # 价值 alone: which of the terms named with it? (A part asked of it, 购买分类有几种 or
            # 客户角色咋演变的, is searched for: its cue words are often the rest of its name.)
            ambiguous = SearchResult(
                asked, asked, "ambiguous", tuple(Candidate(e, 0.5, "contains", asked) for e in choices)
            )
            return offer_choices(
                dispatcher, tracker, TermLookup(search=ambiguous, asked=asked), intent=intent, gap=gap
            )
    if len(named) == 1 and (partner := shortened_partner(kb, question, named[0])) is not None:
        named = [partner, *named]  # A类和B类关键客户咋划的线
    if len(named) >= 2 and siblings(named[0], named[1]) and facet_asked(question) in SIDE_BY_SIDE:
        return answer_comparison(dispatcher, tracker, domain, kb, named[0], named[1])
    found = kb.answer(question, named, facet_hint)
    if found.kind in ("definition", "names", "passage", "source"):
        return answer_found(dispatcher, tracker, domain, kb, found, gap=gap)
    if found.kind == "mention":
        return answer_mention(dispatcher, tracker, domain, kb, found)
    if named:
        return answer_entry(dispatcher, tracker, domain, kb, named[0], gap=gap)
    return offer_choices(dispatcher, tracker, understood.terms(), intent=intent, gap=gap)


def answer_found(dispatcher, tracker, domain, kb: KnowledgeBase, found: Answer, gap: str | None = None):
    """A definition, a passage of an entry or one of the sources, as ``kb.answer`` found it."""
    if found.kind == "definition":
        return answer_entry(dispatcher, tracker, domain, kb, found.entry, gap=gap)
    if found.kind == "names":
        return answer_names(dispatcher, tracker, domain, kb, found)
    if found.kind == "passage":
        return answer_passage(dispatcher, tracker, domain, kb, found, gap=gap)
    return answer_from_sources(dispatcher, tracker, domain, kb, found)


def answer_names(dispatcher, tracker, domain, kb: KnowledgeBase, found: Answer):
    """What else an entry is called (its aliases, as the sources give them), then its short answer."""
    entry = found.entry
    response = "utter_term_names" if found.other_names else "utter_term_no_other_names"
    dispatcher.utter_message(
        response=response, term=entry.term, names=found.text, short=entry.short, sources=cite(kb, entry)
    )
    knowledge_answer(dispatcher, tracker, domain, "definition", [entry])
    return [SlotSet("last_entry_id", entry.id), SlotSet("suggested_entry_ids", None)]


def answer_passage(dispatcher, tracker, domain, kb: KnowledgeBase, found: Answer, gap: str | None = None):
    """The passage of an entry that answers the question, then the short answer, with the sources."""
    entry = found.entry
    common = {
        "term": entry.term,
        "passage": compact(found.passage.text),
        "sources": cite(kb, entry),
        "buttons": related_buttons(kb, entry),
    }
    support = found.support
    if support is None:
        dispatcher.utter_message(response="utter_passage_answer", short=entry.short, **common)
    else:  # the seed's own words that answer too (knowledge.answers: the supporting source passage)
        dispatcher.utter_message(
            response="utter_passage_answer_quoted",
            title=kb.source_title(support.source),
            position=support.position,
            quote=excerpt(found.support_quote),
            **common,
        )
    kind = "strategy" if found.passage.kind == "strategy" else "detail"
    knowledge_answer(dispatcher, tracker, domain, kind, [entry], gap=gap)
    return [SlotSet("last_entry_id", entry.id), SlotSet("suggested_entry_ids", None)]


def answer_from_sources(dispatcher, tracker, domain, kb: KnowledgeBase, found: Answer):
    """A passage of the sources that no entry holds: quoted, named, and logged for the curators."""
    passage = found.passage
    dispatcher.utter_message(
        response="utter_source_answer",
        title=kb.source_title(passage.source),
        file=passage.source,
        position=passage.position,
        quote=found.text,
    )
    attach_rating(dispatcher, domain)
    log_gap(tracker, "source", "answered_from_sources")
    return [SlotSet("suggested_entry_ids", None)]


def answer_tentatively(dispatcher, tracker, domain, kb: KnowledgeBase, found: Answer):
    """A close match that is not sure: offered as the closest passage, saying so."""
    dispatcher.utter_message(response="utter_tentative_answer")
    return answer_found(dispatcher, tracker, domain, kb, found, gap="fallback")


def answer_mention(dispatcher, tracker, domain, kb: KnowledgeBase, found: Answer):
    """A term the sources use without defining it: said plainly, with where it stands."""
    if found.mention is not None:
        mention = found.mention
        offered = [e for e in (kb.get(term) for term in mention.see) if e is not None]
        dispatcher.utter_message(
            response="utter_mention_answer",
            term=mention.term,
            note=mention.note,
            sources=cite_files(kb, mention.sources),
            buttons=[term_button(e) for e in offered],
        )
    else:
        passage = found.passage
        dispatcher.utter_message(
            response="utter_undefined_term",
            term=found.term,
            title=kb.source_title(passage.source),
            file=passage.source,
            quote=passage.text.strip(),
        )
    log_gap(tracker, "undefined", "said_undefined")
    return [SlotSet("suggested_entry_ids", None)]


def offer_choices(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    lookup: TermLookup,
    intent: str = "ask_definition",
    gap: str | None = None,
) -> List[EventType]:
    """Did-you-mean buttons, or an honest "no entry" when there is nothing close; a gap either way."""
    suggestions = lookup.suggestions[:MAX_SUGGESTIONS]
    buttons = [term_button(entry, intent) for entry in suggestions]
    ambiguous = lookup.search is not None and lookup.search.status == "ambiguous"
    if ambiguous and suggestions:
        dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
    elif suggestions:
        dispatcher.utter_message(response="utter_term_unknown_suggest", query=lookup.asked, buttons=buttons)
    elif len(lookup.asked or "") > LONGEST_TERM:
        dispatcher.utter_message(response="utter_default")  # a sentence nothing answers
    else:
        dispatcher.utter_message(response="utter_term_unknown", query=lookup.asked)
        dispatcher.utter_message(response="utter_ask_which_term")
    log_gap(
        tracker,
        gap or ("ambiguous" if ambiguous and suggestions else "none"),
        "offered_choices" if suggestions else "said_unknown",
    )
    return [SlotSet("suggested_entry_ids", [e.id for e in suggestions] or None)]


def ask_which_term(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """No term named and none talked about before: ask, and log the miss."""
    dispatcher.utter_message(response="utter_ask_which_term")
    log_gap(tracker, "none", "asked_which_term")
    return []


def declined_as_too_long(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Say so when the NLU did not read the message because it is too long, rather than guess."""
    too_long = tracker.latest_message.get(MESSAGE_TOO_LONG)
    if too_long:
        dispatcher.utter_message(response="utter_message_too_long", limit=too_long.get("limit"))
    return bool(too_long)


Answering = Callable[[CollectingDispatcher, Tracker, Dict[str, Any], KnowledgeBase], List[EventType]]


def answer_with_knowledge(
    answer: Answering, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
) -> List[EventType]:
    """Run ``answer`` with the knowledge base; decline a message too long to read, and report
    a knowledge base that is not built."""
    if declined_as_too_long(dispatcher, tracker):
        return []
    try:
        return answer(dispatcher, tracker, domain, knowledge_base())
    except KnowledgeBaseMissing:
        logger.exception("knowledge base not built")
        dispatcher.utter_message(response="utter_service_unavailable")
        return []


def describes_a_customer(tracker: Tracker, kb: KnowledgeBase) -> bool:
    """The message the NLU took for a question tells about one customer after all (我们两千多个客户里
    它排第五，在金字塔里算哪层): it states facts about it, or asks for its class."""
    understood = read_message(tracker, kb)
    if understood.text.startswith("/") or not understood.describes_a_customer:
        return False
    return bool(understood.description.facts.stated()) or understood.asks_for_a_class


class KnowledgeAction(Action, ABC):
    """Base of the knowledge actions: each gives an ``answer``, run by answer_with_knowledge.

    One the NLU took for a question but that describes a customer goes to the classification.
    """

    hands_descriptions_on = True

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abstractmethod
    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any], kb: KnowledgeBase
    ) -> List[EventType]:
        """Dispatch the reply and return the events."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        if self.hands_descriptions_on and not tracker.latest_message.get(MESSAGE_TOO_LONG):
            try:
                if describes_a_customer(tracker, knowledge_base()):
                    return [FollowupAction(CUSTOMER_FORM)]
            except KnowledgeBaseMissing:
                pass  # answer_with_knowledge says so
        return answer_with_knowledge(self.answer, dispatcher, tracker, domain)


def lookup_terms(tracker: Tracker, kb: KnowledgeBase, names_only: bool = False) -> TermLookup:
    """The entries the latest message names (its term entities first), or the search that found none."""
    return read_message(tracker, kb).terms(names_only)


class ActionAnswerTerm(KnowledgeAction):
    """What does a term mean?"""

    def name(self) -> str:
        return "action_answer_term"

    def answer(self, dispatcher, tracker, domain, kb) -> List[EventType]:
        return answer_question(dispatcher, tracker, domain, kb)


class ActionAnswerDetail(KnowledgeAction):
    """The full text of the term asked about, or of the last one answered."""

    hands_descriptions_on = False

    def name(self) -> str:
        return "action_answer_detail"

    def answer(self, dispatcher, tracker, domain, kb) -> List[EventType]:
        lookup = lookup_terms(tracker, kb, names_only=True)
        entry = lookup.entries[0] if lookup.entries else _last_entry(kb, tracker)
        if entry is None:
            understood = read_message(tracker, kb)
            found = kb.answer(understood.question) if understood.asks_about_customer_management else None
            if found is not None and found.kind in ("passage", "source") and is_sure(found):
                # 富士施乐给电信行业的方案具体做了啥: no term, but the sources answer it surely (with
                # several specific words: 能再详细点吗 shares 详细 alone).
                return answer_found(dispatcher, tracker, domain, kb, found)
            return ask_which_term(dispatcher, tracker)  # 详细说说: of what?
        dispatcher.utter_message(
            response="utter_term_detail", term=entry.term, answer=entry.answer, sources=cite(kb, entry)
        )
        knowledge_answer(dispatcher, tracker, domain, "detail", [entry])
        return [SlotSet("last_entry_id", entry.id)]


class ActionAnswerStrategy(KnowledgeAction):
    """How to treat a kind of customer: the entry's strategy from the sources."""

    def name(self) -> str:
        return "action_answer_strategy"

    def answer(self, dispatcher, tracker, domain, kb) -> List[EventType]:
        understood = read_message(tracker, kb)
        lookup = understood.terms(names_only=True)
        entry = lookup.entries[0] if lookup.entries else _last_entry(kb, tracker)
        if lookup.entries and normalize_query(understood.text) in {normalize_name(n) for n in entry.names}:
            return answer_entry(dispatcher, tracker, domain, kb, entry)  # a name typed alone: what it is
        if entry is None or not entry.strategy:
            # No kind of customer named, or one without a strategy: what the sources advise.
            return answer_question(
                dispatcher, tracker, domain, kb, facet_hint=STRATEGY, intent="ask_strategy"
            )
        found = kb.answer(understood.question, [entry], STRATEGY)
        if found.kind != "none" and asks_beyond_strategy(understood.question, entry, found):
            return answer_found(dispatcher, tracker, domain, kb, found)  # 关键客户的风险管理咋整
        dispatcher.utter_message(
            response="utter_term_strategy",
            term=entry.term,
            strategy=entry.strategy,
            sources=cite(kb, entry),
        )
        knowledge_answer(dispatcher, tracker, domain, "strategy", [entry])
        return [SlotSet("last_entry_id", entry.id)]


class ActionCompareTerms(KnowledgeAction):
    """Two terms side by side; with one term, the other is the last one talked about."""

    def name(self) -> str:
        return "action_compare_terms"

    def answer(self, dispatcher, tracker, domain, kb) -> List[EventType]:
        entries = list(lookup_terms(tracker, kb, names_only=True).entries)
        text = tracker.latest_message.get("text") or ""
        if len(entries) == 1 and COMPARISON not in facets_asked(text):
            return answer_question(dispatcher, tracker, domain, kb)  # 经济大客户是啥: no comparison
        partner = shortened_partner(kb, text, entries[0]) if len(entries) == 1 else None
        if partner is not None:
            entries.append(partner)  # B类关键客户和C类的区别
        last = _last_entry(kb, tracker)
        if len(entries) == 1 and last is not None and last.id != entries[0].id:
            entries.insert(0, last)  # 那跟铁质客户比呢
        if not entries:
            return answer_question(
                dispatcher, tracker, domain, kb, facet_hint=COMPARISON, intent="compare_terms"
            )
        if len(entries) == 1:
            only = entries[0]
            if last is not None and last.id == only.id and self._said_twice(tracker):
                dispatcher.utter_message(response="utter_compare_same", term=only.term, short=only.short)
                knowledge_answer(dispatcher, tracker, domain, "compare", [only])
                return [SlotSet("last_entry_id", only.id)]
            # One term named (客户服务和售后服务是一回事吗, 跟长尾客户比起来…): what the sources say of it.
            found = kb.answer(text, [only], COMPARISON)
            other = remainder(text, [only])  # 客户服务和售后服务是一回事吗 → 售后服务
            if found.kind in ("passage", "source") and (
                COMPARISON in found.passage.facets
                or (len(other) >= 2 and other in normalize_name(found.passage.text))
                or speaks_of_the_other_side(found, only)
                or is_sure(found)
            ):
                return answer_found(dispatcher, tracker, domain, kb, found)
            if found.kind in ("passage", "source", "definition") and both_joined_in(text, found.text):
                return answer_found(dispatcher, tracker, domain, kb, found)  # 维持和收割有什么区别
            dispatcher.utter_message(response="utter_compare_need_two", term=only.term)
            return [SlotSet("last_entry_id", only.id)]
        if len(entries) >= 3 and facet_asked(text) not in (None, COMPARISON):
            # 重要客户、主要客户、普通客户各占前百分之几: the part asked of them all, not two side by side
            return answer_question(dispatcher, tracker, domain, kb)
        return answer_comparison(dispatcher, tracker, domain, kb, *compared_pair(text, entries))

    @staticmethod
    def _said_twice(tracker: Tracker) -> bool:
        """Both entity values resolve to one entry (KA 和 关键客户 的区别)."""
        return len(read_message(tracker, knowledge_base()).entity_values) > 1


def answer_comparison(dispatcher, tracker, domain, kb: KnowledgeBase, a: Entry, b: Entry) -> List[EventType]:
    """Two terms side by side: what sets each apart from the other, and their first steps."""
    dispatcher.utter_message(
        response="utter_compare",
        term_a=a.term,
        passage_a=defining_passage(a, b),
        term_b=b.term,
        passage_b=defining_passage(b, a),
        sources=cite(kb, a) if a.sources == b.sources else f"{cite(kb, a)}；{cite(kb, b)}",
    )
    if a.strategy and b.strategy:
        dispatcher.utter_message(
            response="utter_compare_strategies",
            term_a=a.term,
            strategy_a=first_step(a.strategy),
            term_b=b.term,
            strategy_b=first_step(b.strategy),
        )
    knowledge_answer(dispatcher, tracker, domain, "compare", [a, b])
    return [SlotSet("last_entry_id", b.id)]


def speaks_of_the_other_side(found: Answer, named: Entry) -> bool:
    """The passage holds a specific word of the question besides the named term's names: it speaks
    of the other side too (客户服务和售后服务有什么区别 → the passage on 售前、售中、售后服务)."""
    names = [normalize_name(n) for n in named.names]
    return any(not any(word in name or name in word for name in names) for word in found.shared)


def asks_beyond_strategy(question: str, entry: Entry, found: Answer) -> bool:
    """A question the NLU took for "how to treat X" that asks for another part of X (its steps,
    kinds…) or for something its strategy does not speak of (关键客户的风险管理咋整: the passage
    about 风险管理, not the whole strategy)."""
    asked = facets_asked(question)
    if asked and asked[0] != STRATEGY:
        return True
    strategy, rest, said = fold(entry.strategy), remainder(question, [entry]), fold(found.text)
    # A word the passage says itself (not one of the questions written for it: 怎么处理).
    return any(w in rest and w not in strategy and w in said for w in found.shared)


def first_step(strategy: str) -> str:
    """A strategy's first numbered step (or its first line): 1. 保证足够的资源投入…"""
    lines = [line.strip() for line in (strategy or "").strip().splitlines() if line.strip()]
    steps = [line for line in lines if line[:1].isdigit()]
    return (steps or lines or [""])[0].lstrip("0123456789.、） ").strip()


class ActionAnswerSuggestion(KnowledgeAction):
    """ "是的" after a single did-you-mean suggestion answers that suggestion; a question about
    customer management the NLU took for a yes is answered as the question it is."""

    hands_descriptions_on = False

    def name(self) -> str:
        return "action_answer_suggestion"

    def answer(self, dispatcher, tracker, domain, kb) -> List[EventType]:
        answered = question_instead(dispatcher, tracker, domain, kb)
        if answered is not None:
            return answered  # 客户服务是不是就是售后？ reads like 是: it is a question, not a yes
        suggested = tracker.get_slot("suggested_entry_ids") or []
        entry = kb.get(suggested[0]) if len(suggested) == 1 else None
        if entry is None:
            dispatcher.utter_message(response="utter_ok")
            return [SlotSet("suggested_entry_ids", None)]
        return answer_entry(dispatcher, tracker, domain, kb, entry)


def question_instead(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any], kb: KnowledgeBase
) -> List[EventType] | None:
    """The answer to a question about customer management that the NLU took for small talk (a yes,
    a request for help): the reader's question and topic heads both say so, it is worded as a
    question, and it names a term or the sources answer it closely; else None (the small talk)."""
    understood = read_message(tracker, kb)
    if not (understood.asks_about_customer_management and understood.interrogative):
        return None
    if understood.terms(names_only=True).entries:
        return answer_question(dispatcher, tracker, domain, kb, gap="fallback")
    found = kb.answer(understood.question)
    if found.kind == "mention":
        return answer_mention(dispatcher, tracker, domain, kb, found)
    if is_sure(found, on_topic=True):
        return answer_found(dispatcher, tracker, domain, kb, found, gap="fallback")
    if is_likely(found, on_topic=True):
        return answer_tentatively(dispatcher, tracker, domain, kb, found)
    return None


def answered_as_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any], kb: KnowledgeBase
) -> List[EventType] | None:
    """A message that names a term is a question about it (我想问问关键客户经理是干什么的), else
    ``question_instead``; None when it is neither."""
    if read_message(tracker, kb).terms(names_only=True).entries:
        return answer_question(dispatcher, tracker, domain, kb)
    return question_instead(dispatcher, tracker, domain, kb)


class _SmallTalkUnlessAsked(KnowledgeAction):
    """Small talk's response; but a question about customer management the NLU took for it is
    answered."""

    hands_descriptions_on = False
    response = ""

    def answer(self, dispatcher, tracker, domain, kb) -> List[EventType]:
        answered = question_instead(dispatcher, tracker, domain, kb)
        if answered is not None:
            return answered
        dispatcher.utter_message(response=self.response)
        return []


class ActionHelp(_SmallTalkUnlessAsked):
    """What the assistant can do (集中执行官干嘛的, 电信套餐那个例子送什么 are questions)."""

    response = "utter_help"

    def name(self) -> str:
        return "action_help"


class ActionGoodbye(_SmallTalkUnlessAsked):
    """再见 (为啥一定要见拍板的大领导，不见会咋样 is a question, not a goodbye)."""

    response = "utter_goodbye"

    def name(self) -> str:
        return "action_goodbye"


class ActionYouAreWelcome(_SmallTalkUnlessAsked):
    """不客气 (谢谢，那铅质客户为什么不划算 asks on after the thanks)."""

    response = "utter_you_are_welcome"

    def name(self) -> str:
        return "action_you_are_welcome"


class ActionFallbackSearch(KnowledgeAction):
    """When the NLU is unsure, a message that names a term is still answered."""

    def name(self) -> str:
        return "action_fallback_search"

    def answer(self, dispatcher, tracker, domain, kb) -> List[EventType]:
        return answer_unsure(dispatcher, tracker, domain, kb)


class ActionGreet(KnowledgeAction):
    """A greeting; but one with a question about customer management after it (老师好，想请教一下
    关键客户管理要按哪些步骤来) is answered as the question it carries."""

    def name(self) -> str:
        return "action_greet"

    def answer(self, dispatcher, tracker, domain, kb) -> List[EventType]:
        understood = read_message(tracker, kb)
        if understood.asks_about_customer_management:
            return answer_question(dispatcher, tracker, domain, kb)
        dispatcher.utter_message(response="utter_greet")
        return []


class ActionOutOfScope(KnowledgeAction):
    """Out of scope for the NLU; but a question the sources answer surely (a figure, a case in
    them) is answered, and logged for the curators."""

    def name(self) -> str:
        return "action_out_of_scope"

    def answer(self, dispatcher, tracker, domain, kb) -> List[EventType]:
        if lookup_terms(tracker, kb, names_only=True).entries:
            # 黄金客户一般把多少比例的生意给我们: it names a term, so it is a question about it.
            return answer_question(dispatcher, tracker, domain, kb, gap="fallback")
        understood = read_message(tracker, kb)
        if understood.clearly_off_topic:
            dispatcher.utter_message(response="utter_out_of_scope")  # 今天北京天气怎么样
            return []
        found = kb.answer(understood.question)
        on_topic = understood.on_topic
        if is_sure(found, on_topic):
            return answer_found(dispatcher, tracker, domain, kb, found, gap="fallback")
        if is_likely(found, on_topic):
            return answer_tentatively(dispatcher, tracker, domain, kb, found)
        dispatcher.utter_message(response="utter_out_of_scope")
        return []


def answer_unsure(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any], kb: KnowledgeBase
) -> List[EventType]:
    """A message the NLU could not place: a term it names, the nearest terms, an honest "no entry",
    or else the help text; logged as a gap. (One that describes a customer never gets here:
    KnowledgeAction.run hands it to the classification.)"""
    lookup = lookup_terms(tracker, kb, names_only=True)
    if lookup.entries:
        return answer_question(dispatcher, tracker, domain, kb, gap="fallback")
    found = kb.answer(tracker.latest_message.get("text") or "")
    if found.kind == "mention":
        return answer_mention(dispatcher, tracker, domain, kb, found)  # used, never defined
    understood = read_message(tracker, kb)
    on_topic, elsewhere = understood.on_topic, understood.clearly_off_topic
    if is_sure(found, on_topic) and not elsewhere:
        return answer_found(dispatcher, tracker, domain, kb, found, gap="fallback")
    if lookup.search is not None and lookup.search.status == "ambiguous" and lookup.suggestions:
        return offer_choices(dispatcher, tracker, lookup, gap="fallback")
    if is_likely(found, on_topic) and not elsewhere:
        return answer_tentatively(dispatcher, tracker, domain, kb, found)
    if _asks_about_a_term(tracker.latest_message.get("text") or ""):
        # 什么是区块链: say there is no such entry
        return offer_choices(dispatcher, tracker, lookup, gap="fallback")
    dispatcher.utter_message(response="utter_default")
    log_gap(tracker, "fallback", "fallback")
    return []


def _asks_about_a_term(text: str) -> bool:
    """The message is "what is X" phrasing around something (fillers were stripped)."""
    key = normalize_query(text)
    return bool(key) and key != normalize_name(text) and len(key) <= LONGEST_TERM

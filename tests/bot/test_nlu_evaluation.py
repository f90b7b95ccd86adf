"""NLU quality on phrasings it was never trained on (target ≥ 95%).

Three held-out sets: test_nlu.yml (written with the first training data; its errors informed the
second round of training data, so its score is optimistic), test_nlu_fresh.yml (written blind
after that round: the honest measure of generalization) and test_nlu_third.yml (written blind
after that round as well, by someone else, with more colloquial, Cantonese and workplace
phrasings; nothing was tuned on it).
"""

from __future__ import annotations

from typing import Tuple

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from knowledge.paths import BUILD_DIR, REPO_ROOT
from tests.bot.nlu_evaluation import FRESH_SET, HANDOFF_SET, TEST_SET, THIRD_SET, Scores, evaluate, save

pytestmark = pytest.mark.server

# Floors that catch regressions, below what training with other seeds gives (target 95%). Measured
# with this data over DIET seeds 42/1/7: held-out 93.9/95.8/95.5%, fresh 95.0/95.0/95.0%, third
# 93.2/92.5/93.2%; the model `make train` builds (seed 42 in config.yml): 94.3%, 95.0%, 93.9%.
# A seed alone moves a set by up to two points, so a floor at the mean would fail on chance. So does
# one training sentence (2026-12-04, seed 42): without one that nearly repeated a new blind question
# 95.1/92.8/93.2%; with a differently worded one in its place 91.7/94.2/92.5%. The fresh floor is
# 92% since (the model `make train` builds is the first; README, NLU figures).
SETS = {
    "held_out": (TEST_SET, "nlu_evaluation.json", 0.93),
    "fresh": (FRESH_SET, "nlu_evaluation_fresh.json", 0.92),
    "third": (THIRD_SET, "nlu_evaluation_third.json", 0.90),
}


@pytest.fixture(scope="module", params=sorted(SETS))
def scored(request, parse, kb) -> Tuple[Scores, float]:
    """The scores on one set, and the intent-accuracy floor for it."""
    path, report_file, floor = SETS[request.param]
    result = evaluate(parse, kb, path)
    save(result, BUILD_DIR / report_file)
    print(f"\n{path.name}\n" + result.report())
    return result, floor


@pytest.mark.parametrize("path", [TEST_SET, FRESH_SET, THIRD_SET], ids=["held_out", "fresh", "third"])
def test_test_set_is_large_and_never_trained_on(path):
    test = {e.get("text") for e in load_data(str(path)).intent_examples}
    train = {e.get("text") for e in load_data(str(REPO_ROOT / "data" / "nlu")).intent_examples}
    assert len(test) >= 130
    assert not test & train, sorted(test & train)


def test_intent_accuracy(scored):
    scores, floor = scored
    assert scores.intent_accuracy >= floor, scores.report()


def test_term_entity_f1(scored):
    scores, _ = scored
    assert Scores.f1(scores.resolved) >= 0.95, scores.report()


def test_asking_for_a_person_is_understood_in_phrasings_never_trained_on(parse, kb):
    test = {e.get("text") for e in load_data(str(HANDOFF_SET)).intent_examples}
    train = {e.get("text") for e in load_data(str(REPO_ROOT / "data" / "nlu")).intent_examples}
    assert len(test) >= 30 and not test & train, sorted(test & train)
    result = evaluate(parse, kb, HANDOFF_SET)
    save(result, BUILD_DIR / "nlu_evaluation_handoff.json")
    assert result.intent_accuracy >= 0.95, result.report()

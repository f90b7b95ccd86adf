"""Small text classifiers for the fact reader: character n-grams and named signals, then one
logistic regression per question asked of the text ("head"). The heads share one feature space,
so a text is vectorised once however many heads read it. Deterministic (liblinear, no random
state) and fast: a description is read in a few milliseconds.
"""

from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

NONE = "none"
C = 30.0  # inverse regularisation; chosen by leave-one-writer-out cross-validation (F1 0.80)
CLASS_WEIGHT = "balanced"  # "none" outnumbers every fact: weigh the labels by their rarity


class Heads:
    """Several labels per text, from the same character 1–3-grams and named signals."""

    def __init__(
        self, c: float = C, ngrams: Tuple[int, int] = (1, 3), class_weight: str | None = CLASS_WEIGHT
    ):
        self.c, self.class_weight = c, class_weight
        self.chars = TfidfVectorizer(analyzer="char", ngram_range=ngrams, sublinear_tf=True)
        self.signals = DictVectorizer()
        self.models: Dict[str, LogisticRegression | str] = {}  # a str: the only label seen

    def _matrix(self, texts: Sequence[str], signals: Sequence[Dict[str, float]], fit: bool = False):
        if fit:
            return hstack([self.chars.fit_transform(texts), self.signals.fit_transform(signals)]).tocsr()
        return hstack([self.chars.transform(texts), self.signals.transform(signals)]).tocsr()

    def fit(
        self,
        texts: Sequence[str],
        signals: Sequence[Dict[str, float]],
        labels: Dict[str, Sequence[str | None]],
    ) -> Heads:
        """``labels[head][i]`` is text i's label for that head, or None where it has none."""
        x = self._matrix(texts, signals, fit=True)
        for head, column in labels.items():
            rows = [i for i, label in enumerate(column) if label is not None]
            seen = sorted({column[i] for i in rows})
            if len(seen) < 2:
                self.models[head] = seen[0] if seen else NONE
                continue
            model = LogisticRegression(
                C=self.c, max_iter=5000, solver="liblinear", class_weight=self.class_weight
            )
            self.models[head] = model.fit(x[rows], [column[i] for i in rows])
        return self

    def predict(
        self, texts: Sequence[str], signals: Sequence[Dict[str, float]]
    ) -> List[Dict[str, Tuple[str, float]]]:
        """For each text, every head's most likely label and its probability."""
        out: List[Dict[str, Tuple[str, float]]] = [{} for _ in texts]
        if not texts:
            return out
        x = self._matrix(texts, signals)
        for head, model in self.models.items():
            if isinstance(model, str):
                for row in out:
                    row[head] = (model, 1.0)
                continue
            probabilities = model.predict_proba(x)
            for row, p in zip(out, probabilities, strict=True):
                best = int(np.argmax(p))
                row[head] = (str(model.classes_[best]), float(p[best]))
        return out

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
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

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

    def __getstate__(self) -> dict:
        # What predict derives (the stacked weights, the idf vector) is not saved with the model.
        return {k: v for k, v in self.__dict__.items() if k not in ("_stacked_weights", "_idf")}

    def _matrix(self, texts: Sequence[str], signals: Sequence[Dict[str, float]], fit: bool = False):
        if fit:
            return hstack([self.chars.fit_transform(texts), self.signals.fit_transform(signals)]).tocsr()
        return hstack([self._tfidf(texts), self.signals.transform(signals)]).tocsr()

    def _tfidf(self, texts: Sequence[str]):
        """``self.chars.transform(texts)`` without re-deriving the idf vector and re-validating the
        counts on every call (half the time of reading a description)."""
        counts = CountVectorizer.transform(self.chars, texts).astype(np.float64)
        if self.chars.sublinear_tf:
            np.log(counts.data, counts.data)
            counts.data += 1
        idf = getattr(self, "_idf", None)
        if idf is None:
            idf = self._idf = self.chars.idf_
        counts.data *= idf[counts.indices]
        return normalize(counts, norm=self.chars.norm, copy=False)

    def fit(
        self,
        texts: Sequence[str],
        signals: Sequence[Dict[str, float]],
        labels: Dict[str, Sequence[str | None]],
    ) -> Heads:
        """``labels[head][i]`` is text i's label for that head, or None where it has none."""
        x = self._matrix(texts, signals, fit=True)
        self._stacked_weights = self._idf = None
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
        decisions, slices = self._decisions(texts, signals)
        for head, model in self.models.items():
            if isinstance(model, str):
                for row in out:
                    row[head] = (model, 1.0)
                continue
            probabilities = _one_vs_rest(decisions[:, slices[head]])
            for row, p in zip(out, probabilities, strict=True):
                best = int(np.argmax(p))
                row[head] = (str(model.classes_[best]), float(p[best]))
        return out

    def distribution(self, text: str, head: str, signals: Dict[str, float] | None = None) -> Dict[str, float]:
        """Every label of ``head`` for ``text`` with its probability."""
        model = self.models[head]
        if isinstance(model, str):
            return {model: 1.0}
        decisions, slices = self._decisions([text], [signals or {}])
        probabilities = _one_vs_rest(decisions[:, slices[head]])[0]
        return dict(zip((str(c) for c in model.classes_), probabilities.tolist(), strict=True))

    def _decisions(self, texts: Sequence[str], signals: Sequence[Dict[str, float]]):
        """Every head's every class's decision value for each text, in one matrix product, and
        which columns are whose."""
        x = self._matrix(texts, signals)
        weights, bias, slices = self._stacked(x.shape[1])
        return np.asarray(x @ weights) + bias, slices

    def _stacked(self, features: int):
        """The heads' weights side by side (features × classes), their intercepts, and which
        columns are whose: what each head's predict_proba would compute, in one matrix product."""
        stacked = getattr(self, "_stacked_weights", None)
        if stacked is None:
            columns, intercepts, slices, at = [np.zeros((features, 0))], [np.zeros(0)], {}, 0
            for head, model in self.models.items():
                if not isinstance(model, str):
                    classes = model.coef_.shape[0]
                    columns.append(model.coef_.T)
                    intercepts.append(np.broadcast_to(model.intercept_, (classes,)))
                    slices[head] = slice(at, at + classes)
                    at += classes
            stacked = (np.hstack(columns), np.concatenate(intercepts), slices)
            self._stacked_weights = stacked
        return stacked


def _one_vs_rest(decision: np.ndarray) -> np.ndarray:
    """Class probabilities of liblinear's one-vs-rest logistic regression, as scikit-learn gives
    them: one column is the positive class against the other; several are normalised sigmoids."""
    positive = 1.0 / (1.0 + np.exp(-decision))
    if positive.shape[1] == 1:
        return np.hstack([1.0 - positive, positive])
    return positive / positive.sum(axis=1, keepdims=True)

"""Tags for a new work from its nearest tagged neighbours, and how well that works.

A work's text is its title, our summary and its abstract (if the entry has one); a
candidate's is its title and abstract. TF-IDF (scikit-learn, nothing downloaded)
finds the tagged works closest in wording; each of the `K` nearest votes for its
theories of impact and end stories with its similarity, and each atlas work the
candidate is tied to by citation votes with `TIE_VOTE`, as does an arXiv search's
topic. The stance hint is the neighbours' weighted stance on the first suggested ToI.

`evaluate` measures it on the corpus itself, leave-one-out: each tagged work's tags
are hidden and suggested from the others (its typed edges stand in for citations).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from ..model.corpus import Corpus, Work

K = 5  # nearest neighbours that vote
TIE_VOTE = 0.3  # a citation tie, roughly a close neighbour's similarity
SEARCH_VOTE = 0.3  # a curator's search for the topic found it
TOP = 3  # suggestions per section
SECTIONS = ("tois", "endstories")


def work_text(work: Work) -> str:
    return " ".join(p for p in (work.title, work.summary, work.raw.get("abstract") or "") if p)


@dataclass(frozen=True)
class Suggestion:
    tois: tuple[str, ...]
    endstories: tuple[str, ...]
    stance: str | None
    closest: tuple[tuple[str, float], ...]  # (key, similarity), best first


class Neighbours:
    """The corpus's tagged works as TF-IDF vectors."""

    def __init__(self, corpus: Corpus) -> None:
        self.works = [w for w in corpus.sorted_works() if w.tags]
        self.by_key = {w.key: w for w in self.works}
        # Word pairs catch "theory of impact", "sparse autoencoders"; sublinear tf keeps
        # a long abstract from outweighing a short title.
        self.vectorizer = TfidfVectorizer(
            stop_words="english", sublinear_tf=True, ngram_range=(1, 2), min_df=1
        )
        texts = [work_text(w) for w in self.works] or ["empty"]
        self.matrix = self.vectorizer.fit_transform(texts)

    def similarities(self, texts: list[str]) -> list[list[float]]:
        """One row per text: its cosine similarity to each tagged work, in `self.works` order."""
        if not texts or not self.works:
            return [[] for _ in texts]
        rows = linear_kernel(self.vectorizer.transform(texts), self.matrix)
        return [[float(x) for x in row] for row in rows]

    def suggest(
        self,
        similarity: list[float],
        ties: Iterable[str] = (),
        searched: Iterable[str] = (),
        exclude: str | None = None,
    ) -> Suggestion:
        ranked = sorted(
            ((s, w.key) for s, w in zip(similarity, self.works, strict=True) if w.key != exclude),
            reverse=True,
        )
        closest = tuple((k, s) for s, k in ranked[:K] if s > 0)
        votes: dict[str, float] = dict(closest)
        for key in ties:
            if key in self.by_key and key != exclude:
                votes[key] = votes.get(key, 0.0) + TIE_VOTE
        scores: dict[str, dict[str, float]] = {section: {} for section in SECTIONS}
        for key, weight in votes.items():
            for tag in self.by_key[key].tags:
                if tag.field in scores:
                    scores[tag.field][tag.topic] = scores[tag.field].get(tag.topic, 0.0) + weight
        for topic in searched:
            for section in SECTIONS:
                if topic in self._topics(section):
                    scores[section][topic] = scores[section].get(topic, 0.0) + SEARCH_VOTE
        tois = _top(scores["tois"])
        return Suggestion(tois, _top(scores["endstories"]), self._stance(votes, tois), closest)

    def _topics(self, section: str) -> set[str]:
        return {t.topic for w in self.works for t in w.tags if t.field == section}

    def _stance(self, votes: Mapping[str, float], tois: tuple[str, ...]) -> str | None:
        """The neighbours' weighted stance on the first suggested ToI (else on anything)."""
        stances: dict[str, float] = {}
        for key, weight in votes.items():
            work = self.by_key[key]
            on = work.stance_on(tois[0]) if tois else None
            for stance in [on] if on else [t.stance for t in work.tags if t.stance]:
                if stance:
                    stances[stance] = stances.get(stance, 0.0) + weight
        return _top(stances)[0] if stances else None


def _top(scores: Mapping[str, float]) -> tuple[str, ...]:
    return tuple(t for t, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP])


# --- leave-one-out ---------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    hits: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.hits / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.percent:.0f}% ({self.hits} of {self.total})"


@dataclass(frozen=True)
class Evaluation:
    works: int
    text: dict[str, Score]  # section -> top-3 contains a true tag, from wording alone
    with_ties: dict[str, Score]  # ... with the work's typed edges as citation ties
    baseline: dict[str, Score]  # ... always the three most frequent tags (the bar to beat)
    stance: Score  # the hint is a stance the work takes on one of its ToIs


def edge_ties(work: Work, corpus: Corpus) -> set[str]:
    """The works a work's typed edges connect it with, both ways."""
    out = {e.target for e in work.edges}
    return out | {e.source for e in corpus.incoming.get(work.key, ())}


def evaluate(corpus: Corpus) -> Evaluation:
    model = Neighbours(corpus)
    rows = model.similarities([work_text(w) for w in model.works])
    text = {s: [0, 0] for s in SECTIONS}
    ties = {s: [0, 0] for s in SECTIONS}
    base = {s: [0, 0] for s in SECTIONS}
    stance = [0, 0]
    for work, row in zip(model.works, rows, strict=True):
        others = [w for w in model.works if w.key != work.key]
        alone = model.suggest(row, exclude=work.key)
        tied = model.suggest(row, edge_ties(work, corpus), exclude=work.key)
        for section in SECTIONS:
            truth = {t.topic for t in work.tags if t.field == section}
            if not truth:
                continue
            frequent = _top(Counter(t.topic for w in others for t in w.tags if t.field == section))
            for tally, guess in ((text, alone), (ties, tied)):
                tally[section][0] += bool(truth & set(getattr(guess, section)))
                tally[section][1] += 1
            base[section][0] += bool(truth & set(frequent))
            base[section][1] += 1
        taken = {t.stance for t in work.tags if t.field == "tois" and t.stance}
        if taken:
            stance[0] += alone.stance in taken
            stance[1] += 1
    return Evaluation(
        works=len(model.works),
        text={s: Score(*v) for s, v in text.items()},
        with_ties={s: Score(*v) for s, v in ties.items()},
        baseline={s: Score(*v) for s, v in base.items()},
        stance=Score(*stance),
    )


def evaluation_lines(result: Evaluation) -> list[str]:
    names = {"tois": "theories of impact", "endstories": "end stories"}
    lines = [f"leave-one-out over {result.works} tagged works; top {TOP} contains a true tag:"]
    for section in SECTIONS:
        lines.append(
            f"  {names[section]}: wording {result.text[section]}, "
            f"wording + edges {result.with_ties[section]}, "
            f"most frequent {TOP} {result.baseline[section]}"
        )
    lines.append(f"  stance hint is a stance the work takes on a ToI: {result.stance}")
    return lines

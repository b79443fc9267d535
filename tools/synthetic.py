"""Synthetic corpora for `make bench`: realistic, valid and deterministic for a seed.

A benchmark on toy entries measures nothing, so every work here looks like a real one:
LaTeX accents in names, `{GPT}`-style protected capitals and dashes in titles, a
two- or three-sentence summary, several tags with per-tag stances and about three typed,
scoped edges to older works. A few old works attract many edges, as the longlist and
the essay do in the real corpus, so the largest pages and the backlink index are
exercised too. The project around the corpus (taxonomy, mkdocs.yml, hand-written docs,
theme overrides) is copied from the real repository, so the site builds exactly as ours.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toi_atlas.read.taxonomy import Taxonomy, load_taxonomy

PER_FILE = 500  # entries per .bib file, like a large hand-kept bibliography
EDGE_TYPES = ("rebuts", "supports", "extends", "repliesto")
ANCHOR_SHARE = 0.03  # share of edges that answer one of the anchors (see make_works)
STANCE_WEIGHTS = {"advocates": 30, "critiques": 30, "mixed": 15, "evidence": 18, "survey": 7}
LAST_ADDED = dt.date(2026, 11, 25)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# (as written in BibTeX, ASCII for keys)
LAST_NAMES: tuple[tuple[str, str], ...] = (
    ('M{\\"u}ller', "muller"),
    ("P{\\'e}rez", "perez"),
    ('Schr{\\"o}der', "schroder"),
    ('Sch{\\"a}fer', "schafer"),
    ("Gon{\\c{c}}alves", "goncalves"),
    ("Ib{\\'a}{\\~n}ez", "ibanez"),
    ("Dvo{\\v{r}}{\\'a}k", "dvorak"),
    ("W{\\'o}jcik", "wojcik"),
    ("S{\\o}rensen", "sorensen"),
    ("Lefebvre", "lefebvre"),
    ("Chen", "chen"),
    ("Wang", "wang"),
    ("Li", "li"),
    ("Kim", "kim"),
    ("Park", "park"),
    ("Nguyen", "nguyen"),
    ("Patel", "patel"),
    ("Singh", "singh"),
    ("Olsen", "olsen"),
    ("Kowalski", "kowalski"),
    ("Ivanova", "ivanova"),
    ("Okafor", "okafor"),
    ("Haddad", "haddad"),
    ("Tanaka", "tanaka"),
    ("Rossi", "rossi"),
    ("Murphy", "murphy"),
    ("Andersson", "andersson"),
    ("Cohen", "cohen"),
    ("Friedman", "friedman"),
    ("Novak", "novak"),
    ("Hughes", "hughes"),
    ("Mendoza", "mendoza"),
    ("Yilmaz", "yilmaz"),
    ("Kapoor", "kapoor"),
    ("Bauer", "bauer"),
    ("Lindqvist", "lindqvist"),
    ("O'Neill", "oneill"),
    ("van den Berg", "berg"),
    ("de la Cruz", "cruz"),
    ("Zhang", "zhang"),
)
FIRST_NAMES: tuple[str, ...] = (
    "Fran{\\c{c}}ois",
    "Jos{\\'e}",
    'Zo{\\"e}',
    "Ren{\\'e}e",
    "S{\\o}ren",
    "{\\AA}sa",
    'Bj{\\"o}rn',
    "L{\\'e}a",
    'Charbel-Rapha{\\"e}l',
    "Anna",
    "Ben",
    "Chloe",
    "David",
    "Elena",
    "Farah",
    "George",
    "Hana",
    "Ivan",
    "Julia",
    "Kenji",
    "Laura",
    "Mateo",
    "Nadia",
    "Oliver",
    "Priya",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tomasz",
    "Uma",
    "Victor",
    "Wei",
    "Yusuf",
)
MODELS = (
    "{GPT}-2 Small",
    "{GPT}-2 {XL}",
    "Pythia-1.4B",
    "Llama 2 7B",
    "a One-Layer Transformer",
    "Toy Models",
    "Vision Transformers",
    "{CLIP}",
    "Claude 3 Sonnet",
    "Gemma 2",
    "{AlphaZero}",
    "InceptionV1",
    "Chess-Playing Transformers",
    "Othello-{GPT}",
    "Mixture-of-Experts Models",
    "{RL} Agents",
)
METHODS = (
    "Sparse Autoencoders",
    "Activation Patching",
    "Attribution Graphs",
    "Linear Probes",
    "Causal Scrubbing",
    "Path Patching",
    "Steering Vectors",
    "Transcoders",
    "the Logit Lens",
    "Feature Visualization",
    "Saliency Maps",
    "Representation Engineering",
    "Crosscoders",
    "Distributed Alignment Search",
    "Automated Circuit Discovery",
    "Integrated Gradients",
)
THINGS = (
    "Deceptive Features",
    "Induction Heads",
    "Refusal Directions",
    "Polysemantic Neurons",
    "Superposition",
    "Truth Directions",
    "Sycophancy Circuits",
    "World Models",
    "Backdoors",
    "Goal Representations",
    "Monosemantic Features",
    "Latent Knowledge",
)
TASKS = (
    "Indirect Object Identification",
    "Modular Addition",
    "Greater-Than Comparison",
    "Lie Detection",
    "Backdoor Detection",
    "Model Auditing",
    "Safety Cases",
    "Jailbreak Detection",
    "Reward Model Inspection",
)
ADJECTIVES = (
    "Scalable",
    "Faithful",
    "Mechanistic",
    "Robust",
    "Automated",
    "Causal",
    "Compositional",
    "Unsupervised",
)
PRESSURES = ("Fine-Tuning", "Distribution Shift", "Adversarial Pressure", "Scale", "Quantization")
TITLES = (
    "{thing} Revealed by {method} in {model}",
    "Towards {adj} Interpretability of {model}",
    "Against {topic}",
    "A Case for {topic}",
    "Why {topic} Is Harder Than It Looks",
    "{topic}: Lessons from {method}",
    "Can {thing} Survive {pressure}?",
    "{method} for {task}: A Replication",
    "On the Limits of {method}",
    "Scaling {method} to {model}",
    "{thing} in {model} --- Evidence from {method}",
    "What {method} Can and Cannot Tell Us about {topic}",
    "Circuits for {task} in {model}, Layers 1--{k}",
    "{adj} {task} with {method}",
    "Reply: {topic} after {method}",
)
STOPWORDS = {"a", "an", "the", "on", "of", "for", "towards", "why", "what", "can", "reply"}
FIRST_SENTENCE = {
    "advocates": "Argues that {topic} is a realistic route to safer {AI} once tools such as "
    "{method} scale to models the size of {model}.",
    "critiques": "Argues that {topic} will not pay off in time, because tools such as {method} "
    "explain only a small share of what {model} computes.",
    "mixed": "Weighs the case for {topic} and concludes that it is worth pursuing only "
    "alongside behavioural evaluations of models such as {model}.",
    "evidence": "Applies {method} to {model} and reports that {thing} can be located "
    "in about {k} of {m} layers.",
    "survey": "Reviews about {m} works on {topic} and sorts them by the end story each one "
    "relies on, from {method} to behavioural tests.",
}
SECOND_SENTENCES = (
    "The results hold across {k} random seeds but weaken sharply when the task is "
    "paraphrased, which the authors treat as a warning about over-reading single circuits.",
    "It matters to the debate because both sides cite it: optimists as proof that the "
    "method scales, critics as proof of how much is still left unexplained.",
    "The authors release code \\& data, and argue that {thing} should be the first "
    "target of any audit that claims to detect deception.",
    "Its central claim is that the hard part is not finding features but showing that "
    "the ones found are the ones the model actually uses.",
    "A short appendix compares the approach with {method} and finds the two agree "
    "on {k}--{m} of the cases they both cover.",
)
THIRD_SENTENCES = (
    "Later replies dispute how far the result generalises beyond {model}.",
    "It is often read together with the longlist and the essay that answers it.",
    "The authors call it a first step rather than a verdict.",
)
VENUES: tuple[tuple[str, str, str], ...] = (
    # (entry type, field, value)
    ("inproceedings", "booktitle", "International Conference on Learning Representations"),
    ("inproceedings", "booktitle", "Advances in Neural Information Processing Systems"),
    ("inproceedings", "booktitle", "International Conference on Machine Learning"),
    ("inproceedings", "booktitle", "Findings of the Association for Computational Linguistics"),
    ("article", "journal", "Transactions on Machine Learning Research"),
    ("article", "journal", "Nature Machine Intelligence"),
    ("article", "journal", "Distill"),
)
FORUMS = ("LessWrong", "AI Alignment Forum", "Transformer Circuits Thread")
ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


@dataclass
class SynthWork:
    key: str
    year: int
    month: int
    topics: list[str]  # topic ids of the tag fields, in order
    fields: dict[str, str] = field(default_factory=dict)  # BibTeX field -> value
    entry_type: str = "misc"


def topic_ids(tax: Taxonomy) -> dict[str, list[str]]:
    return {name: list(tax.section(name)) for name in ("tois", "endstories", "agendas")}


def _names(rng: random.Random) -> tuple[str, str]:
    """An author field and the first author's ASCII surname (for the key)."""
    count = rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6))
    people = rng.sample(range(len(LAST_NAMES)), count)
    parts = [f"{LAST_NAMES[p][0]}, {rng.choice(FIRST_NAMES)}" for p in people]
    if count >= 5 and rng.random() < 0.5:
        parts = [*parts[:3], "others"]
    return " and ".join(parts), LAST_NAMES[people[0]][1]


def _plain(text: str) -> str:
    return re.sub(r"[{}\\]", "", text)


def _fill(template: str, rng: random.Random, topic: str) -> str:
    return template.format(
        method=rng.choice(METHODS),
        thing=rng.choice(THINGS),
        model=rng.choice(MODELS),
        adj=rng.choice(ADJECTIVES),
        task=rng.choice(TASKS),
        pressure=rng.choice(PRESSURES),
        topic=topic,
        k=rng.randint(2, 12),
        m=rng.randint(13, 40),
        AI="{AI}",
    )


def _title(rng: random.Random, topic_name: str, taken: set[str]) -> str:
    for _ in range(50):
        title = _fill(rng.choice(TITLES), rng, topic_name)
        title = title[0].upper() + title[1:]
        if title not in taken:
            break
    else:
        title = f"{title} (Part {len(taken)})"
    taken.add(title)
    return title


def _inline(name: str) -> str:
    """A taxonomy name inside a sentence: lower-case initial, but `AI ...` stays."""
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


def _summary(rng: random.Random, stance: str, topic_name: str) -> str:
    """Two sentences, sometimes three: about 350 characters, like the real summaries."""
    topic = _inline(topic_name)
    first = _fill(FIRST_SENTENCE[stance], rng, topic)
    text = f"{first} {_fill(rng.choice(SECOND_SENTENCES), rng, topic)}"
    if len(text) < 300:
        text += " " + _fill(rng.choice(THIRD_SENTENCES), rng, topic)
    return text


def _key(surname: str, year: int, title: str, taken: set[str]) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", _plain(title).lower()) if w not in STOPWORDS]
    base = f"{surname}{year}{words[0] if words else 'work'}"
    key, n = base, 0
    while key in taken:
        n += 1
        key = base + (chr(ord("a") + n - 1) if n <= 26 else str(n))
    taken.add(key)
    return key


def _tags(rng: random.Random, ids: dict[str, list[str]]) -> dict[str, str]:
    """Tag fields: a default stance plus, on about one tag in five, an override."""
    counts = {
        "tois": rng.choice((1, 1, 2, 2, 3, 4)),
        "endstories": rng.choice((0, 1, 1, 2)),
        "agendas": rng.choice((0, 0, 0, 1, 2)),
    }
    out: dict[str, str] = {}
    for name, count in counts.items():
        items = []
        for topic in rng.sample(ids[name], count):
            if rng.random() < 0.2:
                topic += ":" + rng.choice(("advocates", "critiques", "mixed"))
            items.append(topic)
        if items:  # an empty field is legal but says nothing
            out[name] = ", ".join(items)
    return out


def _identifiers(
    rng: random.Random, index: int, year: int, month: int, title: str
) -> tuple[str, dict[str, str]]:
    """Entry type, kind, venue and unique identifiers (url, eprint, doi)."""
    slug = re.sub(r"[^a-z0-9]+", "-", _plain(title).lower()).strip("-")
    roll = rng.random()
    if roll < 0.42:  # a forum post, the most common kind in the real corpus
        forum = rng.choice(FORUMS)
        post = "".join(rng.choice(ALNUM) for _ in range(17))
        host = {
            "LessWrong": "www.lesswrong.com/posts",
            "AI Alignment Forum": "www.alignmentforum.org/posts",
        }
        if forum in host:
            url = f"https://{host[forum]}/{post}/{slug}"
            kind = rng.choice(("post", "post", "post", "comment", "sequence"))
        else:
            url = f"https://transformer-circuits.pub/{year}/{slug}/index.html"
            kind = "report"
        return "misc", {"howpublished": forum, "url": url, "kind": kind}
    eprint = f"{year % 100:02d}{month:02d}.{10000 + index:05d}"
    arxiv = {
        "eprint": eprint,
        "archiveprefix": "arXiv",
        "primaryclass": rng.choice(("cs.LG", "cs.CL", "cs.AI")),
        "url": f"https://arxiv.org/abs/{eprint}",
    }
    if roll < 0.62:
        return "misc", {**arxiv, "kind": "preprint", "doi": f"10.48550/arXiv.{eprint}"}
    if roll < 0.94:
        typ, name, venue = rng.choice(VENUES)
        fields = {name: venue, **arxiv, "kind": "paper"}
        if typ == "article":
            fields["doi"] = f"10.5555/tmlr.{year}.{index:06d}"
        return typ, fields
    if roll < 0.97:
        fields = {
            "institution": "Center for {AI} Safety",
            "url": f"https://example.org/reports/{year}/{slug}",
            "kind": "report",
        }
        return "techreport", fields
    talk = {"howpublished": "Talk", "url": f"https://www.youtube.com/watch?v={index:011d}"}
    return "misc", {**talk, "kind": "talk"}


def _synth_work(
    rng: random.Random,
    index: int,
    ids: dict[str, list[str]],
    tax: Taxonomy,
    seen: dict[str, set[str]],
) -> SynthWork:
    year = min(2025, 2016 + int(10 * math.sqrt(rng.random())))  # more works in later years
    month = rng.randint(1, 12)
    stance = rng.choices(list(tax.stances), [STANCE_WEIGHTS.get(s, 10) for s in tax.stances])[0]
    tags = _tags(rng, ids)
    main = tags["tois"].split(",")[0].split(":")[0]
    title = _title(rng, tax.tois[main].name, seen["titles"])
    author, surname = _names(rng)
    typ, venue = _identifiers(rng, index, year, month, title)
    added = LAST_ADDED - dt.timedelta(days=rng.randint(0, 330))
    fields = {
        "author": author,
        "title": title,
        "year": str(year),
        "month": MONTHS[month - 1],
        **venue,
        **tags,
        "stance": stance,
        "summary": _summary(rng, stance, tax.tois[main].name),
        "added": added.isoformat(),
        "readingtime": str(rng.choice((5, 8, 10, 15, 20, 25, 30, 45, 60, 90))),
    }
    if rng.random() < 0.05:
        fields["modified"] = (added + dt.timedelta(days=rng.randint(1, 20))).isoformat()
    key = _key(surname, year, title, seen["keys"])
    return SynthWork(key, year, month, _topics_of(fields), fields, typ)


def _topics_of(fields: dict[str, str]) -> list[str]:
    """Topic ids of an entry's tag fields, in order, without their stances."""
    return [
        item.split(":")[0].strip()
        for name in ("tois", "endstories", "agendas")
        for item in fields.get(name, "").split(",")
        if item.strip()
    ]


def _targets(rng: random.Random, i: int, pool: int, anchors: list[int]) -> list[int]:
    """Indices of the works that work `i` answers: mostly older works, a few favourites."""
    want = min(rng.choice((1, 2, 3, 3, 4, 5)), pool - 1)
    older = [a for a in anchors if a < i]
    targets: list[int] = []
    while len(targets) < want:
        if older and rng.random() < ANCHOR_SHARE:
            j = rng.choice(older)
        elif rng.random() < 0.2:  # citations are skewed: some old works are answered often
            j = int(pool * rng.random() ** 2)
        else:
            j = rng.randrange(pool)
        if j != i and j not in targets:
            targets.append(j)
    return targets


def _edges(rng: random.Random, works: list[SynthWork], anchors: list[int]) -> None:
    """About three typed edges per work, each scoped to a topic the source is tagged with."""
    for i, work in enumerate(works):
        pool = i  # only older works: a work cannot answer a later one (TOI305)
        by_type: dict[str, list[str]] = {}
        for j in _targets(rng, i, pool, anchors):
            kind = rng.choices(EDGE_TYPES, weights=(3, 3, 3, 2))[0]
            # Prefer a topic both works share: that is what the disagreement is about.
            shared = [t for t in works[j].topics if t in work.topics]
            scope = rng.choice(shared or work.topics)
            by_type.setdefault(kind, []).append(f"{works[j].key}@{scope}")
        for kind in EDGE_TYPES:
            if kind in by_type:
                work.fields[kind] = ", ".join(by_type[kind])


def make_works(n: int, seed: int, tax: Taxonomy, anchors: Sequence[str] = ()) -> list[SynthWork]:
    """`n` works in date order (oldest first).

    The oldest works take the keys in `anchors` (the works the hand-written pages link
    to, see `linked_works`) and attract more edges than the rest, as the longlist and
    the essay do in the real corpus.
    """
    if n < len(anchors):
        raise ValueError(f"a corpus needs at least {len(anchors)} works")
    rng = random.Random(seed)
    ids = topic_ids(tax)
    seen: dict[str, set[str]] = {"keys": set(anchors), "titles": set()}
    works = [_synth_work(rng, i, ids, tax, seen) for i in range(n)]
    works.sort(key=lambda w: (w.year, w.month, w.key))
    for work, key in zip(works, anchors, strict=False):
        work.key = key
    _edges(rng, works, list(range(len(anchors))))
    return works


FIELD_ORDER = (
    *("author", "title", "year", "month", "journal", "booktitle", "institution"),
    *("howpublished", "eprint", "archiveprefix", "primaryclass", "doi", "url", "kind"),
    *("tois", "endstories", "agendas", "stance", *EDGE_TYPES),
    *("summary", "added", "modified", "readingtime"),
)
BARE = {"month"}  # month macros are written without braces, as in the real corpus


def entry_text(work: SynthWork) -> str:
    width = max(len(name) for name in work.fields)
    lines = [f"@{work.entry_type}{{{work.key},"]
    for name in FIELD_ORDER:
        value = work.fields.get(name)
        if value is None:
            continue
        shown = value if name in BARE else f"{{{value}}}"
        lines.append(f"  {name.ljust(width)} = {shown},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def bib_files(works: list[SynthWork], seed: int) -> dict[str, str]:
    """File name -> text, about PER_FILE entries per file, in date order."""
    count = max(1, math.ceil(len(works) / PER_FILE))
    size = math.ceil(len(works) / count)
    out = {}
    for f in range(count):
        chunk = works[f * size : (f + 1) * size]
        header = f"% Synthetic works for `make bench` (seed {seed}); not real literature.\n"
        out[f"synthetic-{f + 1:03d}.bib"] = header + "\n" + "\n".join(map(entry_text, chunk))
    return out


def _drop_nav_section(mkdocs_yml: str, title: str) -> str:
    """Remove one top-level nav section (`  - Read:` and its indented items), keeping comments."""
    out: list[str] = []
    skipping = False
    for line in mkdocs_yml.splitlines(keepends=True):
        if line.startswith(f"  - {title}:"):
            skipping = True
            continue
        if skipping and (line.startswith("      ") or not line.strip()):
            continue
        skipping = False
        out.append(line)
    return "".join(out)


# A Markdown link into the reading lists, which a synthetic corpus has none of: the
# hand-written pages keep the words and lose the link, so `mkdocs build --strict` passes.
_READING_LINK = re.compile(r"\[([^\]]*)\]\((?:\.\./)*reading/[^)]*\)")


def copy_real_project(repo: Path, root: Path) -> Path:
    """The real project, corpus included, minus generated pages: builds into `root`
    never touch the checkout."""
    for name in ("bib", "docs", "overrides"):
        shutil.copytree(repo / name, root / name, ignore=shutil.ignore_patterns("atlas"))
    for name in ("mkdocs.yml", "CONTRIBUTING.md", "README.md"):
        shutil.copy(repo / name, root / name)
    return root


def copy_project(repo: Path, root: Path, taxonomy: Path | None = None) -> None:
    """The real project without its corpus, reading lists or generated pages; with
    `taxonomy` instead of its vocabulary if given (the tests' frozen copy)."""
    (root / "bib").mkdir(parents=True, exist_ok=True)
    shutil.copy(taxonomy or repo / "bib" / "taxonomy.yaml", root / "bib" / "taxonomy.yaml")

    def skip(folder: str, names: list[str]) -> set[str]:
        # Only docs/atlas (generated) and docs/reading (lists of real works) are left out.
        return {"atlas", "reading"} & set(names) if Path(folder) == repo / "docs" else set()

    shutil.copytree(repo / "docs", root / "docs", ignore=skip, dirs_exist_ok=True)
    shutil.copytree(repo / "overrides", root / "overrides", dirs_exist_ok=True)
    for name in ("CONTRIBUTING.md", "README.md"):
        shutil.copy(repo / name, root / name)
    text = (repo / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(_drop_nav_section(text, "Read"), encoding="utf-8")
    for page in (root / "docs").rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        if _READING_LINK.search(text):
            page.write_text(_READING_LINK.sub(r"\1", text), encoding="utf-8")


# A Markdown link from a hand-written page to a work page, by its folder URL
# (`atlas/works/KEY/`): work pages are no longer Markdown files that MkDocs builds.
_WORK_LINK = re.compile(r"\]\((?:\.\./)*atlas/works/([^)/#\s]+)/[)#]")


def linked_works(docs: Path) -> list[str]:
    """The keys of the works that the hand-written pages under `docs` link to, in the
    order of first mention, so that a synthetic corpus can hold them."""
    keys: dict[str, None] = {}
    for page in sorted(docs.rglob("*.md")):
        keys |= dict.fromkeys(_WORK_LINK.findall(page.read_text(encoding="utf-8")))
    return list(keys)


def write_corpus(
    root: Path, n: int, seed: int = 0, *, repo: Path, taxonomy: Path | None = None
) -> None:
    """A complete project at `root` (copied from `repo`, with `taxonomy` if given)
    holding `n` synthetic works, among them every work its hand-written pages link to."""
    copy_project(repo, root, taxonomy)
    tax, diags = load_taxonomy(root / "bib" / "taxonomy.yaml")
    if diags:
        raise ValueError(f"the taxonomy in {repo} does not load: {diags[0].message}")
    works = make_works(n, seed, tax, linked_works(root / "docs"))
    for name, text in bib_files(works, seed).items():
        (root / "bib" / name).write_text(text, encoding="utf-8")

"""Discovery's requests against 127.0.0.1: paging in each service's documented form,
429 with Retry-After, malformed answers, a slow server against the overall deadline,
and the on-disk cache that spares a rerun every request."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from werkzeug import Request, Response

from discover_world import arxiv, openalex, semantic_scholar
from test_discover import project
from toi_atlas.discover.apis import Services, from_arxiv, from_openalex, from_s2
from toi_atlas.discover.fetch import Fetcher, Outcome
from toi_atlas.net.client import Client, Policy
from toi_atlas.pipeline import Paths, load_and_check


class Sleeps:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def services(httpserver) -> Services:
    return Services(
        openalex=httpserver.url_for("/oa"),
        s2=httpserver.url_for("/s2"),
        arxiv=httpserver.url_for("/arxiv/query"),
        openalex_interval=0,
        s2_interval=0,
        arxiv_interval=0,
        mailto="curators@example.org",
    )


def fetcher(
    tmp_path: Path,
    *,
    sleep: Sleeps | None = None,
    deadline: float = 60,
    policy: Policy | None = None,
) -> Fetcher:
    client = Client(policy or Policy(retries=2, backoff=0), sleep=sleep or Sleeps())
    return Fetcher(client, cache=tmp_path / "cache", max_age=3600, deadline=deadline)


@pytest.fixture
def works(tmp_path: Path) -> list:
    corpus = load_and_check(Paths(project(tmp_path / "p"))).corpus
    assert corpus is not None
    return [w for w in corpus.works.values() if w.doi or w.arxiv]


def test_openalex_follows_next_cursor_up_to_max_pages(httpserver, tmp_path: Path, works) -> None:
    httpserver.expect_request("/oa/works").respond_with_handler(openalex)
    every = list(from_openalex(fetcher(tmp_path / "a"), services(httpserver), works, 5))
    citing = [c for c in every if c.cites]
    assert len(citing) == 6  # three pages of two
    cursors = [r.args.get("cursor") for r, _ in httpserver.log if "cites" in r.args["filter"]]
    assert cursors == ["*", "2", "4"]
    assert all(r.args.get("mailto") == "curators@example.org" for r, _ in httpserver.log)
    asked = len(httpserver.log)
    list(from_openalex(fetcher(tmp_path / "b"), services(httpserver), works, 1))
    assert {r.args.get("cursor") for r, _ in httpserver.log[asked:]} == {"*"}


def test_semantic_scholar_follows_next_offsets(httpserver, tmp_path: Path, works) -> None:
    httpserver.expect_request(re_s2()).respond_with_handler(semantic_scholar)
    saliency = [w for w in works if w.key == "saliency2016"]
    found = list(from_s2(fetcher(tmp_path), services(httpserver), saliency, 10))
    assert sorted(c.doi or "" for c in found) == [f"10.5555/noise.{i}" for i in range(1, 6)]
    assert all(c.cites == {"saliency2016"} for c in found)
    offsets = [r.args["offset"] for r, _ in httpserver.log if r.path.endswith("/citations")]
    assert offsets == ["0", "1", "2", "3", "4"]


def re_s2():
    import re

    return re.compile(r"^/s2/paper/.+")


def test_arxiv_search_reads_every_entry_and_marks_its_topic(httpserver, tmp_path: Path) -> None:
    httpserver.expect_request("/arxiv/query").respond_with_handler(arxiv)
    found = list(from_arxiv(fetcher(tmp_path), services(httpserver), {"auditing": ("q",)}, 10))
    assert [c.arxiv for c in found] == ["2612.01234", "2612.05555"]
    assert all(c.searches == {"auditing"} and c.abstract for c in found)


def test_arxiv_error_feed_is_a_failure_not_a_result(httpserver, tmp_path: Path) -> None:
    error = (Path(__file__).parent / "fixtures" / "net" / "arxiv_error.xml").read_bytes()
    httpserver.expect_request("/arxiv/query").respond_with_data(
        error, content_type="application/atom+xml"
    )
    f = fetcher(tmp_path)
    found = list(from_arxiv(f, services(httpserver), {"auditing": ("bad query (",)}, 10))
    assert found == []
    assert [a.outcome for a in f.log] == [Outcome.FAILED]


def test_429_with_retry_after_waits_as_asked_then_reads(httpserver, tmp_path: Path) -> None:
    httpserver.expect_ordered_request("/oa/works").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/oa/works").respond_with_json(
        {"meta": {"next_cursor": None}, "results": []}
    )
    sleeps = Sleeps()
    f = fetcher(tmp_path, sleep=sleeps)
    list(from_openalex(f, services(httpserver), [_work_with_doi()], 3))
    assert sleeps.seconds == [7.0]
    assert [a.outcome for a in f.log] == [Outcome.FETCHED]


def test_429_asking_too_long_stops_asking_that_host(httpserver, tmp_path: Path, works) -> None:
    httpserver.expect_request(re_s2()).respond_with_data(
        "later", status=429, headers={"Retry-After": "3600"}
    )
    f = fetcher(tmp_path)
    assert list(from_s2(f, services(httpserver), works, 3)) == []
    assert len(httpserver.log) == 1  # the first refusal; nothing more asked of that host
    assert f.log[0].outcome == Outcome.FAILED
    assert {a.outcome for a in f.log[1:]} == {Outcome.SKIPPED}


def test_malformed_json_is_a_failure_and_is_not_cached(httpserver, tmp_path: Path) -> None:
    httpserver.expect_request("/oa/works").respond_with_data(
        '{"meta": {"next_cursor": null}, "results": [', content_type="application/json"
    )
    for _ in range(2):
        f = fetcher(tmp_path)
        list(from_openalex(f, services(httpserver), [_work_with_doi()], 3))
        assert [a.outcome for a in f.log] == [Outcome.FAILED]
    assert len(httpserver.log) == 2  # asked again: nothing was kept


def test_json_of_another_shape_is_a_failure(httpserver, tmp_path: Path) -> None:
    httpserver.expect_request("/oa/works").respond_with_json({"results": "none"})
    f = fetcher(tmp_path)
    assert list(from_openalex(f, services(httpserver), [_work_with_doi()], 3)) == []
    assert [a.outcome for a in f.log] == [Outcome.FAILED]


def test_rerun_takes_answers_from_the_cache(httpserver, tmp_path: Path, works) -> None:
    httpserver.expect_request("/oa/works").respond_with_handler(openalex)
    first = list(from_openalex(fetcher(tmp_path), services(httpserver), works, 5))
    asked = len(httpserver.log)
    again = fetcher(tmp_path)
    second = list(from_openalex(again, services(httpserver), works, 5))
    assert len(httpserver.log) == asked
    assert {a.outcome for a in again.log} == {Outcome.CACHED}
    assert [c.title for c in second] == [c.title for c in first]


def test_slow_server_stops_at_the_overall_deadline(httpserver, tmp_path: Path, works) -> None:
    def slow(request: Request) -> Response:
        time.sleep(3)
        return Response(json.dumps({"data": []}), content_type="application/json")

    httpserver.expect_request(re_s2()).respond_with_handler(slow)
    f = fetcher(tmp_path, deadline=1.0, policy=Policy(retries=0, read_timeout=10))
    assert list(from_s2(f, services(httpserver), works, 3)) == []
    assert f.log[0].outcome == Outcome.FAILED
    assert len(f.log) == 2 * len(works)  # every other request was not made
    assert {a.outcome for a in f.log[1:]} == {Outcome.SKIPPED}
    assert len(httpserver.log) <= 1


def _work_with_doi():
    from toi_atlas.diagnostics import Span
    from toi_atlas.model.corpus import build_work
    from toi_atlas.read.load import RawEntry, RawField
    from toi_atlas.read.taxonomy import Taxonomy

    raw = RawEntry(
        "x2024",
        "misc",
        {"doi": RawField("doi", "10.5555/x", 1), "title": RawField("title", "X", 1)},
        {},
        Span("x.bib", 1),
    )
    return build_work(raw, Taxonomy("t"))

"""`toi-atlas add`: metadata from a local server shaped like arXiv, doi.org, Crossref and
web pages; the entry written atomically; every failure exits 1 with nothing written.

No test reaches the internet: `no_internet` fails any test whose code looks up a host
other than the loopback address, and all base URLs point at a server on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import FIXTURES, NetGuard, entry, make_project
from toi_atlas import exits
from toi_atlas.commands import add
from toi_atlas.entries import addwork, newentry, vetting
from toi_atlas.model.corpus import latex_to_unicode
from toi_atlas.model.identity import KEY_NAME_CHARS, KEY_RE, KEY_WORD_CHARS
from toi_atlas.net import client as net
from toi_atlas.net import sources
from toi_atlas.output import LOG
from toi_atlas.pipeline import Paths, load_and_check
from toi_atlas.read.load import parse_text
from toi_atlas.write import bibtext
from toi_atlas.write import files as write
from toi_atlas.write.bibtext import entry_to_bibtex

NET = FIXTURES / "net"
HEADER = "% After 2023.\n\n"


@pytest.fixture
def endpoints(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """Every base URL on the local server; fast retries; no 3-second arXiv pause."""
    monkeypatch.setenv("TOI_ATLAS_ARXIV_API", httpserver.url_for("/api/query"))
    monkeypatch.setenv("TOI_ATLAS_DOI_RESOLVER", httpserver.url_for("/doi/"))
    monkeypatch.setenv("TOI_ATLAS_CROSSREF_API", httpserver.url_for("/works/"))
    monkeypatch.setenv("TOI_ATLAS_ARXIV_INTERVAL", "0")
    monkeypatch.setenv("TOI_ATLAS_BACKOFF", "0")
    monkeypatch.setenv("TOI_ATLAS_RETRIES", "2")
    monkeypatch.setenv("TOI_ATLAS_TIMEOUT", "5")
    return httpserver


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path, {"after-2023.bib": HEADER + entry("doe2023valid")})


def add_cmd(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="toi-atlas add")
    add.add_arguments(parser)
    return add.run(parser.parse_args(list(argv)))


def fixture(name: str) -> bytes:
    return (NET / name).read_bytes()


def serve_arxiv(server: HTTPServer, arxiv_id: str, name: str) -> None:
    server.expect_request(
        "/api/query", query_string={"id_list": arxiv_id, "max_results": "1"}
    ).respond_with_data(fixture(name), content_type="application/atom+xml; charset=utf-8")


def added_entry(path: Path, before: bytes) -> str:
    """The bytes after the old content, which must itself be untouched."""
    data = path.read_bytes()
    assert data.startswith(before)
    return data[len(before) :].decode("utf-8")


def fields(text: str) -> dict[str, str]:
    entries, diags = parse_text(text, "new.bib")
    assert not diags and len(entries) == 1
    return {name: f.value for name, f in entries[0].fields.items()}


# --- arXiv -------------------------------------------------------------------------


def test_arxiv_id_becomes_misc_preprint_with_eprint(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    bib = project / "bib" / "after-2023.bib"
    before = bib.read_bytes()
    serve_arxiv(endpoints, "1804.03599", "arxiv_1804.03599.xml")
    code = add_cmd(
        "1804.03599v1", "--root", str(project), "--toi", "auditing:critiques", "--end-story",
        "microscope:advocates",
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    text = added_entry(bib, before)
    assert text.startswith("\n@misc{burgess2018understanding,\n")
    got = fields(text)
    assert got["title"] == r"Understanding disentangling in $\beta$-{VAE}"
    assert got["author"] == (
        "Burgess, Christopher P. and Higgins, Irina and Pal, Arka and Matthey, Loïc and "
        "Watters, Nick and Desjardins, Guillaume and Lerchner, Alexander"
    )
    assert got["year"] == "2018"
    assert got["month"] == "April"  # pybtex expands the bare macro `apr`
    assert "  month         = apr,\n" in text
    assert got["eprint"] == "1804.03599"
    assert got["archiveprefix"] == "arXiv"
    assert got["primaryclass"] == "stat.ML"
    assert got["url"] == "https://arxiv.org/abs/1804.03599"
    assert got["kind"] == "preprint"
    assert got["tois"] == "auditing:critiques"
    assert got["endstories"] == "microscope:advocates"
    assert got["added"] == dt.date.today().isoformat()
    assert "howpublished" not in got  # the corpus writes arXiv preprints without one
    request, _ = endpoints.log[-1]
    assert request.headers["User-Agent"].startswith(f"toi-atlas/{net.__version__} (+https://")
    assert "mailto:" in request.headers["User-Agent"]


def test_old_style_arxiv_url_and_acronym_braces(project: Path, endpoints: HTTPServer) -> None:
    serve_arxiv(endpoints, "hep-th/9711200", "arxiv_hep-th_9711200.xml")
    url = "https://arxiv.org/abs/hep-th/9711200v3"
    assert add_cmd(url, "--root", str(project), "--toi", "auditing:critiques") == 0
    text = (project / "bib" / "after-2023.bib").read_text(encoding="utf-8")
    got = fields(text[text.index("@misc{maldacena") :])
    assert got["title"] == ("The Large {N} Limit of Superconformal Field Theories and Supergravity")
    assert got["author"] == "Maldacena, Juan M."
    assert got["eprint"] == "hep-th/9711200"
    assert got["url"] == "https://arxiv.org/abs/hep-th/9711200"
    assert got["doi"] == "10.1023/A:1026654312961"
    assert (got["year"], got["primaryclass"]) == ("1997", "hep-th")


def test_arxiv_error_entry_is_not_found(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / "bib" / "after-2023.bib").read_bytes()
    serve_arxiv(endpoints, "2999.99999", "arxiv_error.xml")
    assert add_cmd("2999.99999", "--root", str(project)) == 1
    assert "arXiv has no paper 2999.99999" in capsys.readouterr().err
    assert (project / "bib" / "after-2023.bib").read_bytes() == before


def test_malformed_xml_exits_1_and_writes_nothing(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / "bib" / "after-2023.bib").read_bytes()
    serve_arxiv(endpoints, "1804.03599", "arxiv_malformed.xml")
    assert add_cmd("1804.03599", "--root", str(project)) == 1
    assert "malformed XML" in capsys.readouterr().err
    assert (project / "bib" / "after-2023.bib").read_bytes() == before


# --- DOIs --------------------------------------------------------------------------


def test_doi_content_negotiation_gives_inproceedings(project: Path, endpoints: HTTPServer) -> None:
    endpoints.expect_request(
        "/doi/10.1145/3442188.3445922",
        headers={"Accept": "application/vnd.citationstyles.csl+json"},
    ).respond_with_data(
        fixture("csl_10.1145_3442188.3445922.json"),
        content_type="application/vnd.citationstyles.csl+json",
    )
    assert add_cmd("https://doi.org/10.1145/3442188.3445922", "--root", str(project)) == 0
    text = (project / "bib" / "after-2023.bib").read_text(encoding="utf-8")
    assert "@inproceedings{bender2021dangers," in text
    got = fields(text[text.index("@inproceedings") :])
    assert (
        got["title"] == "On the Dangers of Stochastic Parrots: Can Language Models Be Too Big? 🦜"
    )
    assert got["booktitle"] == (
        "Proceedings of the 2021 ACM Conference on Fairness, Accountability, and Transparency"
    )
    assert got["author"] == (
        "Bender, Emily M. and Gebru, Timnit and McMillan-Major, Angelina and Shmitchell, Shmargaret"
    )
    assert (got["year"], got["month"], got["pages"]) == ("2021", "March", "610--623")
    assert got["doi"] == "10.1145/3442188.3445922"
    assert got["url"] == "https://doi.org/10.1145/3442188.3445922"
    assert got["kind"] == "paper"


def test_crossref_when_negotiation_is_refused(project: Path, endpoints: HTTPServer) -> None:
    doi = "10.1007/s13347-019-00372-9"
    endpoints.expect_request(f"/doi/{doi}").respond_with_data("Not Acceptable", status=406)
    endpoints.expect_request(f"/works/{doi}").respond_with_data(
        fixture("crossref_10.1007_s13347-019-00372-9.json"), content_type="application/json"
    )
    assert add_cmd(f"doi:{doi}", "--root", str(project)) == 0
    text = (project / "bib" / "after-2023.bib").read_text(encoding="utf-8")
    got = fields(text[text.index("@article") :])
    assert text.count("@article{krishnan2020against,") == 1
    assert got["journal"] == r"Philosophy \& Technology"
    assert got["title"] == (
        "Against Interpretability: a Critical Examination of the Interpretability Problem "
        "in Machine Learning"
    )
    assert (got["year"], got["volume"], got["number"]) == ("2020", "33", "3")
    assert latex_to_unicode(got["journal"]) == "Philosophy & Technology"


def test_unknown_doi_is_404(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoints.expect_request("/doi/10.5555/nothing-here").respond_with_data(
        "DOI Not Found", status=404
    )
    assert add_cmd("10.5555/nothing-here", "--root", str(project)) == 1
    assert "does not know 10.5555/nothing-here" in capsys.readouterr().err
    assert len(endpoints.log) == 1  # a 404 from the resolver is final: no Crossref call


def test_malformed_json_exits_1(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / "bib" / "after-2023.bib").read_bytes()
    doi = "10.1007/s13347-019-00372-9"
    endpoints.expect_request(f"/doi/{doi}").respond_with_data("<html>landing</html>")
    endpoints.expect_request(f"/works/{doi}").respond_with_data(
        fixture("crossref_malformed.json"), content_type="application/json"
    )
    assert add_cmd(doi, "--root", str(project)) == 1
    assert "malformed JSON" in capsys.readouterr().err
    assert (project / "bib" / "after-2023.bib").read_bytes() == before


# --- web pages ---------------------------------------------------------------------


def serve_page(server: HTTPServer, path: str, name: str) -> str:
    server.expect_request(path).respond_with_data(
        fixture(name), content_type="text/html; charset=utf-8"
    )
    return server.url_for(path)


def test_highwire_citation_tags(project: Path, endpoints: HTTPServer) -> None:
    url = serve_page(endpoints, "/forum", "citation_page.html")
    assert add_cmd(url, "--root", str(project), "--toi", "auditing:evidence") == 0
    text = (project / "bib" / "after-2023.bib").read_text(encoding="utf-8")
    got = fields(text[text.index("@article") :])
    assert text.count("@article{gurnee2024universal,") == 1
    assert got["title"] == "Universal Neurons in {GPT2} Language Models"
    assert got["journal"] == "Transactions on Machine Learning Research"
    assert got["author"].startswith("Gurnee, Wes and Horsley, Theo and Guo, Zifan Carol and ")
    assert got["author"].count(" and ") == 7
    assert (got["year"], got["month"]) == ("2024", "June")
    assert got["url"] == "https://openreview.net/forum?id=ZeI104QZ8I"  # the canonical link
    assert got["pdf"] == endpoints.url_for("/pdf") + "?id=ZeI104QZ8I"
    assert got["kind"] == "paper"


def test_lesswrong_open_graph_page(project: Path, endpoints: HTTPServer) -> None:
    url = serve_page(endpoints, "/posts/uK6sQCNMw8WKzJeCQ", "lesswrong_page.html")
    assert add_cmd(url, "--root", str(project), "--toi", "auditing:advocates") == 0
    text = (project / "bib" / "after-2023.bib").read_text(encoding="utf-8")
    got = fields(text[text.index("@misc{nanda") :])
    assert text.count("@misc{nanda2022longlist,") == 1
    assert got["title"] == "A Longlist of Theories of Impact for Interpretability"
    assert got["author"] == "Nanda, Neel"  # the profile URL in article:author is skipped
    assert got["howpublished"] == "LessWrong"
    assert (got["year"], got["month"], got["kind"]) == ("2022", "March", "post")
    assert got["url"].startswith("https://www.lesswrong.com/posts/uK6sQCNMw8WKzJeCQ/")


def test_dublin_core_page(project: Path, endpoints: HTTPServer) -> None:
    url = serve_page(endpoints, "/handle/20.500.11850/612345", "dublincore_page.html")
    assert add_cmd(url, "--root", str(project)) == 0
    text = (project / "bib" / "after-2023.bib").read_text(encoding="utf-8")
    got = fields(text[text.index("@misc{muller") :])
    assert got["title"] == r"Probing \& Patching Small Transformers: a 100\% Reproducible Study"
    assert latex_to_unicode(got["title"]).endswith("a 100% Reproducible Study")
    assert got["author"] == "Müller, Jürgen and Øvergård, Åsa"
    assert (got["year"], got["month"]) == ("2023", "May")
    assert got["howpublished"] == "ETH Zürich"
    assert got["doi"] == "10.5555/ethz-b-000612345"
    assert got["kind"] == "report"
    assert got["url"] == url


def test_empty_page_exits_1(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / "bib" / "after-2023.bib").read_bytes()
    endpoints.expect_request("/empty").respond_with_data("", content_type="text/html")
    assert add_cmd(endpoints.url_for("/empty"), "--root", str(project)) == 1
    assert "empty page" in capsys.readouterr().err
    assert (project / "bib" / "after-2023.bib").read_bytes() == before


def test_page_without_any_title_exits_1(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoints.expect_request("/bare").respond_with_data(
        "<html><head></head><body><p>hello</p></body></html>", content_type="text/html"
    )
    assert add_cmd(endpoints.url_for("/bare"), "--root", str(project)) == 1
    assert "no title" in capsys.readouterr().err


# --- the network, done properly ----------------------------------------------------


def test_404_page(project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture) -> None:
    endpoints.expect_request("/gone").respond_with_data("nope", status=404)
    assert add_cmd(endpoints.url_for("/gone"), "--root", str(project)) == 1
    assert "not found (HTTP 404)" in capsys.readouterr().err
    assert len(endpoints.log) == 1  # a 404 is not retried


def test_500_then_success_is_retried(project: Path, endpoints: HTTPServer) -> None:
    endpoints.expect_oneshot_request("/flaky").respond_with_data("oops", status=500)
    serve_page(endpoints, "/flaky", "lesswrong_page.html")
    assert add_cmd(endpoints.url_for("/flaky"), "--root", str(project)) == 0
    assert [r.status_code for _, r in endpoints.log] == [500, 200]


def test_429_retry_after_is_honoured(project: Path, endpoints: HTTPServer) -> None:
    endpoints.expect_oneshot_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    serve_page(endpoints, "/busy", "lesswrong_page.html")
    start = time.monotonic()
    assert add_cmd(endpoints.url_for("/busy"), "--root", str(project)) == 0
    assert time.monotonic() - start >= 0.9  # waited as asked, although backoff is 0 here
    assert [r.status_code for _, r in endpoints.log] == [429, 200]


def test_429_asking_too_long_gives_up_at_once(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoints.expect_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3600"}
    )
    assert add_cmd(endpoints.url_for("/busy"), "--root", str(project)) == 1
    assert "asks us to wait 3600 s" in capsys.readouterr().err
    assert len(endpoints.log) == 1


def test_read_timeout(
    project: Path,
    endpoints: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response("late", content_type="text/html")

    # A server of its own: the slow answers arrive after the test and must not show
    # up in the shared server's log of the next test.
    with HTTPServer(host="127.0.0.1", port=0, threaded=True) as own:
        own.expect_request("/slow").respond_with_handler(slow)
        monkeypatch.setenv("TOI_ATLAS_TIMEOUT", "0.2")
        monkeypatch.setenv("TOI_ATLAS_RETRIES", "1")
        before = (project / "bib" / "after-2023.bib").read_bytes()
        assert add_cmd(own.url_for("/slow"), "--root", str(project)) == 1
        assert "did not answer within 0.2 s (2 attempts)" in capsys.readouterr().err
        assert (project / "bib" / "after-2023.bib").read_bytes() == before


def test_connection_refused_says_offline(
    project: Path, endpoints: HTTPServer, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("TOI_ATLAS_ARXIV_API", f"http://127.0.0.1:{port}/api/query")
    assert add_cmd("1804.03599", "--root", str(project)) == 1
    assert "are you offline?" in capsys.readouterr().err


def test_dns_failure_says_offline(
    project: Path,
    endpoints: HTTPServer,
    no_internet: NetGuard,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    no_internet.unresolvable.add("export.arxiv.invalid")
    monkeypatch.setenv("TOI_ATLAS_ARXIV_API", "https://export.arxiv.invalid/api/query")
    assert add_cmd("1804.03599", "--root", str(project)) == 1
    assert "cannot look up export.arxiv.invalid: are you offline" in capsys.readouterr().err


# --- corpus rules: duplicates, keys, tags, files -----------------------------------


@pytest.fixture
def known_project(tmp_path: Path) -> Path:
    """A corpus holding the three works these tests try to add again."""
    named = entry(
        "bender2021dangers",
        author="Bender, Emily M. and Gebru, Timnit",
        title="On the Dangers of Stochastic Parrots",
        year="2021",
        doi="10.1145/3442188.3445922",
    )
    arxiv = entry(
        "wang2022interpretability",
        author="Wang, Kevin",
        title="Interpretability in the Wild",
        year="2022",
        eprint="2211.00593",
        archiveprefix="arXiv",
    )
    main = entry(
        "nanda2022longlist",
        author="Nanda, Neel",
        title="A Longlist of Theories of Impact for Interpretability",
        year="2022",
        url="https://www.lesswrong.com/posts/uK6sQCNMw8WKzJeCQ/a-longlist",
    )
    files = {"essay-named.bib": named + "\n" + arxiv, "essay-main.bib": main}
    project = make_project(tmp_path, files)
    assert load_and_check(Paths(project)).diagnostics == []
    return project


def test_known_arxiv_id_refused_before_any_request(
    known_project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.read_bytes() for p in (known_project / "bib").glob("*.bib")}
    assert add_cmd("arXiv:2211.00593v2", "--root", str(known_project)) == 1
    err = capsys.readouterr().err
    assert re.search(r"`wang2022interpretability` at bib/[\w-]+\.bib:\d+ has the same arXiv", err)
    assert endpoints.log == []
    assert {p: p.read_bytes() for p in (known_project / "bib").glob("*.bib")} == before


def test_known_doi_refused(known_project: Path, endpoints: HTTPServer, capsys) -> None:
    assert add_cmd("https://doi.org/10.1145/3442188.3445922", "--root", str(known_project)) == 1
    assert "`bender2021dangers` at bib/essay-named.bib:" in capsys.readouterr().err
    assert endpoints.log == []


def test_same_title_and_author_under_another_url_refused(
    known_project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    page = fixture("lesswrong_page.html").replace(
        b"https://www.lesswrong.com/posts/", b"https://www.alignmentforum.org/posts/"
    )
    endpoints.expect_request("/af").respond_with_data(page, content_type="text/html")
    assert add_cmd(endpoints.url_for("/af"), "--root", str(known_project)) == 1
    err = capsys.readouterr().err
    assert "`nanda2022longlist` at bib/essay-main.bib:" in err and "same title" in err


def test_taken_key_gets_suffix_b(tmp_path: Path, endpoints: HTTPServer) -> None:
    project = make_project(
        tmp_path, {"after-2023.bib": entry("nanda2022longlist", title="Something Else Entirely")}
    )
    serve_page(endpoints, "/post", "lesswrong_page.html")
    assert add_cmd(endpoints.url_for("/post"), "--root", str(project)) == 0
    assert "@misc{nanda2022longlistb," in (project / "bib" / "after-2023.bib").read_text()


def test_unknown_toi_is_usage_error_before_network(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = add_cmd("1804.03599", "--root", str(project), "--toi", "auditng:critiques")
    assert code == 2
    assert "did you mean `auditing`?" in capsys.readouterr().err
    assert endpoints.log == []


def test_end_story_given_as_toi_is_pointed_to_right_option(project: Path, capsys) -> None:
    assert add_cmd("1804.03599", "--root", str(project), "--toi", "microscope:critiques") == 2
    assert "use --end-story" in capsys.readouterr().err


def test_agenda_option(project: Path, endpoints: HTTPServer) -> None:
    serve_arxiv(endpoints, "1804.03599", "arxiv_1804.03599.xml")
    code = add_cmd(
        "1804.03599", "--root", str(project), "--agenda", "cognitive-emulation", "--stance", "mixed"
    )
    assert code == 0
    got = fields((project / "bib" / "after-2023.bib").read_text().split("\n\n")[-1])
    assert (got["agendas"], got["stance"]) == ("cognitive-emulation", "mixed")


def test_unknown_stance_is_usage_error(project: Path, capsys) -> None:
    assert add_cmd("1804.03599", "--root", str(project), "--toi", "auditing:critique") == 2
    assert "did you mean `critiques`?" in capsys.readouterr().err


def test_not_an_identifier_is_usage_error(project: Path, capsys) -> None:
    assert add_cmd("not a thing", "--root", str(project)) == 2
    assert "is not an arXiv id" in capsys.readouterr().err


def test_file_outside_bib_is_usage_error(project: Path) -> None:
    assert add_cmd("1804.03599", "--root", str(project), "--file", "docs/x.bib") == 2
    assert add_cmd("1804.03599", "--root", str(project), "--file", "bib/x.txt") == 2


def test_dry_run_prints_and_writes_nothing(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / "bib" / "after-2023.bib").read_bytes()
    serve_arxiv(endpoints, "1804.03599", "arxiv_1804.03599.xml")
    assert add_cmd("1804.03599", "--root", str(project), "--dry-run") == 0
    out, err = capsys.readouterr()
    assert out.startswith("@misc{burgess2018understanding,\n") and out.endswith("}\n")
    assert "dry run" in err
    assert (project / "bib" / "after-2023.bib").read_bytes() == before


def test_without_tags_hints_at_check(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_arxiv(endpoints, "1804.03599", "arxiv_1804.03599.xml")
    assert add_cmd("1804.03599", "--root", str(project)) == 0
    assert "`toi-atlas check` will report what is missing" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("ending", "separator"),
    [(b"}\n", b"\n"), (b"}", b"\n\n"), (b"}\n\n", b""), (b"}\r\n", b"\r\n")],
    ids=["newline", "no-final-newline", "blank-line", "crlf"],
)
def test_append_preserves_every_other_byte(
    tmp_path: Path, endpoints: HTTPServer, ending: bytes, separator: bytes
) -> None:
    crlf = ending.endswith(b"\r\n")
    text = "% Ünïcode header,\ttabs  and trailing spaces   \n\n" + entry("doe2023valid")
    core = text.encode().removesuffix(b"}\n")
    original = (core.replace(b"\n", b"\r\n") if crlf else core) + ending
    project = make_project(tmp_path, {"target.bib": original})
    target = project / "bib" / "target.bib"
    target.chmod(0o644)
    serve_arxiv(endpoints, "1804.03599", "arxiv_1804.03599.xml")
    assert add_cmd("1804.03599", "--root", str(project), "--file", "bib/target.bib") == 0
    data = target.read_bytes()
    assert data.startswith(original + separator + b"@misc{burgess2018understanding,")
    added = data[len(original + separator) :]
    assert added.endswith(b"}\r\n" if crlf else b"}\n")
    assert (b"\r\n" in added) == crlf and (b"\n" in added.replace(b"\r\n", b"")) != crlf
    assert target.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["target.bib", "taxonomy.yaml"]


def test_new_entry_passes_the_checker(project: Path, endpoints: HTTPServer, capsys) -> None:
    from toi_atlas.cli import main

    serve_arxiv(endpoints, "1804.03599", "arxiv_1804.03599.xml")
    assert add_cmd("1804.03599", "--root", str(project), "--toi", "auditing:critiques") == 0
    capsys.readouterr()
    assert main(["check", "--root", str(project), "--format", "json"]) == 0
    codes = {row["code"] for row in json.loads(capsys.readouterr().out)}
    assert codes == {"TOI120"}  # only the summary is left for a person to write


# --- normalisation, pure -----------------------------------------------------------


TITLES = [
    ("Sparse Autoencoders Find Highly Interpretable Features", None),
    (
        "Steering GPT-2-XL by adding an activation vector",
        "Steering {GPT-2-XL} by adding an activation vector",
    ),
    (
        "Adversarial Policies Beat Superhuman Go AIs",
        "Adversarial Policies Beat Superhuman Go {AIs}",
    ),
    (
        "Acquisition of chess knowledge in AlphaZero",
        "Acquisition of chess knowledge in {AlphaZero}",
    ),
    (
        "Human-level play in the game of Diplomacy by combining models",
        "Human-level play in the game of {Diplomacy} by combining models",
    ),
    (
        "Q&A: 50% of #1 hits cost $5_000 ~ x^2 {sic} \\o/",
        r"{Q\&A}: 50\% of \#1 hits cost \$5\_000 \textasciitilde{} x\^{}2 \{sic\} "
        r"\textbackslash{}o/",
    ),
    ("Part B: what a model knows", "Part {B}: what a model knows"),
]


@pytest.mark.parametrize(("title", "expected"), TITLES)
def test_bibtex_title(title: str, expected: str | None) -> None:
    got = bibtext.bibtex_title(title)
    assert got == (expected or title)
    if "^" not in title:
        assert latex_to_unicode(got) == " ".join(title.split())


def test_arxiv_title_keeps_math_and_converts_text() -> None:
    tex = "Rényi   Entropy of $\\beta$-VAEs\n  in R\\'enyi's \\& Kullback--Leibler terms"
    plain = sources.arxiv_title(tex)
    assert plain == "Rényi Entropy of $\\beta$-VAEs in Rényi's & Kullback–Leibler terms"
    assert bibtext.bibtex_title(plain, math=True) == (
        "Rényi Entropy of $\\beta$-{VAEs} in Rényi's \\& Kullback–Leibler terms"
    )


KEYS = [
    ("Goldowsky-Dill", 2025, "Detecting Strategic Deception", "goldowskydill2025detecting"),
    ("Segerie", 2023, "Charbel-Raphaël and Lucius discuss", "segerie2023charbelraphael"),
    ("Makelov", 2023, "Is This the Subspace You Are Looking for?", "makelov2023subspace"),
    ("Bricken", 2023, "Towards Monosemanticity: Decomposing", "bricken2023monosemanticity"),
    ("Räuker", 2022, "8 Examples of AI Risk", "rauker2022examples"),
    ("Geirhos", 2023, "Don't Trust Your Eyes", "geirhos2023dont"),
]


@pytest.mark.parametrize(("family", "year", "title", "key"), KEYS)
def test_key_follows_corpus_convention(family: str, year: int, title: str, key: str) -> None:
    record = sources.Record(
        "test", title, "https://example.org/", (sources.Name(family, "A."),), year
    )
    assert newentry.key_stem(record) == key


def test_long_author_lists_are_written_whole() -> None:
    names = tuple(sources.Name(f"Author{i}", "A.") for i in range(12))
    assert newentry.author_field(names) == " and ".join(f"Author{i}, A." for i in range(12))


def test_key_is_cut_to_the_checkers_limit_and_stays_readable() -> None:
    record = sources.Record(
        "t", "Zebra" * 2_000_000, "https://e.org/", (sources.Name("Q" * 500, "A."),), 2024
    )
    stem = newentry.key_stem(record)
    assert stem == "q" * KEY_NAME_CHARS + "2024" + "zebra" * (KEY_WORD_CHARS // 5)
    taken = {stem.lower(), *(stem + c for c in "bcdefghijklmnopqrstuvwxyz")}
    assert KEY_RE.match(newentry.unique_key(stem, taken))  # even with a numeric suffix
    # The limit the cut is made for: KEY_RE allows 100 characters and no more.
    assert KEY_RE.match("k" * 100) and not KEY_RE.match("k" * 101)


# --- a hostile metadata server -----------------------------------------------------
# Each case serves a page (or feed, or CSL item) built to break the entry, and checks
# what `add` writes, or that bib/ is byte-identical when it refuses.


def page(title: str = "A Fine Title", **meta: str) -> bytes:
    tags = {"citation_title": title, "citation_author": "Doe, Jane", "citation_date": "2024"}
    tags.update(meta)
    head = "".join(
        f'<meta name="{name}" content="{html.escape(value, quote=True)}">'
        for name, value in tags.items()
    )
    return f"<html><head>{head}</head><body></body></html>".encode()


def serve_bytes(server: HTTPServer, path: str, body: bytes, charset: str = "utf-8") -> str:
    server.expect_request(path).respond_with_data(
        body, content_type=f"text/html; charset={charset}"
    )
    return server.url_for(path)


def bib_bytes(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((project / "bib").iterdir())}


def only_entry(project: Path, before: bytes) -> dict[str, str]:
    """The one entry appended, as parsed; the file must hold nothing else new."""
    text = added_entry(project / "bib" / "after-2023.bib", before)
    entries, diags = parse_text(text, "new.bib")
    assert not diags and len(entries) == 1, text
    return {name: f.value for name, f in entries[0].fields.items()}


NO_FIELDS_BEYOND = {"author", "title", "year", "url", "kind", "added", "checked", "howpublished"}


@pytest.mark.parametrize(
    ("meta", "dropped"),
    [
        ({"citation_doi": "10.1234/abc},summary={pwned},tois={auditing"}, "DOI"),
        ({"citation_pdf_url": "https://e.org/a.pdf},summary={pwned"}, "pdf link"),
        ({"citation_doi": "10.1234/abc}, url = {javascript:alert(1)"}, "DOI"),
        ({"citation_arxiv_id": "2211.00593}, summary = {x"}, "arXiv id"),
        ({"citation_volume": "3}, summary={pwned"}, "volume"),
    ],
    ids=["doi-fields", "pdf-fields", "doi-closes-entry", "arxiv-id", "volume"],
)
def test_injected_fields_are_dropped_with_a_warning(
    project: Path,
    endpoints: HTTPServer,
    capsys: pytest.CaptureFixture[str],
    meta: dict[str, str],
    dropped: str,
) -> None:
    before = (project / "bib" / "after-2023.bib").read_bytes()
    url = serve_bytes(endpoints, "/p", page(**meta))
    assert add_cmd(url, "--root", str(project)) == 0
    got = only_entry(project, before)
    assert set(got) <= NO_FIELDS_BEYOND  # no summary, tois, doi, pdf, eprint, volume
    assert got["url"] == url
    assert f"warning: dropped the {dropped} " in capsys.readouterr().err


def test_unbalanced_brace_in_title_is_refused_as_bad_input(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = bib_bytes(project)
    url = serve_bytes(endpoints, "/p", page(title="Sparse {Autoencoders"))
    assert add_cmd(url, "--root", str(project)) == exits.EXIT_USAGE
    err = capsys.readouterr().err
    assert "the title `Sparse {Autoencoders` (web page) has unbalanced braces" in err
    assert "add this work by hand" in err and "internal error" not in err
    assert bib_bytes(project) == before


def test_control_bidi_and_zero_width_characters_are_removed_and_shown_escaped(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    title = "Red\x1b[31m Alert\u202egnp.exe \u2066Isolated\u2069 zero\u200bwidth"
    url = serve_bytes(endpoints, "/p", page(title=title, citation_author="Doe\u200d, Jane\x07"))
    before = bib_bytes(project)
    assert add_cmd(url, "--root", str(project), "--dry-run") == 0
    out, err = capsys.readouterr()
    raw = "\x1b\u202e\u2066\u2069\u200b\u200d\x07"
    assert not set(out + err) & set(raw)  # nothing of it reaches the terminal
    assert "\\x1b" in err and "U+202E" in err and "U+200B" in err
    assert fields(out)["title"] == "Red[31m Alertgnp.exe Isolated zerowidth"
    assert fields(out)["author"] == "Doe, Jane"
    assert bib_bytes(project) == before  # a dry run


def test_written_entry_passes_the_checker_after_cleaning(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, TOI123 refused what `add` had just written."""
    from toi_atlas.cli import main

    url = serve_bytes(endpoints, "/p", page(title="Esc\x1b Title\x7f\x85"))
    assert add_cmd(url, "--root", str(project), "--toi", "auditing:critiques") == 0
    capsys.readouterr()
    assert main(["check", "--root", str(project), "--format", "json"]) == 0
    assert {row["code"] for row in json.loads(capsys.readouterr().out)} == {"TOI120"}


def test_title_of_nothing_but_controls_is_refused(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = bib_bytes(project)
    url = serve_bytes(endpoints, "/p", page(title="\x1b\u202e\u200b"))
    assert add_cmd(url, "--root", str(project)) == exits.EXIT_USAGE
    err = capsys.readouterr().err
    assert "gave no usable title" in err and "U+202E" in err and "\x1b" not in err
    assert bib_bytes(project) == before


def test_messages_never_print_raw_escapes(capsys: pytest.CaptureFixture[str]) -> None:
    LOG.error("toi-atlas add: from the server: \x1b]0;owned\x07 \u202eevil\u2028next")
    err = capsys.readouterr().err
    assert err == "toi-atlas add: from the server: \\x1b]0;owned\\x07 U+202EevilU+2028next\n"


def test_megabyte_title_gives_a_key_within_the_limit(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # One megabyte keeps the test quick; the key rule itself is tested at 10 MB above.
    title = "Zebra" * (1024 * 1024 // 5)
    url = serve_bytes(endpoints, "/p", page(title=title))
    assert add_cmd(url, "--root", str(project), "--dry-run") == 0
    out = capsys.readouterr().out
    key = out[len("@misc{") : out.index(",\n")]
    assert key == "doe2024" + "zebra" * (KEY_WORD_CHARS // 5)
    assert KEY_RE.match(key)


def test_invalid_utf8_is_reported_with_the_url(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    body = page(title="Cafe Society").replace(b"Cafe", b"Caf\xe9")  # Latin-1 é, said UTF-8
    url = serve_bytes(endpoints, "/p", body)
    assert add_cmd(url, "--root", str(project), "--dry-run") == 0
    out, err = capsys.readouterr()
    assert fields(out)["title"] == "Caf\ufffd Society"
    warning = next(line for line in err.splitlines() if "U+FFFD" in line)
    assert warning.startswith(f"toi-atlas add: warning: {url}: declared utf-8")


def test_slow_drip_stops_at_the_deadline(
    project: Path, endpoints: HTTPServer, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def drip(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(10):  # 3 s at most, each byte well within the read timeout
                yield b"<"
                time.sleep(0.3)

        return Response(body(), content_type="text/html", headers={"Content-Length": "100000"})

    before = bib_bytes(project)
    with HTTPServer(host="127.0.0.1", port=0, threaded=True) as own:
        own.expect_request("/drip").respond_with_handler(drip)
        monkeypatch.setenv("TOI_ATLAS_DEADLINE", "1")
        assert add_cmd(own.url_for("/drip"), "--root", str(project)) == 1
    err = capsys.readouterr().err
    assert "gave up after 1 s: the server at 127.0.0.1:" in err and "of 98 KiB" in err
    assert bib_bytes(project) == before


def test_page_over_the_size_cap_is_refused(
    project: Path, endpoints: HTTPServer, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    before = bib_bytes(project)
    url = serve_bytes(endpoints, "/big", page(title="x" * 20_000))
    monkeypatch.setenv("TOI_ATLAS_MAX_BYTES", "10000")
    assert add_cmd(url, "--root", str(project)) == 1
    assert "more than the 10 KiB size cap" in capsys.readouterr().err
    assert bib_bytes(project) == before


def test_hostile_arxiv_feed_fields_are_dropped(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = fixture("arxiv_1804.03599.xml").replace(
        b'term="stat.ML" scheme', b'term="stat.ML}, summary = {x" scheme'
    )
    feed = feed.replace(
        b"</published>",
        b'</published><arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">10.1/}x</arxiv:doi>',
        1,
    )
    endpoints.expect_request("/api/query").respond_with_data(
        feed, content_type="application/atom+xml"
    )
    before = (project / "bib" / "after-2023.bib").read_bytes()
    assert add_cmd("1804.03599", "--root", str(project)) == 0
    got = only_entry(project, before)
    assert "summary" not in got and "primaryclass" not in got and "doi" not in got
    assert got["eprint"] == "1804.03599"
    err = capsys.readouterr().err
    assert "dropped the arXiv category" in err and "dropped the DOI" in err


def serve_csl(server: HTTPServer, doi: str, item: dict) -> None:
    server.expect_request(f"/doi/{doi}").respond_with_data(
        json.dumps(item), content_type="application/vnd.citationstyles.csl+json"
    )


CSL = {
    "type": "journal-article",
    "title": "A Fine Title",
    "container-title": "Journal of Things",
    "author": [{"family": "Doe", "given": "Jane"}],
    "issued": {"date-parts": [[2021, 3]]},
}


def test_hostile_csl_venue_refuses_the_add(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_csl(endpoints, "10.1234/abc", {**CSL, "container-title": "J}, tois = {auditing"})
    before = bib_bytes(project)
    assert add_cmd("10.1234/abc", "--root", str(project)) == exits.EXIT_USAGE
    assert (
        "the journal `J}, tois = {auditing` (doi.org) has unbalanced braces"
        in capsys.readouterr().err
    )
    assert bib_bytes(project) == before


def test_hostile_csl_details_are_dropped(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    item = {**CSL, "page": "1}, summary={x", "issue": "9" * 50, "issued": {"date-parts": [[9999]]}}
    serve_csl(endpoints, "10.1234/abc", item)
    before = (project / "bib" / "after-2023.bib").read_bytes()
    assert add_cmd("10.1234/abc", "--root", str(project)) == 0
    got = only_entry(project, before)
    assert set(got) == {"author", "title", "journal", "doi", "url", "kind", "added", "checked"}
    err = capsys.readouterr().err
    assert "dropped the pages" in err and "dropped the number" in err
    assert "dropped the year 9999" in err and "no date found" in err


def test_author_that_bibtex_would_split_is_kept_whole(
    project: Path, endpoints: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_csl(endpoints, "10.1234/abc", {**CSL, "author": [{"family": "Tom and Jerry"}]})
    assert add_cmd("10.1234/abc", "--root", str(project), "--dry-run") == 0
    assert fields(capsys.readouterr().out)["author"] == "{Tom and Jerry}"


@pytest.mark.parametrize("identifier", ["10.1234/a}b", "https://e.org/a}b,summary={x"])
def test_identifier_that_would_break_the_entry_is_a_usage_error(
    project: Path, endpoints: HTTPServer, identifier: str
) -> None:
    assert add_cmd(identifier, "--root", str(project)) == exits.EXIT_USAGE
    assert endpoints.log == []


def test_read_back_guard_catches_what_vetting_would_miss(
    project: Path,
    endpoints: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With vetting switched off, the exact read-back still writes nothing."""
    monkeypatch.setattr(addwork, "vet", lambda record, year: vetting.Vetted(record))
    url = serve_bytes(endpoints, "/p", page(citation_doi="10.1234/abc}, url = {javascript:x"))
    before = bib_bytes(project)
    assert add_cmd(url, "--root", str(project)) == 1
    err = capsys.readouterr().err
    assert "internal error" in err and "`doi` reads back as `10.1234/abc`" in err
    assert bib_bytes(project) == before


def test_read_back_sees_added_fields_and_stray_text() -> None:
    record = sources.Record("t", "Title", "https://e.org/", (sources.Name("Doe", "J."),), 2024)
    raw = newentry.build_entry(
        record, "doe2024title", newentry.Tags(), dt.date(2026, 1, 1), "x.bib"
    )
    text = entry_to_bibtex(raw)
    assert newentry.read_back_problem(text, raw) is None
    injected = text.replace("{Title}", "{Title}, summary = {pwned}")
    assert "`summary` reads back as `pwned`" in (newentry.read_back_problem(injected, raw) or "")
    assert newentry.read_back_problem(text + "stray}\n", raw) == "text outside the entry reads back"


# --- writing errors name the file the user knows -----------------------------------


def refuse_temp_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """What mkstemp raises in a read-only folder (root ignores chmod, so we say it)."""

    def mkstemp(dir: str, prefix: str, suffix: str) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied", f"{dir}/{prefix}k2x8q1{suffix}")

    monkeypatch.setattr(write.tempfile, "mkstemp", mkstemp)


def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """A temporary file on /dev/full: every write fails with ENOSPC, from the kernel."""

    def mkstemp(dir: str, prefix: str, suffix: str) -> tuple[int, str]:
        return os.open("/dev/full", os.O_WRONLY), f"{dir}/{prefix}k2x8q1{suffix}"

    monkeypatch.setattr(write.tempfile, "mkstemp", mkstemp)


@pytest.mark.parametrize(
    ("provoke", "reason"),
    [(refuse_temp_file, "Permission denied"), (full_disk, "No space left on device")],
    ids=["read-only", "disk-full"],
)
def test_write_failure_names_the_target_file(
    project: Path,
    endpoints: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    provoke,
    reason: str,
) -> None:
    before = bib_bytes(project)
    url = serve_bytes(endpoints, "/p", page())
    provoke(monkeypatch)
    assert add_cmd(url, "--root", str(project)) == 1
    err = capsys.readouterr().err
    assert f"cannot write bib/after-2023.bib: {reason}; nothing written" in err
    assert ".tmp" not in err
    assert bib_bytes(project) == before


@pytest.mark.parametrize(
    ("provoke", "reason"),
    [(refuse_temp_file, "Permission denied"), (full_disk, "No space left on device")],
    ids=["read-only", "disk-full"],
)
def test_import_write_failure_names_the_target_file(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys, provoke, reason: str
) -> None:
    from toi_atlas.cli import main

    source = project / "export.bib"
    source.write_text(entry("smith2020fresh", title="A Fresh Work"), encoding="utf-8")
    before = bib_bytes(project)
    provoke(monkeypatch)
    assert main(["import", str(source), "--root", str(project)]) == 1
    err = capsys.readouterr().err
    target = project / "bib" / "imported.bib"
    assert f"toi-atlas: {reason}: {target}" in err and ".tmp" not in err
    assert bib_bytes(project) == before


RECORD = sources.Record(
    "t",
    "A Title",
    "https://e.org/",
    (sources.Name("Doe", "Jane"),),
    2024,
    venue="Journal of Things",
    venue_kind=sources.Venue.JOURNAL,
)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pdf": "javascript:alert(1)"}, "pdf"),
        ({"doi": "10.1234/a}b"}, "doi"),
        ({"arxiv": "2211.00593}"}, "arxiv"),
        ({"pages": "1--2}"}, "pages"),
        ({"volume": "v" * (vetting.MAX_DETAIL + 1)}, "volume"),
        ({"year": 1776}, "year"),
        ({"venue": "Site {", "venue_kind": sources.Venue.SITE}, "venue"),
    ],
)
def test_vet_drops_a_bad_optional_value(change: dict[str, object], field: str) -> None:
    vetted = vetting.vet(replace(RECORD, **change), 2026)
    assert vetted.refusals == ()
    assert getattr(vetted.record, field) in (None, "")
    assert len(vetted.warnings) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"title": "A {Title"},
        {"title": "\x1b\u200b"},
        {"authors": (sources.Name("Doe}", "Jane"),)},
        {"venue": "Journal {of Things"},
        {"url": "https://e.org/}"},
    ],
    ids=["title", "empty-title", "author", "journal", "url"],
)
def test_vet_refuses_a_bad_essential_value(change: dict[str, object]) -> None:
    assert len(vetting.vet(replace(RECORD, **change), 2026).refusals) == 1


def test_vet_keeps_a_clean_record_as_it_is() -> None:
    assert vetting.vet(RECORD, 2026) == vetting.Vetted(RECORD)


def test_entry_records_the_record_it_was_read_from_and_every_author(
    project: Path, endpoints: HTTPServer
) -> None:
    # A page names twelve authors: all twelve are written, and `checked` says that the
    # metadata came from this page on this day (shown on the work page, TOI133-valid).
    authors = "".join(f'<meta name="citation_author" content="Writer{i}, A.">' for i in range(12))
    body = page().replace(b"<meta name", authors.encode() + b"<meta name", 1)
    url = serve_bytes(endpoints, "/many", body)
    before = (project / "bib" / "after-2023.bib").read_bytes()
    assert add_cmd(url, "--root", str(project)) == 0
    got = only_entry(project, before)
    assert "others" not in got["author"]
    assert all(f"Writer{i}, A." in got["author"] for i in range(12))
    stamp = r"\d{4}-\d{2}-\d{2}: web page record, read by toi-atlas add"
    assert re.fullmatch(stamp, got["checked"])

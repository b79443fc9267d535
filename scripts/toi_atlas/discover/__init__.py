"""Discovery: new works tied to the atlas, ranked and tagged for curators to triage.

`toi-atlas discover` asks OpenAlex and Semantic Scholar which works cite, or are cited
by, the corpus's works with a DOI or arXiv id, and runs the arXiv searches curators
keep in bib/discovery.yaml; it ranks what it finds and writes a triage queue into
discover/ (outside bib/ and docs/, so no build reads it and no site publishes it).
`toi-atlas accept KEY` moves a candidate into bib/ through `add`'s own writer;
`toi-atlas reject KEY` records it in bib/rejected.yaml so that it never comes back.

Modules, one job each: `config` (the two YAML files), `fetch` (cache, deadline,
what was asked), `apis` (the three services' formats), `candidates` (merging and
identity), `rank`, `suggest`, `queue` (the files curators read), `command`,
`accept`, `reject` (the subcommands).
"""

// Reads our exports the way reference managers do and prints what they make of them.
//
//   node cite.js works.csl.json all-clean.bib style.csl... --locale locales-en-US.xml
//
// works.csl.json goes to citeproc-js (the processor inside Zotero and Mendeley) as is;
// all-clean.bib is first converted to CSL-JSON by citation-js's BibTeX plugin. Each
// item is formatted alone in every style, as a bibliography entry and as an in-text
// citation. Prints one JSON object:
//   {"csl": {id: {style: {"bib": text, "cite": text}}},
//    "bib": {id: {"data": item, style: {"bib": text, "cite": text}}}}
"use strict";

const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");
const { Cite } = require("@citation-js/core");
require("@citation-js/plugin-bibtex");

function parseArgs(argv) {
  const at = argv.indexOf("--locale");
  if (at < 0 || argv.length < 5) {
    throw new Error("usage: cite.js works.csl.json all-clean.bib style.csl... --locale file");
  }
  const locale = argv[at + 1];
  const rest = argv.filter((_, i) => i !== at && i !== at + 1);
  return { csl: rest[0], bib: rest[1], styles: rest.slice(2), locale };
}

function format(items, styleXml, localeXml) {
  const byId = new Map(items.map((item) => [String(item.id), item]));
  const sys = {
    retrieveLocale: () => localeXml,
    retrieveItem: (id) => byId.get(String(id)),
  };
  const engine = new CSL.Engine(sys, styleXml); // parsing a style takes a while: once
  engine.setOutputFormat("text");
  const out = {};
  for (const id of byId.keys()) {
    // One item registered at a time: no disambiguation against the others, as on a
    // work page.
    engine.updateItems([id]);
    const [, entries] = engine.makeBibliography();
    const cite = engine.makeCitationCluster([{ id }]);
    out[id] = { bib: entries.join("").trim(), cite };
  }
  return out;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const localeXml = fs.readFileSync(args.locale, "utf8");
  const fromCsl = JSON.parse(fs.readFileSync(args.csl, "utf8"));
  const fromBib = new Cite(fs.readFileSync(args.bib, "utf8")).data.map((item) => {
    const copy = { ...item };
    delete copy._graph; // citation-js's parse log, not data
    return copy;
  });
  const result = { csl: {}, bib: {} };
  for (const item of fromBib) {
    result.bib[item.id] = { data: item };
  }
  for (const stylePath of args.styles) {
    const name = path.basename(stylePath, ".csl");
    const styleXml = fs.readFileSync(stylePath, "utf8");
    for (const [id, text] of Object.entries(format(fromCsl, styleXml, localeXml))) {
      (result.csl[id] ??= {})[name] = text;
    }
    for (const [id, text] of Object.entries(format(fromBib, styleXml, localeXml))) {
      result.bib[id][name] = text;
    }
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}

main();

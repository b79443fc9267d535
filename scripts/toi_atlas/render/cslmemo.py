"""A citeproc-py style whose elements remember what they rendered for entries of the
same shape.

citeproc-py walks the whole style tree for every entry: APA has some 250 elements, and
for one entry most of them only ask what type it is and which fields it has, then
print nothing or a constant ("n.d.", "Retrieved from", a bracket). That walk, not the
text of the entry, is most of the time (an APA entry with only a title costs more than
a full one).

So the render of an element is kept when it read no field's value, only which fields
the entry has and its type (its *shape*), and is reused for the next entry of the same
shape. The key is everything such a render depends on: the element and the arguments
it was called with, the output format, the shape, and what `cs:substitute` has
suppressed so far in the entry (`Layout.repressed`, the one state citeproc-py changes
while rendering an entry; a render that changed it is replayed with its change). A
render that read a value (a title, the names, a date, or anything of the item itself,
such as a locator) is never kept: its text depends on that value, so only the cheap
parts around the values are skipped. The style tree and locale never change once
rendering starts, except where citeproc-py renders a value (`cs:names` adds a
`cs:name` element, a locale date part takes the attributes of the date that renders a
date): never inside a kept render.

The memo lives on our own subclasses of citeproc-py's element classes, installed by
parsing the style with the same class lookup citeproc-py builds (`memo_style`); plain
citeproc-py is untouched. If citeproc-py's element classes are not the ones this was
written against, `memo_style` returns the plain style.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import citeproc
from citeproc import CitationItem, CitationStylesStyle, model
from citeproc.source import VariableError
from citeproc.string import MixedString
from lxml import etree

CSL_NS = "http://purl.org/net/xbiblio/csl"

# Fields whose value is part of the shape: few values, read as conditions (a type),
# or to pick a case rule (a language).
SHAPE_VALUES = ("type", "language")

# The citeproc-py releases this was written against and tested with (pyproject.toml
# pins the same range), and their element classes (citeproc/model.py).
VERSIONS = ("0.11.",)
KNOWN_CLASSES = frozenset(
    (
        "Style", "Locale", "Citation", "Bibliography", "Term", "Sort", "Key", "Macro",
        "Layout", "Text", "Date", "Date_Part", "Number", "Names", "Name", "Name_Part",
        "Et_Al", "Substitute", "Label", "Group", "Choose", "If", "Else_If", "Else",
    )
)  # fmt: skip
# Those whose render takes the item first and renders a subtree; the others render
# through one of these (If through Choose) or take no item (Date_Part, Et_Al).
MEMOISED = frozenset(
    ("Macro", "Text", "Date", "Number", "Names", "Substitute", "Label", "Group", "Choose")
)


class _Reads:
    """How many value reads happened: a render that saw this change read a value."""

    values = 0


def _read_value() -> None:
    _Reads.values += 1


class Reference(dict):  # type: ignore[type-arg]
    """A citeproc-py reference (a dict of fields, `VariableError` for a missing one)
    that counts each read of a field's value outside the shape.

    Asking whether a field is there (`in`) is not counted: the shape holds the answer.
    """

    def __getitem__(self, name: str) -> Any:
        try:
            value = dict.__getitem__(self, name)
        except KeyError:
            raise VariableError from None  # missing: the shape says so
        if name not in SHAPE_VALUES:
            _Reads.values += 1
        return value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default  # noqa: SIM401 (self[] counts the read)

    def shape(self) -> tuple[Any, ...]:
        values = tuple(dict.get(self, name) for name in SHAPE_VALUES)
        return (*values, *sorted(self))


class Item(CitationItem):  # type: ignore[misc]
    """A citation item whose reference counts value reads; looked up once, as it cannot
    change once the item is registered. Anything asked of the item itself (a locator,
    its position or number) is a value read."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        object.__setattr__(self, "memo_reference", None)

    @property
    def reference(self) -> Reference:
        found = self.__dict__["memo_reference"]
        if found is None:
            # Found through attributes of the item (`citation`, `key`): not a read.
            values = _Reads.values
            found = Reference(super().reference)
            object.__setattr__(self, "memo_shape", found.shape())
            object.__setattr__(self, "memo_reference", found)
            _Reads.values = values
        return found  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        _read_value()
        return super().__getattr__(name)

    def __contains__(self, name: object) -> bool:
        _read_value()
        return super().__contains__(name)

    @property
    def has_locator(self) -> bool:
        _read_value()
        return dict.__contains__(self, "locator")


class _Kept:
    __slots__ = ("error", "suppressed", "text")

    def __init__(self, text: Any, error: type[Exception] | None, suppressed: Any) -> None:
        self.text = text
        self.error = error
        self.suppressed = suppressed  # what the render left suppressed, if it changed it


MEMO: dict[tuple[Any, ...], _Kept] = {}
PLACES: dict[Any, tuple[Any, Any]] = {}


def _place(element: Any) -> tuple[Any, Any]:
    """The element's style root and its bibliography's layout (holder of `repressed`)."""
    place = PLACES.get(element)
    if place is None:
        root = element.getroottree().getroot()
        bibliography = root.find(f"{{{CSL_NS}}}bibliography")
        layout = None if bibliography is None else bibliography.find(f"{{{CSL_NS}}}layout")
        place = PLACES[element] = (root, layout)
    return place


def _frozen(repressed: dict[str, list[Any]]) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    if not repressed:  # most renders: nothing suppressed
        return ()
    return tuple([(tag, tuple(names)) for tag, names in repressed.items()])


def _memoised(render: Callable[..., Any]) -> Callable[..., Any]:
    def memo_render(self: Any, item: Any = None, *args: Any, **kwargs: Any) -> Any:
        if type(item) is not Item:  # plain use
            return render(self, item, *args, **kwargs)
        root, layout = _place(self)
        repressed = getattr(layout, "repressed", None)
        if type(repressed) is not dict:  # not inside Layout.render_bibliography
            return render(self, item, *args, **kwargs)
        reference = item.reference  # sets memo_shape
        before = _frozen(repressed)
        key = (self, root.formatter, item.memo_shape, before, args, *kwargs.items())
        try:
            kept = MEMO.get(key)
        except TypeError:  # an unhashable argument (sort options): not kept
            return render(self, item, *args, **kwargs)
        if kept is None:
            kept = _render(render, key, before, self, reference, item, args, kwargs)
        if kept.suppressed is not None:  # as the render left it
            repressed.clear()
            repressed.update((tag, list(names)) for tag, names in kept.suppressed)
        if kept.error is not None:
            raise kept.error
        # A kept MixedString is a list: hand out a copy, so no caller changes ours.
        return MixedString(kept.text) if type(kept.text) is MixedString else kept.text

    return memo_render


def _render(
    render: Callable[..., Any],
    key: tuple[Any, ...],
    before: tuple[Any, ...],
    element: Any,
    reference: Reference,
    item: Item,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> _Kept:
    """Render for real; keep the result if no value was read."""
    values = _Reads.values
    error: type[Exception] | None = None
    text = None
    try:
        text = render(element, item, *args, **kwargs)
    except (VariableError, model.ConditionFailed) as raised:
        error = type(raised)
    after = _frozen(_place(element)[1].repressed)
    kept = _Kept(text, error, after if after != before else None)
    if _Reads.values == values:
        MEMO[key] = kept
    return kept


# Attributes that make Formatted.format or Affixed.wrap change their text.
FORMATTING = ("font-style", "font-variant", "font-weight", "text-decoration", "vertical-align")
AFFIXES = ("prefix", "suffix")
BARE: dict[tuple[Any, tuple[str, ...]], bool] = {}


def _bare(element: Any, names: tuple[str, ...]) -> bool:
    """Whether the element has none of these attributes (a style's attributes do not
    change once rendering starts; locale elements are not ours)."""
    found = BARE.get((element, names))
    if found is None:
        found = BARE[element, names] = not any(name in element.attrib for name in names)
    return found


LOCALE_OPTIONS: dict[tuple[Any, str], Any] = {}
OPTIONS: dict[tuple[Any, str], Any] = {}


class _Quick:
    """Shortcuts for the per-element steps citeproc-py takes for every element it
    renders, each giving what citeproc-py's own method gives."""

    def get_root(self) -> Any:
        return _place(self)[0]

    def get_locale_option(self, name: str) -> Any:
        # The style's locales are chosen when it is parsed (`memo_style`), and their
        # options never change: the answer is the root's, for good. Asked by every
        # quoted text (`punctuation-in-quote`), each time searching every locale.
        root = _place(self)[0]
        key = (root, name)
        if key not in LOCALE_OPTIONS:
            LOCALE_OPTIONS[key] = super().get_locale_option(name)  # type: ignore[misc]
        return LOCALE_OPTIONS[key]

    def get_formatter(self) -> Any:
        return _place(self)[0].formatter  # the root is a Style, never a Locale

    def format(self, string: Any) -> Any:
        if _bare(self, FORMATTING):  # every step would return the text as it is
            return str(string) if isinstance(string, (int, float)) else string
        return super().format(string)  # type: ignore[misc]

    def wrap(self, string: Any) -> Any:
        if _bare(self, AFFIXES):  # '' + text + '' is the text
            return string
        return super().wrap(string)  # type: ignore[misc]


def _kept_option(cls: type) -> Callable[..., Any]:
    """`get_option` of a cs:citation or cs:bibliography, kept: its attribute, else the
    class default or the root's, none of which change once the style is parsed."""
    get_option = cls.get_option  # type: ignore[attr-defined]

    def kept_option(self: Any, name: str) -> Any:
        key = (self, name)
        if key not in OPTIONS:
            OPTIONS[key] = get_option(self, name)
        return OPTIONS[key]

    return kept_option


def _subclasses() -> dict[str, type]:
    """Our subclass of each citeproc-py element class, by the tag citeproc-py gives
    that class (its name in lower case, `_` as `-`); `render` memoised in some."""
    out: dict[str, type] = {}
    for cls in model.CitationStylesElement.__subclasses__():
        attrs: dict[str, Any] = {"__module__": __name__}
        if cls.__name__ in MEMOISED:
            attrs["render"] = _memoised(cls.render)
        if cls in (model.Citation, model.Bibliography):
            attrs["get_option"] = _kept_option(cls)
        bases = (cls,) if cls is model.Date_Part else (_Quick, cls)
        out[cls.__name__.replace("_", "-").lower()] = type(cls.__name__, bases, attrs)
    return out


def _parser() -> etree.XMLParser:
    # As citeproc.frontend.CitationStylesXML builds it, with our classes.
    lookup = etree.ElementNamespaceClassLookup()
    namespace = lookup.get_namespace(CSL_NS)
    namespace[None] = model.CitationStylesElement
    namespace.update(_subclasses())
    parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
    parser.set_element_class_lookup(lookup)
    return parser


def memo_style(name: str) -> CitationStylesStyle:
    """Style `name` as citeproc-py parses it, its elements our memoising subclasses;
    the plain style when citeproc-py is not a release we know."""
    style = CitationStylesStyle(name, validate=False)
    classes = {c.__name__ for c in model.CitationStylesElement.__subclasses__()}
    if classes != KNOWN_CLASSES or not citeproc.__version__.startswith(VERSIONS):
        return style
    style.xml = etree.fromstring(etree.tostring(style.xml), _parser()).getroottree()
    style.root = style.xml.getroot()
    style.root.set_locale_list(style.root.get("default-locale", "en-US"), validate=False)
    return style


def clear() -> None:
    """Forget every kept render (the styles they were kept for are being dropped)."""
    MEMO.clear()
    PLACES.clear()
    BARE.clear()
    LOCALE_OPTIONS.clear()
    OPTIONS.clear()

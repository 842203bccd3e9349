"""Write edited values back into a YAML content file, keeping what the user wrote by hand.

The editor sends the whole item as plain values. Rewriting the file from them would lose the
comments, the key order and the quoting staff chose (`article: "266"`, flow lists such as
`audiences: [worker, rural]`). Instead the new values are merged into ruamel.yaml's round-trip
tree of the file as it is on disk: an untouched value keeps its original node, so only what
changed is rewritten.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

# The layout of the starter files and of `outreach new` skeletons: lists indented under their key.
_INDENT = {"mapping": 2, "sequence": 4, "offset": 2}


# The loader (project/yamlsource.py) reads YAML 1.1, where a plain yes, no, on, off or 1:30 is
# not text; ruamel.yaml writes YAML 1.2 and leaves those unquoted. Text is judged by the
# loader's own rules, so whatever is typed into a text box loads back as that text.
_LOADER_RESOLVER = pyyaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def _as_text(value: str) -> str:
    """`value`, quoted when the loader would read it unquoted as something other than text."""
    if type(value) is not str or not value or "\n" in value:
        return value   # already quoted or a block, or "" (written as '' anyway)
    if _LOADER_RESOLVER.resolve(pyyaml.ScalarNode, value, (True, False)) == _STR_TAG:
        return value
    return SingleQuotedScalarString(value)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096               # never fold a long Chinese line: a fold would add a space
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    yaml.indent(**_INDENT)
    return yaml


def rewritable(text: str) -> bool:
    """Whether the round trip can load the file (it refuses some things the checker reports,
    such as a key written twice): if not, the editor shows the text instead of a form."""
    from ruamel.yaml.error import YAMLError

    try:
        _yaml().load(text.removeprefix("\ufeff").replace("\r\n", "\n"))
    except YAMLError:
        return False
    return True


def merged_text(original: str | None, values: dict[str, Any], header: str = "", keep: frozenset[str] = frozenset()) -> str:
    """The file's text with `values` as its content. `original` None: a new file, which starts
    with `header` (e.g. the schema comment editors read). `keep`: keys the file keeps although
    `values` lacks them (fields a form does not show)."""
    # A file saved on Windows keeps its byte-order mark and CRLF line ends: only changed
    # lines may differ from what was there.
    bom = "\ufeff" if original and original.startswith("\ufeff") else ""
    crlf = original is not None and "\r\n" in original
    if original:
        original = original.removeprefix("\ufeff").replace("\r\n", "\n")
    yaml = _yaml()
    tree = yaml.load(original) if original and original.strip() else None
    if isinstance(tree, CommentedMap):
        _merge_map(tree, values, keep)
    else:
        tree = _fresh(values)
    out = io.StringIO()
    if header and not (original and original.strip()):
        out.write(header.rstrip("\n") + "\n")
    yaml.dump(tree, out)
    text = out.getvalue()
    return bom + (text.replace("\n", "\r\n") if crlf else text)


def _merge_map(node: CommentedMap, values: dict[str, Any], keep: frozenset[str] = frozenset()) -> None:
    for key in [k for k in node if k not in values and k not in keep]:
        del node[key]
    order = list(values)
    for index, key in enumerate(order):
        if key in node:
            node[key] = _merged(node[key], values[key])
            continue
        # A new key goes where the form has it: before the next key the file already holds.
        later = [k for k in order[index + 1:] if k in node]
        position = list(node).index(later[0]) if later else len(node)
        node.insert(position, key, _fresh(values[key]))


def _merge_seq(node: CommentedSeq, values: list[Any]) -> None:
    for index, value in enumerate(values[: len(node)]):
        node[index] = _merged(node[index], value)
    if len(values) < len(node):
        del node[len(values):]
    for value in values[len(node):]:
        node.append(_fresh(value))


def _merged(old: Any, new: Any) -> Any:
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        _merge_map(old, new)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        _merge_seq(old, new)
        return old
    if _same_scalar(old, new):
        # Keeps its quoting and block style; a plain `yes` the text box shows as text gets quotes.
        return _as_text(old) if isinstance(old, str) else old
    if isinstance(old, LiteralScalarString) and isinstance(new, str):
        return LiteralScalarString(new)
    return _fresh(new)


def _same_scalar(old: Any, new: Any) -> bool:
    if isinstance(old, (dict, list)) or isinstance(new, (dict, list)):
        return False
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    if old == new:
        return True
    # The form sends dates and numbers as text: "266" is the `266` the file has.
    if isinstance(old, (int, float)) and isinstance(new, str):
        return str(old) == new
    if isinstance(old, dt.date) and isinstance(new, str):
        return old.isoformat() == new
    return False


def _fresh(value: Any) -> Any:
    """A new node for a value the file did not have: multi-line text as a `|-` block."""
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _fresh(item)
        return mapping
    if isinstance(value, list):
        return CommentedSeq(_fresh(item) for item in value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    if isinstance(value, str):
        return _as_text(value)
    return value

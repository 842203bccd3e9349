"""Fuzzing the loader: any bytes, any YAML, only ever diagnostics with known codes."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.project.kinds import KIND_MODELS
from outreach.project.loader import parse_item

KNOWN_CODES = {
    "yaml-syntax", "yaml-tab", "yaml-duplicate-key", "yaml-alias-bomb", "yaml-too-deep", "encoding",
    "empty-file", "file-too-large", "unknown-key", "wrong-type", "missing-field", "bad-date", "bad-value",
    "invalid-id", "empty-list", "empty-value", "control-character", "too-many-values", "yaml-unclosed-quote",
    "yaml-merged-item",
}
KINDS = st.sampled_from(sorted(KIND_MODELS))
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_only_diagnostics(raw: bytes, kind: str) -> None:
    item, problems = parse_item(raw, f"content/{kind}/fuzz.yaml", kind)
    for problem in problems:
        assert problem.code in KNOWN_CODES, problem
        assert problem.line >= 0 and problem.column >= 0
        assert problem.message
    assert item is not None or problems


@FUZZ
@given(raw=st.binary(max_size=2000), kind=KINDS)
def test_random_bytes(raw, kind):
    assert_only_diagnostics(raw, kind)


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("abc:- \n\t[]{}&*!|>'\"#%@`,?测试2027-13-01")), max_size=400),
       kind=KINDS)
def test_random_yaml_like_text(text, kind):
    assert_only_diagnostics(text.encode("utf-8"), kind)


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                    st.dates())
documents = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=5),
    st.dictionaries(st.sampled_from(["title", "summary", "questions", "items", "laws", "id", "kind", "answer",
                                     "choices", "scenes", "lines", "role", "text", "x"]), children, max_size=6)),
    max_leaves=30)


@FUZZ
@given(document=documents, kind=KINDS)
def test_random_structured_yaml(document, kind):
    assert_only_diagnostics(yaml.safe_dump(document, allow_unicode=True).encode("utf-8"), kind)

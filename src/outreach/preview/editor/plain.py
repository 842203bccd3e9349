"""Problem messages in the editor's words: fields as the form labels them, settings as the
settings form names them, choices in Chinese — never a YAML key or a config path.

The checks write for the command line (`reviewed_by`, `outreach.toml [sms] max_parts`,
`single`), where the file is open beside the message. In the browser the same message must
name what the user sees on the screen.
"""

from __future__ import annotations

import functools
import re

from outreach.project.config import config_model
from outreach.project.kinds import QUIZZES, registry

CONFIG_FILE = r"(?:(?:项目配置\s*)?outreach\.toml\s*(?:的|里的|中的)?\s*)"
_CONFIG_KEY = re.compile(CONFIG_FILE + r"?\[\[?([a-z_.]+)\]?\]\s*([a-z_]+)?|" + CONFIG_FILE + r"(?=[^\[]|$)")
_IDENTIFIER = re.compile(r"(?<![A-Za-z0-9_./:-])([a-z][a-z0-9]*(?:_[a-z0-9]+)*)(?![A-Za-z0-9_/:-]|\.[a-z])")
_FIELD_WORD = re.compile(r"(?<![A-Za-z0-9_])([a-z][a-z0-9_]*)\s*字段")   # "sms 字段" → "“手写的短信文本”"
_CHOICES = {"single": "单选", "multiple": "多选", "truefalse": "判断",
            "mainland": "内地", "hk": "香港", "mo": "澳门", "tw": "台湾"}
_WORDS = {"check": "检查", "region": "地区设置"}


def plain(message: str, kind: str | None = None) -> str:
    """`message` with config paths and field keys replaced by what the forms show."""
    labels = field_labels(kind) if kind else {}
    settings = settings_labels()

    def config_words(match: re.Match) -> str:
        section, key = match.group(1), match.group(2)
        if section is None:
            return "项目设置"
        section = section.split(".")[0]
        label = settings.get((section, key or ""))
        if label:
            return f"项目设置里的“{label}”"
        return "项目设置"

    text = _CONFIG_KEY.sub(config_words, message)

    def field_words(match: re.Match) -> str:
        word = match.group(1)
        if word in _CHOICES:
            return _CHOICES[word]
        label = labels.get(word)
        if label:
            return label if _quoted(match) else f"“{label}”"
        return _WORDS.get(word, word)

    text = _FIELD_WORD.sub(lambda m: f"“{labels[m.group(1)]}”" if m.group(1) in labels else m.group(0), text)
    text = _IDENTIFIER.sub(field_words, text)
    # "审核人 “审核人”" (the check named both): once is enough.
    text = re.sub(r"([\u4e00-\u9fff]+)\s*“\1”", r"“\1”", text)
    text = re.sub(r"“([^“”]+)”\s*[（(]\1[）)]", r"“\1”", text)   # “类别”（类别） → “类别”
    text = re.sub(r"([\u4e00-\u9fff]{1,4})\s+\1(?![\u4e00-\u9fff])", r"\1", text)   # "单选 单选" → "单选"
    if kind == QUIZZES.folder:   # true/false answers are 对/错 in the form
        text = re.sub(r"(?<![A-Za-z])true(?![A-Za-z])", "“对”", re.sub(r"(?<![A-Za-z])false(?![A-Za-z])", "“错”", text))
    # Spaces that stood between a key and Chinese text are not wanted between Chinese words.
    text = re.sub(r"(?<=[\u4e00-\u9fff“”，。：])[ \t]+(?=[\u4e00-\u9fff“”])", "", text)
    return re.sub(r"[（(]\s*[）)]", "", text)


def _quoted(match: re.Match) -> bool:
    before = match.string[max(match.start() - 1, 0):match.start()]
    after = match.string[match.end():match.end() + 1]
    return before in ("`", "“", "'", '"') and after in ("`", "”", "'", '"')


@functools.cache
def field_labels(kind: str) -> dict[str, str]:
    """Every field key of a content kind (nested ones too) → its form label."""
    from outreach.preview.editor.forms import _LABELS, _schema, label_of

    if kind not in registry:
        return {}
    schema = _schema(kind)
    found: dict[str, str] = {}
    for definition in [schema, *schema.get("$defs", {}).values()]:
        for key, prop in definition.get("properties", {}).items():
            label = _LABELS.get(key) or label_of(prop.get("description", ""))
            if label and key not in found:
                found[key] = label
    return found


@functools.cache
def settings_labels() -> dict[tuple[str, str], str]:
    """(section, key) of every setting → its label, as the settings form (or its description) names it."""
    from outreach.preview.editor.forms import label_of
    from outreach.preview.editor.settings import SECTION_LABELS

    found: dict[tuple[str, str], str] = {}
    for section, info in config_model().model_fields.items():   # the output kinds' own sections too
        model = info.annotation
        fields = getattr(model, "model_fields", {})
        found[(section, "")] = SECTION_LABELS.get(section) or label_of(info.description or "") or section
        for key, field in fields.items():
            found[(section, key)] = label_of(field.description or "") or key
    return found


def plain_form(node, kind: str | None = None):
    """A form tree (forms.form_for) with its help texts in the same words as the messages."""
    if isinstance(node, dict):
        return {key: plain(value, kind) if key == "help" and isinstance(value, str) else plain_form(value, kind)
                for key, value in node.items()}
    if isinstance(node, list):
        return [plain_form(value, kind) for value in node]
    return node

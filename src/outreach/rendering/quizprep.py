"""Quiz sets ready for printing and for the H5 page: numbered and, optionally, shuffled."""

from __future__ import annotations

import random
from dataclasses import dataclass

from outreach.project.models import LETTERS, Quiz

KIND_LABELS = {"single": "单选题", "multiple": "多选题", "truefalse": "判断题"}


@dataclass(frozen=True)
class CardQuestion:
    number: int                        # 1-based, after shuffling
    index: int                         # position in the source file (for error locations)
    id: str
    kind: str
    kind_label: str
    question: str
    choices: tuple[tuple[str, str], ...]   # (letter, text)
    answer: tuple[str, ...]            # letters, or ("对",) / ("错",) for true/false
    explanation: str
    scenario: str | None

    @property
    def answer_text(self) -> str:
        return "".join(self.answer)

    def as_json(self) -> dict:
        return {"number": self.number, "id": self.id, "kind": self.kind, "kindLabel": self.kind_label,
                "question": self.question, "choices": [{"letter": letter, "text": text} for letter, text in self.choices],
                "answer": list(self.answer), "explanation": self.explanation}


def prepare(quiz: Quiz, set_id: str, seed: int | None) -> list[CardQuestion]:
    """Questions in print order. With a seed, question and choice order are shuffled
    deterministically (the same seed and set always give the same order)."""
    rng = random.Random(f"{seed}/{set_id}") if seed is not None else None
    order = list(range(len(quiz.questions)))
    if rng:
        rng.shuffle(order)
    prepared = []
    for number, index in enumerate(order, start=1):
        question = quiz.questions[index]
        if question.kind == "truefalse":
            choices: tuple = ()
            answer: tuple = ("对",) if question.answer else ("错",)
        else:
            original = list(zip(LETTERS, question.choices, strict=False))
            shuffled = original[:]
            if rng:
                rng.shuffle(shuffled)
            relabel = {old: LETTERS[i] for i, (old, _) in enumerate(shuffled)}
            choices = tuple((LETTERS[i], text) for i, (_, text) in enumerate(shuffled))
            answer = tuple(sorted(relabel[letter] for letter in question.answer_letters))
        prepared.append(CardQuestion(number, index, question.id, question.kind, KIND_LABELS[question.kind],
                                     question.question, choices, answer, question.explanation, question.scenario))
    return prepared

"""Reading a question bank from CSV: pure, every row checked before anything is stored.

Columns (header row, any order, any case): `prompt` and `answer` are required; `explanation`,
`topic`, `type` and `options` are optional. Without a `type`, a row is multiple choice when it
has options, cloze when its prompt holds a blank (`_____`), true/false when its answer is
"true" or "false", and short answer otherwise. Alternatives are separated by `|`: the options of
a multiple-choice row, or the accepted answers of a short-answer or cloze row, the first being
the one shown. Rows are named by their line in the file, the header being line 1.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from questpath.problems import FieldError
from questpath.quizzes.drafts import QUESTION_TYPES, QuestionDraft
from questpath.quizzes.rules import blank_count, draft_problem, normalise

REQUIRED = ("prompt", "answer")
COLUMNS = (*REQUIRED, "explanation", "topic", "type", "options")
MAX_ROWS = 1000
MAX_TOPIC = 100
SEPARATOR = "|"
TRUTH = {"true": True, "false": False}


@dataclass(frozen=True)
class Parsed:
    drafts: list[QuestionDraft]
    errors: list[FieldError]


def _alternatives(text: str) -> list[str]:
    return [part.strip() for part in text.split(SEPARATOR) if part.strip()]


def _type_of(row: dict[str, str]) -> str:
    if row.get("type"):
        return row["type"].strip().lower()
    if row.get("options", "").strip():
        return "multiple_choice"
    if blank_count(row["prompt"]) == 1:
        return "cloze"
    if row["answer"].strip().lower() in TRUTH:
        return "true_false"
    return "short_answer"


def _draft(row: dict[str, str], line: int) -> QuestionDraft | FieldError:
    def error(column: str, message: str) -> FieldError:
        return FieldError(f"rows[{line}].{column}", message)

    prompt, answer = row["prompt"].strip(), row["answer"].strip()
    if not prompt:
        return error("prompt", "is empty")
    if not answer:
        return error("answer", "is empty")
    kind = _type_of(row)
    if kind not in QUESTION_TYPES:
        return error("type", f"'{kind}' is not one of: {', '.join(QUESTION_TYPES)}")
    topic = row.get("topic", "").strip() or None
    if topic is not None and len(topic) > MAX_TOPIC:
        return error("topic", f"is longer than {MAX_TOPIC} characters")
    if kind == "multiple_choice":
        options = _alternatives(row.get("options", ""))
        matches = [i for i, option in enumerate(options) if normalise(option) == normalise(answer)]
        if not matches:
            return error("answer", "must be one of the options")
        data: dict[str, object] = {"options": options, "correct": matches[0]}
    elif kind == "true_false":
        if answer.lower() not in TRUTH:
            return error("answer", "must be true or false")
        data = {"correct": TRUTH[answer.lower()]}
    else:
        data = {"accepted": _alternatives(answer)}
    draft = QuestionDraft(
        type=kind,  # type: ignore[arg-type]  # checked against QUESTION_TYPES above
        prompt=prompt,
        answer=data,
        explanation=row.get("explanation", "").strip(),
        topic=topic,
    )
    if problem := draft_problem(draft):
        column = "prompt" if "prompt" in problem else "options" if "option" in problem else "answer"
        return error(column, problem)
    return draft


def parse(text: str) -> Parsed:
    """The drafts of a CSV question bank, or every error in it, each named by row and column."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if not header:
        return Parsed([], [FieldError("file", "is empty: expected a header row")])
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing:
        problems = [f"unknown column '{name}'" for name in unknown]
        problems += [f"the column '{name}' is missing" for name in missing]
        expected = ", ".join(COLUMNS)
        return Parsed([], [FieldError("header", f"{'; '.join(problems)} (columns: {expected})")])
    reader.fieldnames = header
    drafts: list[QuestionDraft] = []
    errors: list[FieldError] = []
    try:
        for row in reader:
            line = reader.line_num
            if len(drafts) + len(errors) >= MAX_ROWS:
                return Parsed([], [FieldError("file", f"holds more than {MAX_ROWS} questions")])
            if None in row:
                errors.append(FieldError(f"rows[{line}]", "has more fields than the header"))
                continue
            values = {key: value or "" for key, value in row.items()}
            if not any(v.strip() for v in values.values()):
                continue  # a blank line
            result = _draft(values, line)
            if isinstance(result, FieldError):
                errors.append(result)
            else:
                drafts.append(result)
    except csv.Error as exc:
        errors.append(FieldError(f"rows[{reader.line_num}]", f"is not valid CSV: {exc}"))
    if not drafts and not errors:
        errors.append(FieldError("file", "holds no questions below the header"))
    return Parsed(drafts, errors)

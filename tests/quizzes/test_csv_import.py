"""Reading a CSV question bank: types inferred, every bad row named by its line, nothing partial."""

from __future__ import annotations

from questpath.quizzes.csv_import import MAX_ROWS, parse


def test_types_follow_the_columns_and_the_answer() -> None:
    parsed = parse(
        "prompt,answer,type,options\n"
        "Pick one,b,,a|b|c\n"
        "The sky is green.,FALSE,,\n"
        "Python's package index is _____.,PyPI,,\n"
        "Name the index,PyPI|the cheese shop,,\n"
        "Is this short?,yes,short_answer,\n"
    )
    assert parsed.errors == []
    assert [d.type for d in parsed.drafts] == [
        "multiple_choice",
        "true_false",
        "cloze",
        "short_answer",
        "short_answer",
    ]
    assert parsed.drafts[0].answer == {"options": ["a", "b", "c"], "correct": 1}
    assert parsed.drafts[1].answer == {"correct": False}
    assert parsed.drafts[3].answer == {"accepted": ["PyPI", "the cheese shop"]}


def test_quoted_fields_and_blank_lines_are_read() -> None:
    parsed = parse(
        'Prompt,ANSWER,Explanation\n\n"What, exactly, is WSGI?","A gateway ""interface""",Long\n'
    )
    assert parsed.errors == []
    (draft,) = parsed.drafts
    assert draft.prompt == "What, exactly, is WSGI?"
    assert draft.answer == {"accepted": ['A gateway "interface"']}
    assert draft.explanation == "Long"


def test_each_bad_row_is_named_by_its_line_and_column() -> None:
    parsed = parse(
        "prompt,answer,type,options\n"
        "Fine?,yes,,\n"
        "Pick,z,,a|b\n"
        "Odd,1,essay,\n"
        "Too,many,,,fields\n"
        "True?,maybe,true_false,\n"
    )
    fields = {e.field: e.message for e in parsed.errors}
    assert set(fields) == {"rows[3].answer", "rows[4].type", "rows[5]", "rows[6].answer"}
    assert "one of the options" in fields["rows[3].answer"]
    assert "essay" in fields["rows[4].type"]
    assert "more fields" in fields["rows[5]"]


def test_a_header_without_prompt_and_answer_is_refused() -> None:
    parsed = parse("question,answer\nA?,b\n")
    assert [e.field for e in parsed.errors] == ["header"]
    assert parsed.drafts == []


def test_an_empty_file_or_a_header_alone_holds_no_questions() -> None:
    assert [e.field for e in parse("").errors] == ["file"]
    assert "no questions" in parse("prompt,answer\n").errors[0].message


def test_too_many_rows_are_refused_as_a_whole() -> None:
    rows = "".join(f"Question {n}?,answer {n}\n" for n in range(MAX_ROWS + 1))
    parsed = parse("prompt,answer\n" + rows)
    assert parsed.drafts == []
    assert [e.field for e in parsed.errors] == ["file"]

"""The headline promise: the 古丈 question is answered with the 88所 sentence, cited."""


def test_guzhang_school_count(engine):
    answer = engine.answer("古丈县现有各级各类学校多少所？")
    assert answer.answered
    first = answer.sentences[0]
    assert "88所" in first.text
    assert "古丈" in first.citation.path
    assert first.citation.section.startswith("一、基本情况")


def test_out_of_corpus_is_refused(engine):
    for question in ("明天天气怎么样？", "比特币价格"):
        answer = engine.answer(question)
        assert not answer.answered, question
        assert answer.message and not answer.sentences

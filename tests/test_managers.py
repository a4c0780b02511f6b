"""Manager names matched across sources (funnelctl/managers.py), on names worked out by hand."""

from __future__ import annotations

from funnelctl.managers import match_names, mixes_scripts, name_key

ROSTER = ["Анна Смирнова", "Борис Петров", "Ольга Кузнецова"]


def test_case_yo_spaces_and_word_order_share_one_key():
    assert name_key("  анна   СМИРНОВА ") == name_key("Смирнова Анна") == "анна смирнова"
    assert name_key("Пётр Стажёров") == name_key("Петр Стажеров")
    assert name_key("Анна Смирнова") != name_key("Анна Смирнов")


def test_accents_on_latin_letters_do_not_matter_but_cyrillic_letters_stay():
    assert name_key("Émilie Durand") == name_key("emilie durand") == "durand emilie"
    assert name_key("José García") == name_key("Jose Garcia")
    assert name_key("Andrés Muñoz") == name_key("Andres Munoz")
    # й is not и, and ё/е is folded on its own rule
    assert name_key("Андрей Зайцев") != name_key("Андреи Заицев")
    assert name_key("Андрей Зайцев") == "андрей зайцев"


def test_latin_look_alike_letters_in_a_cyrillic_name_share_its_key():
    # "Aнна" with a Latin A (U+0041), "Cмирнова" with a Latin C, "Пeтров" with a Latin e
    latin_a, latin_c, latin_e = "A", "C", "e"
    assert name_key(f"{latin_a}нна Смирнова") == name_key("Анна Смирнова")
    assert name_key(f"Анна {latin_c}мирнова") == name_key("анна смирнова")
    assert name_key(f"Борис П{latin_e}тров") == name_key("Борис Петров")
    # the reverse: a Cyrillic о (U+043E) inside a Latin name
    assert name_key("J\u043ehn Smith") == name_key("John Smith")
    # words of one script are never changed: "Anna" and "Анна" stay two names
    assert name_key("Anna Smirnova") != name_key("Анна Смирнова")
    assert mixes_scripts(f"{latin_a}нна Смирнова") and not mixes_scripts("Анна Смирнова")
    assert not mixes_scripts("Anna Smirnova") and not mixes_scripts("Anna Смирнова")
    match = match_names({f"{latin_a}нна Смирнова": 60, "Анна Смирнова": 5},
                        ["Анна Смирнова"])
    assert match.counts_as[f"{latin_a}нна Смирнова"] == "Анна Смирнова"
    assert match.unmatched == []


def test_initials_in_either_order_match_the_one_full_name():
    rows = {"Смирнова А.": 3, "А. Смирнова": 2, "Петров Б": 1, "анна смирнова": 4}
    match = match_names(rows, ROSTER)
    assert match.counts_as == {"Смирнова А.": "Анна Смирнова", "А. Смирнова": "Анна Смирнова",
                               "Петров Б": "Борис Петров", "анна смирнова": "Анна Смирнова"}
    assert match.unmatched == [] and match.ambiguous == {}


def test_patronymic_initials_need_a_full_name_with_a_patronymic():
    roster = ["Смирнова Анна Викторовна", "Петров Борис"]
    match = match_names({"Смирнова А.В.": 1, "Смирнова А.": 1, "Петров Б.И.": 1}, roster)
    assert match.counts_as["Смирнова А.В."] == "Смирнова Анна Викторовна"
    assert match.counts_as["Смирнова А."] == "Смирнова Анна Викторовна"
    # "Борис Петров" has no second initial И: not the same person for sure
    assert match.counts_as["Петров Б.И."] == "Петров Б.И."
    assert match.unmatched == ["Петров Б.И."]


def test_an_ambiguous_abbreviation_is_listed_not_merged():
    roster = ["Анна Смирнова", "Алла Смирнова"]
    match = match_names({"Смирнова А.": 5, "Смирнова Ал.": 1}, roster)
    assert match.ambiguous == {"Смирнова А.": ["Алла Смирнова", "Анна Смирнова"]}
    assert match.counts_as["Смирнова А."] == "Смирнова А."  # stays itself
    assert "Смирнова А." not in match.merged
    # "Ал." is a word of two letters, not an initial: matches no one
    assert match.unmatched == ["Смирнова Ал."]


def test_a_surname_alone_or_a_first_name_alone_is_never_matched():
    match = match_names({"Смирнова": 1, "Анна": 1}, ROSTER)
    assert match.merged == {}
    assert match.unmatched == ["Анна", "Смирнова"]


def test_aliases_map_user_ids_and_other_spellings():
    match = match_names({"17": 10, "Аня С.": 2, "Борис Петров": 5}, ROSTER,
                        aliases={"17": "Анна Смирнова", "аня с.": "Анна Смирнова"})
    assert match.counts_as == {"17": "Анна Смирнова", "Аня С.": "Анна Смирнова",
                               "Борис Петров": "Борис Петров"}
    assert match.merged == {"17": "Анна Смирнова", "Аня С.": "Анна Смирнова"}


def test_zero_and_the_ignore_list_are_system_users_with_their_rows_counted():
    match = match_names({"0": 7, "Система": 3, "система ": 1, "Анна Смирнова": 9}, ROSTER,
                        ignore=["СИСТЕМА"])
    assert match.ignored == {"0": 7, "Система": 3, "система ": 1}
    assert set(match.counts_as) == {"Анна Смирнова"}


def test_without_a_roster_full_names_are_the_known_names():
    rows = {"Анна Смирнова": 10, "анна смирнова": 2, "Смирнова А.": 3, "Иванов И.": 4,
            "Борис Петров": 1}
    match = match_names(rows)
    # the spelling with most rows is shown; the initials merge into it
    assert match.counts_as["анна смирнова"] == "Анна Смирнова"
    assert match.counts_as["Смирнова А."] == "Анна Смирнова"
    # an abbreviation matching no full name stays itself and is listed
    assert match.counts_as["Иванов И."] == "Иванов И."
    assert match.unmatched == ["Иванов И."]
    assert match.counts_as["Борис Петров"] == "Борис Петров"


def test_with_a_roster_names_off_it_are_unmatched():
    match = match_names({"Пётр Стажёров": 4, "Анна Смирнова": 1}, ROSTER)
    assert match.unmatched == ["Пётр Стажёров"]
    assert match.counts_as["Пётр Стажёров"] == "Пётр Стажёров"


def test_a_name_with_its_login_e_mail_after_it_is_the_name():
    # amoCRM writes a user as "Name (login e-mail)"; mail-style exports "Name <e-mail>"
    rows = {"Смирнова Анна (anna@firm.ru)": 7, "Борис Петров <boris@firm.ru>": 3,
            "Смирнова А. (anna@firm.ru)": 1, "Ольга Кузнецова": 2}
    match = match_names(rows, ROSTER)
    assert match.counts_as == {"Смирнова Анна (anna@firm.ru)": "Анна Смирнова",
                               "Борис Петров <boris@firm.ru>": "Борис Петров",
                               "Смирнова А. (anna@firm.ru)": "Анна Смирнова",
                               "Ольга Кузнецова": "Ольга Кузнецова"}
    assert match.unmatched == [] and len(match.merged) == 3  # each merge listed


def test_without_a_roster_the_name_before_the_e_mail_is_shown():
    match = match_names({"Иванов Иван (ivanov@firm.ru)": 5, "Иван Иванов": 1})
    assert set(match.counts_as.values()) == {"Иванов Иван"}


def test_namesakes_with_two_e_mails_are_kept_apart_and_listed():
    rows = {"Анна Смирнова (anna@firm.ru)": 4, "Анна Смирнова (anna.s@firm.ru)": 2}
    match = match_names(rows, ROSTER)
    # two logins under one name may be two people: never merged, both listed
    assert match.counts_as == {n: n for n in rows}
    assert match.unmatched == sorted(rows)
    # something that is no e-mail in the brackets stays part of the name
    assert match_names({"Анна Смирнова (стажёр)": 1}, ROSTER).unmatched == [
        "Анна Смирнова (стажёр)"]

"""PERSON under the default policy: the kinds of false positives and misses the rule handles, with
examples of our own."""

from __future__ import annotations

import pytest

from detectors.casing import recase
from detectors.engine import Engine, EngineSpec


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_spec(EngineSpec())


def _people(engine: Engine, text: str) -> list[str]:
    return [m.value for m in engine.analyze(text) if m.entity == "PERSON"]


def _data_words(name: str) -> set[str]:
    """The words of a word list in rules/data/."""
    from pathlib import Path

    import rules

    return {line.strip() for line in (Path(rules.__file__).parent / "data" / name).read_text().splitlines()
            if line.strip() and not line.startswith("#")}


@pytest.mark.parametrize("text", [
    "I loved the show by the Marcus Delaney Band last night.",
    "We booked two rooms at the Desmond Farrelly Hotel for the offsite.",
    "The grant came from the Lucinda Marsh Foundation last year.",
    "Dinner at Gianni Russo's Restaurant was great.",
])
def test_a_place_or_organisation_named_after_a_person_is_not_the_person(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text", [
    "Ordering Pizzeria Vesuvio tonight.",
    "Complete Parsifal on the radio tonight, five hours of it.",
])
def test_a_name_does_not_open_with_an_ordinary_word(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    ("Tickets for the band go on sale, said Harriet Okonjo on Friday.", "Harriet Okonjo"),
    ("Rose Marchetti sent the minutes of the call.", "Rose Marchetti"),
    ("We met Desmond Farrelly at the hotel bar.", "Desmond Farrelly"),
])
def test_people_next_to_those_words_are_still_found(engine: Engine, text: str, name: str) -> None:
    assert name in _people(engine, text)


@pytest.mark.parametrize("text, name", [
    ("After the meeting, Carter said the budget was fine.", "Carter"),
    ("Everyone thanked Olive for her patience.", "Olive"),
])
def test_one_given_name_that_is_also_an_ordinary_word(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


def test_two_ordinary_words_are_still_no_name(engine: Engine) -> None:
    assert _people(engine, "Will Price rise after the Grace Period ends?") == []


@pytest.mark.parametrize("text, name", [
    ("Marchetti was traded to the other club in June.", "Marchetti"),
    ("Okafor attended the regional school until 2004.", "Okafor"),
    ("Honestly, Okonkwo was right about the budget.", "Okonkwo"),
    ("Before Okonkwo could reply, the call dropped.", "Okonkwo"),  # after a word that opens a clause
    ("Because Brennan is on leave, the review moves.", "Brennan"),
    ("In 2009, Fenwick graduated from nursing school.", "Fenwick"),  # a verb of a person's life
])
def test_a_known_name_as_the_subject_of_a_verb(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text", [
    "The Dow had fallen by noon.",  # "the" before it
    "Black Swan is a film I keep rewatching.",  # a capitalised word before it: part of a longer name
    "Madrid is lovely in spring.",  # a place
    "When Reading is busy, take the other train.",  # a place that is an ordinary word
])
def test_a_capitalised_subject_that_is_no_person(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    ("The letter was signed by Hélène de Villiers and two witnesses.", "Hélène de Villiers"),
    ("Our contact there is Anna van der Berg from procurement.", "Anna van der Berg"),
    ("The statement came from Khalid al-Rashidi on Tuesday.", "Khalid al-Rashidi"),  # joined by a hyphen
    ("The letter was co-signed by Yusuf el-Masri and two aides.", "Yusuf el-Masri"),
])
def test_a_name_with_a_particle(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text, name", [
    ("Okonjo expressed her condolences to the families.", "Okonjo"),
    ("Vrabetz blamed the supplier for the delay.", "Vrabetz"),
    ("After the audit, Vrabetz decided to leave the firm.", "Vrabetz"),
])
def test_one_unlisted_word_the_model_calls_a_person_before_a_verb_of_a_person(
        engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text", [
    "Marchetti is a brand of coffee machines.",  # what the word names is said next to it
    "Say hi to your Nana for me.",  # a possessive before one word: a relative, a pet or a thing
    "Our Mimi is waiting at the door.",
])
def test_a_word_said_to_be_a_thing_or_owned_is_no_person(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    ("From: Ruth Okafor <ruth.okafor@example.org>", "Ruth Okafor"),
    ('Cc: "Ian" <ian.b@example.net>, the team', "Ian"),
])
def test_the_display_name_of_an_email_address(engine: Engine, text: str, name: str) -> None:
    assert name in _people(engine, text)


def test_a_display_name_made_of_ordinary_words_is_no_person(engine: Engine) -> None:
    assert _people(engine, "From: Service Desk <support@example.com>") == []


def test_a_name_after_a_year(engine: Engine) -> None:
    assert "Ingrid Halvorsen" in _people(engine, "In 1987 Ingrid Halvorsen founded the lab in Bergen.")


def test_the_check_letter_of_an_id_is_still_no_name(engine: Engine) -> None:
    assert _people(engine, "Their National Insurance number is RL 80 41 26 D. Good, now make it formal.") == []


@pytest.mark.parametrize("text, name", [
    ("Now playing: Ingrid Vlahos - Summer Rain (live)", "Ingrid Vlahos"),
    ("goal by Tobias McGuirk !!", "Tobias McGuirk"),
])
def test_a_known_given_name_and_an_unlisted_family_name(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text", [
    "We landed at Jordan Airport late at night.",
    "The Hudson Belk Store opens at nine.",
])
def test_a_given_name_before_a_place_or_business_word(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


def test_a_family_name_alone_on_a_line_as_a_signature(engine: Engine) -> None:
    assert _people(engine, "Sounds good, see you at four.\n\nOkonkwo") == ["Okonkwo"]
    assert _people(engine, "See you then.\nPriya R.") == ["Priya R."]  # with the family name's initial
    assert _people(engine, "All done.\nRegards") == []


def test_a_common_word_in_lower_case_chat_is_not_recased_into_a_name(engine: Engine) -> None:
    assert _people(engine, "what fields do we need on the form, and who signs the bill?") == []


@pytest.mark.parametrize("text, name", [
    ("Please send the signed lease to Chase Miller before Friday.", "Chase Miller"),
    ("Mark Banks approved the travel budget.", "Mark Banks"),
    ("For the W-4, Chase Fisher's tax form is still missing.", "Chase Fisher"),
    ("Will Turner signed the lease yesterday.", "Will Turner"),
])
def test_a_given_name_that_is_also_a_word_before_a_family_name_that_is_one_too(
        engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text", [
    "Will Banks Raise Rates Again This Year?",  # a headline: more capitalised words follow
    "The Mark Banks Group won the tender.",
    "Will Price rise after the Grace Period ends?",  # no family name of the kind
])
def test_such_words_in_a_heading_or_a_phrase_are_no_name(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


def _known(word: str) -> bool:
    return word.lower() in {"tobias", "lydia", "rahul", "okafor"}


@pytest.mark.parametrize(("text", "expected"), [
    ("Asked tobias if he could cover Monday.", "Asked Tobias if he could cover Monday."),
    ("Sat in the Cafe with lydia for an hour.", "Sat in the Cafe with Lydia for an hour."),
    ("Ok so rahul said the build is broken.", "Ok so Rahul said the build is broken."),
    ("Thanks okafor!", "Thanks Okafor!"),
    # no word that takes a person next to it: the writer's lower case stays
    ("The tobias file is on the Drive.", "The tobias file is on the Drive."),
    ("Sat with lydia.h in the Lab", "Sat with lydia.h in the Lab"),  # part of a file or host name
])
def test_a_lower_case_name_next_to_a_word_that_takes_a_person_is_recased_in_mixed_case_text(
        text: str, expected: str) -> None:
    out = recase(text, [(_known,)])
    assert out == expected and len(out) == len(text)


@pytest.mark.parametrize("text, name", [
    ("Asked tobias if he could cover my shift on Monday.", "Tobias"),
    ("Sitting in the waiting room with lydia and her mum.", "Lydia"),
])
def test_a_lower_case_name_in_chat_with_capitals_is_found(engine: Engine, text: str, name: str) -> None:
    assert [value.title() for value in _people(engine, text)] == [name]


@pytest.mark.parametrize("text, names", [
    ("Chat log. Mia: are you in? Jonas: yes, two minutes.", ["Mia", "Jonas"]),
    ("Build is green. Priya, can you merge it?", ["Priya"]),
])
def test_a_speaker_or_address_tag_after_the_end_of_a_sentence(engine: Engine, text: str, names: list[str]) -> None:
    assert _people(engine, text) == names


@pytest.mark.parametrize("text", ["Location: Houston, Texas", "Status: Done, waiting on review."])
def test_a_place_or_a_word_after_a_label_is_no_tag(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    ("Who signed off on this? Okonkwo.", "Okonkwo"),
    ("Who's on call tonight? Okafor, I think.", "Okafor"),
])
def test_a_name_standing_alone_after_a_question(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text", ["Where should we meet? Madrid.", "Any questions? No.", "Ready? Done, thanks."])
def test_a_place_or_a_word_answering_a_question_is_no_name(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text", ["so proud of my sister Lorna ♥", "welcome back Priya ☺"])
def test_a_symbol_the_model_runs_into_a_name_is_no_part_of_it(engine: Engine, text: str) -> None:
    assert _people(engine, text) == [text.split()[-2]]


def test_a_model_entity_is_cut_at_a_bar_between_spaces_and_at_line_breaks() -> None:
    from detectors.engine import _entity_lines

    text = "Awkward George | the blog\nMaisha Hassani"
    assert [text[s:e] for s, e in _entity_lines(text, 0, len(text))] == ["Awkward George", "the blog", "Maisha Hassani"]
    assert _entity_lines("Zsa-Zsa Gabor", 0, 13) == [(0, 13)]


@pytest.mark.parametrize("text, name", [
    ("We met Senator Vrabetz after the hearing.", "Vrabetz"),
    ("In 2010, Professor Okwuosa took emeritus status.", "Okwuosa"),
    ("The call with President Halvorsrud went well.", "Halvorsrud"),
])
def test_a_title_written_out_vouches_for_one_unlisted_word_the_model_calls_a_person(
        engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


def test_a_signature_line_with_a_family_name_only_the_census_lists_know(engine: Engine) -> None:
    text = "Dana Whitcombe Northwind Logistics 12 Harbour Road, Leeds LS1 4AP"
    assert _people(engine, text) == ["Dana Whitcombe"]


@pytest.mark.parametrize("text", [
    "The office moved to West Virginia last year.",  # an ordinary word first, a place last
    "Our North Carolina team ships on Friday.",
])
def test_a_place_of_two_words_is_no_such_name(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    ("Her name is Hazel and she starts Monday.", "Hazel"),  # an ordinary word, named as a name
    ("His name's Vrabetz, he's new on the team.", "Vrabetz"),
])
def test_a_name_after_his_or_her_name_is(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text, name", [
    ("Okonjo's husband called about the claim.", "Okonjo"),
    ("I forgot Priya's birthday again.", "Priya"),
    ("Even Vrabetz himself admitted the numbers were off.", "Vrabetz"),
])
def test_one_word_with_a_relative_or_a_reflexive_pronoun(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text", ["London's mayor spoke today.", "Microsoft itself said so.",
                                  "The Company's parents guarantee the loan."])
def test_a_place_or_a_company_with_a_possessive_is_no_person(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    ("Vrabetz wondered whether the audit was over.", "Vrabetz"),
    ("After the merger, Halvorsrud retired to Bergen.", "Halvorsrud"),
])
def test_one_unlisted_word_as_the_subject_of_a_verb_only_a_person_does(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


def test_a_company_as_the_subject_of_such_a_verb_is_no_person(engine: Engine) -> None:
    assert _people(engine, "Microsoft believed the deal would close.") == []


@pytest.mark.parametrize("text, name", [("thanks Rich", "Rich"), ("Thanks Will, see you Monday.", "Will"),
                                        ("Hi Grace!", "Grace")])
def test_a_given_name_that_is_also_a_word_right_after_a_greeting(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text", ["Thanks, Will do.", "Hey Man, what's up?", "Thanks Again!", "Cheers Mate."])
def test_a_word_after_a_greeting_that_is_no_name(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    ("Less is more, they say.\n- Spike Milligan", "Spike Milligan"),
    ('"Be kind, always." — Oksana Marchetti', "Oksana Marchetti"),
])
def test_a_name_signing_a_quotation(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text", ["Agenda:\n- Quarterly Report\n- Budget Review", "- Action Items"])
def test_a_bullet_of_ordinary_words_is_no_signature(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    ("He trained with his brother Toby every summer.", "Toby"),
    ("My colleague Ingrid Vlahos sent the deck.", "Ingrid Vlahos"),
    ("Her husband, Ravi, called back.", "Ravi"),
])
def test_a_name_after_a_relative_or_a_colleague(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text", ["My manager Said no.", "Our partner Acme signed."])
def test_a_word_or_a_company_after_such_a_word_is_no_name(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    ("Thanks for the quick turnaround.\n\nBest regards,\nOladele Adeyemi\nFinance, Northwind", "Oladele Adeyemi"),
    ("Cheers,\nNguyen Thi Lan | Finance", "Nguyen Thi Lan"),
    ("Kind regards\nTemitope Balogun-Okafor\nt.b@example.com", "Temitope Balogun-Okafor"),
])
def test_a_name_the_lists_do_not_know_on_the_line_after_a_sign_off(engine: Engine, text: str, name: str) -> None:
    assert name in _people(engine, text)


@pytest.mark.parametrize("text", ["Regards,\nThe Payroll Team", "Thanks,\nCustomer Support",
                                  "Best,\nNorthwind Holdings Ltd", "Thanks!\nSee you Monday"])
def test_a_team_or_a_company_after_a_sign_off_is_no_name(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


def test_the_pattern_of_given_names_that_are_words_spells_out_the_surname_list(engine: Engine) -> None:
    listed = _data_words("surname-words.txt")
    pattern = next(p for p in engine.rule("PERSON").patterns if p.name == "given name that is also a word and a family name")
    spelt = set(pattern.regex.split("(?:", 1)[1].split(")", 1)[0].split("|"))
    assert spelt == listed


@pytest.mark.parametrize("text, expected", [
    # the other words of a run of capitals that holds a name go to lower case, so the model reads the name alone
    ("PLEASE SEND IT TO OKAFOR NOW!", "please send it to Okafor now!"),
    ("BOO OKAFOR! BOO OKAFOR!", "boo Okafor! boo Okafor!"),
    ("Status: CALL TOBIAS, then the rest", "Status: call Tobias, then the rest"),
    # a run of capitals without a name, or capitals on another line, stay as written
    ("URGENT: SEND THE FILE TO FINANCE today", "URGENT: SEND THE FILE TO FINANCE today"),
    ("TOBIAS\nSEE ATTACHED", "Tobias\nSEE ATTACHED"),
])
def test_words_in_capitals_around_a_name_in_capitals_are_read_in_lower_case(text: str, expected: str) -> None:
    out = recase(text, [(_known,)])
    assert out == expected and len(out) == len(text)


def test_a_name_shouted_in_capitals_is_found(engine: Engine) -> None:
    found = [(m.value, m.start) for m in engine.analyze("VOTE OKAFOR OUT! VOTE OKAFOR OUT!") if m.entity == "PERSON"]
    assert [(value.title(), start) for value, start in found] == [("Okafor", 5), ("Okafor", 22)]


@pytest.mark.parametrize("text", [
    "@ Rivers _ Tobias I think the figures are wrong",  # a handle as tokenised text writes it
    "@ Okafor thanks, on my way",
])
def test_a_name_inside_a_chat_handle_is_no_person(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    ("Thanks Tobias, I think the figures are wrong", "Tobias"),
    ("I asked Tobias (@tobias_r) about it", "Tobias"),  # a handle after the name
])
def test_a_name_next_to_a_handle_is_still_a_person(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text, name", [
    ("Hallgren finished his career in Oslo.", "Hallgren"),
    ("Later, Okonkwo quietly dropped his claim.", "Okonkwo"),
    ("In the end Vrabetz blamed himself for the delay.", "Vrabetz"),
])
def test_one_word_as_the_subject_of_a_verb_with_his_or_a_reflexive_pronoun(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text", [
    "Acme hired her last week.",  # "her" is an object too
    "Pellham renewed its contract.",
    "Finance approved his request on Monday.",  # an ordinary word
    "Chicago reclaimed his title.",  # a place
])
def test_a_company_a_place_or_a_word_before_such_a_verb_is_no_person(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, names", [
    ("I emailed Marta Quillfeather about the lease. Quillfeather clearly wants a longer term.",
     ["Marta Quillfeather", "Quillfeather"]),
    ("Ask Dagny Brekke about it. Brekke approved the budget, and Brekke's team signed.",
     ["Dagny Brekke", "Brekke", "Brekke"]),
    ("Report by Henrik Solberg-Ruud (page 2). Solberg-Ruud notes the risk.", ["Henrik Solberg-Ruud", "Solberg-Ruud"]),
])
def test_the_family_name_of_a_name_found_is_found_wherever_the_text_repeats_it(
        engine: Engine, text: str, names: list[str]) -> None:
    assert _people(engine, text) == names


@pytest.mark.parametrize("text, names", [
    # part of another name, in lower case, or inside a longer word or handle: not the person
    ("Call Tobias Hallgren back; Hallgren Logistics and the hallgren account are another matter.",
     ["Tobias Hallgren"]),
    ("Ask Dagny Brekke about it; Jonas Brekkestad and @Brekke_ops are someone else.", ["Dagny Brekke", "Jonas Brekkestad"]),
])
def test_a_family_name_in_another_name_or_word_is_no_repeat(engine: Engine, text: str, names: list[str]) -> None:
    assert _people(engine, text) == names


def test_a_title_of_office_opens_the_model_to_a_name_that_is_an_ordinary_word(engine: Engine) -> None:
    assert _people(engine, "A letter from Senator Rich about the budget arrived.") == ["Rich"]


@pytest.mark.parametrize("text", [
    "The General Assembly met on Friday.",
    "Officer Training starts in June.",
    "Our King Size beds ship free.",
])
def test_a_title_word_in_a_name_of_a_thing_is_no_person(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    # a family name opened by a particle, without the given name, though the particle may be an ordinary word
    ("The inquiry asked what Bin Hadid knew before the raid.", "Bin Hadid"),
    ("Late winner from de Ruiter again, what a finish", "de Ruiter"),
])
def test_a_family_name_opened_by_a_particle_without_the_given_name(engine: Engine, text: str, name: str) -> None:
    assert name in _people(engine, text)


@pytest.mark.parametrize("text", [
    "The Bin Collection schedule changes next week.",
    "We flew into El Paso on Tuesday for the audit.",
    "Read the Al Jazeera piece before the call.",
    "The De Facto Standard committee meets in March.",
])
def test_a_particle_before_an_ordinary_word_is_no_name(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


def test_the_name_particles_list_is_the_validators_set() -> None:
    from detectors.validators.custom import NAME_PARTICLES

    assert _data_words("name-particles.txt") == NAME_PARTICLES


@pytest.mark.parametrize("text, expected", [
    # a word in capitals listed with a recased name is a name too, though the lists do not know it
    ("OKAFOR, VRANJES, and TOBIAS signed the order.", "Okafor, Vranjes, and Tobias signed the order."),
    ("The panel: TOBIAS and HALVORSRUD agreed.", "The panel: Tobias and Halvorsrud agreed."),
    ("OKAFOR & QUELCH dissented", "Okafor & Quelch dissented"),
    # a word of a shouted phrase after a name is no list item, nor is a list without a known name
    ("CALL TOBIAS, PLEASE HURRY", "call Tobias, please hurry"),
    ("Ask for VRANJES and QUELCH at the desk", "Ask for VRANJES and QUELCH at the desk"),
])
def test_words_in_capitals_listed_with_a_name_in_capitals_are_names(text: str, expected: str) -> None:
    out = recase(text, [(_known,)])
    assert out == expected and len(out) == len(text)


def test_a_family_name_in_capitals_listed_with_known_names_is_found(engine: Engine) -> None:
    people = _people(engine, "GARCIA filed a dissent, in which MARTINEZ and QUELCH joined.")
    assert "QUELCH" in [value.upper() for value in people]


@pytest.mark.parametrize("text", [
    "Tonight we saw the band Delphine Okoro live at the pier.",
    "Their favourite record is by the folk duo Marisol Quint.",
])
def test_a_band_named_right_after_the_word_band_is_no_person(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    ("The band's drummer Delphine Okoro left in March.", "Delphine Okoro"),
    ("She played in a band with Marisol Quint for years.", "Marisol Quint"),
])
def test_a_band_member_is_still_a_person(engine: Engine, text: str, name: str) -> None:
    assert name in _people(engine, text)


@pytest.mark.parametrize("text, name", [
    # one word the model calls a person but too weakly to report alone, listed with a reported name
    ("Neither did Brennan or Ghorvantis.", "Ghorvantis"),
    ("Neither did Brennan, Moreau, or Ghorvantis.", "Ghorvantis"),
    ("Ask Ghorvantis or Brennan.", "Ghorvantis"),
])
def test_a_weak_one_word_name_listed_with_a_reported_name_is_reported(engine: Engine, text: str, name: str) -> None:
    assert name in _people(engine, text)
    # (another candidate of the same word may be traced first and dropped: the reported one is the listed one)
    trace = next(t for t in engine.explain("PERSON", text) if t.value == name and t.reported)
    assert trace.reason == "reported" and trace.steps[-1].action == "listed"


@pytest.mark.parametrize("text", [
    "The dinner was hosted by Ghorvantis.",  # alone: still too weak
    "Brennan booked a table at Ghorvantis for Friday.",  # with a name, but in no list with it
])
def test_a_weak_one_word_name_outside_a_list_with_a_name_is_not_reported(engine: Engine, text: str) -> None:
    assert "Ghorvantis" not in _people(engine, text)


@pytest.mark.parametrize("span, expected", [
    ("Brenna Skelton Idris Mabena &", "Brenna Skelton Idris Mabena"),  # the model stopped at "&" in a list of names
    ("Maria Garcia's", "Maria Garcia"),
    ("Procter & Gamble", "Procter & Gamble"),  # inside the span, "&" stays
])
def test_a_model_span_loses_a_trailing_ampersand(span: str, expected: str) -> None:
    from detectors.engine import _trim_entity

    text = span + " Tomas Reyes"
    start, end = _trim_entity(text, 0, len(span))
    assert text[start:end] == expected


@pytest.mark.parametrize("text, name", [
    ("Assim Qorvath, 30, Dover;", "Assim Qorvath"),
    ("Chidubem Olawunmi, 52, Luton;", "Chidubem Olawunmi"),
])
def test_a_name_with_an_age_after_it(engine: Engine, text: str, name: str) -> None:
    assert name in _people(engine, text)


@pytest.mark.parametrize("text", [
    "On November 20, 2023, the office closed early.",
    "Flights from Dover Harbour, 25, were cancelled.",
    "Orders Shipped, 40, Returned, 3",
])
def test_a_date_a_place_or_a_label_with_a_number_is_no_name_with_an_age(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    ("Send the minutes to Jean-Luc Moreau before noon.", "Jean-Luc Moreau"),
    ("Anna-Lena Fischer signed for the supplier.", "Anna-Lena Fischer"),
    ("cc Mary-Kate Olsson on the thread", "Mary-Kate Olsson"),
])
def test_a_hyphenated_given_name_is_reported_whole(engine: Engine, text: str, name: str) -> None:
    """A match never starts inside a hyphenated given name: "Luc Moreau" alone would leave "Jean-" unmasked."""
    people = _people(engine, text)
    assert name in people
    assert not [p for p in people if p != name and p in name]


@pytest.mark.parametrize("text", [
    "the X-Ray Vision team",  # capitalised words, no names
    "Read the Follow-Up Notes first",
])
def test_hyphenated_words_are_not_names_by_themselves(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []


@pytest.mark.parametrize("text, name", [
    ("Will you criticize Bolsonaro when he makes mistakes?", "Bolsonaro"),  # on no list
    ("My heart goes out to Gorbachev today, hoping that he pulls through.", "Gorbachev"),
    ("They were attacking Velvet and his supporters all week.", "Velvet"),  # an ordinary word
])
def test_one_capitalised_word_with_a_personal_pronoun_after_it_is_a_name(engine: Engine, text: str, name: str) -> None:
    assert _people(engine, text) == [name]


@pytest.mark.parametrize("text", [
    "They were attacking Kestrelbrook and its supporters all week.",  # "its": a company or a place
    "We moved the servers to Kestrelbrook last year and he said it went fine.",  # the model reads no person
    "Will you criticize Grumble when he makes mistakes?",
    "Support for Python is good. He says so himself.",  # the pronoun is in the next sentence
])
def test_a_pronoun_does_not_make_a_thing_a_person(engine: Engine, text: str) -> None:
    assert _people(engine, text) == []

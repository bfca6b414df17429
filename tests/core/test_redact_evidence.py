import logging

from hypothesis import given
from hypothesis import strategies as st

from dlp.evidence import Fingerprinter, mask_value, masked_snippet
from dlp.redact import RedactingFilter, mask_api_key, redact, strip_url

KEY = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


def test_api_key_is_masked_to_its_last_four():
    assert mask_api_key(KEY) == "sk-...6789"
    assert "AbCd" not in mask_api_key(KEY)


def test_signed_urls_lose_their_query():
    url = "https://files01.oaiusercontent.com/file-abc?se=2026&sp=r&sig=SECRETSIG"
    assert strip_url(url) == "https://files01.oaiusercontent.com/file-abc"
    message = f"download of {url} failed with Bearer {KEY}"
    cleaned = redact(message, (KEY,))
    assert "SECRETSIG" not in cleaned and KEY not in cleaned and "AbCd" not in cleaned


def test_logging_filter_scrubs_arguments(caplog):
    logger = logging.getLogger("dlp.test.redact")
    handler_filter = RedactingFilter((KEY,))
    logger.addFilter(handler_filter)
    with caplog.at_level(logging.WARNING, logger="dlp.test.redact"):
        logger.warning("failed %s at %s", KEY, "http://127.0.0.1/blob?sig=abc")
    logger.removeFilter(handler_filter)
    text = caplog.text
    assert KEY not in text and "sig=abc" not in text and "sk-...6789" in text


def test_fingerprint_is_keyed_and_stable():
    a = Fingerprinter(b"k" * 32)
    b = Fingerprinter(b"j" * 32)
    assert a("4111111111111111") == a("4111111111111111")
    assert a("4111111111111111") != b("4111111111111111")
    assert "4111" not in a("4111111111111111")


def test_snippet_masks_the_value_and_its_neighbours():
    text = "card 4111111111111111 and ssn 123-45-6789 here"
    card = (5, 21)
    ssn = (30, 41)
    snippet = masked_snippet(text, *card, spans=[card, ssn], keep_tail=True)
    assert "4111111111111111" not in snippet and "123-45-6789" not in snippet
    assert snippet.startswith("card ") and "1111" in snippet
    name = masked_snippet("signed by Jonathan Appleseed today", 10, 28)
    assert name == "signed by ****************** today"


def test_snippet_hides_digits_no_rule_caught():
    text = "call 0151 697 5799 or mail a@b.co"
    snippet = masked_snippet(text, 26, 33)
    assert "0151" not in snippet and "#### ### ####" in snippet


@given(st.text(alphabet=st.characters(blacklist_characters="*…\n\r"), min_size=1, max_size=200), st.data())
def test_snippet_never_contains_a_masked_value(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    value = text[start:end]
    if len(value) >= 5 and text.count(value) == 1:
        assert value not in masked_snippet(text, start, end)


def test_mask_value_keeps_at_most_four_characters():
    assert mask_value("123-45-6789") == "***********"
    assert mask_value("4111111111111111").endswith("1111")
    assert mask_value("4111111111111111").count("*") == 12


def test_a_password_inside_a_url_is_masked_wherever_urls_are_shown():
    from dlp.redact import display_url, redact, strip_url

    assert display_url("https://bob:s3cret@proxy.example.com:8443/v1?x=1") == "https://bob:***@proxy.example.com:8443/v1?x=1"
    assert strip_url("https://bob:s3cret@h.example.com/v1?sig=abc") == "https://bob:***@h.example.com/v1"
    assert redact("GET https://bob:s3cret@h.example.com/v1/users failed") == "GET https://bob:***@h.example.com/v1/users failed"
    assert display_url("https://api.chatgpt.com/v1") == "https://api.chatgpt.com/v1"

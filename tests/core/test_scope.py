from dlp.config import GptScope, UserScope
from dlp.ingest.scope import Scope


def test_everyone_by_default():
    scope = Scope(UserScope(), GptScope())
    assert scope.user_in_scope("user-1", "a@x.com") and scope.gpt_in_scope("g-1", "Bot")
    assert not scope.filters_users


def test_user_include_exclude_regex_and_file(tmp_path):
    listing = tmp_path / "emails.txt"
    listing.write_text("# finance\nB@X.com\n\n")
    scope = Scope(UserScope(include=("user-1",), include_file=str(listing)), GptScope())
    assert scope.user_in_scope("user-1", None)
    assert scope.user_in_scope("user-9", "b@x.com")
    assert not scope.user_in_scope("user-2", "c@x.com")
    scope = Scope(UserScope(exclude=("ceo@x.com",), email_regex=r"@x\.com$"), GptScope())
    assert not scope.user_in_scope("user-3", "CEO@x.com")
    assert not scope.user_in_scope("user-4", "a@other.org")
    assert not scope.user_in_scope("user-5", None)  # a regex on email needs an email
    assert scope.user_in_scope("user-6", "dev@x.com")


def test_gpt_filters_by_id_name_and_regex():
    scope = Scope(UserScope(), GptScope(include=("HR Bot", "g-2")))
    assert scope.gpt_in_scope("g-1", "hr bot") and scope.gpt_in_scope("g-2", None)
    assert not scope.gpt_in_scope("g-3", "Other")
    assert scope.gpt_in_scope(None, None)  # plain ChatGPT is not a GPT
    scope = Scope(UserScope(), GptScope(exclude=("g-9",), name_regex="^finance"))
    assert not scope.gpt_in_scope("g-9", "Finance helper")
    assert scope.gpt_in_scope("g-8", "Finance helper") and not scope.gpt_in_scope("g-7", "Legal")

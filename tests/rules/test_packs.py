"""The built-in packs: every rule is documented and tested, the examples pass, the packs cover
what the rule-pack issue lists, and the default policy runs the precise rules only."""

from __future__ import annotations

from collections import Counter

from detectors.lint import lint_paths
from detectors.loader import RuleSet
from detectors.policy import Policy
from detectors.ruletests import run_rule_tests
from rules import RULES_DIR

PACKS = {"pii", "financial", "health", "secrets", "confidential"}
# secrets rules that are not tied to one provider
GENERIC_SECRET_RULES = {"PRIVATE_KEY", "PGP_PRIVATE_KEY", "PUTTY_PRIVATE_KEY", "JSON_WEB_TOKEN",
                        "DATABASE_CONNECTION_STRING", "BASIC_AUTH_URL", "PASSWORD_ASSIGNMENT", "SECRET_ASSIGNMENT",
                        "AUTHORIZATION_BEARER_TOKEN", "AUTHORIZATION_BASIC_CREDENTIALS", "CLI_CREDENTIAL_ARGUMENT",
                        "NETRC_PASSWORD", "PASSWORD_IN_PROSE", "PRIVATE_KEY_BASE64"}
# noisy on ordinary text: in their pack, off in the default policy
OFF_BY_DEFAULT = {"IP_ADDRESS", "MAC_ADDRESS", "URL", "UUID", "LOCATION", "ORGANIZATION", "DATE_TIME", "NRP"}


def test_lint_is_clean() -> None:
    report = lint_paths([str(RULES_DIR)])
    assert report.problems == [], [str(p) for p in report.problems]


def test_every_rule_is_documented_and_has_three_examples_each_way(builtin_rules: RuleSet) -> None:
    thin = []
    for rule in builtin_rules.rules:
        matches = sum(example.should_match for example in rule.examples)
        misses = len(rule.examples) - matches
        if matches < 3 or misses < 3 or not rule.name or not rule.description:
            thin.append(f"{rule.where}: {rule.id} ({matches} match, {misses} no_match)")
    assert thin == []


def test_every_example_passes_under_the_default_policy(builtin_rules: RuleSet, default_policy: Policy) -> None:
    results = run_rule_tests(builtin_rules.rules, builtin_rules.rules, default_policy)
    failures = [str(r) for r in results if not r.passed]
    assert len(results) > 1000
    assert failures == []


def test_packs_and_their_sizes(builtin_rules: RuleSet) -> None:
    per_pack = Counter(rule.pack for rule in builtin_rules.rules)
    assert set(per_pack) == PACKS
    providers = [r for r in builtin_rules.rules if r.pack == "secrets" and r.id not in GENERIC_SECRET_RULES]
    assert len(providers) >= 100
    assert all(rule.entity == "SECRET" for rule in builtin_rules.rules if rule.pack == "secrets")
    # one tag names the provider of each provider rule (findings carry tags)
    assert all(len(rule.tags) >= 3 for rule in providers)


def test_the_identifiers_the_issue_lists_are_covered(builtin_rules: RuleSet) -> None:
    ids = {rule.id for rule in builtin_rules.rules}
    wanted = {
        # pii
        "EMAIL_ADDRESS", "PHONE_NUMBER", "IP_ADDRESS", "MAC_ADDRESS", "URL", "DATE_OF_BIRTH", "PERSON", "LOCATION",
        "ORGANIZATION", "US_SSN", "US_ITIN", "US_PASSPORT", "US_DRIVER_LICENSE", "UK_NINO", "UK_PASSPORT",
        "UK_DRIVING_LICENCE", "CA_SIN", "AU_TFN", "AU_MEDICARE", "IN_AADHAAR", "IN_PAN", "SG_NRIC_FIN", "BR_CPF",
        "BR_CNPJ", "DE_TAX_ID", "FR_NIR", "ES_NIF", "ES_NIE", "IT_FISCAL_CODE", "NL_BSN", "PL_PESEL",
        "SE_PERSONNUMMER", "FI_PERSONAL_IDENTITY_CODE",
        # financial
        "CREDIT_CARD", "IBAN_CODE", "SWIFT_CODE", "ABA_ROUTING_NUMBER", "US_BANK_NUMBER", "CRYPTO",
        # health
        "US_NPI", "MEDICAL_LICENSE", "US_MBI", "UK_NHS", "MEDICAL_RECORD_NUMBER", "ICD10_CODE",
        # secrets (a sample of the providers the issue names, and the generic families)
        "AWS_ACCESS_KEY_ID", "GCP_SERVICE_ACCOUNT_KEY", "GOOGLE_API_KEY", "AZURE_STORAGE_ACCOUNT_KEY",
        "AZURE_SAS_TOKEN", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "HUGGINGFACE_TOKEN", "COHERE_API_KEY",
        "GITHUB_PAT_CLASSIC", "GITLAB_PAT", "BITBUCKET_APP_PASSWORD", "SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL",
        "DISCORD_BOT_TOKEN", "MICROSOFT_TEAMS_WEBHOOK_URL", "STRIPE_SECRET_KEY", "SQUARE_ACCESS_TOKEN",
        "PAYPAL_BRAINTREE_ACCESS_TOKEN", "TWILIO_API_KEY", "SENDGRID_API_KEY", "MAILGUN_API_KEY",
        "SHOPIFY_ACCESS_TOKEN", "ATLASSIAN_API_TOKEN", "NOTION_INTEGRATION_TOKEN", "OKTA_API_TOKEN",
        "DATADOG_API_KEY", *GENERIC_SECRET_RULES,
        # confidential
        "MARKING_CONFIDENTIAL", "MARKING_STRICTLY_CONFIDENTIAL", "MARKING_RESTRICTED", "MARKING_PRIVILEGED",
        "MARKING_DO_NOT_DISTRIBUTE", "MARKING_INTERNAL_ONLY", "MARKING_EXPORT_CONTROLLED",
    }
    assert wanted - ids == set()


def test_markings_have_severity_by_marking(builtin_rules: RuleSet) -> None:
    severity = {r.id: r.severity for r in builtin_rules.rules if r.pack == "confidential"}
    assert severity["MARKING_STRICTLY_CONFIDENTIAL"] == severity["MARKING_EXPORT_CONTROLLED"] == "critical"
    assert severity["MARKING_CONFIDENTIAL"] == severity["MARKING_PRIVILEGED"] == "high"
    assert severity["MARKING_INTERNAL_ONLY"] == "low"


def test_default_policy_runs_every_pack_but_the_noisy_rules(builtin_rules: RuleSet, default_policy: Policy) -> None:
    assert set(default_policy.packs or ()) == PACKS
    off = {rule.id for rule in builtin_rules.rules if not default_policy.selects(rule)}
    assert off == OFF_BY_DEFAULT
    assert default_policy.min_likelihood.name == "LIKELY"

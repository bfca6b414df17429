"""The detection library: rule model, compiler, matchers, validators, NER, context."""

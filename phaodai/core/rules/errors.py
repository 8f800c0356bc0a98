"""The one exception the rules engine raises for a rule it cannot check or evaluate."""


class RuleError(ValueError):
    """A rule that cannot be evaluated: malformed, or given values its operators do not accept."""

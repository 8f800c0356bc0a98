"""The testing errors, each with a stable code (S18): rounds, sessions, samples, pools and results."""

from django.utils.translation import gettext_lazy

from phaodai.core.errors import Conflict, Duplicate, InvalidInput


class RoundChanged(Conflict):
    code = "round_changed"
    message = gettext_lazy("Someone else changed this round first; reload it and try again.")


class RoundClosed(Conflict):
    code = "round_closed"
    message = gettext_lazy("This testing round is closed.")


class SlowCadence(InvalidInput):
    code = "slow_cadence"
    message = gettext_lazy(
        "Lockdowns and very-high- or high-risk groups are tested every 2 to 3 days (S18). "
        "Tick the confirmation to plan a longer interval."
    )


class SessionNotOpen(Conflict):
    code = "session_not_open"
    message = gettext_lazy("This sampling session was cancelled or its round is closed.")


class InvalidSampleCode(InvalidInput):
    code = "invalid_sample_code"
    message = gettext_lazy(
        "A sample code has 4 to 32 letters, digits or . _ / -, and starts and ends with a letter or digit."
    )


class DuplicateSample(Duplicate):
    code = "duplicate_sample"
    message = gettext_lazy(
        "A different sample is already registered with this code. Check the barcode; every tube has its own."
    )


class AlreadySampled(Duplicate):
    code = "already_sampled"
    message = gettext_lazy("This person was already sampled in this session.")


class PersonNotFound(InvalidInput):
    code = "person_not_found"
    message = gettext_lazy("No person in your area is registered with this CCCD. Register them first.")


class PoolFull(Conflict):
    code = "pool_full"
    message = gettext_lazy("This pool already holds all its samples: start a new pool code.")


class PoolNotOpen(Conflict):
    code = "pool_not_open"
    message = gettext_lazy(
        "This pool already has a result or belongs to another session: use a new pool code."
    )


class PooledSample(InvalidInput):
    code = "pooled_sample"
    message = gettext_lazy("This sample was tested in a pool: enter the pool's result instead.")


class StaleResult(Conflict):
    code = "stale_result"
    message = gettext_lazy("A later result is already recorded: an earlier one cannot replace it.")


class SampleChanged(Conflict):
    code = "sample_changed"
    message = gettext_lazy("Someone else changed this sample's result first; reload it and try again.")

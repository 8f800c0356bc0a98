"""Writes of testing (S18): rounds and sessions, samples, results, pools, and telling wards of positives.

Each write is one transaction: permission and scope first (a refusal is logged outside the transaction),
then the row lock, then compare-and-set on `version`. Submissions are idempotent: a round by its
idempotency key, a sample by its code, a result by its outcome (the same outcome again changes nothing,
a different one is a correction kept in ResultCorrection).

Callers use this package as one module (`from phaodai.diagnostics import services; services.X`); its
modules are cadence (policy), rounds, samples (and pools while they fill), results (and pool results),
announce (positives to the wards), labs and errors. To replace a function in a test, patch it where it
is called from (e.g. `services.results.announce_positives`), not here.
"""

from phaodai.core.errors import InvalidInput
from phaodai.diagnostics.services.announce import announce_positives
from phaodai.diagnostics.services.cadence import (
    FREQUENT_CADENCE_DAYS,
    GROUP_RISK,
    USUAL_CADENCE_DAYS,
    default_cadence,
    needs_frequent_testing,
    session_days,
)
from phaodai.diagnostics.services.errors import (
    AlreadySampled,
    DuplicateSample,
    InvalidSampleCode,
    PersonNotFound,
    PooledSample,
    PoolFull,
    PoolNotOpen,
    RoundChanged,
    RoundClosed,
    SampleChanged,
    SessionNotOpen,
    SlowCadence,
    StaleResult,
)
from phaodai.diagnostics.services.labs import LABS_DATA, ensure_labs, lab_by_code
from phaodai.diagnostics.services.results import (
    MEMBER_OUTCOME,
    POOL_TYPE,
    RESULT_OUTCOMES,
    Change,
    PoolResult,
    apply_imported_pool_result,
    may_enter_result,
    record_pool_result,
    record_result,
)
from phaodai.diagnostics.services.rounds import (
    MAX_AREAS,
    MAX_ROUND_DAYS,
    MAX_TARGET_LINES,
    NAME_MAX,
    PLACE_MAX,
    POOL_SIZES,
    ROUND_TYPE,
    RoundPlan,
    TargetsAdded,
    add_targets,
    close_round,
    create_round,
    refresh_targets,
)
from phaodai.diagnostics.services.samples import (
    SAMPLE_TYPE,
    TEAM_MAX,
    SampleInput,
    checked_sample_code,
    register_sample,
)

__all__ = [
    "FREQUENT_CADENCE_DAYS",
    "GROUP_RISK",
    "LABS_DATA",
    "MAX_AREAS",
    "MAX_ROUND_DAYS",
    "MAX_TARGET_LINES",
    "MEMBER_OUTCOME",
    "NAME_MAX",
    "PLACE_MAX",
    "POOL_SIZES",
    "POOL_TYPE",
    "RESULT_OUTCOMES",
    "ROUND_TYPE",
    "SAMPLE_TYPE",
    "TEAM_MAX",
    "USUAL_CADENCE_DAYS",
    "AlreadySampled",
    "Change",
    "DuplicateSample",
    "InvalidInput",  # the core error, as callers and tests have always reached it here
    "InvalidSampleCode",
    "PersonNotFound",
    "PoolFull",
    "PoolNotOpen",
    "PoolResult",
    "PooledSample",
    "RoundChanged",
    "RoundClosed",
    "RoundPlan",
    "SampleChanged",
    "SampleInput",
    "SessionNotOpen",
    "SlowCadence",
    "StaleResult",
    "TargetsAdded",
    "add_targets",
    "announce_positives",
    "apply_imported_pool_result",
    "checked_sample_code",
    "close_round",
    "create_round",
    "default_cadence",
    "ensure_labs",
    "lab_by_code",
    "may_enter_result",
    "needs_frequent_testing",
    "record_pool_result",
    "record_result",
    "refresh_targets",
    "register_sample",
    "session_days",
]

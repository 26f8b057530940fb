"""Probabilistic record linkage of source rows to registry persons (Splink, DuckDB embedded).

The model is Fellegi–Sunter as Splink implements it: each compared attribute (name, phone,
birth date, address) falls into one of a few agreement levels, each level has an ``m``
probability (among true matches) and a ``u`` probability (among non-matches), and a pair's match
weight is the sum of ``log2(m/u)`` plus the prior. Nothing here knows how the data was made:

* ``u`` is estimated by sampling random person × row pairs (``estimate_u_using_random_sampling``);
* ``m`` by expectation maximisation on blocked pairs (pairs sharing a phone, pairs sharing the
  name and birth year, pairs sharing the room), no labels needed;
* the prior (how many rows have a match at all) from deterministic rules with an assumed recall
  (``LinkageSettings.deterministic_recall``);
* name and room agreement are adjusted by how common the value is (term frequencies), so that
  two 王伟 agree less than two 欧阳子瑜.

Small inputs (tests, a grid worker's list of ten tenants against a small registry) cannot train
a model; below ``LinkageSettings.min_training_records`` the documented priors in
:data:`PRIOR_M_U` are used as they are, and the result says so (``model["trained"]``).

Candidate pairs come only from blocking rules that stay small at city scale (never "all
persons with this surname"): the same phone; the same name pinyin and birth year; the same name
pinyin and road, community or district; the same room; the same surname and building; the
same surname and birth date; the same surname and last four phone digits; the same given name
(pinyin) and road.

Only :func:`link_rows` builds the DuckDB backend; the comparisons and blocking rules are
backend-independent Splink settings, so Splink's Spark backend is the path beyond one machine
(see ADR 0007).

Each row's best candidate decides: at least ``accept_threshold`` and clearly ahead of the
runner-up → linked; at least ``review_threshold`` (or two candidates too close to call) →
review queue; else unmatched.
"""

from __future__ import annotations

import logging
import math
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from .features import FEATURE_COLUMNS, Features, features_of

logger = logging.getLogger(__name__)

Decision = Literal["linked", "review", "unmatched"]
LINKED: Decision = "linked"
REVIEW: Decision = "review"
UNMATCHED: Decision = "unmatched"

PERSONS = "persons"
ROWS = "rows"


@dataclass(frozen=True)
class LinkRecord:
    """One record to link: a registry person or a source row.

    ``key`` identifies it to the caller (a person's primary key, a source record's primary key,
    a row number). ``address_parts`` (standard parts, see :mod:`.features`) wins over parsing
    ``address`` when given."""

    key: Any
    name: str
    phone: str = ""
    birth_date: date | str | None = None
    address: str = ""
    address_parts: Mapping[str, str] | None = None

    def features(self) -> Features:
        return features_of(
            name=self.name,
            phone=self.phone,
            birth_date=self.birth_date,
            address=self.address,
            address_parts_given=self.address_parts,
        )


@dataclass(frozen=True)
class LinkageSettings:
    """Thresholds and training options (defaults: :meth:`from_django_settings`)."""

    accept_threshold: float = 0.95  # at least this → linked automatically
    review_threshold: float = 0.50  # at least this (below accept) → review queue
    # The best candidate must lead the runner-up (itself at least review_threshold) by this
    # many bits of match weight (log2 likelihood ratio) to be linked automatically.
    ambiguity_margin_bits: float = 4.0
    # Train (u by sampling, m by EM) only when both sides have at least this many records;
    # below it the priors are used as they are. ``train`` True/False forces either way.
    min_training_records: int = 2000
    train: bool | None = None
    max_pairs_for_u: float = 5e6
    seed: int = 4404
    deterministic_recall: float = 0.7
    em_max_pairs: float = 2e6
    threads: int | None = None  # DuckDB threads (None: DuckDB's default, all cores)
    memory_limit: str | None = None  # e.g. "8GB"
    max_candidates: int = 3  # kept per row for the review queue
    # After training, no agreement level is believed rarer than this among true matches: EM
    # drives the m of a level it never sees among matches towards zero (e.g. a room left out,
    # when no training row left it out), which would make one such row unlinkable.
    min_m_probability: float = 0.001

    def __post_init__(self) -> None:
        if not 0 < self.review_threshold <= self.accept_threshold < 1:
            raise ValueError(
                "Linkage thresholds must satisfy 0 < review_threshold <= accept_threshold < 1."
            )

    @classmethod
    def from_django_settings(cls, **overrides: Any) -> LinkageSettings:
        """Defaults from ``CIVICGRID_LINKAGE_ACCEPT_THRESHOLD`` /
        ``CIVICGRID_LINKAGE_REVIEW_THRESHOLD`` / ``CIVICGRID_LINKAGE_THREADS`` /
        ``CIVICGRID_LINKAGE_MEMORY_LIMIT`` when set, then ``overrides`` (``None`` values are
        ignored)."""
        from django.conf import settings

        values: dict[str, Any] = {}
        for name, setting in (
            ("accept_threshold", "CIVICGRID_LINKAGE_ACCEPT_THRESHOLD"),
            ("review_threshold", "CIVICGRID_LINKAGE_REVIEW_THRESHOLD"),
            ("threads", "CIVICGRID_LINKAGE_THREADS"),
            ("memory_limit", "CIVICGRID_LINKAGE_MEMORY_LIMIT"),
        ):
            value = getattr(settings, setting, None)
            if value not in (None, ""):
                values[name] = value
        for name in ("accept_threshold", "review_threshold"):
            if name in values:
                values[name] = float(values[name])
        if "threads" in values:
            values["threads"] = int(values["threads"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


@dataclass(frozen=True)
class Candidate:
    person_key: Any
    match_probability: float
    match_weight: float


@dataclass(frozen=True)
class RowLink:
    """The outcome for one source row."""

    row_key: Any
    decision: Decision
    person_key: Any | None  # the best candidate (also for review and, if any, unmatched)
    match_probability: float  # of the best candidate; 0.0 when there was none
    candidates: tuple[Candidate, ...] = ()  # best first, at most max_candidates


@dataclass
class LinkOutcome:
    results: list[RowLink]
    model: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    pair_count: int = 0
    person_count: int = 0  # persons linked against

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {LINKED: 0, REVIEW: 0, UNMATCHED: 0}
        for result in self.results:
            counts[result.decision] += 1
        return counts


# --- the model -------------------------------------------------------------------------------

# Priors for every comparison level, in level order without the null level: (m, u).
# They describe records in general (a name typo is rarer than an exact name; a random pair
# rarely shares a phone), not any generator; training replaces them when data suffices.
PRIOR_M_U: dict[str, list[tuple[float, float]]] = {
    "name": [(0.80, 0.0005), (0.06, 0.0002), (0.07, 0.002), (0.04, 0.01), (0.03, 0.9873)],
    "phone": [(0.80, 0.00001), (0.06, 0.0001), (0.14, 0.99989)],
    "birth_date": [
        (0.88, 0.0001),
        (0.04, 0.002),
        (0.02, 0.00005),
        (0.03, 0.0125),
        (0.03, 0.98535),
    ],
    "address": [
        (0.55, 0.0001),
        (0.12, 0.002),
        (0.05, 0.005),
        (0.10, 0.05),
        (0.10, 0.2),
        (0.08, 0.7429),
    ],
}
# Share of rows expected to have a match, for the untrained prior: λ = share / persons.
PRIOR_MATCH_SHARE = 0.8


def _comparisons() -> list[Any]:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def with_priors(comparison: Any, name: str) -> Any:
        pairs = PRIOR_M_U[name]
        return comparison.configure(
            m_probabilities=[m for m, _ in pairs], u_probabilities=[u for _, u in pairs]
        )

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name_pinyin"),
            cll.ExactMatchLevel("name", term_frequency_adjustments=True),
            cll.ExactMatchLevel("name_pinyin").configure(
                label_for_charts="Same pinyin (homophone or traditional characters)"
            ),
            cll.And(
                cll.ExactMatchLevel("surname_pinyin"), cll.DamerauLevenshteinLevel("name", 1)
            ).configure(label_for_charts="Same surname, one character different"),
            cll.JaroWinklerLevel("name_pinyin", 0.88),
            cll.ElseLevel(),
        ],
    )
    name = with_priors(name, "name")
    phone = cl.CustomComparison(
        output_column_name="phone",
        comparison_levels=[
            cll.NullLevel("phone"),
            cll.ExactMatchLevel("phone"),
            cll.DamerauLevenshteinLevel("phone", 1),
            cll.ElseLevel(),
        ],
    )
    phone = with_priors(phone, "phone")
    birth_date = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date"),
            cll.DamerauLevenshteinLevel("birth_date", 1),
            {
                # Day and month written the other way round (a common slip).
                "sql_condition": (
                    "birth_year_l = birth_year_r"
                    " AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2)"
                    " AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)"
                ),
                "label_for_charts": "Day and month swapped",
            },
            cll.ExactMatchLevel("birth_year"),
            cll.ElseLevel(),
        ],
    )
    birth_date = with_priors(birth_date, "birth_date")
    address_is_null = (
        "(address_building_l IS NULL AND address_community_l IS NULL"
        " AND address_district_l IS NULL)"
        " OR (address_building_r IS NULL AND address_community_r IS NULL"
        " AND address_district_r IS NULL)"
    )
    address = cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            {"sql_condition": address_is_null, "label_for_charts": "Null", "is_null_level": True},
            cll.ExactMatchLevel("address_full", term_frequency_adjustments=True),
            cll.ExactMatchLevel("address_building"),
            cll.ExactMatchLevel("address_road"),
            cll.ExactMatchLevel("address_community"),
            cll.ExactMatchLevel("address_district"),
            cll.ElseLevel(),
        ],
    )
    address = with_priors(address, "address")
    return [name, phone, birth_date, address]


def _blocking_rules() -> list[Any]:
    from splink import block_on

    return [
        block_on("phone"),
        block_on("name_pinyin", "birth_year"),
        block_on("name_pinyin", "address_road"),
        block_on("address_full"),
        block_on("surname_pinyin", "address_building"),
        block_on("surname_pinyin", "birth_date"),
        block_on("surname_pinyin", "phone_tail"),
        block_on("given_pinyin", "address_road"),
        block_on("name_pinyin", "address_community"),
        block_on("name_pinyin", "address_district"),
    ]


PERSON_BATCH = 50_000  # persons turned into Arrow columns at a time


def _batch(records: Sequence[Features], first_id: int) -> Any:
    """An Arrow record batch of ``records``, their ``unique_id`` counted from ``first_id``."""
    import pyarrow as pa

    columns = [pa.array(range(first_id, first_id + len(records)), type=pa.int64())]
    for name in FEATURE_COLUMNS:
        columns.append(pa.array([getattr(r, name) for r in records], type=pa.string()))
    return pa.RecordBatch.from_arrays(columns, names=["unique_id", *FEATURE_COLUMNS])


def _table(batches: Sequence[Any]) -> Any:
    import pyarrow as pa

    return pa.Table.from_batches(batches, schema=_batch([], 0).schema)


def _person_batches(persons: Iterable[LinkRecord]) -> tuple[list[Any], list[Any]]:
    """The persons' keys (by ``unique_id``) and their features as Arrow record batches."""
    keys: list[Any] = []
    batches: list[Any] = []
    pending: list[Features] = []
    for person in persons:
        keys.append(person.key)
        pending.append(person.features())
        if len(pending) >= PERSON_BATCH:
            batches.append(_batch(pending, len(keys) - len(pending)))
            pending = []
    if pending:
        batches.append(_batch(pending, len(keys) - len(pending)))
    return keys, batches


def _prior_lambda(person_count: int) -> float:
    return min(0.5, PRIOR_MATCH_SHARE / max(person_count, 1))


def link_rows(
    rows: Iterable[LinkRecord],
    persons: Iterable[LinkRecord],
    *,
    settings: LinkageSettings | None = None,
) -> LinkOutcome:
    """Match every row to at most one person (see the module docstring).

    Returns one :class:`RowLink` per row, in the order given."""
    settings = settings or LinkageSettings()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    row_list = list(rows)
    row_features = [r.features() for r in row_list]
    if not row_list:
        timings["features_seconds"] = time.perf_counter() - started
        return LinkOutcome(results=[], model={"trained": False}, timings=timings)
    # Persons are read as they come and kept only as Arrow columns (and their keys), not as
    # Python objects (1 M persons: 245 MB less at the peak, ADR 0007); with no rows to link
    # they are not read at all.
    person_keys, person_batches = _person_batches(persons)
    timings["features_seconds"] = time.perf_counter() - started
    if not person_keys:
        return LinkOutcome(
            results=[RowLink(r.key, UNMATCHED, None, 0.0) for r in row_list],
            model={"trained": False},
            timings=timings,
        )

    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator

    step = time.perf_counter()
    connection = duckdb.connect(":memory:")
    # What does not fit in memory spills to the system's temporary directory (DuckDB's default
    # would be a .tmp folder in the working directory).
    connection.execute("SET temp_directory = ?", [str(Path(tempfile.gettempdir()) / "civicgrid")])
    if settings.threads:
        connection.execute(f"SET threads = {int(settings.threads)}")
    if settings.memory_limit:
        connection.execute("SET memory_limit = ?", [settings.memory_limit])
    db_api = DuckDBAPI(connection)
    persons_table = db_api.register(_table(person_batches), dataset_display_name=PERSONS)
    del person_batches
    rows_table = db_api.register(_table([_batch(row_features, 0)]), dataset_display_name=ROWS)
    splink_settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=_comparisons(),
        blocking_rules_to_generate_predictions=_blocking_rules(),
        probability_two_random_records_match=_prior_lambda(len(person_keys)),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([persons_table, rows_table], splink_settings, log_level=logging.WARNING)
    timings["load_seconds"] = time.perf_counter() - step

    should_train = settings.train
    if should_train is None:
        should_train = min(len(row_list), len(person_keys)) >= settings.min_training_records
    model: dict[str, Any] = {"trained": bool(should_train)}
    if should_train:
        step = time.perf_counter()
        model.update(_train(linker, settings))
        timings["training_seconds"] = time.perf_counter() - step
    model["probability_two_random_records_match"] = (
        linker._settings_obj._probability_two_random_records_match
    )

    step = time.perf_counter()
    floor = min(settings.review_threshold, 0.05)
    predictions = linker.inference.predict(threshold_match_probability=floor, warning_mode="never")
    table = predictions.physical_name  # Splink's own generated table name
    ranked = connection.execute(
        f"""
        WITH oriented AS (
            SELECT
                CASE WHEN source_dataset_l = $rows THEN unique_id_l ELSE unique_id_r END
                    AS row_id,
                CASE WHEN source_dataset_l = $rows THEN unique_id_r ELSE unique_id_l END
                    AS person_id,
                match_probability, match_weight
            FROM {table}
        ), ranked AS (
            SELECT *, row_number() OVER (
                PARTITION BY row_id ORDER BY match_weight DESC, person_id
            ) AS rank
            FROM oriented
        )
        SELECT row_id, person_id, match_probability, match_weight, rank FROM ranked
        WHERE rank <= $keep ORDER BY row_id, rank
        """,  # noqa: S608 - the table name is Splink's own, values are parameters
        {"rows": ROWS, "keep": max(2, settings.max_candidates)},
    ).fetchall()
    pair_count = connection.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
    timings["prediction_seconds"] = time.perf_counter() - step
    connection.close()

    by_row: dict[int, list[Candidate]] = {}
    for row_id, person_id, probability, weight, _rank in ranked:
        by_row.setdefault(int(row_id), []).append(
            Candidate(person_keys[int(person_id)], float(probability), float(weight))
        )
    results = [
        decide(row.key, by_row.get(index, []), settings) for index, row in enumerate(row_list)
    ]
    timings["total_seconds"] = time.perf_counter() - started
    return LinkOutcome(
        results=results,
        model=model,
        timings=timings,
        pair_count=int(pair_count[0]) if pair_count else 0,
        person_count=len(person_keys),
    )


def decide(row_key: Any, candidates: list[Candidate], settings: LinkageSettings) -> RowLink:
    """The decision for one row from its candidates (best first)."""
    if not candidates:
        return RowLink(row_key, UNMATCHED, None, 0.0)
    best = candidates[0]
    kept = tuple(
        c
        for c in candidates[: settings.max_candidates]
        if c.match_probability >= settings.review_threshold
    )
    if best.match_probability < settings.review_threshold:
        return RowLink(row_key, UNMATCHED, best.person_key, best.match_probability)
    runner_up = candidates[1] if len(candidates) > 1 else None
    is_clear = (
        runner_up is None
        or runner_up.match_probability < settings.review_threshold
        or best.match_weight - runner_up.match_weight >= settings.ambiguity_margin_bits
    )
    if best.match_probability >= settings.accept_threshold and is_clear:
        return RowLink(row_key, LINKED, best.person_key, best.match_probability, kept)
    return RowLink(row_key, REVIEW, best.person_key, best.match_probability, kept)


def _train(linker: Any, settings: LinkageSettings) -> dict[str, Any]:
    """Estimate λ, u and m from the data itself (no labels); return a summary."""
    from splink import block_on

    summary: dict[str, Any] = {}
    try:
        linker.training.estimate_probability_two_random_records_match(
            [block_on("name", "phone"), block_on("name", "birth_date")],
            recall=settings.deterministic_recall,
        )
    except ValueError as error:  # e.g. more deterministic matches than the recall allows
        logger.warning("Linkage prior kept: %s", error)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=settings.max_pairs_for_u, seed=settings.seed
    )
    sessions = []
    for rule in (
        block_on("phone"),
        block_on("name_pinyin", "birth_year"),
        block_on("address_full"),
    ):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=settings.em_max_pairs, estimate_without_term_frequencies=True
            )
            sessions.append(rule.get_blocking_rule("duckdb").blocking_rule_sql)
        except Exception as error:
            logger.warning("Linkage EM on %s skipped: %s", rule, error)
    summary["em_blocking_rules"] = sessions
    _floor_m_probabilities(linker, settings.min_m_probability)
    summary["parameters"] = _parameters(linker)
    return summary


def _floor_m_probabilities(linker: Any, floor: float) -> None:
    """Raise every trained m below ``floor`` to it and renormalise each comparison's m."""
    if floor <= 0:
        return
    for comparison in linker._settings_obj.comparisons:
        levels = [level for level in comparison.comparison_levels if not level.is_null_level]
        values = [max(float(level.m_probability or 0.0), floor) for level in levels]
        total = sum(values)
        for level, value in zip(levels, values, strict=True):
            level.m_probability = value / total


def _parameters(linker: Any) -> dict[str, list[dict[str, Any]]]:
    """m and u per comparison level, for the record (and the bench's report)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for comparison in linker._settings_obj.comparisons:
        levels = []
        for level in comparison.comparison_levels:
            if level.is_null_level:
                continue
            m, u = level.m_probability, level.u_probability
            levels.append(
                {
                    "level": level.label_for_charts,
                    "m": _round(m),
                    "u": _round(u),
                }
            )
        out[comparison.output_column_name] = levels
    return out


def _round(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(f"{float(value):.4g}")

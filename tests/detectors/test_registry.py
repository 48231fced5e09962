"""Detector settings from a config: named, typed and within their range."""

from __future__ import annotations

import pytest

from databugs.detectors.registry import all_detectors, check_settings
from databugs.errors import DatabugsError


def test_every_detectors_defaults_are_within_the_ranges_a_config_is_held_to() -> None:
    defaults = {name: detector.settings() for name, detector in all_detectors().items()}
    assert check_settings(defaults, source="defaults") == defaults


@pytest.mark.parametrize(
    ("detector", "setting", "value"),
    [
        ("split_shift", "alpha", 1.5),
        ("near_duplicates", "min_cosine", 1.01),
        ("empty_cells", "max_p_value", -0.1),
        ("empty_cells", "min_ratio", -1.0),
        ("split_leakage", "min_words", -1),
    ],
)
def test_a_setting_out_of_range_is_refused_naming_it(detector, setting, value) -> None:
    with pytest.raises(DatabugsError, match=rf"x: detectors\.{detector}\.{setting} = "):
        check_settings({detector: {setting: value}}, source="x")

"""Checks of keyword options shared by the analyses: one message style, one place.

Each returns the value normalised (a Python int or float) or raises :class:`ParameterError`
naming the option, the value and what is allowed.
"""

from __future__ import annotations

import math
import numbers

from .errors import ParameterError

__all__ = ["check_alpha", "check_whole", "check_number", "check_share"]


def check_alpha(alpha, name: str = "alpha") -> float:
    """A significance or false-discovery level strictly between 0 and 1."""
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
        raise ParameterError(f"{name} must be between 0 and 1, such as 0.05; not {alpha!r}.")
    return float(alpha)


def check_whole(value, name: str, low: int = 0) -> int:
    """A whole number of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ParameterError(f"{name} must be a whole number of at least {low}, not {value!r}.")
    return int(value)


def check_number(value, name: str, low: float = 0.0, example: str = "1.0") -> float:
    """A finite number of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or not value >= low:
        raise ParameterError(f"{name} must be a number of at least {low:g}, such as {example}; not {value!r}.")
    return float(value)


def check_share(value, name: str) -> float:
    """A share between 0 and 1 inclusive."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ParameterError(f"{name} must be a share between 0 and 1, not {value!r}.")
    return float(value)

"""Customer-lifetime models fitted from their published formulas: the BG/NBD for how many purchases a
customer will make, the Gamma-Gamma model for what each of them is worth.

- BG/NBD: P. S. Fader, B. G. S. Hardie and K. L. Lee (2005), "'Counting your customers' the easy way: an
  alternative to the Pareto/NBD model", Marketing Science 24(2), 275-284.
- Gamma-Gamma: P. S. Fader and B. G. S. Hardie (2013), "The Gamma-Gamma model of monetary value".

A customer's history is summarised as the BG/NBD summarises it: x repeat purchases (every purchase after
the first), t_x the time of the last of them counted from the first purchase (0 when x is 0), and T the
time from the first purchase to the end of the observation, all in one unit of time. The fitted alpha
and a forecast's horizon t are in that same unit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import betaincinv, betaln, digamma, expit, gammaln, hyp2f1

FloatArray = NDArray[np.float64]

_LOG_BOUND: Final = 15.0
"""Every log-parameter stays within ±15 during a fit: far beyond any real estimate, it keeps a sample that
does not identify a parameter (nobody repeating, say) from running it off to infinity."""

_NEAR_ONE: Final = 1e-6
"""Within this distance of a = 1 the closed form of the conditional expectation loses its digits to 0/0."""

_ROWS_PER_BLOCK: Final = 4096
"""Customers integrated at once where the closed form cannot serve: bounds the memory to a few MB."""


@dataclass(frozen=True)
class BgNbd:
    """The BG/NBD model: while alive, a customer buys as a Poisson process of rate lambda ~ Gamma(r, alpha)
    (shape r, rate alpha); after each repeat purchase they drop out for good with probability
    p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    def __post_init__(self) -> None:
        _require_positive(r=self.r, alpha=self.alpha, a=self.a, b=self.b)

    def log_likelihood(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> FloatArray:  # noqa: N803
        """Each customer's log-likelihood: the log of the paper's L(r, alpha, a, b | x, t_x, T), with the
        two ways a history can end (alive at T, or dropped out right after the last purchase, x > 0
        only) summed as a log-sum-exp."""
        x, t_x, age = _history(x, t_x, T)
        return _bgnbd_log_likelihood(self._parameters(), x, t_x, age)

    def probability_alive(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> FloatArray:  # noqa: N803
        """The probability that each customer is still alive at T, 1 / (1 + a / (b + x - 1)
        ((alpha + T) / (alpha + t_x))^(r + x)) for x > 0 (Fader, Hardie and Lee 2008, "Computing P(alive)
        using the BG/NBD model"). It is 1 for x = 0: a customer only drops out right after a repeat
        purchase."""
        return self._probability_alive(*_history(x, t_x, T))

    def expected_purchases(
        self,
        t: ArrayLike,
        x: ArrayLike,
        t_x: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> FloatArray:
        """Each customer's expected number of purchases in the t after T, given their history
        (Fader, Hardie and Lee 2005, eq. 10); the arguments broadcast against each other.

        Eq. 10 is P(alive) (a + b + x - 1) / (a - 1) [1 - ((alpha + T) / (alpha + T + t))^(r + x)
        2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))]. The paper writes it for a > 1, where
        E[1/p] is finite, but what it computes, E[(1 - exp(-lambda p t)) / p] over the posterior, is
        finite for every a > 0, and the closed form, analytic in a, stays exact below 1 (the paper's own
        CDNOW estimate is a = 0.793). We evaluate it after Euler's transformation of 2F1, which keeps the
        power and the series of order one however large x and t are (as eq. 10 stands, SciPy's 2F1
        overflows for many real histories). Where the closed form is 0/0 (a = 1, and a + b = 1 for x = 0)
        or SciPy's 2F1 gives up (extreme parameters), the same expectation is integrated numerically.
        """
        x, t_x, age = _history(x, t_x, T)
        t = np.asarray(t, dtype=float)
        if not np.all(np.isfinite(t)) or np.any(t < 0):
            raise ValueError("t, the forecast's horizon, must be finite and >= 0")
        t, x, t_x, age = np.broadcast_arrays(t, x, t_x, age)
        return self._probability_alive(x, t_x, age) * self._purchases_if_alive(t, x, age)

    def _parameters(self) -> FloatArray:
        return np.array([self.r, self.alpha, self.a, self.b])

    def _probability_alive(self, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        log_odds_dead = (
            np.log(a) - np.log(b + np.maximum(x - 1, 0)) + (r + x) * np.log((alpha + age) / (alpha + t_x))
        )
        return np.asarray(expit(-np.where(x > 0, log_odds_dead, -np.inf)))

    def _purchases_if_alive(self, t: FloatArray, x: FloatArray, age: FloatArray) -> FloatArray:
        """E[(1 - exp(-lambda p t)) / p] over the posterior of lambda and p of a customer alive at T."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        remaining = (alpha + age) / (alpha + age + t)
        with np.errstate(all="ignore"):
            # (1 - z)^(r + x) 2F1(r + x, b + x; c; z) = (1 - z)^(a - 1) 2F1(a + b - 1 - r, a - 1; c; z)
            unconverted = remaining ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, 1 - remaining)
            purchases = np.array((a + b + x - 1) / (a - 1) * (1 - unconverted), dtype=float)
        unusable = ~np.isfinite(purchases) | (abs(a - 1) < _NEAR_ONE)
        if np.any(unusable):
            purchases[unusable] = self._integrated_purchases_if_alive(t[unusable], x[unusable], age[unusable])
        return purchases

    def _integrated_purchases_if_alive(self, t: FloatArray, x: FloatArray, age: FloatArray) -> FloatArray:
        """The same expectation by quadrature: given p, the gamma posterior of lambda gives
        E[1 - exp(-lambda p t)] = 1 - (1 + p t / (alpha + T))^-(r + x); p's posterior Beta(a, b + x) is
        integrated over its quantiles u with the tanh-sinh rule, which copes with the mass that small a
        or b pile up at 0 or 1."""
        quantiles, weights = _tanh_sinh_rule()
        purchases = np.empty(t.shape)
        for count in np.unique(x):
            rows = np.flatnonzero(x == count)
            p = np.maximum(betaincinv(self.a, self.b + count, quantiles), np.finfo(float).tiny)
            for block in np.array_split(rows, -(-rows.size // _ROWS_PER_BLOCK)):
                spread = t[block, None] / (self.alpha + age[block, None])
                bought = -np.expm1(-(self.r + count) * np.log1p(p * spread)) / p
                purchases[block] = np.einsum("ij,j->i", bought, weights)
        return purchases


@cache
def _tanh_sinh_rule(step: float = 0.02, reach: float = 3.5) -> tuple[FloatArray, FloatArray]:
    """Nodes and weights on (0, 1): u = expit(pi sinh(tau)) for tau on a grid of the given step."""
    tau = np.arange(-reach, reach + step / 2, step)
    nodes = expit(np.pi * np.sinh(tau))
    weights = step * np.pi * np.cosh(tau) * nodes * (1 - nodes)
    kept = (nodes > 0) & (nodes < 1) & (weights > 0)
    return nodes[kept], weights[kept]


def fit_bgnbd(
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,  # noqa: N803
    weights: ArrayLike | None = None,
) -> BgNbd:
    """The BG/NBD's maximum-likelihood parameters for these customers (see `BgNbd.log_likelihood`).

    `weights` counts the customers each row stands for (1 each by default); identical histories are
    folded into one weighted row. L-BFGS-B searches the log-parameters with the analytic gradient, time
    measured in units of the mean T, which keeps the four of similar size; alpha is given back in the
    caller's unit. A sample that cannot identify the model (nobody repeating, say) leaves parameters at
    the search's bounds of exp(±15) rather than failing: its forecasts are still the limits the data
    point to, such as no purchases at all.
    """
    x, t_x, age = (np.ravel(column) for column in _history(x, t_x, T))
    if x.size == 0:
        raise ValueError("there are no customers to fit the BG/NBD to")
    counts = _weights(weights, x.size)
    unit = np.average(age, weights=counts)
    if not unit > 0:
        raise ValueError("T is 0 for every customer: no time has passed to learn their purchase rates from")
    sample = _BgNbdSample(*_folded((x, t_x / unit, age / unit), counts / counts.sum()))
    purchase_rate = max(_weighted_sum(sample.shares, sample.x), 1 / counts.sum())
    start = np.log([1.0, 1.0 / purchase_rate, 1.0, 3.0])
    r, alpha, a, b = _maximise(sample.negative_log_likelihood, start, "BG/NBD")
    return BgNbd(r=r, alpha=float(alpha * unit), a=a, b=b)


@dataclass(frozen=True)
class GammaGamma:
    """The Gamma-Gamma model of spend: each of a customer's transactions is worth z ~ Gamma(p, nu)
    (shape p, rate nu), and nu ~ Gamma(q, gamma) across customers; spend is taken to be independent of
    how often a customer buys."""

    p: float
    q: float
    gamma: float

    def __post_init__(self) -> None:
        _require_positive(p=self.p, q=self.q, gamma=self.gamma)

    def log_likelihood(self, x: ArrayLike, m: ArrayLike) -> FloatArray:
        """Each customer's log-likelihood of m, the mean of x >= 1 transactions (Fader and Hardie 2013,
        the distribution of the average transaction value)."""
        x, m = _spend(x, m)
        if np.any(x < 1) or np.any(m <= 0):
            raise ValueError("the Gamma-Gamma likelihood needs x >= 1 transactions of mean value m > 0")
        p, q, gamma = self.p, self.q, self.gamma
        return np.asarray(
            gammaln(p * x + q)
            - gammaln(p * x)
            - gammaln(q)
            + q * np.log(gamma)
            + (p * x - 1) * np.log(m)
            + p * x * np.log(x)
            - (p * x + q) * np.log(gamma + m * x)
        )

    def expected_order_value(self, x: ArrayLike, m: ArrayLike) -> FloatArray:
        """Each customer's expected value of a transaction given x transactions of mean value m (Fader and
        Hardie 2013, the conditional expectation): p (gamma + x m) / (p x + q - 1), a weighted mean of the
        population's mean p gamma / (q - 1) and the customer's own m. For x = 0 it is the population's
        mean, whatever m.

        It needs q > 1: for q <= 1 the population's mean order value is infinite (E[1/nu] diverges), so
        a fit with q <= 1 raises ValueError here rather than giving some customers infinite value.
        """
        if not self.q > 1:
            raise ValueError(
                f"q = {self.q:.4g} <= 1: the Gamma-Gamma model then has no finite mean order value"
            )
        x, m = _spend(x, m)
        return np.asarray(self.p * (self.gamma + x * m) / (self.p * x + self.q - 1))


def fit_gamma_gamma(x: ArrayLike, m: ArrayLike, weights: ArrayLike | None = None) -> GammaGamma:
    """The Gamma-Gamma model's maximum-likelihood parameters, fitted to the customers with x >= 1
    transactions of mean value m > 0; the others carry nothing about spend and are left out.

    `weights` counts the customers each row stands for (1 each by default). Money is measured in units of
    the mean m while fitting, and gamma is given back in the caller's unit.
    """
    x, m = (np.ravel(column) for column in _spend(x, m))
    counts = _weights(weights, x.size)
    kept = (x >= 1) & (m > 0) & (counts > 0)
    if not np.any(kept):
        raise ValueError(
            "there is no customer with a transaction of positive value to fit the Gamma-Gamma to"
        )
    unit = np.average(m[kept], weights=counts[kept])
    sample = _GammaGammaSample(*_folded((x[kept], m[kept] / unit), counts[kept] / counts[kept].sum()))
    p, q, gamma = _maximise(sample.negative_log_likelihood, np.log([1.0, 2.0, 1.0]), "Gamma-Gamma")
    return GammaGamma(p=p, q=q, gamma=float(gamma * unit))


def _bgnbd_log_likelihood(
    parameters: FloatArray, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    r, alpha = parameters[:2]
    alive, dead = _bgnbd_endings(parameters, x, t_x, age)
    return np.asarray(_bgnbd_counting(parameters, x) + r * np.log(alpha) + np.logaddexp(alive, dead))


def _bgnbd_counting(parameters: FloatArray, x: FloatArray) -> FloatArray:
    """The likelihood's factors that depend on x alone, in logs."""
    r, _, a, b = parameters
    return np.asarray(gammaln(r + x) - gammaln(r) + betaln(a, b + x) - betaln(a, b))


def _bgnbd_endings(
    parameters: FloatArray, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The likelihood's two terms beside the factors in x alone, in logs: still alive at T, and dropped
    out right after the last purchase (impossible without a repeat purchase)."""
    r, alpha, a, b = parameters
    alive = -(r + x) * np.log(alpha + age)
    dead = np.log(a) - np.log(b + np.maximum(x - 1, 0)) - (r + x) * np.log(alpha + t_x)
    return alive, np.where(x > 0, dead, -np.inf)


class _BgNbdSample:
    """Histories weighted by their share of the customers; the factors in x alone are computed once per
    distinct x."""

    def __init__(self, columns: tuple[FloatArray, ...], shares: FloatArray) -> None:
        self.x, self.t_x, self.age = columns
        self.shares = shares
        self.counts, self.count_shares = _distinct(self.x, shares)

    def negative_log_likelihood(self, log_parameters: FloatArray) -> tuple[float, FloatArray]:
        """The mean negative log-likelihood per customer and its gradient in the log-parameters."""
        parameters = np.exp(log_parameters)
        r, alpha, a, b = parameters
        x, t_x, age, shares, counts = self.x, self.t_x, self.age, self.shares, self.counts
        alive, dead = _bgnbd_endings(parameters, x, t_x, age)
        log_likelihood = (
            _weighted_sum(self.count_shares, _bgnbd_counting(parameters, counts))
            + r * np.log(alpha)
            + _weighted_sum(shares, np.logaddexp(alive, dead))
        )
        died = shares * expit(dead - alive)  # each customer's share times the weight of "dropped out"
        survived = shares - died
        beta_shift = _weighted_sum(self.count_shares, digamma(a + b) - digamma(a + b + counts))
        gradient = parameters * np.array(
            [
                _weighted_sum(self.count_shares, digamma(r + counts) - digamma(r))
                + np.log(alpha)
                - _weighted_sum(survived, np.log(alpha + age))
                - _weighted_sum(died, np.log(alpha + t_x)),
                r / alpha
                - _weighted_sum(survived, (r + x) / (alpha + age))
                - _weighted_sum(died, (r + x) / (alpha + t_x)),
                beta_shift + died.sum() / a,
                beta_shift
                + _weighted_sum(self.count_shares, digamma(b + counts) - digamma(b))
                - _weighted_sum(died, 1 / (b + np.maximum(x - 1, 0))),
            ]
        )
        return -float(log_likelihood), -gradient


class _GammaGammaSample:
    """Mean transaction values weighted by their share of the customers; the terms in x alone are
    computed once per distinct x."""

    def __init__(self, columns: tuple[FloatArray, ...], shares: FloatArray) -> None:
        self.x, m = columns
        self.shares = shares
        self.log_m = np.log(m)
        self.spend = m * self.x
        self.counts, self.count_shares = _distinct(self.x, shares)

    def negative_log_likelihood(self, log_parameters: FloatArray) -> tuple[float, FloatArray]:
        """The mean negative log-likelihood per customer and its gradient in the log-parameters."""
        parameters = np.exp(log_parameters)
        p, q, gamma = parameters
        x, shares, counts, count_shares = self.x, self.shares, self.counts, self.count_shares
        log_total = np.log(gamma + self.spend)
        log_likelihood = (
            _weighted_sum(
                count_shares, gammaln(p * counts + q) - gammaln(p * counts) + p * counts * np.log(counts)
            )
            - gammaln(q)
            + q * np.log(gamma)
            + _weighted_sum(shares, (p * x - 1) * self.log_m - (p * x + q) * log_total)
        )
        gradient = parameters * np.array(
            [
                _weighted_sum(
                    count_shares, counts * (digamma(p * counts + q) - digamma(p * counts) + np.log(counts))
                )
                + _weighted_sum(shares * x, self.log_m - log_total),
                _weighted_sum(count_shares, digamma(p * counts + q))
                - digamma(q)
                + np.log(gamma)
                - _weighted_sum(shares, log_total),
                q / gamma - _weighted_sum(shares, (p * x + q) / (gamma + self.spend)),
            ]
        )
        return -float(log_likelihood), -gradient


def _weighted_sum(weights: FloatArray, values: FloatArray) -> float:
    """sum(weights * values), without BLAS: its threads stall on a busy machine (a 100,000-long dot
    product then takes milliseconds instead of microseconds)."""
    return float(np.einsum("i,i->", weights, values))


def _maximise(
    objective: Callable[[FloatArray], tuple[float, FloatArray]], start: FloatArray, model: str
) -> tuple[float, ...]:
    result = minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[(-_LOG_BOUND, _LOG_BOUND)] * start.size,
        options={"maxiter": 1000, "ftol": 1e-12, "gtol": 1e-7},
    )
    parameters = np.exp(result.x)
    if not (np.isfinite(result.fun) and np.all(np.isfinite(parameters))):
        raise ValueError(f"the {model} fit found no finite maximum of the likelihood: {result.message}")
    return tuple(float(value) for value in parameters)


def _history(x: ArrayLike, t_x: ArrayLike, age: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    x, t_x, age = _broadcast(x=x, t_x=t_x, T=age)
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("x, the number of repeat purchases, must be a whole number >= 0")
    if np.any(age < 0):
        raise ValueError("T, the time since the first purchase, must be >= 0")
    if np.any(t_x < 0) or np.any(t_x > age):
        outside = int(np.count_nonzero((t_x < 0) | (t_x > age)))
        raise ValueError(f"t_x, the time of the last purchase, must lie between 0 and T ({outside} do not)")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("t_x must be 0 for a customer with no repeat purchase (x = 0)")
    return x, t_x, age


def _spend(x: ArrayLike, m: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, m = _broadcast(x=x, m=m)
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("x, the number of transactions, must be a whole number >= 0")
    if np.any(m < 0):
        raise ValueError("m, the mean transaction value, must be >= 0")
    return x, m


def _broadcast(**columns: ArrayLike) -> tuple[FloatArray, ...]:
    arrays = [np.asarray(values, dtype=float) for values in columns.values()]
    try:
        arrays = list(np.broadcast_arrays(*arrays))
    except ValueError:
        shapes = ", ".join(f"{name} {array.shape}" for name, array in zip(columns, arrays, strict=True))
        raise ValueError(f"the customers' columns differ in length: {shapes}") from None
    if not all(np.all(np.isfinite(array)) for array in arrays):
        raise ValueError(f"{', '.join(columns)} must be finite numbers")
    return tuple(arrays)


def _weights(weights: ArrayLike | None, size: int) -> FloatArray:
    if weights is None:
        return np.ones(size)
    counts = np.asarray(weights, dtype=float).ravel()
    if counts.shape != (size,):
        raise ValueError(f"weights has {counts.size} values for {size} customers")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0) or not counts.sum() > 0:
        raise ValueError("weights must be finite, >= 0 and not all 0")
    return counts


def _distinct(values: FloatArray, shares: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The distinct values and the total share of each."""
    distinct, inverse = np.unique(values, return_inverse=True)
    return distinct, np.bincount(inverse.ravel(), weights=shares).astype(float)


def _folded(columns: tuple[FloatArray, ...], counts: FloatArray) -> tuple[tuple[FloatArray, ...], FloatArray]:
    """Identical rows folded into one each, weighted by how many customers they stand for."""
    order = np.lexsort(columns[::-1])
    ordered = [column[order] for column in columns]
    starts = np.ones(order.size, dtype=bool)
    starts[1:] = np.logical_or.reduce([column[1:] != column[:-1] for column in ordered])
    totals = np.add.reduceat(counts[order], np.flatnonzero(starts))
    kept = totals > 0
    return tuple(column[starts][kept] for column in ordered), totals[kept]


def _require_positive(**parameters: float) -> None:
    for name, value in parameters.items():
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a finite number > 0, not {value}")

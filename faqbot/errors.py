"""Domain errors raised by the core and translated at the edges.

The CLI turns a :class:`FaqbotError` into a one-sentence message and a
non-zero exit code; the web API turns it into its JSON error shape.  Every
message names the bad value and says what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass


class FaqbotError(Exception):
    """Base class of every error the core raises on purpose."""

    #: A short machine-readable code used by the API's error shape.
    code = "faqbot_error"


class InputError(FaqbotError):
    """A value supplied by a user (CLI option, API field, message) is invalid."""

    code = "invalid_input"


class UnknownProductError(InputError):
    """A product id that the knowledge base does not define."""

    code = "unknown_product"


class NoBillingError(InputError):
    """The knowledge base has no billing calculator: it lists no products, or has no computed answer (compute.yaml)."""

    code = "no_billing"

    def __init__(self, root: object) -> None:
        super().__init__(
            f"The knowledge base {root} has no billing calculator (it lists no products or has no compute.yaml); "
            "ask its FAQ instead, e.g. with `faqbot ask`."
        )


class UnknownPlanError(InputError):
    """A plan id that is neither ``monthly`` nor ``annual`` (or whatever the KB defines)."""

    code = "unknown_plan"


class PlanNotOfferedError(InputError):
    """The product is known, but the knowledge base says it is not sold on that plan.

    The message is for staff and API clients (English); ``product``, ``plan`` and ``offered``
    let an answer to a customer word it in the customer's language.
    """

    code = "plan_not_offered"

    def __init__(self, product: str, plan: str, offered: tuple[str, ...]) -> None:
        super().__init__(f"{product} is not sold on the plan {plan!r}; its plans are {', '.join(offered)}.")
        self.product = product
        self.plan = plan
        self.offered = offered


class ExpiryInPastError(InputError):
    """The expiry date lies before ``today``: there is no next billing to compute.

    The message is for staff and API clients (English); ``expiry`` and ``today`` (ISO dates)
    let an answer to a customer word it in the customer's language.
    """

    code = "expiry_in_past"

    def __init__(self, expiry: str, today: str) -> None:
        super().__init__(
            f"The expiry {expiry} is before today ({today}); look up the current expiry in the account "
            "and compute again with it."
        )
        self.expiry = expiry
        self.today = today


class InvalidDateError(InputError):
    """A date string that is not a real calendar date (e.g. 2027-02-30)."""

    code = "invalid_date"


class MessageTooLongError(InputError):
    """A message longer than the dialogue reads; ``length`` and ``limit`` let a front end word it."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"The message is {length} characters long; send at most {limit}.")
        self.length = length
        self.limit = limit


class UnknownEntryError(InputError):
    """An FAQ entry id that the knowledge base does not define."""

    code = "unknown_entry"


@dataclass(frozen=True)
class Problem:
    """One problem found in a knowledge base, located as ``file:line``."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" or "warning"

    @property
    def location(self) -> str:
        """``file:line``, or ``file`` alone when the problem has no line (line 0: a missing file, a folder)."""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class KnowledgeBaseError(FaqbotError):
    """A knowledge base that cannot be loaded; carries every problem found."""

    code = "knowledge_base_error"

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        first = str(self.problems[0]) if self.problems else "unknown problem"
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more != 1 else ''})" if more > 0 else ""
        super().__init__(first + suffix)

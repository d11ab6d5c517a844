"""Notes on the outlets a question names that its answer cites nothing from.

"How did The Verge and TechCrunch cover X?" over a corpus where The Verge never wrote about X was answered from
TechCrunch alone, and nothing told the reader that The Verge was missing: a journalist comparing coverage reads
that silence as "both said this". A named outlet the answer does not cite gets a note, saying whether any passage
of it was found at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.retrieval.plan import QueryPlan
from bot.types import Answer, Hit
from index.text import counted


def outlet_notes(plan: QueryPlan, answer: Answer, hits: Sequence[Hit]) -> list[str]:
    """One note per outlet the question names (as it names it) that no citation of `answer` comes from."""
    if not answer.citations:
        return []  # no answer to speak of: the reply already says nothing answers the question
    cited = {c.chunk.outlet for c in answer.citations}
    notes: list[str] = []
    seen: set[frozenset[str]] = set()
    for (start, end), group in zip(plan.outlet_spans, plan.outlet_groups):
        if not group or group in seen or group & cited:
            continue
        seen.add(group)
        name = plan.question[start:end]  # as the reader wrote it: "CNBC", not "Cnbc | World Business News Leader"
        found = sum(h.chunk.outlet in group for h in hits)
        notes.append(f"The answer cites nothing from {name}, though {counted(found, 'passage')} from it "
                     f"{'was' if found == 1 else 'were'} retrieved." if found
                     else f"Nothing from {name} was found for this question.")
    return notes

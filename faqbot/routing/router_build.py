"""Building a router: every index of a knowledge base's texts, then the values fitted on them.

A module of its own, imported by :meth:`Router.build` only: answering from a cached engine
loads none of it, nor the build-only modules it imports (the memo of per-text results, the
analysis runs, the fits and their reuse rule).
"""

from __future__ import annotations

import re
from functools import partial

import numpy as np

from faqbot.kb.entry_table import EntryList
from faqbot.kb.knowledge import Entry, KnowledgeBase
from faqbot.routing.analysis_runs import AnalysisPlan, AnalysisRun
from faqbot.routing.build_analyser import BuildAnalyser, mask_words
from faqbot.routing.char_channel import CharChannel, char_plan
from faqbot.routing.earlier_build import EarlierBuild
from faqbot.routing.fit_reuse import FitHistory
from faqbot.routing.lexical import LexicalIndex
from faqbot.routing.novelty_fit import rarities
from faqbot.routing.router import Router
from faqbot.routing.segments import SegmentStore
from faqbot.routing.training import DEFAULT_WEIGHT, fit_vector_weight
from faqbot.routing.vector_channel import TermDocuments, VectorChannel
from faqbot.text.analysis import masked, word_mask
from faqbot.text.heap import give_back
from faqbot.text.memo import TextMemo
from faqbot.text.packed import PackedFloats
from faqbot.text.word_vectors import WordVectors

# Jinja tags in an answer template are not words of the answer.
_TEMPLATE_TAG = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.DOTALL)


def build_router(kb: KnowledgeBase, earlier: EarlierBuild | None = None, vectors: WordVectors | None = None) -> Router:
    """Index ``kb`` and fit its values, reusing what ``earlier`` holds (:class:`EarlierBuild`).

    ``vectors``: the word vectors ``kb`` names (``router.word_vectors``), when they are
    installed: the router then has a word-vector channel, its weight fitted too.
    """
    earlier = earlier if earlier is not None else EarlierBuild()
    memo = earlier.memo if earlier.memo is not None else TextMemo()
    fits = earlier.fits if earlier.fits is not None else FitHistory(kb)
    segments, spill = earlier.segments, earlier.spill
    words = mask_words(kb)
    products = word_mask(words)
    # The kana readings (pykakasi, slow) of the texts whose runs no earlier build left
    # (faqbot.routing.char_runs) are read in a child process while this process and the
    # analysing child work; the character channel collects them.
    plan = char_plan(kb, segments)
    pending = memo.start_readings(plan.missing, build_size=plan.size)

    analyser = BuildAnalyser(memo, partial(masked, mask=products), words)
    entries = kb.entries
    questions = [q for e in entries for q in e.questions]
    answer_texts = [_TEMPLATE_TAG.sub(" ", e.answer) for e in entries]
    page_texts = [" ".join(_titles(e)) for e in entries]
    # A child process starts on the new texts' analyses (a cold build) while this one builds
    # the character channel, then they share what is left (faqbot.text.parallel).
    analysing = analyser.start([*questions, *answer_texts, *page_texts])
    if not memo.has_rarity:
        memo.rarity = rarities()  # wordfreq's table: the same for every build, remembered

    def readings() -> list[str]:
        analysing.work_while(lambda: not pending.ready())  # analyse rather than wait for the readings
        return pending.result()

    # Without a child (an edit), after the veto as before: the reading child has time to finish.
    char = CharChannel(kb, readings, memo, plan=plan) if analysing.in_parallel else None
    analysing.finish()
    del answer_texts, page_texts  # analysed; the runs hold what the lexical index needs of them
    # Topic terms and the veto's words, a run of entries at a time: an earlier build's runs are
    # found whole (faqbot.routing.analysis_runs).
    by_run = AnalysisPlan(kb, analyser, _TEMPLATE_TAG, segments if segments is not None else SegmentStore())
    if isinstance(entries, EntryList):  # every run is keyed: the parsed-files cache's pages go back (~62 MB at 50k)
        entries.release_pickles()
    runs = by_run.runs(memo)
    fits.printed([run.prints for run in runs])  # the fits' view of each run's entries, found with it
    # Each question's whole analysis only when the veto's threshold is fitted: a kept one
    # needs the vocabulary alone (0.3 s of decoding at 10,000 entries otherwise).
    novelty = fits.veto(
        analyser.analyses, partial(by_run.vocabulary, runs), _TEMPLATE_TAG, lambda: memo.rarity or {}, memo.rarity_table,
        partial(analyser.analyses, questions),
    )
    if memo.packed_rarity is None and isinstance(novelty.rarity, PackedFloats):
        memo.packed_rarity = novelty.rarity  # packed by the fit: the next build keeps it
    # The lexical index before the character channel's merges (after an edit): its build's
    # transient (~50 MB at 50,000 entries) then does not stand on the merged n-gram indexes.
    # Each question's owner is its entry, as the character channel numbers its stored texts.
    owners = np.repeat(np.arange(len(entries), dtype=np.int32), [1 + len(e.alternates) for e in entries])
    lexical = LexicalIndex.from_columns(
        [run.questions for run in runs], owners, [run.answers for run in runs], [run.pages for run in runs]
    )
    channel = VectorChannel.build(vectors, _term_documents(vectors, runs, owners), len(entries)) if vectors is not None else None
    del runs, questions, owners, entries  # the runs' word sets (the veto's) are no longer needed
    if char is None:
        lexical.spill(spill)  # out of the heap while the character channel is built (nothing without a folder)
        # Every text of the knowledge base has been looked up (the character channel's runs
        # keep their own digests): the digests by text go, and with them the last hold on
        # the entries' texts besides the entries.
        memo.forget_digests()
    give_back()

    def pack() -> None:
        try:
            kb.pack_entries(spill)
        except OSError:  # the folder is full or gone: in the heap, as the engine file would have packed them
            kb.pack_entries()
        give_back()

    if char is None:
        char = CharChannel(kb, readings, memo, plan=plan, before_merge=pack if spill is not None else None, spill=spill)
    del plan  # the runs' n-gram segments went with the merged indexes: give their pages back
    give_back()
    router = Router(kb, products, novelty, lexical, char)
    router.vectors = channel
    del char, channel
    stated = kb.settings.lexical_weight
    router.lexical_weight = DEFAULT_WEIGHT  # both channels run while the weight is fitted
    router.lexical_weight = stated if stated is not None else fits.lexical_weight(router)
    router.vector_weight = fit_vector_weight(router)  # 0 without a channel (never kept: a few hundred routes)
    router.calibration = fits.calibration(router, kb.settings.target_precision)
    router.fit_origins = tuple(fits.origins)
    return router


def _term_documents(vectors: WordVectors, runs: list[AnalysisRun], question_owners: np.ndarray) -> TermDocuments:
    """Every question's and answer's topic terms as vector rows, each owned by its entry."""
    rows, owners = [], []
    answer_owner = 0
    question_at = 0
    for run in runs:
        for field in (run.questions, run.answers):
            # Each distinct term of the run looked up once (-1: no vector), then every occurrence.
            rows.append(vectors.lookup(field.vocabulary)[field.ids])
            documents = len(field.lengths)
            if field is run.questions:
                doc_owner = question_owners[question_at : question_at + documents]
                question_at += documents
            else:
                doc_owner = np.arange(answer_owner, answer_owner + documents)
                answer_owner += documents
            owners.append(np.repeat(np.asarray(doc_owner, dtype=np.int64), field.lengths))
    empty = np.zeros(0, dtype=np.int64)
    return TermDocuments(np.concatenate([empty, *rows]), np.concatenate([empty, *owners]))


def _titles(entry: Entry) -> list[str]:
    return list(entry.pages.for_product(None))

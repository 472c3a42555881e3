"""Interactive ``faqbot lookup``: search as you type while the customer is talking.

A full-screen prompt-toolkit application with two screens:

* the list — a search line; the ranking (``faqbot.answers.staff.lookup``) is redrawn on
  every keystroke; ↑/↓ move the selection; Enter opens the selected entry;
  Esc (or Ctrl-C) quits;
* the entry — the full answer (for the ``--product`` given, or the product the
  query names), its support pages and related entries; Esc goes back to the
  list with the query kept; ↑/↓ and PageUp/PageDown scroll.

The application takes its input and output as parameters so tests drive it
headlessly with ``create_pipe_input()`` and ``DummyOutput()``.
"""

from __future__ import annotations

from datetime import date

from prompt_toolkit.application import Application
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, VSplit, Window
from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style
from prompt_toolkit.utils import get_cwidth

from faqbot.answers.answering import Engine
from faqbot.answers.staff import EntryView, LookupResult, entry_text, entry_view, lookup
from faqbot.errors import FaqbotError
from faqbot.kb.templating import words
from faqbot.text.inert import inert

_STYLE = Style.from_dict(
    {
        "title": "bold",
        "selected": "reverse",
        "dim": "#888888",
        "status": "reverse",
        "prompt": "bold",
    }
)


class LookupApp:
    """The interactive lookup; :attr:`result`, :attr:`selected` and :attr:`viewing` are its state."""

    def __init__(
        self,
        engine: Engine,
        today: date,
        product: str | None = None,
        top: int = 10,
        input: Input | None = None,  # noqa: A002 - prompt-toolkit's own parameter name
        output: Output | None = None,
    ) -> None:
        self.engine = engine
        self.today = today
        self.product = product
        self.top = top
        self.result: LookupResult | None = None
        self.selected = 0
        self.viewing: EntryView | None = None
        self.message = ""
        # Labels in the knowledge base's language (templates/words.yaml), like the chat's.
        self.words = words(engine.kb.lang)
        self.search = Buffer(multiline=False, on_text_changed=lambda _: self._refresh())
        self._scroll = 0
        viewing = Condition(lambda: self.viewing is not None)
        listing = ~viewing
        search_line = VSplit(
            [
                Window(
                    FormattedTextControl([("class:prompt", self.words["lookup_prompt"])]),
                    width=get_cwidth(self.words["lookup_prompt"]),
                    dont_extend_width=True,
                ),
                Window(BufferControl(self.search), height=1),
            ],
            height=1,
        )
        self._entry_window = Window(
            FormattedTextControl(self._entry_fragments), wrap_lines=True, get_vertical_scroll=lambda _: self._scroll
        )
        body = HSplit(
            [
                Window(FormattedTextControl(self._title), height=1),
                ConditionalContainer(search_line, filter=listing),
                ConditionalContainer(Window(char="─", height=1), filter=listing),
                ConditionalContainer(Window(FormattedTextControl(self._list_fragments), wrap_lines=True), filter=listing),
                ConditionalContainer(self._entry_window, filter=viewing),
                Window(FormattedTextControl(self._status), height=1, style="class:status"),
            ]
        )
        self.app: Application[None] = Application(
            layout=Layout(body, focused_element=self.search),
            key_bindings=self._bindings(),
            style=_STYLE,
            full_screen=True,
            input=input,
            output=output,
        )

    # --- state changes --------------------------------------------------------

    def _refresh(self) -> None:
        """Re-rank for the current search text (called on every keystroke)."""
        text = self.search.text
        self.selected = 0
        self.message = ""
        if not text.strip():
            self.result = None
            return
        try:
            self.result = lookup(self.engine, text, self.today, top=self.top, product=self.product)
        except FaqbotError as exc:
            self.result = None
            self.message = str(exc)

    def move(self, step: int) -> None:
        """Move the selection (list) or scroll (entry) by ``step``."""
        if self.viewing is not None:
            self._scroll = max(0, self._scroll + step)
            return
        if self.result and self.result.rows:
            self.selected = (self.selected + step) % len(self.result.rows)

    def open_selected(self) -> None:
        """Show the selected entry, answered for the product in play."""
        if not self.result or not self.result.rows:
            return
        row = self.result.rows[self.selected]
        self.viewing = entry_view(self.engine, row.entry_id, self.today, product=self.result.product)
        self._scroll = 0

    def back(self) -> None:
        """From the entry back to the list; from the list, quit."""
        if self.viewing is not None:
            self.viewing = None
            self.app.layout.focus(self.search)
        else:
            self.app.exit()

    # --- drawing ---------------------------------------------------------------

    def _title(self) -> StyleAndTextTuples:
        product = f" ({self.words['lookup_product'].format(product=self.product)})" if self.product else ""
        return [("class:title", inert(f"faqbot lookup — {self.engine.kb.service.name}{product}"))]

    def _list_fragments(self) -> StyleAndTextTuples:
        # Knowledge-base text and error messages (which quote the query) are made inert: prompt-toolkit
        # shows C0/C1 controls itself, but a bidi override would still reorder the line.
        if self.message:
            return [("", inert(self.message))]
        if self.result is None:
            return [("class:dim", self.words["lookup_empty"])]
        if not self.result.rows:
            return [("class:dim", self.words["lookup_nothing"])]
        out: StyleAndTextTuples = []
        for i, row in enumerate(self.result.rows):
            style = "class:selected" if i == self.selected else ""
            marker = "▶" if i == self.selected else " "
            out.append((style, f"{marker}{row.rank:2d} {row.confidence:.2f} {row.entry_id:<22} {inert(row.question)}\n"))
        return out

    def _entry_fragments(self) -> StyleAndTextTuples:
        return [("", inert(entry_text(self.viewing)))] if self.viewing else []

    def _status(self) -> StyleAndTextTuples:
        return [("class:status", self.words["lookup_keys_entry" if self.viewing else "lookup_keys_list"])]

    def screen_text(self) -> str:
        """What the main area shows now, as plain text (for tests and debugging)."""
        fragments = self._entry_fragments() if self.viewing else self._list_fragments()
        return "".join(text for _, text, *_ in fragments)

    # --- keys ------------------------------------------------------------------

    def _bindings(self) -> KeyBindings:
        kb = KeyBindings()

        @kb.add("up")
        def _up(event: KeyPressEvent) -> None:
            self.move(-1)

        @kb.add("down")
        def _down(event: KeyPressEvent) -> None:
            self.move(1)

        @kb.add("pageup")
        def _page_up(event: KeyPressEvent) -> None:
            self.move(-10)

        @kb.add("pagedown")
        def _page_down(event: KeyPressEvent) -> None:
            self.move(10)

        @kb.add("enter")
        def _enter(event: KeyPressEvent) -> None:
            if self.viewing is None:
                self.open_selected()

        @kb.add("escape", eager=True)
        def _escape(event: KeyPressEvent) -> None:
            self.back()

        @kb.add("c-c")
        @kb.add("c-d")
        def _quit(event: KeyPressEvent) -> None:
            event.app.exit()

        return kb

    def run(self) -> None:
        """Run until the agent quits."""
        self.app.run()


def run_lookup_tui(engine: Engine, today: date, product: str | None = None, top: int = 10) -> None:
    """Open the interactive lookup on the real terminal."""
    LookupApp(engine, today, product=product, top=top).run()

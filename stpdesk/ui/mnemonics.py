"""Alt+letter keys (mnemonics) that are unique in each window.

Labels and buttons are written with the letter their author liked best ("&Title");
when two in one window ask for the same letter, the later one would never be reached.
``make_unique`` keeps the first claim and moves each later one to a free letter of its
own text, preferring the first letter of a word, as KDE's accelerator manager does.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMainWindow,
    QTabBar,
    QToolBar,
    QWidget,
)


def mnemonic(text: str) -> str | None:
    """The letter after a single ``&`` (``&&`` is a literal ampersand), lower-cased."""
    index = 0
    while index < len(text) - 1:
        if text[index] == "&":
            if text[index + 1] != "&":
                return text[index + 1].lower()
            index += 1
        index += 1
    return None


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&&")


def with_mnemonic(text: str, taken: set[str]) -> str:
    """``text`` with its ``&`` moved to a letter not in ``taken`` (or none left)."""
    plain = _plain(text)
    word_starts = [
        i for i, c in enumerate(plain) if c.isalnum() and (i == 0 or not plain[i - 1].isalnum())
    ]
    others = [i for i, c in enumerate(plain) if c.isalnum() and i not in word_starts]
    for index in word_starts + others:
        if plain[index].lower() not in taken and plain[index] != "&":
            return plain[:index] + "&" + plain[index:]
    return plain


class _Claim:
    def __init__(self, get, set_) -> None:  # noqa: ANN001 (two small accessors)
        self.get, self.set = get, set_


def _claims(window: QWidget) -> list[_Claim]:
    buttons, groups, labels = [], [], []
    for widget in window.findChildren(QWidget):
        if widget.window() is not window or not widget.isVisibleTo(window):
            continue  # pages not on show may reuse a letter
        if isinstance(widget, QAbstractButton) and not isinstance(widget.parent(), QToolBar):
            buttons.append(_Claim(widget.text, widget.setText))
        elif isinstance(widget, QGroupBox):
            groups.append(_Claim(widget.title, widget.setTitle))
        elif isinstance(widget, QTabBar):
            for tab in range(widget.count()):
                groups.append(
                    _Claim(
                        lambda w=widget, t=tab: w.tabText(t),
                        lambda text, w=widget, t=tab: w.setTabText(t, text),
                    )
                )
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            labels.append(_Claim(widget.text, widget.setText))
    return buttons + groups + labels


def make_unique(window: QWidget) -> None:
    """Give every label, button, group and tab ``window`` shows its own Alt+letter.

    Called as a window is shown, and again when it shows another page."""
    taken: set[str] = set()
    if isinstance(window, QMainWindow):
        taken = {m for a in window.menuBar().actions() if (m := mnemonic(a.text()))}
    for claim in _claims(window):
        letter = mnemonic(claim.get())
        if letter is None:
            continue
        if letter in taken:
            claim.set(with_mnemonic(claim.get(), taken))
            letter = mnemonic(claim.get())
        if letter is not None:
            taken.add(letter)

"""A search index of a review set's prose: which other reviews wrote something like this?

:func:`text_index` turns the chosen text columns (by default the KPE summaries and the findings)
into unit-length vectors, with one of two backends that never touch the network:

- ``"tfidf"`` (the default): scikit-learn TF-IDF over word unigrams and bigrams (English stop
  words removed) and character 4-grams within words, each part weighted by sublinear term
  frequency and scaled to unit length, then joined with equal weight. It needs no model, and
  matches shared wording, spelling variants and word forms ("safeguard", "safeguarding").
- ``"semantic"``: the static word-embedding model shipped inside the ``wordllama`` wheel (256
  dimensions), loaded from the package folder with downloads disabled. It matches paraphrases that
  share meaning but few words.

Similarity is the cosine of two vectors. An index is cached for the session, keyed by the
backend, the fields and a hash of every document's ID and text: asking again costs nothing, and
changing any text builds a new one. :func:`similar_findings` and :func:`similar_episodes` answer
"which other reviews found this?" for one finding or KPE, or for free text.

Texts are evidence about children: nothing here is written to disk, and none of it belongs in
publication outputs.
"""

from __future__ import annotations

import functools
import hashlib
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..checks import check_whole
from ..errors import ParameterError

__all__ = ["FIELDS", "BACKENDS", "TextIndex", "text_index", "similar_findings", "similar_episodes"]

#: The text columns an index can hold: ``"<file>.<column>"`` -> (file, the item's ID column).
FIELDS: dict[str, tuple[str, str]] = {
    "episodes.summary": ("episodes", "episode_id"),
    "episodes.title": ("episodes", "episode_id"),
    "findings.summary": ("findings", "finding_id"),
    "findings.title": ("findings", "finding_id"),
}
#: The backends: no model, or the model inside the wordllama wheel.
BACKENDS = ("tfidf", "semantic")
DEFAULT_FIELDS = ("episodes.summary", "findings.summary")
#: How many indexes the session keeps (each is a few hundred MiB at national scale at most).
_CACHE_SIZE = 4
_CACHE: OrderedDict = OrderedDict()
#: id(set) -> (a weak reference to it, {(backend, fields): its index}); an entry goes with its set.
_BY_SET: dict = {}


@dataclass(frozen=True, eq=False)
class TextIndex:
    """Unit-length vectors of a review set's texts, one row per document.

    Attributes
    ----------
    backend : str
        ``"tfidf"`` or ``"semantic"``.
    documents : DataFrame
        One row per vector, in the matrix's order: ``field`` (such as ``"findings.summary"``),
        ``review_id``, ``item_id`` (the episode or finding ID) and ``text``. Rows whose text is
        empty have no vector and are not here (``n_empty`` counts them).
    vectors : scipy.sparse.csr_array or numpy.ndarray
        The documents' vectors, each of unit length (sparse for TF-IDF, dense for semantic).
    n_empty : dict
        Field -> the number of its rows without text.
    """

    backend: str
    documents: pd.DataFrame
    vectors: object
    n_empty: dict
    _encode: object = field(repr=False)
    #: Each document's row in its file's table (the set's ``episodes`` or ``findings``).
    _rows: np.ndarray = field(repr=False, default=None)

    def encode(self, texts) -> object:
        """The vectors of new texts in the index's space (unit length; zero for text it cannot read)."""
        return self._encode(list(texts))

    def scores(self, texts) -> np.ndarray:
        """Cosine similarity of each text (rows) with each document (columns)."""
        queries = self.encode(texts)
        if sp.issparse(queries):  # a sparse matrix times a dense one is many times faster than sparse times sparse
            queries = queries.toarray()
        return np.asarray(self.vectors @ queries.T).T

    def __repr__(self) -> str:
        counts = self.documents["field"].value_counts().reindex(self.documents["field"].unique())
        held = ", ".join(f"{n:,} {name}" for name, n in counts.items())
        return f"<TextIndex {self.backend}: {held}>"


def _documents(rs, fields) -> tuple[pd.DataFrame, dict, np.ndarray]:
    frames, empty, rows = [], {}, []
    for name in fields:
        if name not in FIELDS:
            raise ParameterError(f"fields: {name!r} is not a text column; choose from {', '.join(FIELDS)}.")
        file, id_column = FIELDS[name]
        column = name.split(".", 1)[1]
        table = getattr(rs, file)
        text = table[column].astype("str").where(table[column].notna(), "").str.strip()
        has_text = text != ""
        empty[name] = int((~has_text).sum())
        rows.append(np.flatnonzero(has_text.to_numpy()))
        frames.append(
            pd.DataFrame(
                {
                    "field": name,
                    "review_id": table["review_id"].to_numpy()[has_text.to_numpy()],
                    "item_id": table[id_column].to_numpy()[has_text.to_numpy()],
                    "text": text[has_text].to_numpy(),
                }
            )
        )
    documents = pd.concat(frames, ignore_index=True).astype({"field": "str", "review_id": "str", "item_id": "str"})
    return documents, empty, np.concatenate(rows)


def _digest(backend: str, documents: pd.DataFrame) -> str:
    digest = hashlib.sha256(backend.encode())
    for column in ("field", "review_id", "item_id", "text"):
        digest.update("\x1e".join(documents[column]).encode("utf-8", "surrogatepass"))
        digest.update(b"\x1d")
    return digest.hexdigest()


def _tfidf(texts: list[str]):
    """Fit the TF-IDF parts on the documents; return their vectors and the encoder of new texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    words = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), stop_words="english", sublinear_tf=True, dtype=np.float32
    )
    grams = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), sublinear_tf=True, min_df=2, dtype=np.float32)
    parts = []
    for vectorizer in (words, grams):
        try:
            parts.append((vectorizer, vectorizer.fit_transform(texts)))
        except ValueError:  # nothing but stop words, or every 4-gram seen once: this part adds nothing
            parts.append((None, None))
    if all(v is None for v, _ in parts):
        raise ParameterError("the texts hold no word that is not a stop word: there is nothing to index.")

    def encode(new: list[str]):
        blocks = [vectorizer.transform(new) for vectorizer, _ in parts if vectorizer is not None]
        return normalize(sp.hstack(blocks, format="csr"))  # each part unit length, then the whole

    vectors = normalize(sp.hstack([matrix for _, matrix in parts if matrix is not None], format="csr"))
    return sp.csr_array(vectors), lambda new: sp.csr_array(encode(new))


def _load_wordllama():
    """The wordllama model from the files inside its wheel; it is never downloaded."""
    from pathlib import Path

    import wordllama

    return wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)


def _semantic(texts: list[str]):
    model = _load_wordllama()

    def encode(new: list[str]) -> np.ndarray:
        if not new:
            return np.zeros((0, 256), dtype=np.float32)
        vectors = np.asarray(model.embed(new, norm=True, batch_size=512), dtype=np.float32)
        return np.nan_to_num(vectors)  # a text of no known word has no direction: zero

    return encode(texts), encode


def text_index(rs, *, fields=DEFAULT_FIELDS, backend: str = "tfidf") -> TextIndex:
    """A search index of the set's texts (see the module's notes), built once per set of texts.

    Parameters
    ----------
    rs : ReviewSet
    fields : sequence of str, default ("episodes.summary", "findings.summary")
        The text columns to index (see :data:`FIELDS`).
    backend : {"tfidf", "semantic"}, default "tfidf"

    Returns
    -------
    TextIndex

    Raises
    ------
    ParameterError
        For an unknown field or backend, or when the fields hold no text at all.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> rs = sce.load("data/sample")
    >>> index = sce.text_index(rs)
    >>> index is sce.text_index(rs)
    True
    >>> index.documents.columns.tolist()
    ['field', 'review_id', 'item_id', 'text']
    """
    if backend not in BACKENDS:
        raise ParameterError(f"backend must be one of {', '.join(map(repr, BACKENDS))}; not {backend!r}.")
    fields = (fields,) if isinstance(fields, str) else tuple(fields)
    # The same set object asks again (a query after a query): no need to read and hash its texts.
    held = _BY_SET.get(id(rs))
    if held is not None and held[0]() is rs and (backend, fields) in held[1]:
        return held[1][(backend, fields)]
    documents, empty, rows = _documents(rs, fields)
    if documents.empty:
        raise ParameterError(f"the set has no text in {', '.join(fields)}: there is nothing to index.")
    key = _digest(backend, documents)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        index = _CACHE[key]
    else:
        build = _tfidf if backend == "tfidf" else _semantic
        vectors, encode = build(documents["text"].tolist())
        index = TextIndex(backend, documents, vectors, empty, encode, rows)
        _CACHE[key] = index
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    if held is None or held[0]() is not rs:
        held = _BY_SET[id(rs)] = (weakref.ref(rs, functools.partial(_forget, id(rs))), {})
    held[1][(backend, fields)] = index
    return index


def _forget(key: int, _reference) -> None:
    """A set was freed: forget its indexes (its id may be given to another object)."""
    _BY_SET.pop(key, None)


# ----------------------------------------------------------------------------------- searching


def _similar(rs, query, *, file: str, top, other_reviews_only: bool, backend: str, extra: list[str]) -> pd.DataFrame:
    name = f"{file}.summary"
    _, id_column = FIELDS[name]
    top = check_whole(top, "top", low=1)
    index = text_index(rs, fields=(name,), backend=backend)
    documents = index.documents
    own_review, own_item = None, None
    if isinstance(query, tuple):
        if len(query) != 2:
            raise ParameterError(f"query must be a (review_id, {id_column}) pair or a text; got {query!r}.")
        own_review, own_item = (str(part) for part in query)
        table = getattr(rs, file)
        row = table[(table["review_id"] == own_review) & (table[id_column] == own_item)]
        if row.empty:
            raise ParameterError(
                f"query: the set has no {file[:-1]} {own_item!r} in review {own_review!r}. Fix: give a "
                f"(review_id, {id_column}) pair from {file}.csv (IDs are unique only within a review)."
            )
        text = row["summary"].iloc[0]
        if pd.isna(text) or not str(text).strip():
            raise ParameterError(f"query: {file[:-1]} {own_item!r} of review {own_review!r} has no summary to compare.")
        text = str(text).strip()
    elif isinstance(query, str) and query.strip():
        text = query.strip()
    else:
        raise ParameterError(f"query must be a (review_id, {id_column}) pair or a text; got {query!r}.")
    scores = index.scores([text])[0]
    keep = np.ones(len(documents), dtype=bool)
    if own_review is not None:
        keep &= ~((documents["review_id"] == own_review) & (documents["item_id"] == own_item)).to_numpy()
        if other_reviews_only:
            keep &= (documents["review_id"] != own_review).to_numpy()
    positions = np.flatnonzero(keep)
    if len(positions) > top:  # only scores at least the top-th best can be in the answer
        kth = np.partition(scores[positions], len(positions) - top)[len(positions) - top]
        positions = positions[scores[positions] >= kth]
    # Highest score first; ties in the set's order, so that the same data give the same table.
    order = positions[np.lexsort((positions, -scores[positions]))][:top]
    chosen = documents.iloc[order]
    rows = getattr(rs, file).iloc[index._rows[order]]
    reviews = rs.reviews.set_index("review_id")
    result = pd.DataFrame(
        {
            "rank": np.arange(1, len(chosen) + 1),
            "review_id": chosen["review_id"].to_numpy(),
            id_column: chosen["item_id"].to_numpy(),
            "area": reviews["area"].reindex(chosen["review_id"]).to_numpy(),
            "year": reviews["year"].reindex(chosen["review_id"]).to_numpy(),
            **{column: rows[column].to_numpy() for column in extra},
            "score": scores[order].astype(float).round(6),
            "text": chosen["text"].to_numpy(),
        }
    )
    return result


def similar_findings(
    rs, query, *, top: int = 10, other_reviews_only: bool = True, backend: str = "tfidf"
) -> pd.DataFrame:
    """The findings most like one finding, or like a text: "which other reviews found this?"

    Parameters
    ----------
    rs : ReviewSet
    query : (review_id, finding_id) or str
        A finding of the set (finding IDs are unique only within a review), or free text.
    top : int, default 10
        How many to return.
    other_reviews_only : bool, default True
        Leave out the query finding's own review (a finding is never its own match).
    backend : {"tfidf", "semantic"}, default "tfidf"

    Returns
    -------
    DataFrame
        One row per match, best first: ``rank``, ``review_id``, ``finding_id``, ``area``,
        ``year``, ``category``, ``title``, ``score`` (cosine similarity, 0 to 1) and ``text`` (the
        finding's summary). Findings without a summary are not searched.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> rs = sce.load("data/sample")
    >>> found = sce.similar_findings(rs, ("R0001", "F1"), top=3)
    >>> found.columns.tolist()
    ['rank', 'review_id', 'finding_id', 'area', 'year', 'category', 'title', 'score', 'text']
    >>> bool((found["review_id"] != "R0001").all() and found["score"].is_monotonic_decreasing)
    True
    """
    return _similar(
        rs,
        query,
        file="findings",
        top=top,
        other_reviews_only=other_reviews_only,
        backend=backend,
        extra=["category", "title"],
    )


def similar_episodes(
    rs, query, *, top: int = 10, other_reviews_only: bool = True, backend: str = "tfidf"
) -> pd.DataFrame:
    """The KPEs most like one KPE, or like a text (as :func:`similar_findings`, for episode summaries).

    Returns
    -------
    DataFrame
        ``rank``, ``review_id``, ``episode_id``, ``area``, ``year``, ``appraisal``, ``title``,
        ``score`` and ``text`` (the KPE's summary).
    """
    return _similar(
        rs,
        query,
        file="episodes",
        top=top,
        other_reviews_only=other_reviews_only,
        backend=backend,
        extra=["appraisal", "title"],
    )

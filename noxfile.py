"""Task runner: the one source of truth for tests, lint, benchmarks and the corpus run.

nox -s tests      # the whole suite on real PostgreSQL, Redis and the Node engine, with coverage
nox -s lint       # ruff check + ruff format --check
nox -s bench      # import benchmarks (10K, 100K, 1M formula cells; SQLite and PostgreSQL)
nox -s corpus     # import every workbook of ../shared/corpus and print match rates
nox -s demo       # import the bundled example model with the embedded default
"""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("xlimport", "engine", "install")
    session.run(
        "pytest",
        "--cov",
        "--cov-report=term",
        "--cov-fail-under=85",
        *session.posargs,
    )


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def bench(session: nox.Session) -> None:
    session.install("-e", ".")
    session.run("python", "benchmarks/bench_import.py", *session.posargs)


@nox.session
def corpus(session: nox.Session) -> None:
    session.install("-e", ".")
    session.run("python", "benchmarks/corpus_run.py", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    session.install(".")
    session.run("xlimport", "import", "examples/fm_circ_1k.xlsx", *session.posargs)

"""The commands that add what an article says, so that no TriG is written by hand: ``add-actor`` and
``add-proposition`` (the registries), ``add-claim`` and ``add-nonresponse`` (a document's graph).

Each checks everything before it writes (an unknown IRI or value is refused with the closest
candidates, exit 2, nothing written), writes in the file's own layout, and what it writes validates.
``--dry-run`` prints the Turtle instead. :mod:`claimgraph.cli` registers them on ``main``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from claimgraph.cli_options import shown, writable_data_option

if TYPE_CHECKING:
    from claimgraph.authoring import Written

__all__ = ["add_actor", "add_claim", "add_nonresponse", "add_proposition"]

F = TypeVar("F", bound=Callable[..., Any])


if TYPE_CHECKING:
    _ParamType = click.ParamType[str, str]
else:  # click's ParamType is generic from 8.2 on; pyproject allows 8.1, where subscripting it fails
    _ParamType = click.ParamType


class OntologyValue(_ParamType):
    """A value of a field the ontology defines (a concept of a scheme, a class): the help lists the
    bundled ontology's; the data's own ontology decides when the command runs."""

    name = "value"

    def __init__(self, field: str) -> None:
        self.field = field

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        from claimgraph.authoring import bundled_choices

        return "[" + "|".join(bundled_choices(self.field).names) + "]"


def dry_run_option(command: F) -> F:
    return click.option("--dry-run", is_flag=True, help="Check everything and print the Turtle; write nothing.")(
        command
    )


def report(written: Written) -> None:
    """What was added (or, on a dry run, the Turtle that would be), and any warning on it."""
    from claimgraph.namespaces import curie

    where = f"{shown(written.path)} (graph {curie(written.graph)})"
    if not written.written:
        click.echo(f"# Dry run: would add to {where}{', a new file' if written.created else ''}:")
        click.echo(written.turtle, nl=False)
    else:
        anchored = f", anchored at code points {written.anchor[0]} to {written.anchor[1]}" if written.anchor else ""
        created = ", a new file" if written.created else ""
        click.echo(f"Added {curie(written.nodes[0])} to {where}{created}{anchored}.")
    for warning in written.warnings:
        click.echo(f"Warning: {curie(warning.focus)}: {warning.message} [{curie(warning.shape)}]", err=True)


IRI_HELP = "IRIs are CURIEs with the project's prefixes (actor:reuters) or full IRIs."


@click.command("add-actor")
@click.argument("iri")
@click.option("--type", "type_", type=OntologyValue("type"), required=True, help="Its class (cg:Agent's subclasses).")
@click.option("--label", required=True, help="Its name, as a reader would recognise it.")
@click.option("--affiliated-with", "affiliated", multiple=True, metavar="IRI", help="An agent whose side it is on.")
@click.option(
    "--description",
    default=None,
    help="An anonymous source: how the text describes it (required). Anyone else: a comment.",
)
@click.option(
    "--source-count",
    type=click.IntRange(min=0),
    default=None,
    help="An anonymous source: how many people it is, where the text says (else: not stated).",
)
@dry_run_option
@writable_data_option
def add_actor(
    iri: str,
    type_: str,
    label: str,
    affiliated: Sequence[str],
    description: str | None,
    source_count: int | None,
    dry_run: bool,
    data_dir: Path,
) -> None:
    """Add an actor to the actors registry (graph:actors in graph/actors.trig).

    IRI is new to the data. --type takes a class's name in kebab case (news-outlet), its label, its
    CURIE (cg:NewsOutlet) or a word that names one class alone (outlet, anonymous). IRIs are CURIEs
    with the project's prefixes or full IRIs; each --affiliated-with must be an agent of the data.

    \b
    Example:
        claimgraph add-actor actor:dmitry-peskov --type person --label "Dmitry Peskov" \\
            --affiliated-with actor:russian-government
        claimgraph add-actor actor:european-security-official --type anonymous --label "European security official" \\
            --description "a European security official" --source-count 1
    """
    from claimgraph.authoring import add_actor as add

    report(
        add(
            iri,
            data_dir=data_dir,
            type=type_,
            label=label,
            affiliated_with=affiliated,
            description=description,
            source_count=source_count,
            dry_run=dry_run,
        )
    )


@click.command("add-proposition")
@click.argument("iri")
@click.option("--label", required=True, help="What is asserted, in neutral words any stance can take.")
@click.option("--about", multiple=True, metavar="IRI", help="What it concerns: anything the data defines.")
@click.option("--entails", multiple=True, metavar="IRI", help="A proposition true whenever this one is.")
@click.option("--contradicts", multiple=True, metavar="IRI", help="A proposition that cannot be true with it.")
@click.option("--supports", multiple=True, metavar="IRI", help="A proposition it gives reason to believe.")
@click.option("--note", default=None, help="The textual marker that justifies the relations (required with one).")
@dry_run_option
@writable_data_option
def add_proposition(
    iri: str,
    label: str,
    about: Sequence[str],
    entails: Sequence[str],
    contradicts: Sequence[str],
    supports: Sequence[str],
    note: str | None,
    dry_run: bool,
    data_dir: Path,
) -> None:
    """Add a proposition to the propositions registry (graph:propositions in graph/propositions.trig).

    IRI is new to the data; the related propositions are propositions of the data. A relation
    (--contradicts, --supports, --entails) needs --note, the words of the text that justify it; it
    is kept as the proposition's comment. contradictions follows cg:contradicts (either way round)
    and cg:entails; cg:supports is recorded, not followed.

    \b
    Example:
        claimgraph add-proposition prop:russia-has-no-intention-to-attack-nato \\
            --label "Russia has no intention of attacking any NATO country" --about actor:russia --about actor:nato \\
            --contradicts prop:war-aims-to-restore-soviet-era-influence --note "runs counter to"
    """
    from claimgraph.authoring import add_proposition as add

    report(
        add(
            iri,
            data_dir=data_dir,
            label=label,
            about=about,
            entails=entails,
            contradicts=contradicts,
            supports=supports,
            note=note,
            dry_run=dry_run,
        )
    )


def anchor_options(command: F) -> F:
    """``--quote``, ``--occurrence``, ``--mention``, ``--date``, ``--name``: what add-claim and
    add-nonresponse both anchor and name."""
    for option in reversed(
        [
            click.option("--quote", required=True, help="The words of the archived text, exactly as written there."),
            click.option(
                "-n",
                "--occurrence",
                type=click.IntRange(min=1),
                default=None,
                help="Which occurrence (1-based) when the words occur more than once.",
            ),
            click.option("--mention", default=None, help="How the text names the agent (it must be in the text)."),
            click.option(
                "--date", default=None, help="YYYY-MM-DD, YYYY-MM or YYYY, where the text says (else: not stated)."
            ),
            click.option(
                "--name", default=None, metavar="SLUG", help="The name of its nodes (default: from the agent)."
            ),
        ]
    ):
        command = option(command)
    return command


@click.command("add-claim")
@click.argument("doc_file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@anchor_options
@click.option("--claimant", required=True, metavar="IRI", help="The agent who makes the claim.")
@click.option("--proposition", required=True, metavar="IRI", help="The proposition it takes a stance on.")
@click.option("--stance", type=OntologyValue("stance"), required=True, help="Its stance.")
@click.option("--kind", type=OntologyValue("kind"), required=True, help="The kind of claim.")
@click.option("--mode", type=OntologyValue("mode"), default=None, help="How the text renders it (default: paraphrase).")
@click.option("--channel", type=OntologyValue("channel"), default=None, help="Where the text says it was made.")
@click.option(
    "--relay",
    "relays",
    multiple=True,
    metavar='"AGENT ACT [DOC] [contextual]"',
    help="A step by which it reached the document, nearest the claimant first (repeatable).",
)
@dry_run_option
@writable_data_option
def add_claim(
    doc_file: Path,
    quote: str,
    occurrence: int | None,
    mention: str | None,
    date: str | None,
    name: str | None,
    claimant: str,
    proposition: str,
    stance: str,
    kind: str,
    mode: str | None,
    channel: str | None,
    relays: Sequence[str],
    dry_run: bool,
    data_dir: Path,
) -> None:
    """Add a claim read in a document: the claim, its evidence, relay steps and anchor.

    DOC_FILE is the document's TriG file (as add-source wrote it) or its archived text. The quote is
    located in the archived text as locate does it; the claimant, proposition, relay agents and cited
    sources must be defined in the data (unknown ones are refused with the closest that are). Values
    take a name in kebab case, a label, a CURIE or a word that names one alone (public, direct).

    A --relay step is AGENT ACT, then the cited report it was published in (DOC, a cg:CitedSource) if
    the text names one, and 'contextual' when only the surrounding passage, not the anchored sentence,
    names the step. An anonymous claimant needs a step whose agent is named.

    \b
    Example:
        claimgraph add-claim graph/kremlin-nato.trig --claimant actor:dmitry-peskov \\
            --proposition prop:russia-has-no-intention-to-attack-nato --stance affirms --kind public-statement \\
            --mode direct --channel public --date 2025-12-22 \\
            --quote "Russia has no intention of attacking any NATO country"
        claimgraph add-claim graph/kremlin-nato.trig --claimant actor:european-security-official \\
            --proposition prop:war-aims-to-restore-soviet-era-influence --stance affirms --kind assessment \\
            --relay "actor:reuters told-to" --quote "A European security official, speaking on condition of anonymity"
    """
    from claimgraph.authoring import add_claim as add

    report(
        add(
            doc_file,
            data_dir=data_dir,
            quote=quote,
            occurrence=occurrence,
            claimant=claimant,
            proposition=proposition,
            stance=stance,
            kind=kind,
            mode=mode,
            channel=channel,
            date=date,
            mention=mention,
            relays=relays,
            name=name,
            dry_run=dry_run,
        )
    )


@click.command("add-nonresponse")
@click.argument("doc_file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--respondent", required=True, metavar="IRI", help="The agent that did not comment.")
@anchor_options
@click.option("--topic", default=None, help="What it did not comment on, in the text's words.")
@dry_run_option
@writable_data_option
def add_nonresponse(
    doc_file: Path,
    respondent: str,
    quote: str,
    occurrence: int | None,
    mention: str | None,
    date: str | None,
    name: str | None,
    topic: str | None,
    dry_run: bool,
    data_dir: Path,
) -> None:
    """Add a non-response ("did not comment") read in a document, anchored in its archived text.

    DOC_FILE is the document's TriG file or its archived text; the respondent is an agent of the
    data. Written as nonresponse:NAME (default: RESPONDENT-no-comment) with its evidence, in the
    document's own voice.

    \b
    Example:
        claimgraph add-nonresponse graph/kremlin-nato.trig --respondent actor:nato \\
            --quote "NATO did not respond to a request for comment" --topic "the remarks"
    """
    from claimgraph.authoring import add_nonresponse as add

    report(
        add(
            doc_file,
            data_dir=data_dir,
            respondent=respondent,
            quote=quote,
            topic=topic,
            occurrence=occurrence,
            mention=mention,
            date=date,
            name=name,
            dry_run=dry_run,
        )
    )

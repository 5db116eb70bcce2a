"""Prove the audit trail intact, or name the first broken event."""

from django.core.management.base import BaseCommand, CommandError

from workflows.audit.chain import create_anchor, verify_chains


class Command(BaseCommand):
    help = (
        "Walk every case's audit hash chain (every dossier's and any other audited record's) and every anchor over their heads, streaming. "
        "Exits 0 with the counts and throughput when intact; exits 1 naming the first broken event otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000,
                            help="Rows fetched per round trip (memory stays bounded by this).")
        parser.add_argument("--workers", type=int, default=None,
                            help="Processes walking the chains, split by case id (default: one per core; "
                                 "1 on SQLite).")
        parser.add_argument("--expect-anchor", metavar="HASH", action="append", default=[],
                            help="The hash of an anchor kept outside (printed, sent to the Front): it must still "
                                 "be in the database and valid. Repeatable.")
        parser.add_argument("--anchor", action="store_true",
                            help="After a successful check, anchor the heads of the chains that moved.")

    def handle(self, *args, chunk_size, workers, anchor, expect_anchor, **options):
        report = verify_chains(chunk_size=chunk_size, workers=workers, expect_anchor=expect_anchor)
        if not report.intact:
            raise CommandError(
                f"Audit trail BROKEN after {report.events} good events: {report.broken}"
            )
        self.stdout.write(
            f"Audit trail intact: {report.events} events in {report.cases} case chains, "
            f"{report.anchors} anchors ({report.anchored_heads} anchored heads, {report.anchor_copies} copies "
            f"outside the database); "
            f"{report.seconds:.2f} s, {report.events_per_second:,.0f} events/s."
        )
        for expected in expect_anchor:
            self.stdout.write(f"Expected anchor present and valid: {expected.strip()}")
        if anchor:
            written = create_anchor()
            if written is None:
                self.stdout.write("No chain moved since the last anchor; no anchor written.")
            else:
                self.stdout.write(
                    f"Anchor #{written.pk} covers {written.dossiers} case heads: {written.hash}"
                )

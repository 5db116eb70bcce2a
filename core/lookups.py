"""AnyOf(F("field"), values): the field is one of `values`, sent on PostgreSQL as one array
parameter (`= ANY(%s)`) instead of an IN list of one placeholder per value.

For the batch writes, which ask about every subject of a dossier at once: with an IN list the
statement's text grows with the list, so the driver parses it afresh each time (it caches short
texts only) and adapts every value in Python, and the server parses every value; an array is one
parameter, dumped in C, under a text that does not change. Elsewhere (SQLite) it is the IN list.
Used as an expression in filter() (Django accepts lookups there), so nothing is registered."""

from django.db.models import Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def get_db_prep_lookup(self, value, connection):
        field = self.lhs.output_field
        return "%s", [[field.get_db_prep_value(v, connection, prepared=False) for v in value]]

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return compiler.compile(In(self.lhs, self.rhs))
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]

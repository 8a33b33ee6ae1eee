"""Money (STYLE.md): a ``DecimalField`` in 万元 with two decimals, never a float.

The one definition for model fields, serializers, forms and database expressions; sums over
many rows (dashboard and ranking totals) get two more digits.
"""

MONEY = {"max_digits": 14, "decimal_places": 2}
MONEY_TOTAL = {**MONEY, "max_digits": MONEY["max_digits"] + 2}

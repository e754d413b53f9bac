"""The shop schema of tests/fixtures/shop_schema.sql as a SchemaSnapshot, built by hand."""

from domain.models import Column, ForeignKey, RelationKind, SchemaSnapshot, Table


def _table(
    name: str, *columns: str, kind: RelationKind = RelationKind.TABLE, **extra: object
) -> Table:
    return Table(
        schema="public",
        name=name,
        kind=kind,
        columns=tuple(Column(name=column, data_type="text") for column in columns),
        **extra,  # type: ignore[arg-type]
    )


def _fk(name: str, column: str, table: str) -> ForeignKey:
    return ForeignKey(
        name=name, columns=(column,), ref_schema="public", ref_table=table, ref_columns=("id",)
    )


SHOP = SchemaSnapshot(
    database="shop",
    tables=(
        _table("customers", "id", "name", "email", "country", "created_at", primary_key=("id",)),
        _table("products", "id", "sku", "title", "category", "price", "attrs", primary_key=("id",)),
        _table(
            "orders",
            "id",
            "customer_id",
            "status",
            "placed_at",
            primary_key=("id",),
            foreign_keys=(_fk("orders_customer_id_fkey", "customer_id", "customers"),),
        ),
        _table(
            "order_items",
            "order_id",
            "product_id",
            "quantity",
            "unit_price",
            primary_key=("order_id", "product_id"),
            foreign_keys=(
                _fk("order_items_order_id_fkey", "order_id", "orders"),
                _fk("order_items_product_id_fkey", "product_id", "products"),
            ),
        ),
        _table("users", "id", "username", "password", "ssn", "role", primary_key=("id",)),
        _table(
            "credentials",
            "id",
            "user_id",
            "api_token",
            primary_key=("id",),
            foreign_keys=(_fk("credentials_user_id_fkey", "user_id", "users"),),
        ),
        _table("audit_log", "id", "at", "message", primary_key=("id",)),
        _table("customer_revenue", "customer_id", "name", "revenue", kind=RelationKind.VIEW),
        _table("canary", "id", "note", primary_key=("id",)),
    ),
)

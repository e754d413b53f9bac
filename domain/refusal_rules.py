"""The name of every rule that can refuse a statement, as ERR_005 reports it in `rule`."""

from enum import StrEnum


class RefusalRule(StrEnum):
    """Why a statement was refused: one name per rule, stable for clients that match on it."""

    # Bounds checked before anything is parsed
    MAX_SQL_BYTES = "max_sql_bytes"
    MAX_SQL_TOKENS = "max_sql_tokens"
    MAX_SQL_DEPTH = "max_sql_depth"
    MAX_SQL_CHAIN = "max_sql_chain"
    MAX_BRACKET_DEPTH = "max_bracket_depth"
    # The shape of the statement
    UNPARSEABLE = "unparseable"
    MULTIPLE_STATEMENTS = "multiple_statements"
    NOT_A_QUERY = "not_a_query"
    DATA_MODIFYING = "data_modifying"
    SELECT_INTO = "select_into"
    LOCKING_CLAUSE = "locking_clause"
    EXPLAIN_ANALYZE = "explain_analyze"
    # What PostgreSQL would run or read
    PARSER_DISAGREEMENT = "parser_disagreement"
    UNLISTED_FUNCTION = "unlisted_function"
    FUNCTION_ON_VALUE = "function_on_value"
    UNLISTED_OPERATOR = "unlisted_operator"
    UNLISTED_TYPE = "unlisted_type"
    CATALOG_CAST = "catalog_cast"
    FIELD_SELECTION = "field_selection"
    SYSTEM_CATALOG = "system_catalog"
    PLACEHOLDER_NOT_A_VALUE = "placeholder_not_a_value"
    # Access rules
    BLOCKED_TABLE = "blocked_table"
    BLOCKED_COLUMN = "blocked_column"
    UNRESOLVED_NAME = "unresolved_name"
    UNKNOWN_RELATION = "unknown_relation"
    # The planner's estimates
    UNESTIMABLE_ROW_COUNT = "unestimable_row_count"
    MAX_QUERY_COST = "max_query_cost"
    # PostgreSQL itself refused
    READ_ONLY_TRANSACTION = "read_only_transaction"
    INSUFFICIENT_PRIVILEGE = "insufficient_privilege"
    SERVER_REFUSED = "server_refused"
    # A refusal raised without a more precise rule
    POLICY = "policy"

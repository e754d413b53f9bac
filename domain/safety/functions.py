"""The functions a read-only analytics query may call, and the names that betray a system function.

Anything not listed is refused. Left out on purpose: functions that run SQL given as text
(query_to_xml, ts_stat, ts_rewrite, *_to_xml), touch files or large objects (pg_read_file, lo_*),
read or change settings (current_setting, set_config), signal backends, take advisory locks, sleep,
assign transaction ids, use sequences (nextval, setval), reach other servers (dblink*), and every
pg_* function (catalog, size and admin helpers) but the few in _INFORMATION.
"""

_MATH = """
abs cbrt ceil ceiling degrees div exp factorial floor gcd lcm ln log log10 min_scale mod pi power
pow radians round scale sign sqrt trim_scale trunc width_bucket random random_normal
acos acosd asin asind atan atand atan2 atan2d cos cosd cot cotd sin sind tan tand
sinh cosh tanh asinh acosh atanh erf erfc gamma lgamma
"""

_STRING = """
ascii bit_length btrim char_length character_length chr concat concat_ws format initcap left
length lower lpad ltrim md5 normalize is_normalized octet_length overlay position quote_ident
quote_literal quote_nullable regexp_count regexp_instr regexp_like regexp_match regexp_matches
regexp_replace regexp_split_to_array regexp_split_to_table regexp_substr repeat replace reverse
right rpad rtrim split_part starts_with string_to_array string_to_table strpos substr substring
to_ascii to_hex to_bin to_oct translate unistr upper casefold encode decode convert convert_from
convert_to get_byte get_bit bit_count sha224 sha256 sha384 sha512 crc32 crc32c
like_escape similar_to_escape similar_escape gen_random_uuid uuidv4 uuidv7
uuid_extract_timestamp uuid_extract_version
to_char to_date to_number to_timestamp
"""

_DATETIME = """
age clock_timestamp date_add date_bin date_part date_subtract date_trunc extract isfinite
justify_days justify_hours justify_interval make_date make_interval make_time make_timestamp
make_timestamptz now statement_timestamp timeofday transaction_timestamp timezone overlaps
"""

# Syntax in PostgreSQL (CoalesceExpr, MinMaxExpr, NullIfExpr) that sqlglot reads as calls.
_CONDITIONAL = """
coalesce nullif greatest least
"""

_CASTS = """
bool int2 int4 int8 float4 float8 numeric text varchar date time timestamp timestamptz interval
"""

_AGGREGATES = """
any_value array_agg avg bit_and bit_or bit_xor bool_and bool_or count every json_agg
json_agg_strict jsonb_agg jsonb_agg_strict json_object_agg json_object_agg_strict
json_object_agg_unique json_object_agg_unique_strict jsonb_object_agg jsonb_object_agg_strict
jsonb_object_agg_unique jsonb_object_agg_unique_strict max min range_agg range_intersect_agg
string_agg sum corr covar_pop covar_samp regr_avgx regr_avgy regr_count regr_intercept regr_r2
regr_slope regr_sxx regr_sxy regr_syy stddev stddev_pop stddev_samp variance var_pop var_samp
mode percentile_cont percentile_disc grouping
"""

_WINDOW = """
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
"""

_JSON = """
to_json to_jsonb array_to_json row_to_json json_build_array jsonb_build_array json_build_object
jsonb_build_object json_object jsonb_object json_array_elements jsonb_array_elements
json_array_elements_text jsonb_array_elements_text json_array_length jsonb_array_length json_each
jsonb_each json_each_text jsonb_each_text json_extract_path jsonb_extract_path
json_extract_path_text jsonb_extract_path_text json_object_keys jsonb_object_keys
json_populate_record jsonb_populate_record json_populate_recordset jsonb_populate_recordset
json_to_record jsonb_to_record json_to_recordset jsonb_to_recordset json_strip_nulls
jsonb_strip_nulls jsonb_set jsonb_set_lax jsonb_insert jsonb_pretty json_typeof jsonb_typeof
jsonb_path_exists jsonb_path_match jsonb_path_query jsonb_path_query_array jsonb_path_query_first
jsonb_path_exists_tz jsonb_path_match_tz jsonb_path_query_tz jsonb_path_query_array_tz
jsonb_path_query_first_tz
"""

_ARRAY_RANGE = """
array_append array_cat array_dims array_fill array_length array_lower array_ndims array_position
array_positions array_prepend array_remove array_replace array_reverse array_sample array_shuffle
array_sort array_to_string array_upper cardinality trim_array unnest generate_subscripts
generate_series isempty lower_inc upper_inc lower_inf upper_inf range_merge int4range int8range
numrange tsrange tstzrange daterange int4multirange int8multirange nummultirange tsmultirange
tstzmultirange datemultirange multirange num_nulls num_nonnulls
"""

# Text search functions that take a document or a query value, never SQL text (unlike ts_stat).
_TEXT_SEARCH = """
to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd
ts_headline setweight strip numnode querytree tsvector_to_array array_to_tsvector ts_delete
ts_filter tsquery_phrase
"""

# Pure functions of their arguments or of the connection: no catalog, file, setting or size lookup.
_INFORMATION = """
pg_typeof pg_size_pretty current_database version
"""

# TABLESAMPLE methods are handler functions, looked up by name like any call.
_SAMPLING = """
bernoulli system
"""

ALLOWED_FUNCTIONS: frozenset[str] = frozenset(
    (
        _MATH
        + _STRING
        + _DATETIME
        + _CONDITIONAL
        + _CASTS
        + _AGGREGATES
        + _WINDOW
        + _JSON
        + _ARRAY_RANGE
    ).split()
    + _TEXT_SEARCH.split()
    + (_INFORMATION + _SAMPLING).split()
)

# Names that may be a function called in attribute notation, `(x).pg_read_file`, which the
# parser cannot tell from a column: refused there when they look like a system function.
_DANGEROUS_ONE_ARGUMENT = frozenset(
    {
        *("lo_import", "lo_unlink", "lo_get", "lo_creat", "lo_create", "current_setting"),
        *("nextval", "currval", "ts_stat", "txid_current", "set_config", "query_to_xml"),
    }
)
_SYSTEM_PREFIXES = ("pg_", "dblink", "txid_")


def looks_like_system_function(name: str) -> bool:
    """Whether a name read as a column or field could be a dangerous system function."""
    lowered = name.lower()
    return lowered.startswith(_SYSTEM_PREFIXES) or lowered in _DANGEROUS_ONE_ARGUMENT


# Extensions whose functions only compute on their arguments; introspection lists the functions
# they installed, less those named here, and the gate allows them where they were installed.
TRUSTED_EXTENSIONS = ("fuzzystrmatch", "pg_trgm")
# pg_trgm's set_limit changes a setting; show_limit reads one.
UNTRUSTED_EXTENSION_FUNCTIONS = ("set_limit", "show_limit")

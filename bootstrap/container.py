"""Wires settings, adapters and use cases; builds nothing by hand and decides nothing."""

from dependency_injector import containers, providers

from adapters.clock.system_clock import SystemClock
from adapters.llm.unconfigured_chat_model import UnconfiguredChatModel
from adapters.mcp.auto_chat_model import AutoChatModel
from adapters.mcp.sampling_chat_model import SamplingChatModel
from adapters.observability.call_observer import CallObserver
from adapters.postgres.pools import open_pools
from adapters.resilience.around import GuardedChatModel
from application.answer_question import AnswerQuestion
from application.authoring.sql_author import SqlAuthor
from application.describe_schema import DescribeSchema
from application.explain_query import ExplainQuery
from application.results.validation import ResultValidator
from application.routing.database_choice import DatabaseChoice
from application.routing.databases import DatabaseDirectory
from application.schema.catalog import SchemaCatalog
from application.values.value_catalog import ValueCatalog
from bootstrap import factories, observing
from bootstrap.settings import Settings
from domain.safety.policy import SafetyPolicy


class Container(containers.DeclarativeContainer):
    """The object graph of one running server."""

    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    redis = providers.Resource(factories.open_redis, settings.provided.shared)
    schema_store = providers.Singleton(factories.schema_store, redis)

    retry_policy = providers.Singleton(factories.retry_policy, settings.provided.retry)

    metrics = providers.Singleton(observing.metrics, settings.provided.observability)
    tracer = providers.Resource(observing.open_tracing, settings.provided.observability)

    pool_configs = providers.Callable(factories.pool_configs, settings)
    pools = providers.Resource(open_pools, pool_configs)
    raw_databases = providers.Singleton(factories.databases, pools, clock, settings)
    database_breakers = providers.Singleton(
        factories.database_breakers, settings, settings.provided.circuit, clock
    )
    database_retry_counter = providers.Callable(observing.retry_counter, metrics, "database")
    databases = providers.Singleton(
        factories.resilient_databases,
        raw_databases,
        database_breakers,
        retry_policy,
        on_retry=database_retry_counter,
    )
    granted_databases = providers.Singleton(
        factories.granted_databases, databases, settings.provided.auth.auth_scoped
    )
    database_descriptions = providers.Callable(factories.descriptions, settings)
    directory = providers.Singleton(
        DatabaseDirectory, granted_databases, descriptions=database_descriptions
    )
    value_readers = providers.Singleton(factories.value_readers, databases, settings)
    value_catalog = providers.Singleton(ValueCatalog, value_readers)

    sampling_chat_model = providers.Singleton(
        SamplingChatModel, max_tokens=settings.provided.openai.max_tokens
    )
    openai_config = providers.Callable(factories.openai_config, settings.provided.openai)
    openai_chat_model = providers.Resource(factories.open_chat_model, openai_config)
    auto_chat_model = providers.Singleton(
        AutoChatModel, preferred=None, sampling=sampling_chat_model
    )
    unconfigured_chat_model = providers.Singleton(UnconfiguredChatModel)
    chat_model_kind = providers.Callable(
        factories.chat_model_kind, settings.provided.llm, settings.provided.openai
    )
    base_chat_model = providers.Selector(
        chat_model_kind,
        openai=openai_chat_model,
        sampling=sampling_chat_model,
        auto=auto_chat_model,
        unconfigured=unconfigured_chat_model,
    )
    llm_breaker = providers.Singleton(
        factories.circuit_breaker, "the AI service", settings.provided.circuit, clock
    )
    llm_retry_counter = providers.Callable(observing.retry_counter, metrics, "llm")
    chat_model_concerns = providers.Singleton(
        factories.chat_model_concerns,
        settings.provided.rate_limit,
        settings.provided.shared,
        redis,
        llm_breaker,
        retry_policy,
        metrics,
        on_retry=llm_retry_counter,
    )
    chat_model = providers.Singleton(GuardedChatModel, base_chat_model, chat_model_concerns)
    request_limiter = providers.Resource(
        factories.request_limiter, settings.provided.rate_limit, settings.provided.shared, clock
    )

    breakers = providers.Singleton(observing.breakers, database_breakers, llm_breaker)
    metrics_registry = providers.Singleton(observing.metrics_registry, metrics, pools, breakers)
    audit_log = providers.Resource(
        observing.open_audit_log, settings.provided.observability.audit_log
    )
    call_observer = providers.Singleton(
        CallObserver,
        metrics=metrics,
        tracer=tracer,
        log_requests=settings.provided.observability.log_requests,
        audit=audit_log,
    )

    safety_config = providers.Callable(factories.safety_config, settings.provided.safety)
    safety_policy = providers.Singleton(SafetyPolicy, safety_config)
    access_rules = providers.Singleton(factories.access_rules, settings.provided.safety)

    catalog = providers.Singleton(
        SchemaCatalog,
        store=schema_store,
        clock=clock,
        ttl=settings.provided.query.schema_cache_ttl,
        rules=access_rules,
    )
    author = providers.Singleton(
        SqlAuthor,
        chat_model=chat_model,
        safety=safety_policy,
        max_repairs=settings.provided.query.max_repair_attempts,
        context_tokens=settings.provided.query.schema_context_tokens,
        show_values=settings.provided.query.show_parameter_values,
        values=value_catalog,
        candidates=settings.provided.query.candidates,
    )

    choice = providers.Singleton(
        DatabaseChoice,
        databases=directory,
        catalog=catalog,
        values=value_catalog,
        clock=clock,
        chat_model=chat_model,
    )

    validator = providers.Singleton(
        ResultValidator,
        chat_model,
        enabled=settings.provided.query.result_validation_enabled,
        strict=settings.provided.query.result_validation_strict,
    )

    answer_question = providers.Factory(
        AnswerQuestion,
        choice=choice,
        author=author,
        validator=validator,
        max_rows=settings.provided.query.max_result_rows,
        timeout=settings.provided.query.query_timeout,
        show_parameter_values=settings.provided.query.show_parameter_values,
    )
    explain_query = providers.Factory(
        ExplainQuery,
        choice=choice,
        author=author,
        timeout=settings.provided.query.query_timeout,
    )
    describe_schema = providers.Factory(DescribeSchema, databases=directory, catalog=catalog)

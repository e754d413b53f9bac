"""Wires settings, adapters and use cases; builds nothing by hand and decides nothing."""

from dependency_injector import containers, providers

from adapters.clock.system_clock import SystemClock
from adapters.llm.openai_chat_model import OpenAIChatModel
from adapters.llm.unconfigured_chat_model import UnconfiguredChatModel
from adapters.mcp.auto_chat_model import AutoChatModel
from adapters.mcp.sampling_chat_model import SamplingChatModel
from adapters.memory.in_memory_schema_store import InMemorySchemaStore
from adapters.observability.call_observer import CallObserver
from adapters.postgres.pools import open_pools
from adapters.resilience.circuit_breaking_chat_model import CircuitBreakingChatModel
from adapters.resilience.retrying_chat_model import RetryingChatModel
from application.answer_question import AnswerQuestion
from application.database_choice import DatabaseChoice
from application.databases import DatabaseDirectory
from application.describe_schema import DescribeSchema
from application.explain_query import ExplainQuery
from application.schema_catalog import SchemaCatalog
from application.sql_author import SqlAuthor
from application.validate_result import ResultValidator
from application.visible_schemas import VisibleSchemas
from bootstrap import factories, observing
from bootstrap.settings import Settings
from domain.safety.policy import SafetyPolicy


class Container(containers.DeclarativeContainer):
    """The object graph of one running server."""

    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    schema_store = providers.Singleton(InMemorySchemaStore)

    retry_policy = providers.Singleton(factories.retry_policy, settings.provided.retry)

    metrics = providers.Singleton(observing.metrics, settings.provided.observability)
    tracer = providers.Resource(observing.open_tracing, settings.provided.observability)

    pools = providers.Resource(open_pools, providers.Callable(factories.pool_configs, settings))
    raw_databases = providers.Singleton(factories.databases, pools, clock, settings)
    databases = providers.Singleton(
        factories.resilient_databases,
        raw_databases,
        retry_policy,
        settings.provided.circuit,
        clock,
        on_retry=providers.Callable(observing.retry_counter, metrics, "database"),
    )
    directory = providers.Singleton(DatabaseDirectory, databases)

    sampling_chat_model = providers.Singleton(
        SamplingChatModel, max_tokens=settings.provided.openai.max_tokens
    )
    base_chat_model = providers.Selector(
        providers.Callable(
            factories.chat_model_kind, settings.provided.llm, settings.provided.openai
        ),
        openai=providers.Singleton(
            OpenAIChatModel,
            providers.Callable(factories.openai_config, settings.provided.openai),
        ),
        sampling=sampling_chat_model,
        auto=providers.Singleton(AutoChatModel, preferred=None, sampling=sampling_chat_model),
        unconfigured=providers.Singleton(UnconfiguredChatModel),
    )
    llm_breaker = providers.Singleton(
        factories.circuit_breaker, "the AI service", settings.provided.circuit, clock
    )
    # Rate limit outermost (retries spend no tokens), then the breaker (an open circuit is
    # never retried), then retries of transient failures around the model itself.
    chat_model = providers.Singleton(
        factories.rate_limited_chat_model,
        providers.Singleton(
            CircuitBreakingChatModel,
            providers.Singleton(
                RetryingChatModel,
                providers.Singleton(observing.instrumented_chat_model, base_chat_model, metrics),
                retry_policy,
                transient=providers.Object(factories.llm_is_transient),
                retry_after=providers.Object(factories.llm_retry_after),
                on_retry=providers.Callable(observing.retry_counter, metrics, "llm"),
            ),
            llm_breaker,
            counts=providers.Object(factories.llm_is_transient),
        ),
        settings.provided.rate_limit,
    )
    request_limiter = providers.Singleton(
        factories.request_limiter, settings.provided.rate_limit, clock
    )

    metrics_registry = providers.Singleton(
        observing.metrics_registry,
        metrics,
        pools,
        providers.Singleton(observing.breakers, databases, llm_breaker),
    )
    call_observer = providers.Singleton(
        CallObserver,
        metrics=metrics,
        tracer=tracer,
        log_requests=settings.provided.observability.log_requests,
    )

    safety_policy = providers.Singleton(
        SafetyPolicy, providers.Callable(factories.safety_config, settings.provided.safety)
    )
    access_rules = providers.Singleton(factories.access_rules, settings.provided.safety)
    visible_schemas = providers.Singleton(VisibleSchemas, access_rules)

    catalog = providers.Singleton(
        SchemaCatalog,
        store=schema_store,
        clock=clock,
        ttl=settings.provided.query.schema_cache_ttl,
    )
    author = providers.Singleton(
        SqlAuthor,
        chat_model=chat_model,
        safety=safety_policy,
        visible=visible_schemas,
        max_repairs=settings.provided.query.max_repair_attempts,
        context_tokens=settings.provided.query.schema_context_tokens,
        show_values=settings.provided.query.show_parameter_values,
    )

    choice = providers.Singleton(
        DatabaseChoice, databases=directory, catalog=catalog, visible=visible_schemas
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
    describe_schema = providers.Factory(
        DescribeSchema, databases=directory, catalog=catalog, visible=visible_schemas
    )

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Shop.ServiceDefaults;

/// <summary>What every Shop service repeats: telemetry, health endpoints, problem details; its database in <see cref="ServiceDatabaseExtensions"/>.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Read by the OTLP exporter itself, beside its endpoint: headers sent with every export, such as the API key a
    /// collector that is not on loopback requires (compose's dashboard, docs/observability.md).
    /// </summary>
    public const string OtlpHeadersKey = "OTEL_EXPORTER_OTLP_HEADERS";

    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        // Tracing and metrics exist only where a collector is configured: a provider with nowhere to send still records
        // an activity per request and per message. Locally the logs are enough.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            builder.AddOpenTelemetryExport();

        return builder;
    }

    /// <summary>
    /// Traces, metrics and logs over OTLP (the Aspire dashboard, or any collector): requests, outgoing HTTP, the bus
    /// (added by <c>AddShopMessaging</c>) and every meter named <c>Shop.*</c>. Health probes are left out of the
    /// traces: they would bury the orders under a request every few seconds; so would queue polling (<see cref="IsPartOfATrace"/>).
    /// </summary>
    static void AddOpenTelemetryExport(this IHostApplicationBuilder builder)
    {
        var service = builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : builder.Environment.ApplicationName;
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(service))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation(options => options.FilterHttpRequestMessage = _ => IsPartOfATrace()))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(ShopMeterNames))
            .UseOtlpExporter();
    }

    /// <summary>
    /// Outgoing HTTP calls made outside any trace are left out: on SQS/SNS every long poll of every queue would be a
    /// trace of its own and bury the orders. Calls made while handling a request or a message keep their span.
    /// </summary>
    static bool IsPartOfATrace() => System.Diagnostics.Activity.Current is { } current
        && (current.OperationName != "System.Net.Http.HttpRequestOut" || current.ParentSpanId != default);

    /// <summary>The services' own meters (<c>Shop.Messaging</c>, <c>Shop.Images</c>, ...).</summary>
    public const string ShopMeterNames = "Shop.*";

    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: its database and broker answer too.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return app;
    }
}

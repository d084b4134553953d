using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Shop.Payments.Worker.Gateway;

public static class PaymentGatewayServiceCollectionExtensions
{
    public const string PipelineName = "payment-gateway";

    /// <summary>
    /// The gateway port (the simulator unless an <see cref="IPaymentGateway"/> is already registered) and the
    /// <c>payment-gateway</c> pipeline, outermost first: total timeout, retry with jittered back-off, circuit breaker,
    /// per-attempt timeout.
    /// </summary>
    public static IServiceCollection AddPaymentGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PaymentGatewayOptions>(configuration.GetSection(PaymentGatewayOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IPaymentGateway, SimulatedPaymentGateway>();
        services.TryAddTransient<ResilientPaymentGateway>();

        services.AddResiliencePipeline(PipelineName, (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<PaymentGatewayOptions>>().Value.Resilience;
            var outage = new PredicateBuilder()
                .Handle<PaymentGatewayUnavailableException>()
                .Handle<TimeoutRejectedException>()
                .Handle<HttpRequestException>();

            pipeline
                .AddTimeout(options.TotalTimeout)
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = outage,
                    MaxRetryAttempts = options.MaxRetryAttempts,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryDelay
                })
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    ShouldHandle = outage,
                    FailureRatio = options.CircuitBreakerFailureRatio,
                    MinimumThroughput = options.CircuitBreakerMinimumThroughput,
                    SamplingDuration = options.CircuitBreakerSamplingDuration,
                    BreakDuration = options.CircuitBreakerBreakDuration
                })
                .AddTimeout(options.AttemptTimeout);
        });

        return services;
    }

    /// <summary>What the pipeline throws once it has given up on the provider: every attempt failed, timed out, or the circuit is open.</summary>
    public static bool IsGatewayOutage(Exception exception) =>
        exception is PaymentGatewayUnavailableException or TimeoutRejectedException or BrokenCircuitException or HttpRequestException;
}

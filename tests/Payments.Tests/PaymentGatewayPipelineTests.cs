using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Timeout;
using Shop.Payments.Tests.Infrastructure;
using Shop.Payments.Worker.Gateway;

namespace Shop.Payments.Tests;

/// <summary>The <c>payment-gateway</c> pipeline around the simulator, without broker or database.</summary>
[Trait("Category", "NoTransport")]
public sealed class The_payment_gateway_pipeline
{
    [Fact]
    public async Task Should_retry_a_flaky_card_until_it_is_approved()
    {
        var (pipeline, gateway) = Build();
        var orderId = Guid.NewGuid();

        var result = await pipeline.ExecuteAsync(async token => await gateway.Charge(new ChargeRequest(orderId, 10m, "EUR", "tok_flaky"), token));

        Assert.True(result.Approved);
        Assert.Equal(3, gateway.ChargeCalls(orderId));
    }

    [Fact]
    public async Task Should_give_up_with_a_timeout_when_every_attempt_is_too_slow()
    {
        var (pipeline, gateway) = Build();
        var orderId = Guid.NewGuid();

        var exception = await Assert.ThrowsAsync<TimeoutRejectedException>(async () =>
            await pipeline.ExecuteAsync(async token => await gateway.Charge(new ChargeRequest(orderId, 10m, "EUR", "tok_slow"), token)));

        Assert.True(PaymentGatewayServiceCollectionExtensions.IsGatewayOutage(exception));
        Assert.Equal(4, gateway.ChargeCalls(orderId));
    }

    [Fact]
    public async Task Should_stop_at_the_total_timeout_even_with_retries_left()
    {
        var (pipeline, gateway) = Build(new()
        {
            ["Payments:Gateway:Resilience:TotalTimeout"] = "00:00:00.600",
            ["Payments:Gateway:Resilience:AttemptTimeout"] = "00:00:05",
            ["Payments:Gateway:Resilience:MaxRetryAttempts"] = "10",
        });
        var orderId = Guid.NewGuid();

        await Assert.ThrowsAsync<TimeoutRejectedException>(async () =>
            await pipeline.ExecuteAsync(async token => await gateway.Charge(new ChargeRequest(orderId, 10m, "EUR", "tok_slow"), token)));

        Assert.Equal(1, gateway.ChargeCalls(orderId));
    }

    [Theory]
    [InlineData("tok_declined", "card declined")]
    [InlineData("tok_insufficient_funds", "insufficient funds")]
    [InlineData("4242424242424242", "card token not recognised")]
    public async Task Should_not_retry_a_declined_card(string cardToken, string reason)
    {
        var (pipeline, gateway) = Build();
        var orderId = Guid.NewGuid();

        var result = await pipeline.ExecuteAsync(async token => await gateway.Charge(new ChargeRequest(orderId, 10m, "EUR", cardToken), token));

        Assert.False(result.Approved);
        Assert.Equal(reason, result.DeclineReason);
        Assert.Equal(1, gateway.ChargeCalls(orderId));
    }

    [Fact]
    public async Task Should_approve_any_other_test_token_and_return_the_same_charge_for_the_same_order()
    {
        var (pipeline, gateway) = Build();
        var orderId = Guid.NewGuid();

        var first = await pipeline.ExecuteAsync(async token => await gateway.Charge(new ChargeRequest(orderId, 10m, "EUR", "tok_mastercard"), token));
        var second = await pipeline.ExecuteAsync(async token => await gateway.Charge(new ChargeRequest(orderId, 10m, "EUR", "tok_mastercard"), token));

        Assert.True(first.Approved);
        Assert.Equal(first.ProviderReference, second.ProviderReference);
    }

    [Fact]
    public async Task Should_fail_fast_once_the_circuit_is_open()
    {
        var (pipeline, gateway) = Build(new()
        {
            ["Payments:Gateway:FlakyFailures"] = "1000",
            ["Payments:Gateway:Resilience:MaxRetryAttempts"] = "1",
            ["Payments:Gateway:Resilience:CircuitBreakerMinimumThroughput"] = "2",
            ["Payments:Gateway:Resilience:CircuitBreakerFailureRatio"] = "0.5",
            ["Payments:Gateway:Resilience:CircuitBreakerSamplingDuration"] = "00:00:30",
            ["Payments:Gateway:Resilience:CircuitBreakerBreakDuration"] = "00:01:00",
        });
        var failing = Guid.NewGuid();
        var healthy = Guid.NewGuid();

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(async () =>
            await pipeline.ExecuteAsync(async token => await gateway.Charge(new ChargeRequest(failing, 10m, "EUR", "tok_flaky"), token)));
        var exception = await Assert.ThrowsAsync<BrokenCircuitException>(async () =>
            await pipeline.ExecuteAsync(async token => await gateway.Charge(new ChargeRequest(healthy, 10m, "EUR", "tok_visa"), token)));

        Assert.True(PaymentGatewayServiceCollectionExtensions.IsGatewayOutage(exception));
        Assert.Equal(2, gateway.ChargeCalls(failing));
        Assert.Equal(0, gateway.ChargeCalls(healthy));
    }

    static (ResiliencePipeline Pipeline, CountingPaymentGateway Gateway) Build(Dictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>(PaymentsService.GatewaySettings)
        {
            ["Payments:Gateway:Resilience:AttemptTimeout"] = "00:00:00.100",
            ["Payments:Gateway:Resilience:RetryDelay"] = "00:00:00.001",
        };
        foreach (var (key, value) in overrides ?? [])
            settings[key] = value;

        var services = new ServiceCollection()
            .AddLogging()
            .AddPaymentGateway(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<SimulatedPaymentGateway>();
        services.AddSingleton<CountingPaymentGateway>();
        var provider = services.BuildServiceProvider();

        return (provider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(PaymentGatewayServiceCollectionExtensions.PipelineName),
            provider.GetRequiredService<CountingPaymentGateway>());
    }
}

namespace Shop.Payments.Worker.Gateway;

/// <summary>The <c>Payments:Gateway</c> section: how the simulated provider behaves.</summary>
public sealed class PaymentGatewayOptions
{
    public const string SectionName = "Payments:Gateway";

    /// <summary>Time every simulated call takes.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Time a <c>tok_slow</c> charge takes; meant to exceed the per-attempt timeout.</summary>
    public TimeSpan SlowLatency { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Transient failures a <c>tok_flaky</c> card produces per order before it is approved.</summary>
    public int FlakyFailures { get; set; } = 2;

    /// <summary>
    /// When set, every charge the simulated provider approves is appended to this file (one JSON line, written before
    /// the answer is returned), as a provider's own records would show it: the fault suite counts double charges there
    /// rather than in our payments table.
    /// </summary>
    public string? LedgerPath { get; set; }

    public PaymentGatewayResilienceOptions Resilience { get; set; } = new();
}

/// <summary>The <c>Payments:Gateway:Resilience</c> section: the <c>payment-gateway</c> pipeline.</summary>
public sealed class PaymentGatewayResilienceOptions
{
    /// <summary>Upper bound for one charge including every retry; after it the payment fails.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Base of the exponential back-off between attempts (jittered).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public double CircuitBreakerFailureRatio { get; set; } = 0.5;
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

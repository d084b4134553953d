using Shop.Hosting.Lambda.Tests.Infrastructure;
using Shop.Testing;

namespace Shop.Hosting.Lambda.Tests;

public sealed class InitErrorTests
{
    [Fact]
    public async Task When_the_worker_cannot_start_should_report_it_through_the_init_error_call()
    {
        var fauxqs = await TestTransport.AwsEndpoint();
        await using var runtime = await RuntimeApiPeer.StartAsync();
        // Nothing listens on port 1: the migrations at start fail.
        var environment = new Dictionary<string, string?>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = runtime.Endpoint,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Messaging__Transport"] = "AmazonSqs",
            ["Messaging__AmazonSqs__ServiceUrl"] = fauxqs.ToString(),
            ["Messaging__AmazonSqs__Region"] = TestTransport.Region,
            ["Messaging__AmazonSqs__Prefix"] = $"i{Guid.NewGuid():N}"[..12] + "-",
            ["ConnectionStrings__Payments"] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=3",
        };
        await using var worker = WorkerProcess.Start("Shop.Payments.Worker.dll", environment);

        var reported = await Eventually.Completes(runtime.InitError, "the worker to report its init error", TimeSpan.FromMinutes(2));

        Assert.StartsWith("Unhandled.", reported.ErrorType);
        Assert.False(string.IsNullOrEmpty(reported.Error!["errorMessage"]!.GetValue<string>()), worker.Output);
        Assert.NotEqual(0, await worker.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.False(runtime.Initialised.IsCompleted, "the worker asked for an invocation although it failed to start");
    }
}
